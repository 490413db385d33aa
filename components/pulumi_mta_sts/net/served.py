"""Wait until the policy URL serves exactly the expected bytes (``PolicyLive``: a new id is published only
then), backing off until ``timeout``; else the last answer and why it is not the new policy."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES, Accepted, Refused
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT, VERIFY_INITIAL_DELAY, VERIFY_MAX_DELAY, VERIFY_TIMEOUT
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import policy_id

from .https_fetch import FetchResult, fetch_policy


def describe_attempt(attempt: FetchResult, expected: bytes) -> str:
    """One line saying what was served and why it is not the expected policy."""
    verdict = attempt.verdict
    if isinstance(verdict, Refused) and attempt.status is None:
        return f"no answer ({verdict.reason}) — to fix: {verdict.fix}"
    facts = [f"HTTP {attempt.status}"]
    if attempt.content_type:
        facts.append(f"Content-Type {attempt.content_type!r}")
    served_bytes = f"{len(attempt.body)}{'+' if attempt.too_large else ''} bytes"
    facts.append(f"{served_bytes}, policy id {policy_id(attempt.body)}")
    if isinstance(verdict, Refused):
        return f"{', '.join(facts)}; senders refuse it: the URL {verdict.reason} — to fix: {verdict.fix}"
    if verdict.body != expected:
        return f"{', '.join(facts)}; senders accept it, but it is not the new policy (id {policy_id(expected)})"
    return ", ".join(facts)


@dataclass
class WaitResult:
    """``served``: the expected bytes were served; ``attempts``: every fetch, in order."""

    served: bool
    url: str
    expected: bytes
    elapsed: float
    attempts: list[FetchResult] = field(default_factory=list)

    @property
    def last(self) -> FetchResult | None:
        return self.attempts[-1] if self.attempts else None

    def failure_message(self) -> str:
        last = describe_attempt(self.last, self.expected) if self.last else "nothing fetched"
        return (
            f"{self.url} did not serve the new MTA-STS policy (id {policy_id(self.expected)}) within "
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


def _target(url: str, expected: bytes, connect_to: tuple[str, int] | None) -> tuple[str, str | None, int, str]:
    """Where ``url`` is fetched from; :class:`InputError` for what can never be served."""
    parts = urlsplit(url)
    problems: list[Problem] = []
    if parts.scheme != "https" or not parts.hostname:
        problems.append(Problem("url", url, "is not an https:// URL; senders fetch the policy over HTTPS only"))
    if len(expected) > MAX_POLICY_BYTES:
        problems.append(
            Problem(
                "policy_text",
                f"{len(expected)} bytes",
                f"is larger than {MAX_POLICY_BYTES} bytes, which senders do not read; shorten the policy",
            )
        )
    if problems:
        raise InputError(problems)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    address, port = connect_to if connect_to is not None else (None, parts.port or 443)
    return str(parts.hostname), address, port, path


#: The least time one attempt gets, even at the deadline (a sliver of time would only ever time out).
MIN_ATTEMPT_SECONDS = 2.0


def wait_until_served(
    url: str,
    expected: bytes,
    *,
    timeout: float = VERIFY_TIMEOUT,
    initial_delay: float = VERIFY_INITIAL_DELAY,
    max_delay: float = VERIFY_MAX_DELAY,
    request_timeout: float = HTTPS_REQUEST_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
    connect_to: tuple[str, int] | None = None,
    fetch: Callable[..., FetchResult] = fetch_policy,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WaitResult:
    """Fetch ``url`` (at ``connect_to``) until a sender accepts exactly ``expected`` or ``timeout`` passes;
    :class:`InputError` when ``url`` is not HTTPS or ``expected`` larger than senders read."""
    host, address, port, path = _target(url, expected, connect_to)
    start = clock()
    deadline = start + timeout
    delay = initial_delay
    result = WaitResult(served=False, url=url, expected=expected, elapsed=0.0)
    while True:
        budget = min(request_timeout, max(deadline - clock(), MIN_ATTEMPT_SECONDS))  # what is left, at least the least
        attempt = fetch(host, address, port=port, path=path, context=ssl_context, timeout=budget)
        result.attempts.append(attempt)
        if isinstance(attempt.verdict, Accepted) and attempt.verdict.body == expected:  # what senders cache
            result.served = True
            break
        remaining = deadline - clock()
        if remaining <= 0:
            break
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
    result.elapsed = clock() - start
    return result
