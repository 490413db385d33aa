"""Public entry points: bytes in, normalised reports and precise failures out (standard library
only; the receiver Lambda and ``mta-sts reports`` run it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from .decompress import is_gzip, report_bytes
from .extract import extract_attachments
from .json_text import load_json_counted
from .limits import DEFAULT_LIMITS, Limits, ReportError
from .normalise import normalise_report

__all__ = [
    "ParseFailure",
    "ParseResult",
    "ParsedReport",
    "parse_body",
    "parse_email",
    "parse_input",
    "parse_report",
    "report_key",
    "unexpected_error_reason",
]


@dataclass(frozen=True)
class ParsedReport:
    """A report that parsed: where it came from, the normalised report, the bytes it came from."""

    source: str
    report: dict[str, Any]
    data: bytes


@dataclass(frozen=True)
class ParseFailure:
    """Something that did not parse: where, why, and the bytes (none when there were none); as a
    dict, where and why."""

    source: str
    error: str
    data: bytes = b""

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
    return _parse_measured(data, limits)[0]


def _parse_measured(data: bytes, limits: Limits) -> tuple[dict[str, Any], int, int]:
    """The normalised report, how many JSON values it held and how long its text was."""
    text = report_bytes(data, limits)
    document, items = load_json_counted(text, limits)
    return normalise_report(document), items, len(text)


def unexpected_error_reason(exc: BaseException) -> str:
    """The reason kept with an input that raised something other than :class:`ReportError` (a
    parser defect or an exhausted resource): the exception's type and message, shortened."""
    message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")[:300]
    return f"could not parse ({type(exc).__name__}: {message or 'no detail'})"


def _failure(source: str, exc: Exception, data: bytes) -> ParseResult:
    reason = exc.reason if isinstance(exc, ReportError) else unexpected_error_reason(exc)
    return ParseResult(failures=[ParseFailure(source, reason, data)])


def parse_body(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A report body (HTTPS POST, ``.json``, ``.json.gz``) → result with one report or one failure."""
    return _parse_body_measured(data, source, limits)[0]


def _parse_body_measured(data: bytes, source: str, limits: Limits) -> tuple[ParseResult, int, int]:
    """:func:`parse_body`, with the JSON values and text bytes it used (0, 0 on failure). Any
    exception ends as a failure with its reason, never raised: a ``RecursionError`` or
    ``MemoryError`` from a corner of the parser must not lose the report (it is quarantined)."""
    try:
        report, items, size = _parse_measured(data, limits)
    except Exception as exc:  # every failure is kept with its reason
        return _failure(source, exc, data), 0, 0
    return ParseResult(reports=[ParsedReport(source, report, data)]), items, size


def parse_email(raw: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """A MIME message → every report attachment parsed, each alone (a broken one fails alone), under
    one budget for the whole message: together they may hold ``max_json_items`` values and
    ``max_report_bytes`` of text, so twenty attachments cannot cost twenty times one report."""
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
    """Any input: a report body (gzip, or text that starts, after a BOM and white space, with ``{``
    or ``[`` or is UTF-16/32) or else a MIME message."""
    if not data:
        return ParseResult(failures=[ParseFailure(source, "input is empty; no report in it")])
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    if is_gzip(data) or head[:1] in (b"{", b"[", b"\x00") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return parse_body(data, source, limits)
    return parse_email(data, source, limits)


def report_key(report: dict[str, Any]) -> str:
    """Stable storage key of a report: the same submitter + report-id always give the same key,
    whichever channel or message delivered it (``<sha256 hex, 40 chars>.json``).

    Both are compared exactly as the normalised report holds them, never case-folded or
    otherwise loosened: a looser match only widens what someone else can send to claim a
    sender's key. Lone surrogates (valid in JSON text) are hashed as they are, never raised on."""
    identity = f"{report['organization_name']}\x00{report['report_id']}"
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{digest[:40]}.json"
