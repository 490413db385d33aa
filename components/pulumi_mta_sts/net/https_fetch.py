"""The one HTTPS fetch of a policy, as a sender makes it (certificate verified, no redirect, the cap plus one
byte), maybe to a chosen address; the deploy gate and ``check`` both fetch and judge here, so they cannot
disagree. Bounded whatever the server does: ``timeout`` for the whole fetch, the heads in bytes and lines."""

from __future__ import annotations

import functools
import http.client
import io
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES, WELL_KNOWN_PATH, Fetched, FetchError, Verdict, judge
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT

from .deadline import Deadline, DeadlineReader
from .tlsinfo import CertInfo, cert_info, describe_tls_error

USER_AGENT = "pulumi-mta-sts (+RFC 8461 policy fetch)"
#: The most bytes and lines of response heads read, ``1xx`` ones included (real hosts send under 4 KiB).
MAX_HEAD_BYTES: Final = 64 * 1024
MAX_HEAD_LINES: Final = 256


def make_tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """A client context: the system trust store, or only ``cafile`` when given."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


#: The system trust store, loaded once per process (a context is safe to share).
_system_context = functools.cache(make_tls_context)


@dataclass(frozen=True, kw_only=True)
class FetchResult(Fetched):
    """What one HTTPS GET got (:class:`Fetched`), and how: address, time, TLS version, certificate."""

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


class _HeadTooLarge(http.client.HTTPException):
    """The response heads went past :data:`MAX_HEAD_BYTES` or :data:`MAX_HEAD_LINES`."""


class _BoundedFile(io.BufferedReader):
    """Every read ends by the deadline; while ``counting`` (heads) lines are bounded in number and bytes."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__(DeadlineReader(sock, deadline))
        self.counting, self.head_bytes, self.head_lines = True, 0, 0

    def readline(self, size: int | None = -1) -> bytes:
        if not self.counting:
            return super().readline(size)
        budget = MAX_HEAD_BYTES - self.head_bytes + 1  # one byte more tells "too large"
        line = super().readline(budget if size is None or size < 0 else min(size, budget))
        self.head_bytes += len(line)
        self.head_lines += 1
        if self.head_bytes > MAX_HEAD_BYTES or self.head_lines > MAX_HEAD_LINES:
            raise _HeadTooLarge(
                f"the response head is longer than {MAX_HEAD_BYTES // 1024} KiB or {MAX_HEAD_LINES} lines"
            )
        return line


class _BoundedResponse(http.client.HTTPResponse):
    """An ``HTTPResponse`` that reads through a :class:`_BoundedFile`."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the plain file http.client made; it does not close the socket
        self.bounded = _BoundedFile(sock, deadline)
        self.fp = self.bounded


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to ``address`` while SNI, ``Host`` and the certificate name ``host``; all by ``deadline``."""

    def __init__(self, host: str, port: int, address: str | None, context: ssl.SSLContext, deadline: Deadline) -> None:
        super().__init__(host, port, timeout=deadline.seconds, context=context)
        self._address, self._tls, self.deadline = address or host, context, deadline
        self.peer: str | None = None
        self.response_class: Any = functools.partial(_BoundedResponse, deadline=deadline)

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.deadline.remaining())
        self.peer = str(raw.getpeername()[0])
        try:
            self.deadline.arm(raw)
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.deadline.arm(self.sock)
        super().send(data)


def fetch_policy(
    host: str,
    address: str | None = None,
    *,
    port: int = 443,
    path: str = WELL_KNOWN_PATH,
    context: ssl.SSLContext | None = None,
    timeout: float = HTTPS_REQUEST_TIMEOUT,
) -> FetchResult:
    """GET the policy within ``timeout`` as a whole; a network failure is a result with ``error`` set."""
    url = policy_fetch_url(host, port, path)
    deadline = Deadline(timeout)
    conn = _PinnedConnection(host, port, address, context or _system_context(), deadline)

    def failure(error: str, kind: FetchError) -> FetchResult:
        where = conn.peer or address or host
        return FetchResult(host=host, url=url, address=where, elapsed=deadline.elapsed(), error=error, error_kind=kind)

    try:
        return _get(conn, url, path)
    except ssl.SSLError as exc:
        return failure(describe_tls_error(exc), FetchError.TLS)
    except TimeoutError:
        return failure(f"no answer within {timeout:g}s", FetchError.TIMEOUT)
    except OSError as exc:
        if conn.peer is not None and deadline.elapsed() >= timeout:  # a read cut short by the deadline
            return failure(f"no answer within {timeout:g}s", FetchError.TIMEOUT)
        return failure(f"cannot connect to {conn.peer or address or host} port {port}: {exc}", FetchError.CONNECT)
    except http.client.HTTPException as exc:
        return failure(f"invalid HTTP answer: {_describe_http_error(exc)}", FetchError.HTTP)
    finally:
        conn.close()


def _describe_http_error(exc: http.client.HTTPException) -> str:
    """Short words for what ``http.client`` refused (its messages can quote a whole line)."""
    if isinstance(exc, _HeadTooLarge):
        return str(exc)
    if isinstance(exc, http.client.IncompleteRead):
        announced = f" of the {len(exc.partial) + exc.expected} its Content-Length announced" if exc.expected else ""
        return f"the body ended after {len(exc.partial)} bytes{announced}"
    text = repr(exc)
    return text if len(text) <= 160 else text[:157] + "..."


def _get(conn: _PinnedConnection, url: str, path: str) -> FetchResult:
    """Connect, GET ``path`` and read at most one byte more than a sender would."""
    conn.connect()
    sock = conn.sock
    assert isinstance(sock, ssl.SSLSocket)
    tls_version = sock.version()
    certificate = cert_info(sock.getpeercert())
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/plain"})
    response = conn.getresponse()
    assert isinstance(response, _BoundedResponse)
    response.bounded.counting = False
    body = response.read(MAX_POLICY_BYTES + 1)
    missing = response.length or 0  # bytes the Content-Length announced and the body did not bring
    if missing and len(body) <= MAX_POLICY_BYTES:
        raise http.client.IncompleteRead(body, missing)
    return FetchResult(
        host=conn.host,
        url=url,
        address=conn.peer or conn.host,
        status=response.status,
        content_type=response.getheader("Content-Type"),
        location=response.getheader("Location"),
        body=body[:MAX_POLICY_BYTES],
        too_large=len(body) > MAX_POLICY_BYTES,
        elapsed=conn.deadline.elapsed(),
        tls_version=tls_version,
        certificate=certificate,
    )
