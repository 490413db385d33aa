"""What a sending MTA accepts when it fetches the policy (RFC 8461 §3.3), written once: the deploy gate
(``PolicyLive``) and ``mta-sts check`` both judge a fetch with :func:`judge`, so the gate never
publishes a new id for a body senders refuse. The fetch itself is :mod:`pulumi_mta_sts.net.https_fetch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

WELL_KNOWN_PATH: Final = "/.well-known/mta-sts.txt"
#: Senders commonly cap the policy body at 64 KiB; a larger body is no policy.
MAX_POLICY_BYTES: Final = 64 * 1024
ACCEPTED_MEDIA_TYPE: Final = "text/plain"
ACCEPTED_STATUS: Final = 200


class FetchError(StrEnum):
    TLS = "tls"  # the handshake failed or the certificate was refused
    TIMEOUT = "timeout"
    CONNECT = "connect"
    HTTP = "http"  # something answered, but not with HTTP


class Rule(StrEnum):
    CERTIFICATE = "certificate"
    ANSWER = "answer"
    NO_REDIRECT = "no-redirect"
    STATUS = "status"
    MEDIA_TYPE = "media-type"
    SIZE = "size"
    UTF8 = "utf-8"


@dataclass(frozen=True, kw_only=True)
class Fetched:
    """What one fetch got (``error``: no HTTP answer; ``too_large``: more than ``body`` was sent)."""

    host: str
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    body: bytes = b""
    too_large: bool = False
    error: str | None = None
    error_kind: FetchError | None = None


@dataclass(frozen=True)
class Accepted:
    body: bytes
    text: str


@dataclass(frozen=True)
class Refused:
    """A sender sees no (new) policy: ``reason`` follows the URL ("… answers HTTP 404")."""

    rule: Rule
    reason: str
    fix: str


Verdict = Accepted | Refused


_NO_ANSWER_FIX: Final = {
    FetchError.TLS: "serve a certificate valid for {host} from a CA senders trust (with its chain)",
    FetchError.TIMEOUT: "make {host} answer quickly (senders give up after a timeout)",
    FetchError.CONNECT: "make {host} accept HTTPS connections on port 443",
    FetchError.HTTP: "make {host} answer plain HTTP/1.1",
}


def is_accepted_media_type(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == ACCEPTED_MEDIA_TYPE


def judge(got: Fetched) -> Verdict:
    if got.error is not None or got.status is None:
        rule = Rule.CERTIFICATE if got.error_kind is FetchError.TLS else Rule.ANSWER
        fix = _NO_ANSWER_FIX[got.error_kind] if got.error_kind is not None else "make {host} answer HTTPS requests"
        return Refused(rule, got.error or "no HTTP answer", fix.format(host=got.host))
    if 300 <= got.status < 400:
        return Refused(
            Rule.NO_REDIRECT,
            f"answers {got.status} redirect to {got.location or '?'}",
            "serve the policy directly with 200: senders never follow redirects (RFC 8461 §3.3)",
        )
    if got.status != ACCEPTED_STATUS:
        return Refused(Rule.STATUS, f"answers HTTP {got.status}", "serve the policy file with HTTP 200 at that path")
    if not is_accepted_media_type(got.content_type):
        return Refused(
            Rule.MEDIA_TYPE,
            f"is served as {got.content_type or 'no Content-Type'}",
            "serve the policy with 'Content-Type: text/plain' (senders reject other types)",
        )
    if got.too_large or len(got.body) > MAX_POLICY_BYTES:
        return Refused(
            Rule.SIZE,
            f"is larger than {MAX_POLICY_BYTES // 1024} KiB",
            "serve only the policy (a few lines); senders cap the size",
        )
    try:
        text = got.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Refused(
            Rule.UTF8,
            f"is not valid UTF-8 (byte {exc.start}: {exc.reason})",
            "serve the policy as UTF-8 text, e.g. as rendered by 'mta-sts render'",
        )
    return Accepted(got.body, text)
