"""A :class:`~.model.ChangeSet` as a pull-request comment at the first of :data:`LEVELS` that fits
:data:`COMMENT_BUDGET`, each cut saying what it left out; safety notes are only ever shortened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from pulumi_mta_sts.core.policy_change import LEVELS as NOTE_LEVELS
from pulumi_mta_sts.core.policy_change import SafetyNote
from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.markdown import Block

from .model import MARKS, STATUS_WORDS, ChangeSet, PolicyChange, RecordChange, Source
from .text import VALUE_SEPARATOR, id_sentence, remarks

#: UTF-8 bytes: GitHub's comment limit (65,536) less room for a workflow's heading and marker.
COMMENT_BUDGET: Final = 60_000
T = TypeVar("T")
_LEVEL_ICONS: Final = {"danger": "🛑", "warning": "⚠️", "info": "ℹ️"}
_SHORT_MESSAGE: Final = 300
_DOMAINS_PER_LINE: Final = 8


@dataclass(frozen=True)
class Level:
    """How much a comment shows (``None``: all)."""

    rows: int | None
    unchanged: bool
    diff: int | None
    cell: int
    items: int | None


LEVELS: Final = (
    Level(None, True, None, 400, None),
    Level(None, False, None, 200, None),
    Level(300, False, 300, 160, 50),
    Level(100, False, 100, 120, 20),
    Level(30, False, 40, 100, 10),
    Level(10, False, 20, 80, 5),
    Level(0, False, 0, 60, 3),
)


def json_hint(source: Source) -> str:
    return f"see `{source.command} --format json`"


def left_out(count: int, what: str, source: Source) -> list[str]:
    if count <= 0:
        return []
    return ["", f"_…and {count} more {what}, left out to fit a comment: {json_hint(source)}._"]


def cut_note(source: Source) -> Callable[[int, bool], str]:

    def note(count: int, notes_cut: bool) -> str:
        said = f"{count} more parts left out" if count else "shortened"
        notes = " and the list of safety notes cut" if notes_cut else ""
        return f"_…{said}{notes} to fit a comment: {json_hint(source)}._"

    return note


def fit_comment(render: Callable[[Level], Sequence[Block]], budget: int, source: Source) -> str:
    """The first level whose whole comment fits, else the last one fitted block by block."""
    for level in LEVELS[:-1]:
        if markdown.size(whole := markdown.join(render(level))) <= budget - 1:
            return whole + "\n"
    return markdown.fit(render(LEVELS[-1]), budget - 1, cut_note(source)) + "\n"


def details(summary: str, lines: Sequence[str]) -> str:
    """``summary``: ours, never a value from outside."""
    return "\n".join([f"<details><summary>{summary}</summary>", "", *lines, "", "</details>"])


def capped(items: Sequence[T], limit: int | None, what: str, source: Source) -> tuple[Sequence[T], list[str]]:
    shown = items if limit is None else items[:limit]
    return shown, left_out(len(items) - len(shown), what, source)


def _note_line(domain: str | None, note: SafetyNote, message: int | None) -> str:
    where = f" ({markdown.text(domain)})" if domain is not None else ""
    said = f": {markdown.text(note.message, message)}" if message != 0 else ""
    return f"- {_LEVEL_ICONS[note.level]} **{note.level}** {markdown.code(note.code)}{where}{said}"


def _grouped_notes(notes: Sequence[tuple[str | None, SafetyNote]], several: bool) -> list[str]:
    """One item per level and code (a cut keeps every code)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for domain, note in notes:
        groups.setdefault((note.level, note.code), []).append(domain or "")
    lines = []
    for (level, code), domains in sorted(groups.items(), key=lambda item: NOTE_LEVELS.index(item[0][0])):
        lines.append(f"- {_LEVEL_ICONS[level]} **{level}** {markdown.code(code)} ×{len(domains)}{':' * several}")
        if several:
            lines += [
                "  " + ", ".join(markdown.text(d) for d in domains[start : start + _DOMAINS_PER_LINE])
                for start in range(0, len(domains), _DOMAINS_PER_LINE)
            ]
    return lines


def notes_block(change: ChangeSet) -> list[Block]:
    """Kept: in full, then shortened, without messages, grouped by code."""
    notes, several = change.notes, change.several_domains
    if not notes:
        return []
    title = "#### Safety notes\n\n"
    shortened = f"\n\n_Messages shortened to fit a comment: {json_hint(change.source)}._"

    def form(message: int | None) -> str:
        return title + "\n".join(_note_line(d if several else None, n, message) for d, n in notes)

    grouped = title + "\n".join(_grouped_notes(notes, several)) + shortened
    return [Block.kept(form(None), form(_SHORT_MESSAGE) + shortened, form(0) + shortened, grouped)]


def _values(values: Sequence[str] | None, cell: int) -> str:
    return "—" if values is None else markdown.cell(VALUE_SEPARATOR.join(values), cell)


def _row(record: RecordChange, cell: int, compared: bool) -> str:
    mark = f"`{MARKS[record.status]}`" if record.status is not None else ""
    today = [_values(record.old or None, cell)] if compared else []
    cells = [mark, markdown.cell(record.name, cell), markdown.text(record.type), *today, _values(record.new, cell)]
    return "| " + " | ".join(cells) + " |"


def _table(records: Sequence[RecordChange], level: Level, source: Source, compared: bool) -> list[str]:
    rows, more = capped(records, level.rows, "record sets", source)
    if compared:
        head = ["| | Name | Type | Today | After deploy |", "|:-:|---|---|---|---|"]
    else:
        head = ["| | Name | Type | Value |", "|:-:|---|---|---|"]
    return ([*head, *(_row(r, level.cell, compared) for r in rows)] if rows else []) + more


def _counts(change: ChangeSet) -> str:
    counts = change.counts()
    return " · ".join(f"`{MARKS[s]}` {counts[s]} {w}" for s, w in STATUS_WORDS if s in counts)


def records_blocks(change: ChangeSet, level: Level) -> list[Block]:
    if not change.compared:
        table = _table(change.records, level, change.source, compared=False)
        return [Block.of("\n".join(["#### DNS records", "", *table]).rstrip("\n"))]
    changing = [r for r in change.records if r.status != "unchanged"]
    unchanged = [r for r in change.records if r.status == "unchanged"]
    lines = _table(changing, level, change.source, compared=True) if changing else ["No record set changes."]
    if unchanged:
        listed = f"_Listed by `{change.source.command} --format json` (left out to fit a comment)._"
        table = _table(unchanged, level, change.source, compared=False) if level.unchanged else [listed]
        lines += ["", details(f"{len(unchanged)} unchanged record sets", table)]
    return [Block.kept(f"#### DNS records\n\n{_counts(change)}"), Block.of("\n".join(lines))]


def _policy_blocks(policy: PolicyChange, level: Level, change: ChangeSet, keep: bool) -> list[Block]:
    head = [f"#### Policy of {markdown.text(policy.domain)}" if policy.domain else "#### Policy"]
    if change.compared:
        head += ["", id_sentence(policy, lambda value: markdown.code(value, 40))]
    lines = [f"{label[0].upper()}{label[1:]}: {markdown.text(value)}" for label, value in remarks(policy)]
    body = policy.diff_lines() if change.compared else None
    if policy.hidden:
        lines.append("The policy body is `[secret]` in the preview: its diff is not shown.")
    elif body == []:
        lines.append("The policy body does not change.")
    else:
        shown = body if body is not None else (policy.new.text or "").splitlines()
        rows, more = capped(shown, level.diff, "policy lines", change.source)
        if rows:
            lines.append(markdown.fence(rows, "diff" if body is not None else "text", max(level.cell, 120)))
        lines += more[1:]
    return [(Block.kept if keep else Block.of)("\n".join(head)), Block.of("\n\n".join(lines))]


def policies_blocks(change: ChangeSet, level: Level) -> list[Block]:
    """A change's only policy, compared, always has its id kept."""
    keep = change.compared and len(change.policies) == 1
    policies, more = capped(change.policies, None if keep else level.rows, "policies", change.source)
    blocks = [block for policy in policies for block in _policy_blocks(policy, level, change, keep)]
    return blocks + [Block.of(line) for line in more[1:]]
