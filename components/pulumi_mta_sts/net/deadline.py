"""Time limits for a whole network step, not for each read.

A socket timeout bounds one ``recv``: a server that trickles one byte a second, or answers
``100 Continue`` forever, never trips it, so a fetch or an SMTP dialogue "with a 10 s timeout"
could take hours. :class:`Deadline` is the moment a step must be over; :class:`DeadlineReader`
is a raw reader over a socket that gives each ``recv`` only the time left, so every read made
through it (``http.client``'s and ``smtplib``'s buffered files included) ends by the deadline.
The HTTPS policy fetch (:mod:`.https_fetch`) and the checker's STARTTLS probe both use it.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Deadline", "DeadlineReader", "buffered_reader"]


@dataclass
class Deadline:
    """The monotonic moment by which a step of ``seconds`` that starts now must be over."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def at(self) -> float:
        return self.started + self.seconds

    def remaining(self) -> float:
        """Seconds left; :class:`TimeoutError` once none are."""
        left = self.at - self.clock()
        if left <= 0:
            raise TimeoutError(f"no complete answer within {self.seconds:g}s")
        return left

    @property
    def expired(self) -> bool:
        return self.clock() >= self.at

    def elapsed(self) -> float:
        return self.clock() - self.started

    def arm(self, sock: socket.socket) -> None:
        """Give ``sock``'s next blocking call (connect, handshake, send, recv) only the time left.
        CPython's socket and TLS calls count their timeout from the start of the call, so one
        call cannot outlive the deadline."""
        sock.settimeout(self.remaining())


class DeadlineReader(io.RawIOBase):
    """A raw, readable stream over ``sock`` whose every read ends by ``deadline``. Like the
    socket's own ``makefile``, it keeps the socket open until it is closed itself (``http.client``
    closes its connection's socket before reading a body delimited by the end of the
    connection)."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

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
