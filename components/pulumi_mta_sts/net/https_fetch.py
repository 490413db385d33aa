"""Fetch a policy the way a sender does: HTTPS, certificate verified for the policy host name,
redirects never followed, a size cap and a time limit.

The connection goes to an address chosen from DNS (so IPv4 and IPv6 can be tested apart),
while SNI and the certificate's host name check use the policy host name.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .tlsinfo import CertInfo, cert_info, describe_tls_error

__all__ = ["MAX_POLICY_BYTES", "FetchResult", "fetch_policy", "make_tls_context"]

#: Senders commonly cap the policy body at 64 KiB.
MAX_POLICY_BYTES = 64 * 1024
USER_AGENT = "pulumi-mta-sts-check/0.1"


def make_tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """A client context: the system trust store, or only ``cafile`` when given."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


@dataclass(frozen=True)
class FetchResult:
    """What one HTTPS GET returned. ``error`` is set (and ``status`` is ``None``) when no HTTP
    response came back; ``error_kind`` is ``tls`` (certificate or handshake), ``timeout``,
    ``connect`` or ``http``."""

    url: str
    address: str
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    body: bytes = b""
    too_large: bool = False
    elapsed: float = 0.0
    tls_version: str | None = None
    certificate: CertInfo | None = None
    error: str | None = None
    error_kind: str | None = None


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to ``address`` while SNI and the host name check use ``host``."""

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def fetch_policy(
    host: str,
    address: str,
    *,
    port: int = 443,
    path: str = "/.well-known/mta-sts.txt",
    context: ssl.SSLContext,
    timeout: float = 10.0,
) -> FetchResult:
    """GET ``https://host:port/path`` from ``address``; never raises for network trouble."""
    url = f"https://{host}{'' if port == 443 else f':{port}'}{path}"
    started = time.monotonic()
    conn = _PinnedConnection(host, port, address, context, timeout)
    try:
        conn.connect()
        assert isinstance(conn.sock, ssl.SSLSocket)
        tls_version = conn.sock.version()
        cert = cert_info(conn.sock.getpeercert())
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/plain"})
        response = conn.getresponse()
        body = response.read(MAX_POLICY_BYTES + 1)
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            return FetchResult(
                url, address, elapsed=elapsed, error=f"no complete answer within {timeout:g}s", error_kind="timeout"
            )
        return FetchResult(
            url,
            address,
            status=response.status,
            content_type=response.getheader("Content-Type"),
            location=response.getheader("Location"),
            body=body[:MAX_POLICY_BYTES],
            too_large=len(body) > MAX_POLICY_BYTES,
            elapsed=elapsed,
            tls_version=tls_version,
            certificate=cert,
        )
    except ssl.SSLError as exc:
        return _failure(url, address, started, describe_tls_error(exc), "tls")
    except TimeoutError:
        return _failure(url, address, started, f"no answer within {timeout:g}s", "timeout")
    except (ConnectionError, OSError) as exc:
        return _failure(url, address, started, f"cannot connect to {address} port {port}: {exc}", "connect")
    except http.client.HTTPException as exc:
        return _failure(url, address, started, f"invalid HTTP answer: {exc!r}", "http")
    finally:
        conn.close()


def _failure(url: str, address: str, started: float, error: str, kind: str) -> FetchResult:
    return FetchResult(url, address, elapsed=time.monotonic() - started, error=error, error_kind=kind)
