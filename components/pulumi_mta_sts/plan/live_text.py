"""The plan's comparison with live DNS as text lines (``mta-sts plan``'s default format).

Record sets print with their mark (``+`` create, ``~`` change old → new, ``=`` unchanged, ``?``
known only after the deploy); a plan not compared with live DNS prints its records as before,
without marks. The policy diff and the safety notes follow. Pure functions of a
:class:`~pulumi_mta_sts.plan.live_diff.LiveComparison`. What live DNS or a policy host said is
shown through :mod:`pulumi_mta_sts.escape.terminal` (control characters as ``⟨U+XXXX⟩``); the
plan's text passes every line through it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from pulumi_mta_sts.escape import terminal

from .domains import domain_statuses
from .live_diff import MARKS, STATUS_WORDS, LiveComparison, PolicyDiff, RecordSet, Status, policy_diff_lines

__all__ = [
    "VALUE_SEPARATOR",
    "counts_text",
    "dns_lines",
    "domain_status_lines",
    "id_sentence",
    "live_heading",
    "notes_lines",
    "policy_lines",
    "values_text",
]

#: Between the values of one record set on one line (a TXT value never holds it: no spaces
#: around a slash in the records this toolkit writes; the JSON output lists values exactly).
VALUE_SEPARATOR: Final = " / "
_NOTHING: Final = "(nothing)"


def values_text(values: Sequence[str] | None) -> str:
    return terminal.shown(VALUE_SEPARATOR.join(values)) if values else _NOTHING


def counts_text(counts: Mapping[Status, int]) -> str:
    """``2 to create, 1 unchanged`` (the statuses that occur), or ``no records``."""
    return ", ".join(f"{counts[s]} {w}" for s, w in STATUS_WORDS if counts[s]) or "no records"


def live_heading(live: LiveComparison) -> str:
    """One line: compared with live DNS, or why not (said once for the whole plan)."""
    if live.compared:
        return f"Compared with live DNS: {counts_text(live.counts())}."
    return f"Not compared with live DNS: {live.reason or 'live DNS not asked'}. Showing the desired state."


def _record_value(record: RecordSet) -> str:
    new = values_text(record.values)
    if record.status == "change":
        return f"{values_text(record.live)} → {new}"
    if record.status == "unknown" and record.live:
        return f"{new} (today: {values_text(record.live)})"
    return new


def dns_lines(rows: Sequence[dict[str, str]], live: LiveComparison | None) -> list[str]:
    """The "DNS records managed" section: one line per row as before when nothing was compared,
    else one line per record set with its mark."""
    if live is None or not live.compared:
        lines = [f"DNS records managed ({len(rows)})"]
        shown = [{k: terminal.shown(r[k]) for k in ("name", "type", "value")} for r in rows]
        if shown:
            name_w = max(len(r["name"]) for r in shown)
            type_w = max(len(r["type"]) for r in shown)
            lines += [f"  {r['name']:<{name_w}}  {r['type']:<{type_w}}  {r['value']}" for r in shown]
        return lines
    records = live.records
    lines = [f"DNS records managed ({len(records)} record sets, compared with live DNS)"]
    if records:
        names = [terminal.shown(r.name) for r in records]
        types = [terminal.shown(r.type) for r in records]
        name_w, type_w = max(map(len, names)), max(map(len, types))
        lines += [
            f"  {MARKS[r.status]} {name:<{name_w}}  {kind:<{type_w}}  {_record_value(r)}"
            for r, name, kind in zip(records, names, types, strict=True)
        ]
    return lines


def domain_status_lines(live: LiveComparison, domains: Sequence[str]) -> list[str]:
    """A fleet's comparison domain by domain: its record sets by status, what happens to its id,
    its safety notes (empty when nothing was compared)."""
    if not live.compared:
        return []
    statuses, shared = domain_statuses(live, domains)
    width = max((len(d) for d in domains), default=0)
    lines = ["", f"Compared with live DNS, per domain ({len(domains)})"]
    for status in statuses:
        policy = id_sentence(status.policy) if status.policy is not None else "No _mta-sts record is planned."
        notes = f" {status.notes} safety note{'s' if status.notes > 1 else ''}." if status.notes else ""
        lines.append(f"  {status.domain:<{width}}  {counts_text(status.counts)}. {policy}{notes}")
    if shared:
        lines.append(f"  {shared} record sets belong to no one domain (shared, or named only after deploy)")
    return lines


def id_sentence(diff: PolicyDiff, show: Callable[[str], str] = str) -> str:
    """What happens to the ``_mta-sts`` id, as a sentence; ``show`` writes an id (markdown: as code)."""
    old_id = diff.old.id if diff.old is not None else None
    if diff.new.id is None:
        return "The id is only known after the deploy."
    if old_id is None:
        return f"The id {show(diff.new.id)} is published (no _mta-sts id today)."
    if diff.id_rolls:
        return f"The id rolls: {show(old_id)} → {show(diff.new.id)} (senders fetch the policy again)."
    return f"The id stays {show(old_id)}."


def _one_policy(diff: PolicyDiff) -> list[str]:
    lines = [f"Policy of {diff.domain} ({diff.url})", f"  {id_sentence(diff)}"]
    if diff.problem:
        lines.append(f"  served today: {diff.problem}")
    body = policy_diff_lines(diff)
    if body is None:
        return lines
    if not body:
        return [*lines, "  the policy body does not change"]
    return lines + [f"  {line}" for line in body]


def policy_lines(live: LiveComparison) -> list[str]:
    """The policy diff of each domain (empty when nothing was compared)."""
    if not live.compared:
        return []
    lines: list[str] = []
    for diff in live.policies:
        lines += ["", *_one_policy(diff)]
    return lines


def notes_lines(live: LiveComparison) -> list[str]:
    """The safety notes, most serious first, each with its domain when the plan has several
    domains (a fleet)."""
    notes = live.notes
    if not notes:
        return []
    several = len(live.policies) > 1 or len({domain for domain, _ in notes}) > 1
    lines = ["", f"Safety notes ({len(notes)})"]
    for domain, note in notes:
        where = f" ({domain})" if several else ""
        lines.append(f"  {note.level.upper():<7}  {note.code}{where}: {note.message}")
    return lines
