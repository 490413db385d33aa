"""MIME message → the attachments that may hold TLS-RPT reports (RFC 8460 §5.3).

An attachment counts when its type is ``application/tlsrpt+gzip`` or ``application/tlsrpt+json``,
or, as senders also do, a gzip/json/octet-stream type with a ``.json``, ``.json.gz`` or ``.gz``
file name. Whether it is gzipped is decided later from its bytes, never from its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .limits import DEFAULT_LIMITS, Limits, ReportError

if TYPE_CHECKING:
    from email.message import Message

__all__ = ["REPORT_TYPES", "Attachment", "Extraction", "extract_attachments"]

REPORT_TYPES = frozenset({"application/tlsrpt+gzip", "application/tlsrpt+json"})
_LOOSE_TYPES = frozenset(
    {
        "application/gzip",
        "application/x-gzip",
        "application/x-gzip-compressed",
        "application/json",
        "application/x-json",
        "application/octet-stream",
        "text/json",
    }
)
_REPORT_SUFFIXES = (".json", ".json.gz", ".gz")


@dataclass(frozen=True)
class Attachment:
    """One candidate report: its position among the candidates, name, declared type and bytes."""

    index: int
    filename: str | None
    content_type: str
    data: bytes

    @property
    def label(self) -> str:
        """How an error names it: the file name, else ``attachment #N``."""
        return self.filename or f"attachment #{self.index + 1}"


@dataclass
class Extraction:
    """The candidate attachments, plus one error per candidate beyond the limit."""

    attachments: list[Attachment]
    skipped: int
    subject: str | None


def _is_candidate(content_type: str, filename: str | None) -> bool:
    if content_type in REPORT_TYPES:
        return True
    if content_type in _LOOSE_TYPES and filename:
        return filename.lower().endswith(_REPORT_SUFFIXES)
    return False


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # malformed RFC 2231 parameters: treat as unnamed
        return None
    if name is None:
        return None
    return str(name).strip() or None


def extract_attachments(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """Find every report attachment in the MIME message ``raw`` (at most
    ``limits.max_attachments`` are returned; ``skipped`` counts the rest)."""
    if len(raw) > limits.max_email_bytes:
        raise ReportError(f"message is {len(raw)} bytes; the limit is {limits.max_email_bytes}")
    import email  # imported here: the HTTPS path of the Lambda never needs the email package
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    found: list[Attachment] = []
    skipped = 0
    for part in message.walk():
        if part.is_multipart():
            continue
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
    subject = message.get("Subject")
    return Extraction(found, skipped, str(subject) if subject is not None else None)
