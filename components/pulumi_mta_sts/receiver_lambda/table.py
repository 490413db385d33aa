"""The receiver's reports as a table: flat JSON lines under a date-partitioned prefix, for Athena.

Every normalised report the function stores under ``reports/`` is also written, with
``TABLE_PREFIX`` set (the receiver's ``analytics`` switch), as one JSON-lines object:

    tables/reports/dt=<YYYY-MM-DD>/<the report's object name>

``dt`` is the UTC day the report's period starts (the day its sessions happened), so a query for
some days reads only those days' objects (Athena's partition projection, no crawler). Each line is
one row of :data:`COLUMNS`, at one of two grains (``kind``):

- ``policy``: one row per policy of the report, with the policy's totals (``successful``,
  ``failed``): what the per-policy views sum, and what the domain views combine per report and
  domain by the rule of ``reports/sessions.py`` (its ``tlsa`` and ``sts`` rows: the larger sum);
- ``failure``: one row per failure-detail row of a policy, with its ``result_type``,
  ``failed_session_count``, MX host and IPs: what the failure views group; and, when a policy's
  failure total exceeds the sum of its rows, one more row for the difference, of result type
  ``(not detailed)``.

Both carry the report's identity (``organization``, ``report_id``, ``report_key``), its period and
the policy they belong to, and the two values ``mta-sts reports summary`` derives
(:mod:`pulumi_mta_sts.reports.summary`, whose rules these are): ``domain`` (the policy domain, or
``(no domain)``) and ``mx_host`` (on a policy row, its MX hosts joined with ``", "``, where its
successful sessions count; on a failure row, the receiving MX host the sender named, else the
policy's, else ``(not reported)``). So each view of ``reports summary`` is one ``GROUP BY``
(:mod:`.queries`). The policy's strings and MX hosts are on its ``policy`` row only (a failure
row has ``[]``): a report with many failure rows does not repeat them. ``conflict`` marks a
report stored as a version (another body under an existing submitter + report-id, see
:mod:`.placement`); the views count each submitter + report-id once (``NOT conflict``): the
first body stored.

Bounded: an object is at most :data:`MAX_TABLE_BYTES`; the rows of a (hostile) report that would
exceed it raise :class:`TableTooLarge` and are not written (the report itself is stored as
always, and the function counts ``TableSkipped``). Real reports make a few kilobytes.

Reports the function stored before the table existed (or while ``analytics`` was off) are added
by the backfill (:mod:`.backfill`, run by the reader function): the rows are a pure function of
the stored document, so a backfilled object is the same as one written at once.

Pure: standard library only (it runs in the Lambda and in the tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final

from pulumi_mta_sts.reports.summary import NO_DOMAIN, NOT_DETAILED, NOT_REPORTED

__all__ = [
    "COLUMNS",
    "FIRST_DAY",
    "MAX_TABLE_BYTES",
    "PARTITION_COLUMN",
    "TABLE_NAME",
    "TABLE_PREFIX",
    "TableTooLarge",
    "partition_day",
    "table_key",
    "table_lines",
    "table_rows",
]

#: Where the table's objects go (the parser writes them with ``WRITE_TABLE=true``).
TABLE_PREFIX: Final = "tables/reports/"
#: The table's name in the receiver's Glue database (what the queries say ``FROM``).
TABLE_NAME: Final = "report_rows"
#: The partition column (a ``dt=<day>`` path segment, projected by Athena as a date).
PARTITION_COLUMN: Final = "dt"
#: The first day the partition projection covers: RFC 8460 was published in September 2018, so no
#: real report is older. A report claiming an earlier day is filed under this day (its own
#: ``start_datetime`` is kept as sent).
FIRST_DAY: Final = date(2018, 9, 1)

#: The largest table object written (bytes): twice the parser's cap on a report's text.
MAX_TABLE_BYTES: Final = 16 * 1024 * 1024


class TableTooLarge(ValueError):
    """The rows of one report would make an object over :data:`MAX_TABLE_BYTES`."""


#: The table's columns (name, Glue/Hive type), in order; ``dt`` is the partition, not a column.
COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("kind", "string"),
    ("organization", "string"),
    ("report_id", "string"),
    ("report_key", "string"),
    ("conflict", "boolean"),
    ("start_datetime", "string"),
    ("end_datetime", "string"),
    ("policy_index", "int"),
    ("domain", "string"),
    ("policy_domain", "string"),
    ("policy_type", "string"),
    ("policy_strings", "array<string>"),
    ("mx_hosts", "array<string>"),
    ("mx_hosts_source", "string"),
    ("mx_host", "string"),
    ("successful", "bigint"),
    ("failed", "bigint"),
    ("result_type", "string"),
    ("failed_session_count", "bigint"),
    ("sending_mta_ip", "string"),
    ("receiving_mx_hostname", "string"),
    ("receiving_mx_helo", "string"),
    ("receiving_ip", "string"),
    ("additional_information", "string"),
    ("failure_reason_code", "string"),
    ("received_at", "string"),
)
_DETAIL_TEXT = (
    "sending_mta_ip",
    "receiving_mx_hostname",
    "receiving_mx_helo",
    "receiving_ip",
    "additional_information",
    "failure_reason_code",
)


def _text(value: object) -> str | None:
    """A text cell: JSON-safe for every engine (a lone surrogate, valid in a sender's JSON but not
    in UTF-8, becomes ``?``); ``None`` stays ``None``."""
    if value is None:
        return None
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _texts(values: object) -> list[str]:
    return [t for t in (_text(v) for v in values) if t is not None] if isinstance(values, list) else []


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def partition_day(report: Mapping[str, Any], *, received: date) -> date:
    """The day a report is filed under: its period's start (UTC), kept within the days the table
    projects (:data:`FIRST_DAY` to the day it was received), so a sender's wrong clock cannot put
    it where no query looks."""
    try:
        day = datetime.strptime(str(report.get("start"))[:10], "%Y-%m-%d").date()
    except ValueError:
        return received
    return min(max(day, FIRST_DAY), received)


def table_key(report_key: str, day: date) -> str:
    """The table object of the report stored as ``reports/<name>`` (or ``<name>`` alone)."""
    name = report_key.rsplit("/", 1)[-1]
    return f"{TABLE_PREFIX}{PARTITION_COLUMN}={day.isoformat()}/{name}"


def _report_cells(document: Mapping[str, Any], report_key: str, conflict: bool) -> dict[str, Any]:
    received = document.get("received")
    return {
        "organization": _text(document.get("organization_name")),
        "report_id": _text(document.get("report_id")),
        "report_key": _text(report_key.rsplit("/", 1)[-1].removesuffix(".json")),
        "conflict": conflict,
        "start_datetime": _text(document.get("start")),
        "end_datetime": _text(document.get("end")),
        "received_at": _text(received.get("at")) if isinstance(received, Mapping) else None,
    }


def _mx_label(policy: Mapping[str, Any]) -> str | None:
    """Where ``reports summary`` counts a policy's successful sessions: its MX hosts, joined."""
    hosts = _texts(policy.get("mx_hosts"))
    return ", ".join(hosts) if hosts else None


def _policy_cells(index: int, policy: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "policy_index": index,
        "domain": _text(policy.get("policy_domain")) or NO_DOMAIN,
        "policy_domain": _text(policy.get("policy_domain")),
        "policy_type": _text(policy.get("policy_type")),
        "policy_strings": _texts(policy.get("policy_strings")),
        "mx_hosts": _texts(policy.get("mx_hosts")),
        "mx_hosts_source": _text(policy.get("mx_hosts_source")),
    }


def _empty_row() -> dict[str, Any]:
    return dict.fromkeys(name for name, _ in COLUMNS)


def table_rows(document: Mapping[str, Any], *, report_key: str, conflict: bool = False) -> Iterator[dict[str, Any]]:
    """The rows of one stored report (the document under ``reports/``), policy row first, then
    its failure rows; every row has every column of :data:`COLUMNS` (``None`` where none)."""
    shared = _report_cells(document, report_key, conflict)
    policies = document.get("policies")
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        if not isinstance(policy, Mapping):
            continue
        context = {**shared, **_policy_cells(index, policy)}
        row = {**_empty_row(), **context, "kind": "policy", "mx_host": _mx_label(policy)}
        row["successful"], row["failed"] = _count(policy.get("successful")), _count(policy.get("failed"))
        yield row
        yield from _failure_rows(context, policy, failed=row["failed"] or 0)


def _failure_rows(context: Mapping[str, Any], policy: Mapping[str, Any], *, failed: int) -> Iterator[dict[str, Any]]:
    """A policy's failure rows, then the failures its total counts beyond them (``(not detailed)``)."""
    label = _mx_label(policy)
    detailed = 0
    details = policy.get("failure_details")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, Mapping):
            row = _failure_row(context, detail, label)
            detailed += row["failed_session_count"] or 0
            yield row
    if failed > detailed:
        rest = {"result_type": NOT_DETAILED, "failed_session_count": failed - detailed}
        lists: dict[str, list[str]] = {"policy_strings": [], "mx_hosts": []}
        yield {**_empty_row(), **context, "kind": "failure", "mx_host": label or NOT_REPORTED, **rest, **lists}


def _receiving_host(name: str | None) -> str | None:
    """The receiving MX host as ``reports summary`` names it: lowercase, without the final dot."""
    return (name.rstrip(".").lower() or None) if name else None


def _failure_row(context: Mapping[str, Any], detail: Mapping[str, Any], label: str | None) -> dict[str, Any]:
    row = {**_empty_row(), **context, "kind": "failure", "policy_strings": [], "mx_hosts": []}
    row["result_type"] = _text(detail.get("result_type"))
    row["failed_session_count"] = _count(detail.get("failed_session_count"))
    for name in _DETAIL_TEXT:
        row[name] = _text(detail.get(name))
    row["mx_host"] = _receiving_host(row["receiving_mx_hostname"]) or label or NOT_REPORTED
    return row


def table_lines(
    document: Mapping[str, Any], *, report_key: str, conflict: bool = False, max_bytes: int = MAX_TABLE_BYTES
) -> bytes:
    """The table object's content: one JSON object per row, one row per line (``\\n``-ended);
    :class:`TableTooLarge` past ``max_bytes`` (checked as it grows, so memory stays bounded)."""
    lines: list[bytes] = []
    size = 0
    for row in table_rows(document, report_key=report_key, conflict=conflict):
        line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        size += len(line)
        if size > max_bytes:
            raise TableTooLarge(f"the table rows of {report_key} pass {max_bytes} bytes")
        lines.append(line)
    return b"".join(lines)
