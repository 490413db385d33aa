"""Bytes in, normalised reports and precise failures out (the receiver Lambda and ``mta-sts reports``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .decompress import is_gzip, report_bytes
from .extract import extract_attachments
from .json_text import load_json_counted
from .limits import DEFAULT_LIMITS, Limits, ReportError
from .normalise import normalise_report


@dataclass(frozen=True)
class ParsedReport:
    source: str
    report: dict[str, Any]
    data: bytes


@dataclass(frozen=True)
class ParseFailure:
    """Something that did not parse: where, why, and its bytes (if any)."""

    source: str
    error: str
    data: bytes = b""

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error}


@dataclass
class ParseResult:
    reports: list[ParsedReport] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)


def parse_report(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """One report body (gzip detected by its magic bytes, else JSON) → normalised report."""
    return normalise_report(load_json_counted(report_bytes(data, limits), limits)[0])


def unexpected_error_reason(exc: BaseException) -> str:
    """The reason kept for an input that raised something else than :class:`ReportError`."""
    message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")[:300]
    return f"could not parse ({type(exc).__name__}: {message or 'no detail'})"


def _failure(source: str, exc: Exception, data: bytes) -> ParseResult:
    reason = exc.reason if isinstance(exc, ReportError) else unexpected_error_reason(exc)
    return ParseResult(failures=[ParseFailure(source, reason, data)])


def parse_body(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A report body (HTTPS POST, ``.json``, ``.json.gz``) → one report or one failure."""
    return _parse_body_measured(data, source, limits)[0]


def _parse_body_measured(data: bytes, source: str, limits: Limits) -> tuple[ParseResult, int, int]:
    """With the values and text it used. Any exception is a failure with its reason: quarantined, not lost."""
    try:
        text = report_bytes(data, limits)
        document, items = load_json_counted(text, limits)
        report = normalise_report(document)
    except Exception as exc:  # every failure is kept with its reason
        return _failure(source, exc, data), 0, 0
    return ParseResult(reports=[ParsedReport(source, report, data)]), items, len(text)


def parse_email(raw: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Each report attachment parsed alone, under one budget for the message (not one per attachment)."""
    try:
        extraction = extract_attachments(raw, limits)
    except Exception as exc:  # e.g. RecursionError from deeply nested MIME
        return _failure(source, exc, raw)
    result, budget = ParseResult(), limits
    for attachment in extraction.attachments:
        where = f"{source}#{attachment.label}"
        if not attachment.data:
            result.failures.append(ParseFailure(where, "attachment is empty"))
            continue
        part, items, size = _parse_body_measured(attachment.data, where, budget)
        result.reports += part.reports
        result.failures += [_over_message_budget(f) if budget is not limits else f for f in part.failures]
        budget = replace(
            budget,
            max_json_items=max(budget.max_json_items - items, 0),
            max_report_bytes=max(budget.max_report_bytes - size, 0),
        )
    if extraction.skipped:
        reason = (
            f"{extraction.skipped} more report attachment(s) beyond the limit of "
            f"{limits.max_attachments} per message were not parsed"
        )
        result.failures.append(ParseFailure(source, reason))
    if not extraction.attachments and not extraction.skipped:
        reason = (
            "no TLS-RPT report in this message: no attachment of type application/tlsrpt+gzip or "
            "application/tlsrpt+json, nor a gzip/json/octet-stream attachment named *.json, *.json.gz or *.gz"
        )
        result.failures.append(ParseFailure(source, reason, raw))
    return result


def _over_message_budget(failure: ParseFailure) -> ParseFailure:
    if "limit" not in failure.error:
        return failure
    note = " (what the message's earlier report attachments left of its limit)"
    return ParseFailure(failure.source, failure.error + note, failure.data)


def parse_input(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A report body (gzip, or text starting ``{``/``[`` after a BOM and white space, or UTF-16/32), else mail."""
    if not data:
        return ParseResult(failures=[ParseFailure(source, "input is empty; no report in it")])
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    if is_gzip(data) or head[:1] in (b"{", b"[", b"\x00") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return parse_body(data, source, limits)
    return parse_email(data, source, limits)


def report_digest(report: Mapping[str, Any]) -> bytes:
    """SHA-256 of a submitter + report-id: exact, never case-folded (a looser match widens what others can
    send to claim a sender's key). :func:`report_key` and the summary's duplicate count both read it."""
    return hashlib.sha256(
        f"{report['organization_name']}\x00{report['report_id']}".encode("utf-8", "surrogatepass")
    ).digest()


def report_key(report: Mapping[str, Any]) -> str:
    """The storage key of a submitter + report-id, from any channel."""
    return f"{report_digest(report).hex()[:40]}.json"
