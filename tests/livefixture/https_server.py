"""An HTTPS server on 127.0.0.1 and ::1 (same port) serving one site per Host name.

The certificate is chosen by SNI, so each name can present its own (valid, expired, wrong
name...). The TLS handshake runs in the request thread, so slow or failing clients never hold
up the others.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WELL_KNOWN = "/.well-known/mta-sts.txt"


@dataclass
class Site:
    """What one policy host answers on ``/.well-known/mta-sts.txt``."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/plain"  # None: no Content-Type header at all
    location: str | None = None
    delay: float = 0.0
    #: When set, every request waits here until ``gate.parties`` requests are in flight at
    #: once (HTTP 503 if that never happens): proof of concurrency without timing anything.
    gate: threading.Barrier | None = None
    #: Requests answered on the well-known path (any status).
    requests: int = 0
    #: Announce this many bytes more than ``body`` in ``Content-Length``, then close the
    #: connection: a body cut short.
    missing: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.settimeout(10)
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").lower()
        if host.count(":") == 1:
            host = host.split(":")[0]
        site = self.server.sites.get(host)
        if self.path != WELL_KNOWN or site is None:
            self._send(404, b"not found\n", "text/plain")
            return
        site.requests += 1
        if site.delay:
            time.sleep(site.delay)
        if site.gate is not None:
            try:
                site.gate.wait()
            except threading.BrokenBarrierError:
                self._send(503, b"never saw enough concurrent requests\n", "text/plain")
                return
        headers = {"Location": site.location} if site.location else {}
        self._send(site.status, site.body, site.content_type, headers, missing=site.missing)

    def _send(
        self, status: int, body: bytes, ctype: str | None, headers: dict[str, str] | None = None, *, missing: int = 0
    ) -> None:
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) + missing))
        self.close_connection = self.close_connection or missing > 0
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # It stands in for every test domain's policy host: socketserver's backlog of 5 dropped the SYNs of
    # bench_check.py's concurrent fetches, which the client sends again a second later.
    request_queue_size = socket.SOMAXCONN
    tls: ssl.SSLContext
    sites: dict[str, Site]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that reject our certificate are part of the scenarios


class _Server6(_Server):
    address_family = socket.AF_INET6


def _loopback_v6_available() -> bool:
    """Some CI containers have no ::1; the fixture then serves IPv4 only."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class HttpsFixture:
    """Listens on 127.0.0.1:port and, where the machine has IPv6 loopback, [::1]:port."""

    def __init__(self, default_context: ssl.SSLContext) -> None:
        self.sites: dict[str, Site] = {}
        self.contexts: dict[str, ssl.SSLContext] = {}
        self.default_context = default_context
        self.tls = self._sni_context()
        self.servers: list[_Server] = []
        self.ipv6 = _loopback_v6_available()
        for _ in range(50):
            try:
                v4 = _Server(("127.0.0.1", 0), _Handler)
            except OSError:
                continue
            port = v4.server_address[1]
            if not self.ipv6:
                self.servers, self.port = [v4], port
                break
            try:
                v6 = _Server6(("::1", port), _Handler)
            except OSError:
                v4.server_close()
                continue
            self.servers, self.port = [v4, v6], port
            break
        else:
            raise RuntimeError("no free port for the HTTPS fixture")
        for server in self.servers:
            server.tls = self.tls
            server.sites = self.sites
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def _sni_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        contexts = self.contexts
        default = self.default_context

        def choose(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
            sock.context = contexts.get((name or "").lower(), default)

        ctx.sni_callback = choose  # type: ignore[assignment]
        return ctx

    def serve(self, host: str, site: Site, context: ssl.SSLContext) -> None:
        self.sites[host.lower()] = site
        self.contexts[host.lower()] = context

    def stop(self) -> None:
        for server in self.servers:
            with contextlib.suppress(Exception):
                server.shutdown()
            server.server_close()
