"""Reading back a report the receiver stored (``reports/<id>.json``): already normalised.

The receiver keeps each report as the parser's normalised ``dict`` plus a ``received`` note
(see ``receiver_lambda/handler.py``), not the sender's JSON, so it is not parsed again: it is
loaded and its shape checked, so that an object someone else put in the bucket (or a layout of
another version) is an unreadable input with its reason, never a crash of the summary. Its
counts are bounded as the parser bounds them (a receiver before the bound stored any count a
sender wrote): a count above 2^63-1 makes the object unreadable, never summed.
Standard library only (the receiver's weekly digest reads the bucket with it too).
"""

from __future__ import annotations

import json
from typing import Any

from .limits import DEFAULT_LIMITS, MAX_COUNT, Limits, ReportError, shown_count
from .parse import ParsedReport, ParseFailure, ParseResult

__all__ = ["check_stored", "looks_stored", "parse_stored", "stored_report"]

_MARK = b'"organization_name"'


def looks_stored(data: bytes) -> bool:
    """True when ``data`` is JSON that looks like a normalised report (snake_case keys), not a
    sender's report (whose keys are ``organization-name`` ...)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] == b"{" and _MARK in data and b'"organization-name"' not in data


def _need(value: Any, kind: type | tuple[type, ...], path: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise ReportError(f"{path} is missing or not a {getattr(kind, '__name__', 'value')} in a stored report")
    return value


def _need_count(value: Any, path: str) -> int:
    """A count of a stored report: as the parser bounds it today. A receiver before the bound
    stored whatever a sender wrote, so a larger count is refused here, never summed."""
    count: int = _need(value, int, path)
    if count > MAX_COUNT:
        raise ReportError(
            f"{path} is {shown_count(count)} in a stored report: above {MAX_COUNT} (2^63-1), the largest "
            "count a report may hold (stored before counts were bounded; not counted)"
        )
    return count


def _check_policy(policy: Any, path: str) -> None:
    _need(policy, dict, path)
    _need(policy.get("policy_type"), str, f"{path}.policy_type")
    if policy.get("policy_domain") is not None:
        _need(policy["policy_domain"], str, f"{path}.policy_domain")
    for key in ("policy_strings", "mx_hosts"):
        if not all(isinstance(item, str) for item in _need(policy.get(key), list, f"{path}.{key}")):
            raise ReportError(f"{path}.{key} must hold strings in a stored report")
    _need_count(policy.get("successful"), f"{path}.successful")
    _need_count(policy.get("failed"), f"{path}.failed")
    for i, detail in enumerate(_need(policy.get("failure_details"), list, f"{path}.failure_details")):
        where = f"{path}.failure_details[{i}]"
        _need(detail, dict, where)
        _need(detail.get("result_type"), str, f"{where}.result_type")
        _need_count(detail.get("failed_session_count"), f"{where}.failed_session_count")
        for key in ("receiving_mx_hostname", "receiving_ip"):
            if detail.get(key) is not None:
                _need(detail[key], str, f"{where}.{key}")


def check_stored(document: Any) -> dict[str, Any]:
    """``document`` (a stored object, decoded) when it has the shape of a normalised report with
    counts in bounds, unchanged (``received`` kept); :class:`ReportError` naming the field when
    not. Every reader of the bucket checks with it: ``reports`` over ``s3://``, the digest, the
    backfill."""
    _need(document, dict, "report")
    _need(document.get("organization_name"), str, "organization_name")
    _need(document.get("report_id"), str, "report_id")
    start = _need(document.get("start"), str, "start")
    if len(start) < 10 or start[4] != "-" or start[7] != "-":
        raise ReportError(f"start is not a UTC date-time in a stored report: {start[:40]!r}")
    for i, policy in enumerate(_need(document.get("policies"), list, "policies")):
        _check_policy(policy, f"policies[{i}]")
    checked: dict[str, Any] = document
    return checked


def stored_report(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The normalised report in ``data`` (a stored object); :class:`ReportError` when it is not one."""
    if len(data) > limits.max_report_bytes:
        raise ReportError(f"stored report is larger than {limits.max_report_bytes} bytes")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ReportError(f"stored report is not JSON ({type(exc).__name__})") from None
    report = check_stored(document)
    report.pop("received", None)
    return report


def parse_stored(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """:func:`stored_report` as a :class:`ParseResult` (one report, or one failure with its reason)."""
    try:
        report = stored_report(data, limits)
    except ReportError as exc:
        return ParseResult(failures=[ParseFailure(source, exc.reason, b"")])
    return ParseResult(reports=[ParsedReport(source, report, data)])
