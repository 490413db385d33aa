"""The one HTTPS fetch of a policy, made the way a sender makes it: the certificate verified for
the policy host name, redirects never followed, the body read up to the cap plus one byte (so an
oversized body is noticed without reading it all), and a time limit.

The deploy gate (:mod:`.served`, for ``PolicyLive``) and ``mta-sts check`` both fetch with
:func:`fetch_policy` and judge the result with :func:`pulumi_mta_sts.core.acceptance.judge`
(:attr:`FetchResult.verdict`), so they cannot disagree about the same URL.

The connection may go to an address chosen by the caller (the checker tests IPv4 and IPv6 apart,
tests connect to loopback) while SNI, the ``Host`` header and the certificate check use the
policy host name; without an address the system resolver is used, like a sender.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES, WELL_KNOWN_PATH, Fetched, FetchError, Verdict, judge
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT

from .tlsinfo import CertInfo, cert_info, describe_tls_error

__all__ = ["USER_AGENT", "FetchResult", "fetch_policy", "make_tls_context", "policy_fetch_url"]

USER_AGENT = "pulumi-mta-sts (+RFC 8461 policy fetch)"


def make_tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """A client context: the system trust store, or only ``cafile`` when given."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


@functools.cache
def _system_context() -> ssl.SSLContext:
    """The system trust store, loaded once per process (a context is safe to share)."""
    return make_tls_context()


@dataclass(frozen=True, kw_only=True)
class FetchResult(Fetched):
    """What one HTTPS GET got (the facts a sender judges, see :class:`Fetched`), plus how: the
    ``url``, the ``address`` connected to, the time taken, the TLS version and the verified
    certificate."""

    url: str
    address: str
    elapsed: float = 0.0
    tls_version: str | None = None
    certificate: CertInfo | None = None

    @property
    def verdict(self) -> Verdict:
        """Whether a sender accepts this fetch, and why not (:func:`~pulumi_mta_sts.core.acceptance.judge`)."""
        return judge(self)


def policy_fetch_url(host: str, port: int = 443, path: str = WELL_KNOWN_PATH) -> str:
    """``https://host[:port]/path``; the port is left out when it is 443."""
    return f"https://{host}{'' if port == 443 else f':{port}'}{path}"


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to ``address`` (the host name itself when ``None``) while SNI, the ``Host`` header
    and the certificate check use ``host``. ``peer`` is the address actually connected to."""

    def __init__(self, host: str, port: int, address: str | None, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address or host
        self._tls = context
        self.peer: str | None = None

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.peer = str(raw.getpeername()[0])
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def fetch_policy(
    host: str,
    address: str | None = None,
    *,
    port: int = 443,
    path: str = WELL_KNOWN_PATH,
    context: ssl.SSLContext | None = None,
    timeout: float = HTTPS_REQUEST_TIMEOUT,
) -> FetchResult:
    """GET ``https://host:port/path`` (from ``address`` when given); never raises for network
    trouble: a failure is a result with ``error`` set. ``context`` defaults to the system trust
    store. An answer that took longer than ``timeout`` in all is a timeout, as for a sender."""
    url = policy_fetch_url(host, port, path)
    started = time.monotonic()
    conn = _PinnedConnection(host, port, address, context or _system_context(), timeout)

    def failure(error: str, kind: FetchError) -> FetchResult:
        where = conn.peer or address or host
        return FetchResult(
            host=host, url=url, address=where, elapsed=time.monotonic() - started, error=error, error_kind=kind
        )

    try:
        return _get(conn, url, path, started, timeout)
    except ssl.SSLError as exc:
        return failure(describe_tls_error(exc), FetchError.TLS)
    except TimeoutError:
        return failure(f"no answer within {timeout:g}s", FetchError.TIMEOUT)
    except OSError as exc:
        return failure(f"cannot connect to {conn.peer or address or host} port {port}: {exc}", FetchError.CONNECT)
    except http.client.HTTPException as exc:
        return failure(f"invalid HTTP answer: {exc!r}", FetchError.HTTP)
    finally:
        conn.close()


def _get(conn: _PinnedConnection, url: str, path: str, started: float, timeout: float) -> FetchResult:
    """Connect, GET ``path`` and read at most one byte more than a sender would."""
    conn.connect()
    sock = conn.sock
    assert isinstance(sock, ssl.SSLSocket)
    tls_version = sock.version()
    certificate = cert_info(sock.getpeercert())
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/plain"})
    response = conn.getresponse()
    body = response.read(MAX_POLICY_BYTES + 1)
    elapsed = time.monotonic() - started
    address = conn.peer or conn.host
    if elapsed > timeout:
        return FetchResult(
            host=conn.host,
            url=url,
            address=address,
            elapsed=elapsed,
            error=f"no complete answer within {timeout:g}s",
            error_kind=FetchError.TIMEOUT,
        )
    return FetchResult(
        host=conn.host,
        url=url,
        address=address,
        status=response.status,
        content_type=response.getheader("Content-Type"),
        location=response.getheader("Location"),
        body=body[:MAX_POLICY_BYTES],
        too_large=len(body) > MAX_POLICY_BYTES,
        elapsed=elapsed,
        tls_version=tls_version,
        certificate=certificate,
    )
