"""DNS servers on loopback for the "DNS cannot be reached" paths, built so that tests count what
was sent instead of timing it.

- :class:`SilentDns`: a bound UDP socket that never answers (packets dropped, as behind a
  firewall). Nothing reads it while the test runs: every query waits in the socket's buffer and
  :meth:`SilentDns.drain` returns them afterwards, so a test asserts how many queries were sent
  before the client gave up. No thread, nothing to wait for: the socket is bound before it is used.
- :class:`AnsweringDns`: answers every query with one response code (SERVFAIL, REFUSED ...), from a
  thread, and counts the queries.
- :func:`closed_port`: a UDP port on 127.0.0.1 where nothing listens, so the kernel answers
  "port unreachable" (ICMP) at once.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

import dns.exception
import dns.message
import dns.rcode


def _bound() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


class SilentDns:
    """A UDP "DNS server" on 127.0.0.1 that receives and never answers."""

    def __init__(self) -> None:
        self._sock = _bound()
        self.port: int = self._sock.getsockname()[1]

    @property
    def nameserver(self) -> str:
        """``127.0.0.1:PORT``, as ``--nameserver`` takes it."""
        return f"127.0.0.1:{self.port}"

    def drain(self) -> list[dns.message.Message]:
        """Every query received so far (each parsed; anything that is not DNS is kept out)."""
        queries: list[dns.message.Message] = []
        self._sock.setblocking(False)
        while True:
            try:
                wire = self._sock.recv(65535)
            except BlockingIOError:
                return queries
            try:
                queries.append(dns.message.from_wire(wire))
            except dns.exception.DNSException:
                continue

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> SilentDns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AnsweringDns:
    """A UDP DNS server on 127.0.0.1 that answers every query with ``rcode`` and no records."""

    def __init__(self, rcode: dns.rcode.Rcode) -> None:
        self._sock = _bound()
        self.port: int = self._sock.getsockname()[1]
        self.rcode = rcode
        self.queries = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            wire, peer = self._sock.recvfrom(65535)
            if self._stopping.is_set():
                return
            try:
                query = dns.message.from_wire(wire)
            except dns.exception.DNSException:
                continue
            self.queries += 1
            response = dns.message.make_response(query)
            response.set_rcode(self.rcode)
            self._sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        """Stop the thread (woken by one last datagram: nothing is waited on by the clock)."""
        self._stopping.set()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.sendto(b"", ("127.0.0.1", self.port))
        self._thread.join()
        self._sock.close()

    def __enter__(self) -> AnsweringDns:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def closed_port() -> int:
    """A UDP port on 127.0.0.1 with nothing bound to it (it was free a moment ago)."""
    with _bound() as sock:
        port: int = sock.getsockname()[1]
    return port
