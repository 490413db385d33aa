"""A report the receiver stored, read back and its shape checked (not parsed again); anything else is an
unreadable input with its reason, never a crash."""

from __future__ import annotations

from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json

from .json_text import REPORT_INT_DIGITS
from .limits import DEFAULT_LIMITS, MAX_COUNT, Limits, ReportError, shown_count
from .parse import ParsedReport, ParseFailure, ParseResult

_MARK = b'"organization_name"'


def looks_stored(data: bytes) -> bool:
    """Whether ``data`` looks like a normalised report (snake_case keys), not a sender's."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] == b"{" and _MARK in data and b'"organization-name"' not in data


def _need(value: Any, kind: type | tuple[type, ...], path: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise ReportError(f"{path} is missing or not a {getattr(kind, '__name__', 'value')} in a stored report")
    return value


def _need_count(value: Any, path: str) -> int:
    """A count, bounded as the parser bounds it today (a receiver before the bound stored any)."""
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


def stored_bounds(limits: Limits = DEFAULT_LIMITS) -> JsonBounds:
    """A sender's report's bounds, with room for what normalising adds (``extra`` one level down)."""
    return JsonBounds(
        max_depth=limits.max_json_depth + 4, max_items=2 * limits.max_json_items, max_int_digits=REPORT_INT_DIGITS
    )


def check_stored(document: Any) -> dict[str, Any]:
    """``document`` unchanged if a normalised report with counts in bounds, else :class:`ReportError`."""
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
    if len(data) > limits.max_report_bytes:
        raise ReportError(f"stored report is larger than {limits.max_report_bytes} bytes")
    try:
        document = load_bounded_json(data, stored_bounds(limits))
    except JsonInputError as exc:
        raise ReportError(f"stored report {exc.reason}") from None
    report = check_stored(document)
    report.pop("received", None)
    return report


def parse_stored(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    try:
        report = stored_report(data, limits)
    except ReportError as exc:
        return ParseResult(failures=[ParseFailure(source, exc.reason)])
    return ParseResult(reports=[ParsedReport(source, report, data)])
