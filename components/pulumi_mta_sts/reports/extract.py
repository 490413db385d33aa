"""MIME message → the attachments that may hold TLS-RPT reports (RFC 8460 §5.3, and the types and names
senders also use); parts nested deeper than :data:`MAX_MIME_DEPTH` are refused (the parser recurses)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .limits import DEFAULT_LIMITS, Limits, ReportError

if TYPE_CHECKING:
    from email.message import Message


#: How deep MIME parts may nest (a report e-mail nests 2 deep, a forwarded one a few more).
MAX_MIME_DEPTH = 32

REPORT_TYPES = frozenset({"application/tlsrpt+gzip", "application/tlsrpt+json"})
_LOOSE_SUBTYPES = ("gzip", "x-gzip", "x-gzip-compressed", "json", "x-json", "octet-stream")
_LOOSE_TYPES = frozenset({"text/json", *(f"application/{t}" for t in _LOOSE_SUBTYPES)})
_REPORT_SUFFIXES = (".json", ".json.gz", ".gz")
_BARE_REPORT_TYPE = "application/tlsrpt"
_BARE_REPORT_SUFFIXES = (".json", ".json.gz")


@dataclass(frozen=True)
class Attachment:
    index: int
    filename: str | None
    content_type: str
    data: bytes

    @property
    def label(self) -> str:
        return self.filename or f"attachment #{self.index + 1}"


@dataclass
class Extraction:
    attachments: list[Attachment]
    skipped: int


def _is_candidate(content_type: str, filename: str | None) -> bool:
    name = (filename or "").lower()
    if content_type in _LOOSE_TYPES:
        return name.endswith(_REPORT_SUFFIXES)
    return content_type in REPORT_TYPES or (content_type == _BARE_REPORT_TYPE and name.endswith(_BARE_REPORT_SUFFIXES))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # malformed RFC 2231 parameters: treat as unnamed
        return None
    return None if name is None else (str(name).strip() or None)


def _too_deep() -> ReportError:
    return ReportError(f"MIME parts nest deeper than {MAX_MIME_DEPTH} levels; a report e-mail nests 2 or 3")


def _leaf_parts(message: Message) -> Iterator[Message]:
    """The non-multipart parts of ``message`` in ``walk()`` order, without recursion."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if not part.is_multipart():
            yield part
            continue
        if depth >= MAX_MIME_DEPTH:
            raise _too_deep()
        children = part.get_payload()
        if isinstance(children, list):
            stack.extend((child, depth + 1) for child in reversed(children) if not isinstance(child, str))


def extract_attachments(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """Every report attachment in the MIME message ``raw`` (past ``max_attachments``: ``skipped``)."""
    if len(raw) > limits.max_email_bytes:
        raise ReportError(f"message is {len(raw)} bytes; the limit is {limits.max_email_bytes}")
    import email  # imported here: the HTTPS path of the Lambda never needs the email package
    import email.policy

    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except RecursionError:
        raise _too_deep() from None
    found: list[Attachment] = []
    skipped = 0
    for part in _leaf_parts(message):
        content_type = part.get_content_type().lower()
        filename = _filename(part)
        if not _is_candidate(content_type, filename):
            continue
        if len(found) >= limits.max_attachments:
            skipped += 1
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        found.append(Attachment(len(found) + skipped, filename, content_type, data))
    return Extraction(found, skipped)
