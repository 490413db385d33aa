"""A stored report as rows of the receiver's Athena table: one per policy and per failure row, with
``domain`` and ``mx_host`` as ``reports summary`` derives them (each view one ``GROUP BY``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from pulumi_mta_sts.reports.normalise import FAILURE_DETAIL_FIELDS
from pulumi_mta_sts.reports.sessions import NO_DOMAIN, NOT_DETAILED, NOT_REPORTED, mx_label, receiving_host

from .contract import COLUMNS, FIRST_DAY, PARTITION_COLUMN, TABLE_PREFIX

#: The largest table object written: twice the parser's cap on a report's text.
MAX_TABLE_BYTES = 16 * 1024 * 1024
_DETAIL_TEXT = tuple(name for _, name in FAILURE_DETAIL_FIELDS)
_EMPTY_ROW: dict[str, Any] = dict.fromkeys(name for name, _ in COLUMNS)


class TableTooLarge(ValueError):
    """The rows of one (hostile) report pass :data:`MAX_TABLE_BYTES`."""


def _text(value: object) -> str | None:
    """JSON-safe for every engine: a lone surrogate (valid in a sender's JSON) becomes ``?``."""
    return None if value is None else str(value).encode("utf-8", "replace").decode("utf-8")


def _texts(values: object) -> list[str]:
    return [t for t in (_text(v) for v in values) if t is not None] if isinstance(values, list) else []


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def partition_day(report: Mapping[str, Any], *, received: date) -> date:
    """The report's first day, kept from :data:`FIRST_DAY` to ``received``: a wrong clock cannot hide it."""
    try:
        day = datetime.strptime(str(report.get("start"))[:10], "%Y-%m-%d").date()
    except ValueError:
        return received
    return min(max(day, FIRST_DAY), received)


def table_key(report_key: str, day: date) -> str:
    return f"{TABLE_PREFIX}{PARTITION_COLUMN}={day.isoformat()}/{report_key.rsplit('/', 1)[-1]}"


def _context(
    document: Mapping[str, Any], report_key: str, conflict: bool, index: int, policy: Mapping[str, Any]
) -> dict[str, Any]:
    received = document.get("received")
    return {
        "organization": _text(document.get("organization_name")),
        "report_id": _text(document.get("report_id")),
        "report_key": _text(report_key.rsplit("/", 1)[-1].removesuffix(".json")),
        "conflict": conflict,
        "start_datetime": _text(document.get("start")),
        "end_datetime": _text(document.get("end")),
        "received_at": _text(received.get("at")) if isinstance(received, Mapping) else None,
        "policy_index": index,
        "domain": _text(policy.get("policy_domain")) or NO_DOMAIN,
        "policy_domain": _text(policy.get("policy_domain")),
        "policy_type": _text(policy.get("policy_type")),
        "mx_hosts_source": _text(policy.get("mx_hosts_source")),
    }


def table_rows(document: Mapping[str, Any], *, report_key: str, conflict: bool) -> Iterator[dict[str, Any]]:
    """Each policy's row (with its strings and MX hosts), then its failure rows; every column in each."""
    policies = document.get("policies")
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        if not isinstance(policy, Mapping):
            continue
        context = _context(document, report_key, conflict, index, policy)
        hosts = _texts(policy.get("mx_hosts"))
        label = mx_label({"mx_hosts": hosts})
        row = {**_EMPTY_ROW, **context, "kind": "policy", "mx_host": label, "mx_hosts": hosts}
        row["policy_strings"] = _texts(policy.get("policy_strings"))
        row["successful"], row["failed"] = _count(policy.get("successful")), _count(policy.get("failed"))
        yield row
        yield from _failure_rows(context, policy, label, failed=row["failed"] or 0)


def _failure_rows(
    context: Mapping[str, Any], policy: Mapping[str, Any], label: str | None, *, failed: int
) -> Iterator[dict[str, Any]]:
    detailed = 0
    details = policy.get("failure_details")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, Mapping):
            row = {**_EMPTY_ROW, **context, "kind": "failure", "policy_strings": [], "mx_hosts": []}
            row["result_type"] = _text(detail.get("result_type"))
            row["failed_session_count"] = _count(detail.get("failed_session_count"))
            row.update((name, _text(detail.get(name))) for name in _DETAIL_TEXT)
            row["mx_host"] = receiving_host(row["receiving_mx_hostname"]) or label or NOT_REPORTED
            detailed += row["failed_session_count"] or 0
            yield row
    if failed > detailed:
        rest = {"result_type": NOT_DETAILED, "failed_session_count": failed - detailed}
        lists: dict[str, list[str]] = {"policy_strings": [], "mx_hosts": []}
        yield {**_EMPTY_ROW, **context, "kind": "failure", "mx_host": label or NOT_REPORTED, **rest, **lists}


def table_lines(document: Mapping[str, Any], *, report_key: str, conflict: bool) -> bytes:
    """One JSON row a line; :class:`TableTooLarge` past :data:`MAX_TABLE_BYTES`, checked as it grows."""
    lines: list[bytes] = []
    size = 0
    for row in table_rows(document, report_key=report_key, conflict=conflict):
        line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        size += len(line)
        if size > MAX_TABLE_BYTES:
            raise TableTooLarge(f"the table rows of {report_key} pass {MAX_TABLE_BYTES} bytes")
        lines.append(line)
    return b"".join(lines)
