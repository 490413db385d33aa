"""Time limits for a whole network step, not for each read: a socket timeout bounds one ``recv``,
so a server trickling a byte a second (or ``100 Continue`` forever) could stretch a "10 s" fetch
or SMTP dialogue to hours. Every read through :func:`buffered_reader` gets only the time left."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """The monotonic moment by which a step of ``seconds`` that starts now must be over."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float:
        """Seconds left; :class:`TimeoutError` once none are."""
        left = self.started + self.seconds - self.clock()
        if left <= 0:
            raise TimeoutError(f"no complete answer within {self.seconds:g}s")
        return left

    def elapsed(self) -> float:
        return self.clock() - self.started

    def arm(self, sock: socket.socket) -> None:
        """Give ``sock``'s next blocking call only the time left (a call's timeout counts from its start)."""
        sock.settimeout(self.remaining())


class DeadlineReader(io.RawIOBase):
    """A raw stream over ``sock`` whose every read ends by ``deadline``; open until closed itself, like
    ``makefile`` (``http.client`` closes its socket before reading a body ended by the connection)."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock, self._raw, self._deadline = sock, sock.makefile("rb", buffering=0), deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int | None:  # type: ignore[override]
        self._deadline.arm(self._sock)
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


def buffered_reader(sock: socket.socket, deadline: Deadline) -> io.BufferedReader:
    """A buffered file over ``sock`` for ``readline``-style protocols, bounded by ``deadline``."""
    return io.BufferedReader(DeadlineReader(sock, deadline))
