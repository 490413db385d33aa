"""A :class:`~.model.ChangeSet` as text; values from outside through :mod:`~pulumi_mta_sts.escape.terminal`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

from pulumi_mta_sts.escape import terminal

from .model import MARKS, STATUS_WORDS, ChangeSet, PolicyChange, RecordChange, Status

#: Between the values of one record set on one line (no TXT value this toolkit writes holds it).
VALUE_SEPARATOR: Final = " / "
#: Statuses shown as before → after.
_CHANGING: Final = frozenset({"change", "replace", "delete"})


def shown_lines(lines: Iterable[str]) -> str:
    return "".join(terminal.shown(line) + "\n" for line in lines)


def values_text(values: Sequence[str] | None) -> str:
    return terminal.shown(VALUE_SEPARATOR.join(values)) if values else "(nothing)"


def counts_text(counts: Mapping[Status, int]) -> str:
    return ", ".join(f"{counts[s]} {w}" for s, w in STATUS_WORDS if counts.get(s)) or "no records"


def _record_value(record: RecordChange) -> str:
    new = values_text(record.new)
    if record.status in _CHANGING:
        return f"{values_text(record.old)} → {new}"
    if record.status == "unknown" and record.old:
        return f"{new} (today: {values_text(record.old)})"
    return new


def _columns(rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
    if not rows:
        return []
    name_w, type_w = max(len(r[1]) for r in rows), max(len(r[2]) for r in rows)
    return [f"  {mark}{name:<{name_w}}  {kind:<{type_w}}  {value}" for mark, name, kind, value in rows]


def record_lines(change: ChangeSet) -> list[str]:
    records = change.records
    if not change.compared:
        rows = [
            ("", terminal.shown(r.name), terminal.shown(r.type), terminal.shown(v))
            for r in records
            for v in r.new or ()
        ]
        return [f"DNS records managed ({len(rows)})", *_columns(rows)]
    shown = [(f"{MARKS[r.status]} ", terminal.shown(r.name), terminal.shown(r.type), _record_value(r)) for r in records]
    return [f"DNS records managed ({len(records)} record sets, {change.source.basis})", *_columns(shown)]


def id_sentence(policy: PolicyChange, show: Callable[[str], str] = str) -> str:
    old_id = policy.old.id if policy.old is not None else None
    if policy.new.id is None:
        return "The id is only known after the deploy."
    if old_id is None:
        return f"The id {show(policy.new.id)} is published (no _mta-sts id today)."
    if policy.id_rolls:
        return f"The id rolls: {show(old_id)} → {show(policy.new.id)} (senders fetch the policy again)."
    return f"The id stays {show(old_id)}."


def remarks(policy: PolicyChange) -> list[tuple[str, str]]:
    return [*((("served today", policy.problem),) if policy.problem else ()), *policy.remarks]


def _policy_lines(policy: PolicyChange) -> list[str]:
    title = f"Policy of {policy.domain} ({policy.url})" if policy.domain else "Policy"
    lines = [title, f"  {id_sentence(policy)}", *(f"  {label}: {value}" for label, value in remarks(policy))]
    body = policy.diff_lines()
    if policy.hidden:
        return [*lines, "  the policy body is [secret] in the preview: its diff is not shown"]
    if body is None:
        return lines
    return [*lines, *(f"  {line}" for line in body or ["the policy body does not change"])]


def policy_lines(change: ChangeSet) -> list[str]:
    return [line for p in change.policies for line in ("", *_policy_lines(p))] if change.compared else []


def notes_lines(change: ChangeSet) -> list[str]:
    notes, several = change.notes, change.several_domains
    if not notes:
        return []
    lines = ["", f"Safety notes ({len(notes)})"]
    for domain, note in notes:
        where = f" ({domain})" if several else ""
        lines.append(f"  {note.level.upper():<7}  {note.code}{where}: {note.message}")
    return lines


def change_lines(change: ChangeSet) -> list[str]:
    return record_lines(change) + policy_lines(change) + notes_lines(change)
