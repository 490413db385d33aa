"""Hostile servers on loopback: HTTPS and SMTP peers that pace, flood or cut their answers the
way a broken or malicious server does, so tests can prove the checker still ends in time with
bounded memory.

:class:`HostileServer` accepts TCP connections on 127.0.0.1 (TLS-wrapped when given a server
context) and runs one *behaviour* per connection in its own thread. A behaviour talks through
:class:`Peer`, whose :meth:`Peer.pace` waits on the server's stop event (never a bare sleep),
and stops when the client goes away, when the server stops or after :data:`MAX_LIFETIME`
seconds, so a test against a checker that does hang fails instead of hanging the suite.

The behaviours below are the ones the checker met in the wild or in the issue: a trickled
answer, endless headers, endless ``100 Continue``, a body shorter than its ``Content-Length``,
a trickled SMTP greeting, endless greeting or EHLO continuation lines.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable

__all__ = [
    "MAX_LIFETIME",
    "Behaviour",
    "HostileServer",
    "Peer",
    "endless",
    "http_response",
    "serve_http",
    "smtp_dialogue",
    "trickle",
]

#: The longest a behaviour talks to one client before giving up (seconds).
MAX_LIFETIME = 30.0


class _Gone(Exception):
    """The client closed, the server stopped, or the behaviour ran out of time."""


class Peer:
    """One client connection as a behaviour sees it."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self._stop = stop
        self._ends = time.monotonic() + MAX_LIFETIME
        self._buffer = b""
        self.sent = 0

    def _check(self) -> None:
        if self._stop.is_set() or time.monotonic() > self._ends:
            raise _Gone

    def send(self, data: bytes) -> None:
        self._check()
        try:
            self.sock.sendall(data)
        except OSError:
            raise _Gone from None
        self.sent += len(data)

    def pace(self, seconds: float) -> None:
        """Wait ``seconds`` before the next write (ends early when the server stops)."""
        if self._stop.wait(seconds):
            raise _Gone

    def readline(self) -> bytes:
        """One line from the client (the client's requests are short and honest)."""
        while b"\n" not in self._buffer:
            self._check()
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                raise _Gone from None
            if not chunk:
                raise _Gone
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def read_request_head(self) -> None:
        """Read an HTTP request up to its empty line."""
        while self.readline() not in (b"\r\n", b"\n"):
            pass


Behaviour = Callable[[Peer], None]


class HostileServer:
    """``behaviour`` for every connection to ``127.0.0.1:port`` (inside TLS when ``tls`` is set)."""

    def __init__(self, behaviour: Behaviour, tls: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour
        self.tls = tls
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.connections = 0
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket) -> None:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(1.0)
        sock = raw
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(raw, server_side=True)
            self.behaviour(Peer(sock, self._stop))
        except (_Gone, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self._accepting.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ----------------------------------------------------------------------------- behaviours


def http_response(body: bytes, *, status: str = "200 OK", headers: Iterable[str] = ()) -> bytes:
    """A complete HTTP/1.1 response with ``Content-Type: text/plain`` and a true ``Content-Length``."""
    head = [f"HTTP/1.1 {status}", "Content-Type: text/plain", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def trickle(data: bytes, interval: float, step: int = 1) -> Behaviour:
    """Send ``data`` ``step`` bytes at a time, ``interval`` seconds apart (an HTTP server reads
    the request first; use inside :func:`serve_http` or :func:`smtp_dialogue`)."""

    def behaviour(peer: Peer) -> None:
        for start in range(0, len(data), step):
            peer.send(data[start : start + step])
            peer.pace(interval)

    return behaviour


def endless(prefix: bytes, line: bytes) -> Behaviour:
    """Send ``prefix``, then ``line`` again and again as fast as the client reads."""

    def behaviour(peer: Peer) -> None:
        peer.send(prefix)
        block = line * max(1, 16384 // max(1, len(line)))
        while True:
            peer.send(block)

    return behaviour


def serve_http(answer: Behaviour) -> Behaviour:
    """Read the client's request, then ``answer`` it."""

    def behaviour(peer: Peer) -> None:
        peer.read_request_head()
        answer(peer)

    return behaviour


def smtp_dialogue(greeting: Behaviour, ehlo_reply: Behaviour | None = None) -> Behaviour:
    """Greet with ``greeting``; answer the first command (EHLO) with ``ehlo_reply`` (default: a
    short reply without STARTTLS), and every later command with ``221``."""

    def behaviour(peer: Peer) -> None:
        greeting(peer)
        peer.readline()
        if ehlo_reply is None:
            peer.send(b"250-hostile.test\r\n250 SIZE 1000\r\n")
        else:
            ehlo_reply(peer)
        while True:
            peer.readline()
            peer.send(b"221 bye\r\n")

    return behaviour
