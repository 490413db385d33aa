"""Public entry points: bytes in, normalised reports and precise failures out.

Used by the receiver Lambda and by ``mta-sts reports parse``. Pure (standard library only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .decompress import is_gzip, report_bytes
from .extract import extract_attachments
from .json_text import load_json
from .limits import DEFAULT_LIMITS, Limits, ReportError
from .normalise import normalise_report

__all__ = [
    "ParseFailure",
    "ParseResult",
    "ParsedReport",
    "looks_like_report_body",
    "parse_body",
    "parse_email",
    "parse_input",
    "parse_report",
    "report_key",
]


@dataclass(frozen=True)
class ParsedReport:
    """A report that parsed: where it came from, the normalised report, the bytes it came from."""

    source: str
    report: dict[str, Any]
    data: bytes


@dataclass(frozen=True)
class ParseFailure:
    """Something that did not parse: where, why, and the bytes (``b""`` when there were none)."""

    source: str
    error: str
    data: bytes

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error}


@dataclass
class ParseResult:
    """Everything found in one input; an input with no report at all has one failure."""

    reports: list[ParsedReport] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and bool(self.reports)


def parse_report(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """One report body (gzip detected by its magic bytes, else JSON) → normalised report."""
    return normalise_report(load_json(report_bytes(data, limits), limits))


def looks_like_report_body(data: bytes) -> bool:
    """True for gzip data or text that starts (after a BOM and white space) with ``{`` or ``[``."""
    if is_gzip(data):
        return True
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"{", b"[") or head[:2] in (b"\xff\xfe", b"\xfe\xff") or (head[:1] == b"\x00")


def parse_body(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A report body (HTTPS POST, ``.json``, ``.json.gz``) → result with one report or one failure."""
    try:
        return ParseResult(reports=[ParsedReport(source, parse_report(data, limits), data)])
    except ReportError as exc:
        return ParseResult(failures=[ParseFailure(source, exc.reason, data)])


def parse_email(raw: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A MIME message → every report attachment parsed; a broken attachment fails alone."""
    result = ParseResult()
    try:
        extraction = extract_attachments(raw, limits)
    except ReportError as exc:
        result.failures.append(ParseFailure(source, exc.reason, raw))
        return result
    for attachment in extraction.attachments:
        where = f"{source}#{attachment.label}"
        if not attachment.data:
            result.failures.append(ParseFailure(where, "attachment is empty", b""))
            continue
        part = parse_body(attachment.data, where, limits)
        result.reports.extend(part.reports)
        result.failures.extend(part.failures)
    if extraction.skipped:
        result.failures.append(
            ParseFailure(
                source,
                f"{extraction.skipped} more report attachment(s) beyond the limit of "
                f"{limits.max_attachments} per message were not parsed",
                b"",
            )
        )
    if not extraction.attachments and not extraction.skipped:
        result.failures.append(
            ParseFailure(
                source,
                "no TLS-RPT report in this message: no attachment of type application/tlsrpt+gzip or "
                "application/tlsrpt+json, nor a gzip/json/octet-stream attachment named "
                "*.json, *.json.gz or *.gz",
                raw,
            )
        )
    return result


def parse_input(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Any input: a report body (gzip or JSON, decided from the bytes) or a MIME message."""
    if not data:
        return ParseResult(failures=[ParseFailure(source, "input is empty; no report in it", b"")])
    if looks_like_report_body(data):
        return parse_body(data, source, limits)
    return parse_email(data, source, limits)


def report_key(report: dict[str, Any]) -> str:
    """Stable storage key of a report: the same submitter + report-id always give the same key,
    whichever channel or message delivered it (``<sha256 hex, 40 chars>.json``)."""
    submitter = str(report["organization_name"]).strip().lower()
    digest = hashlib.sha256(f"{submitter}\x00{report['report_id']}".encode()).hexdigest()
    return f"{digest[:40]}.json"
