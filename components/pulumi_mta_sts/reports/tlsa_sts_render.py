"""The ``tlsa`` / ``sts`` side-by-side view (:mod:`.tlsa_sts`) in ``reports summary``'s text, Markdown
and CSV: one more :class:`~.summary_render.Table`, so each format's escaping module handles what
senders wrote exactly as in the other views. Nothing is shown without a ``tlsa`` policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import summary_render as base
from .tlsa_sts import ALL_MX, SAME_SESSIONS, SIDE_TYPES, result_types_text

TITLE = f"DANE (tlsa) beside MTA-STS (sts) per domain and MX host ({SAME_SESSIONS})"
#: The ``policy_type`` of the CSV rows counted once.
ONCE = "(once)"

_VIEW = base.View(
    TITLE,
    "tlsa_sts",
    "tlsa_sts",
    base.Column("domain", "domain"),
    base.Column("MX host", "mx_host"),
    *(
        column
        for kind in SIDE_TYPES
        for column in (
            base.Column(f"{kind} ok", f"{kind}_successful"),
            base.Column(f"{kind} failed", f"{kind}_failed"),
            base.Column(f"{kind} failure types", f"{kind}_failures"),
        )
    ),
    base.Column("once ok", "once_successful"),
    base.Column("once failed", "once_failed"),
    base.Column("reports with both", "both"),
)


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {"domain": row["domain"], "mx_host": row["mx_host"], "source": row}
    for kind in (*SIDE_TYPES, "once"):
        counts = row.get(kind) or {"successful": "-", "failed": "-"}  # an MX host's row has no "once"
        flat[f"{kind}_successful"], flat[f"{kind}_failed"] = counts["successful"], counts["failed"]
    for kind in SIDE_TYPES:
        flat[f"{kind}_failures"] = result_types_text(row[kind])
    both = f"{row['reports_with_both']} of {row['reports']}" if row["mx_host"] == ALL_MX else "-"
    return {**flat, "both": both}


@dataclass(frozen=True)
class SideTable(base.Table):
    """The view's CSV is long: a row per policy type (and ``(once)``), one per result type."""

    def csv_rows(self) -> Iterator[dict[str, object]]:
        for flat in self.rows:
            row = flat["source"]
            where = {"domain": row["domain"], "mx_host": row["mx_host"]}
            for kind in (*SIDE_TYPES, ONCE) if "once" in row else SIDE_TYPES:
                counts = row[kind.strip("()")]
                reports = row.get("reports") if kind == ONCE else None
                yield {"view": "tlsa_sts", **where, "policy_type": kind, "reports": reports, **_counts(counts)}
            for kind in SIDE_TYPES:
                for item in row[kind]["result_types"]:
                    yield {"view": "tlsa_sts_result_type", **where, "policy_type": kind, **item}


def _counts(counts: Mapping[str, Any]) -> dict[str, object]:
    return {"successful": counts["successful"], "failed": counts["failed"]}


def side_tables(data: Mapping[str, Any]) -> list[base.Table]:
    """The view's table, or none when no domain had a ``tlsa`` policy (or the object predates the view)."""
    rows = data.get("tlsa_sts") or []
    return [SideTable(TITLE, _VIEW, [_flat(row) for row in rows])] if rows else []
