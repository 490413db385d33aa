"""Wait until the policy URL serves exactly the expected bytes (pure logic: stdlib + ssl).

Used by the ``PolicyLive`` dynamic resource (:mod:`pulumi_mta_sts.mtasts.policy_live`), which
the ``_mta-sts`` TXT record depends on: a new policy id is only published once the new body is
what senders get. A fetch counts as "served" only when it is what a sender would accept and
cache (RFC 8461 §3.3):

- HTTPS with a certificate valid for the host (the system trust store, unless a context is
  given), no redirects followed (a ``3xx`` is a failure: senders must not follow it);
- status ``200`` and a ``text/plain`` media type;
- a body whose SHA-256 equals the SHA-256 of the expected bytes.

Between attempts it backs off exponentially (``initial_delay`` doubling up to ``max_delay``)
until ``timeout`` seconds have passed; then it reports what was served last.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pulumi_mta_sts.core.policy import policy_id

__all__ = [
    "MAX_BODY",
    "Attempt",
    "PolicyNotServed",
    "WaitResult",
    "fetch_policy",
    "wait_until_served",
]

#: Bytes read at most (senders commonly cap the policy at 64 KiB).
MAX_BODY = 64 * 1024
USER_AGENT = "pulumi-mta-sts PolicyLive (+RFC 8461 deploy check)"


@dataclass(frozen=True)
class Attempt:
    """One fetch of the policy URL. ``error`` is set when no HTTP response was read."""

    status: int | None = None
    content_type: str | None = None
    body: bytes | None = None
    error: str | None = None
    location: str | None = None

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    def describe(self) -> str:
        """One line saying what was served, for error messages."""
        if self.error is not None:
            return f"no answer ({self.error})"
        parts = [f"HTTP {self.status}"]
        if self.status is not None and 300 <= self.status < 400:
            parts.append(f"redirect to {self.location or '?'} (senders do not follow redirects)")
        if self.content_type:
            parts.append(f"Content-Type {self.content_type!r}")
        if self.body is not None:
            parts.append(f"{len(self.body)} bytes, policy id {policy_id(self.body)}")
        return ", ".join(parts)


def _is_text_plain(content_type: str | None) -> bool:
    return bool(content_type) and str(content_type).split(";")[0].strip().lower() == "text/plain"


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``address`` while verifying the certificate (and sending SNI) for ``host``."""

    def __init__(
        self, host: str, port: int, address: tuple[str, int], *, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_policy(
    url: str,
    *,
    timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
    connect_to: tuple[str, int] | None = None,
) -> Attempt:
    """GET ``url`` once, like a sender: HTTPS only, no redirects, at most :data:`MAX_BODY` bytes.

    ``connect_to`` (``(address, port)``) connects there instead of resolving the URL's host,
    still verifying the certificate for the URL's host (tests, or checking one CDN edge).
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return Attempt(error=f"{url!r} is not an https:// URL")
    context = ssl_context or ssl.create_default_context()
    port = parts.port or 443
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPSConnection
    if connect_to is not None:
        conn = _PinnedHTTPSConnection(parts.hostname, port, connect_to, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=context)
    try:
        conn.request(
            "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/plain", "Cache-Control": "no-cache"}
        )
        response = conn.getresponse()
        body = response.read(MAX_BODY + 1)
        return Attempt(
            status=response.status,
            content_type=response.getheader("Content-Type"),
            body=body,
            location=response.getheader("Location"),
        )
    except ssl.SSLCertVerificationError as exc:
        return Attempt(error=f"certificate not valid for {parts.hostname}: {exc.verify_message or exc}")
    except (OSError, http.client.HTTPException) as exc:
        return Attempt(error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


@dataclass
class WaitResult:
    """``served``: the expected bytes were served; ``attempts``: every fetch, in order."""

    served: bool
    url: str
    expected_id: str
    elapsed: float
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    def failure_message(self) -> str:
        last = self.last.describe() if self.last else "nothing fetched"
        return (
            f"{self.url} did not serve the new MTA-STS policy (id {self.expected_id}) within "
            f"{self.elapsed:.0f} s and {len(self.attempts)} attempts; last: {last}. The _mta-sts TXT record "
            "keeps its old id, so senders keep using the policy they have. Fix the policy host (or wait for "
            "DNS/CDN to settle) and run `pulumi up` again; to skip this check on a first deploy before DNS "
            "is delegated, set mta-sts:host.verify_live to false."
        )


class PolicyNotServed(RuntimeError):
    """The policy URL did not serve the expected bytes in time."""

    def __init__(self, result: WaitResult) -> None:
        self.result = result
        super().__init__(result.failure_message())


def is_served(attempt: Attempt, expected_sha256: str) -> bool:
    """Whether a sender would cache exactly the expected policy from this attempt."""
    return (
        attempt.status == 200
        and _is_text_plain(attempt.content_type)
        and attempt.body is not None
        and len(attempt.body) <= MAX_BODY
        and attempt.sha256 == expected_sha256
    )


def wait_until_served(
    url: str,
    expected: bytes,
    *,
    timeout: float = 600.0,
    initial_delay: float = 2.0,
    max_delay: float = 30.0,
    request_timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
    connect_to: tuple[str, int] | None = None,
    fetch: Callable[..., Attempt] = fetch_policy,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WaitResult:
    """Fetch ``url`` until it serves ``expected`` (same SHA-256, ``200``, ``text/plain``) or
    ``timeout`` seconds pass. Never raises for network problems: they are failed attempts."""
    expected_sha = hashlib.sha256(expected).hexdigest()
    start = clock()
    deadline = start + timeout
    delay = initial_delay
    result = WaitResult(served=False, url=url, expected_id=policy_id(expected), elapsed=0.0)
    while True:
        remaining = deadline - clock()
        attempt = fetch(
            url,
            timeout=max(0.1, min(request_timeout, remaining)),
            ssl_context=ssl_context,
            connect_to=connect_to,
        )
        result.attempts.append(attempt)
        if is_served(attempt, expected_sha):
            result.served = True
            break
        remaining = deadline - clock()
        if remaining <= 0:
            break
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
    result.elapsed = clock() - start
    return result
