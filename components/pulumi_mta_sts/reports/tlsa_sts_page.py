"""The ``tlsa`` / ``sts`` side-by-side view (:mod:`.tlsa_sts`) as a section of ``mta-sts reports html``,
drawn with the page's own sections and tables (:mod:`.report_page`): what senders wrote goes through
:mod:`pulumi_mta_sts.escape.html`, rows are bounded as in the other tables. No ``tlsa`` policy: no section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_mta_sts.escape.html import text

from . import report_page as page
from .report_charts import CELL_CHARS, LABEL_CHARS, number
from .tlsa_sts import ALL_MX, SAME_SESSIONS, SIDE_TYPES

ANCHOR, HEADING = "tlsa-sts", "DANE (tlsa) beside MTA-STS (sts)"
_HEADERS = [
    "Policy domain and MX host",
    *(header for kind in SIDE_TYPES for header in (f"{kind} ok / failed#", f"{kind} failure types")),
    "Once ok / failed#",
    "Both in reports#",
]


def _side(row: Mapping[str, Any], kind: str) -> list[str]:
    side = row.get(kind)
    if not isinstance(side, Mapping):
        raise ValueError(f"tlsa_sts[].{kind} must be an object")
    types = page._list(side, "result_types")
    shown = [
        f'<bdi class="item">{text(item.get("result_type"), LABEL_CHARS)}</bdi> ×{number(page._count(item, "failed"))}'
        for item in types[: page.LIST_ITEMS]
    ]
    more = [f"and {number(len(types) - page.LIST_ITEMS)} more"] if len(types) > page.LIST_ITEMS else []
    return [_pair(side), ", ".join(shown + more) or "–"]


def _pair(counts: Mapping[str, Any]) -> str:
    return f"{number(page._count(counts, 'successful'))} / {number(page._count(counts, 'failed'))}"


def _once(row: Mapping[str, Any]) -> list[str]:
    once = row.get("once")
    if row.get("mx_host") != ALL_MX or not isinstance(once, Mapping):
        return ["–", "–"]
    return [_pair(once), f"{number(page._count(row, 'reports_with_both'))} of {number(page._count(row, 'reports'))}"]


def side_section(summary: Mapping[str, Any]) -> list[str]:
    """The section (one string), or none when no domain had a ``tlsa`` policy; ValueError on another shape."""
    rows = page._list(summary, "tlsa_sts")
    if not rows:
        return []
    cells = [
        [
            f"<bdi>{text(row.get('domain'), CELL_CHARS)}</bdi> · <bdi>{text(row.get('mx_host'), CELL_CHARS)}</bdi>",
            *_side(row, "sts"),
            *_side(row, "tlsa"),
            *_once(row),
        ]
        for row in rows[: page.TABLE_ROWS]
    ]
    note = (
        f'<p class="meta">{text(SAME_SESSIONS[0].upper() + SAME_SESSIONS[1:], 400)}. A domain\'s first row is '
        "every MX host together; tlsa policies name no MX host, so their successful sessions are under "
        "(not reported).</p>"
    )
    table = page._table("table-tlsa-sts", "tlsa and sts sessions per domain and MX host", _HEADERS, cells, len(rows))
    return [page._section(ANCHOR, HEADING, note, table)]
