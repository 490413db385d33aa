"""``mta-sts plan --format markdown``: the plan as a pull-request comment.

One section per stack: whether live DNS was compared (said once), the safety notes, for a fleet
(several domains in one stack) a table of its domains (policy id, and with live DNS each
domain's record sets by status and what happens to its id), a compact table of the record sets
that change (``+`` create, ``~`` change old → new, ``?`` known only
after the deploy), the unchanged ones collapsed in ``<details>``, the policy diff (or, without
live DNS, the policy) and the resources in ``<details>``.

The whole output stays within :data:`MARKDOWN_BUDGET` UTF-8 bytes, under GitHub's limit of
65,536 characters for a comment body (the API answers "Body is too long (maximum is 65536
characters)"; counting bytes is safe whichever unit it counts), with room for the heading and
marker a workflow adds. A large plan is shown at the first level of detail that fits
(:data:`_LEVELS`): first the unchanged rows go, then rows, diff lines and cell lengths are cut,
each cut saying what is left out and how to see everything (``--format json``). The safety notes
are never left out: when even the smallest level does not fit, the other parts are left out
whole (:func:`pulumi_mta_sts.escape.markdown.fit`), and when the notes alone are too long their
messages are shortened, then dropped, keeping each note's level, code and domain. Several stacks
(``--all``) share the budget: a stack that needs little keeps all of it, the largest are cut
first; when not even every stack's least form fits, the stacks with the most serious notes are
shown and the rest are counted, with the notes they hold.

With several stacks (``--all``), DNS names more than one of them would publish
(:mod:`.overlaps`) come first, in at most :data:`_OVERLAP_BUDGET` bytes (the rest counted), and
the stacks share what is left.

Everything that comes from outside (values DNS serves, a served policy, warnings) is written by
:mod:`pulumi_mta_sts.escape.markdown`: inert, one line, unable to close a table cell, a code block
or a ``<details>``, link or mention anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pulumi_mta_sts.core.policy_change import LEVELS, SafetyNote
from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.markdown import Block

from .domains import domain_statuses
from .live_diff import MARKS, STATUS_WORDS, LiveComparison, PolicyDiff, RecordSet, policy_diff_lines
from .live_text import VALUE_SEPARATOR, id_sentence, live_heading
from .overlaps import CONSEQUENCE, HEADING, SharedName
from .report import StackReport, dns_overlaps
from .stack_plan import GROUPS, DomainPolicy, Plan

__all__ = ["GITHUB_COMMENT_LIMIT", "MARKDOWN_BUDGET", "render_markdown"]

#: GitHub's limit for the body of an issue or pull-request comment.
GITHUB_COMMENT_LIMIT: Final = 65_536
#: What a run prints at most (UTF-8 bytes): the limit less room for a workflow's heading and marker.
MARKDOWN_BUDGET: Final = 60_000
_SEPARATOR: Final = "\n\n---\n\n"
#: The most the warning about shared DNS names takes (UTF-8 bytes); names beyond it are counted.
_OVERLAP_BUDGET: Final = 8_000
#: Stacks named per shared DNS name (the rest counted).
_OWNERS_SHOWN: Final = 6
_LEVEL_ICONS: Final = {"danger": "🛑", "warning": "⚠️", "info": "ℹ️"}
_JSON: Final = "`mta-sts plan --format json`"
#: Characters of a note's message in the shortened form of the notes, of the live-DNS line, of a problem.
_SHORT_MESSAGE, _HEADING_CHARS, _PROBLEM_CHARS = 300, 600, 300
#: Domains per line in the last form of the safety notes.
_DOMAINS_PER_LINE = 8


@dataclass(frozen=True)
class _Level:
    """How much one section shows: ``rows`` record sets (and resources) in the tables (``None``:
    all), ``unchanged`` rows listed, ``diff`` lines of the policy diff, ``cell`` characters per
    table cell, ``items`` warnings. Safety notes are never cut."""

    rows: int | None
    unchanged: bool
    diff: int | None
    cell: int
    items: int | None


_LEVELS: Final = (
    _Level(None, True, None, 400, None),
    _Level(None, False, None, 200, None),
    _Level(300, False, 300, 160, 50),
    _Level(100, False, 100, 120, 20),
    _Level(30, False, 40, 100, 10),
    _Level(10, False, 20, 80, 5),
    _Level(0, False, 0, 60, 3),
)


# ---- the parts of a section ---------------------------------------------------------------------
def _heading(report: StackReport) -> str:
    plan = report.plan
    domain = f" · {markdown.text(plan.subject())}" if plan is not None else ""
    return f"### `mta-sts plan` · stack {markdown.code(report.stack)}{domain}"


def _left_out(count: int, what: str) -> list[str]:
    if count <= 0:
        return []
    return ["", f"_…and {count} more {what}, left out to fit a comment: see {_JSON}._"]


def _note_line(domain: str | None, note: SafetyNote, message: int | None) -> str:
    """One note: its level, code, domain (``None``: not said) and message (at most ``message``
    characters; ``0``: none)."""
    where = f" ({markdown.text(domain)})" if domain is not None else ""
    said = f": {markdown.text(note.message, message)}" if message != 0 else ""
    return f"- {_LEVEL_ICONS[note.level]} **{note.level}** {markdown.code(note.code)}{where}{said}"


def _grouped_notes(notes: Sequence[tuple[str, SafetyNote]], several: bool) -> list[str]:
    """One item per level and code, naming every domain that has the note (the last form), the
    domains on lines of their own so that a cut at a line keeps every level and code first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for domain, note in notes:
        groups.setdefault((note.level, note.code), []).append(domain)
    lines = []
    for (level, code), domains in sorted(groups.items(), key=lambda item: LEVELS.index(item[0][0])):
        lines.append(
            f"- {_LEVEL_ICONS[level]} **{level}** {markdown.code(code)} ×{len(domains)}{':' if several else ''}"
        )
        if several:
            lines += [
                "  " + ", ".join(markdown.text(d) for d in domains[start : start + _DOMAINS_PER_LINE])
                for start in range(0, len(domains), _DOMAINS_PER_LINE)
            ]
    return lines


def _notes(live: LiveComparison) -> Block | None:
    """The safety notes, kept whatever the size: in full, with shortened messages, without
    messages, then one line per level and code naming the domains."""
    notes = live.notes
    if not notes:
        return None
    several = len(live.policies) > 1 or len({domain for domain, _ in notes}) > 1
    title = "#### Safety notes\n\n"
    shortened = f"\n\n_Messages shortened to fit a comment: see {_JSON}._"

    def form(message: int | None) -> str:
        return title + "\n".join(_note_line(d if several else None, n, message) for d, n in notes)

    grouped = title + "\n".join(_grouped_notes(notes, several)) + shortened
    return Block.kept(form(None), form(_SHORT_MESSAGE) + shortened, form(0) + shortened, grouped)


def _change_row(record: RecordSet, cell: int) -> str:
    today = markdown.cell(VALUE_SEPARATOR.join(record.live), cell) if record.live else "—"
    after = markdown.cell(VALUE_SEPARATOR.join(record.values), cell)
    name, kind = markdown.cell(record.name, cell), markdown.text(record.type)
    return f"| `{MARKS[record.status]}` | {name} | {kind} | {today} | {after} |"


def _value_row(record: RecordSet, cell: int) -> str:
    mark = f"`{MARKS[record.status]}`" if record.status is not None else ""
    value = markdown.cell(VALUE_SEPARATOR.join(record.values), cell)
    return f"| {mark} | {markdown.cell(record.name, cell)} | {markdown.text(record.type)} | {value} |"


def _table(records: Sequence[RecordSet], level: _Level, compared: bool) -> list[str]:
    shown = records if level.rows is None else records[: level.rows]
    if compared:
        lines = ["| | Name | Type | Today | After deploy |", "|:-:|---|---|---|---|"]
        lines += [_change_row(r, level.cell) for r in shown]
    else:
        lines = ["| | Name | Type | Value |", "|:-:|---|---|---|"]
        lines += [_value_row(r, level.cell) for r in shown]
    if not shown:
        lines = []
    return lines + _left_out(len(records) - len(shown), "record sets")


def _records(live: LiveComparison, level: _Level) -> str:
    if not live.compared:
        return "\n".join(["#### DNS records", "", *_table(live.records, level, compared=False)]).rstrip("\n")
    changing = [r for r in live.records if r.status != "unchanged"]
    unchanged = [r for r in live.records if r.status == "unchanged"]
    lines = ["#### DNS records", "", f"{_counts(live)}", ""]
    lines += _table(changing, level, compared=True) if changing else ["No record set changes."]
    if unchanged:
        lines += ["", f"<details><summary>{len(unchanged)} unchanged record sets</summary>", ""]
        if level.unchanged:
            lines += _table(unchanged, level, compared=False)
        else:
            lines.append("_Listed by `mta-sts plan --format json` (left out to fit a comment)._")
        lines += ["", "</details>"]
    return "\n".join(lines)


def _counts(live: LiveComparison) -> str:
    counts = live.counts()
    return " · ".join(f"`{MARKS[s]}` {counts[s]} {w}" for s, w in STATUS_WORDS)


def _domains(plan: Plan, live: LiveComparison, level: _Level) -> list[Block]:
    """A fleet's domains, one row each: its policy id and mode, or with live DNS its record sets
    by status, what happens to its id and its safety notes (nothing for a single-domain stack)."""
    if not plan.fleet:
        return []
    domains = plan.domains
    shown = domains if level.rows is None else domains[: level.rows]
    lines = [f"#### Domains ({len(domains)})", ""]
    lines += _compared_domains(shown, live, level.cell) if live.compared else _planned_domains(shown, level.cell)
    return [Block.of("\n".join([*lines, *_left_out(len(domains) - len(shown), "domains")]))]


def _planned_domains(domains: Sequence[DomainPolicy], cell: int) -> list[str]:
    rows = [
        f"| {_domain_cell(d, cell)} | {markdown.cell(d.id, 40)} | {markdown.text(d.mode)} | "
        f"{markdown.cell(d.url, cell)} |"
        for d in domains
    ]
    return ["| Domain | Policy id | Mode | Served at |", "|---|---|---|---|", *rows]


def _compared_domains(domains: Sequence[DomainPolicy], live: LiveComparison, cell: int) -> list[str]:
    statuses = domain_statuses(live, [d.domain for d in domains])[0]
    lines = ["| Domain | Record sets | Policy | Notes |", "|---|---|---|--:|"]
    for d, status in zip(domains, statuses, strict=True):
        counts = " · ".join(f"`{MARKS[s]}` {status.counts[s]}" for s, _ in STATUS_WORDS if status.counts[s]) or "—"
        policy = id_sentence(status.policy, lambda v: markdown.cell(v, 40)) if status.policy else "—"
        lines.append(f"| {_domain_cell(d, cell)} | {counts} | {policy} | {status.notes} |")
    return lines


def _domain_cell(domain: DomainPolicy, cell: int) -> str:
    return markdown.cell(domain.domain, cell) + (" (delegated)" if domain.delegated else "")


def _policy(diff: PolicyDiff, level: _Level, compared: bool) -> str:
    lines = [f"#### Policy of {markdown.text(diff.domain)}", ""]
    body = policy_diff_lines(diff) if compared else None
    if compared:
        lines += [id_sentence(diff, lambda value: markdown.code(value, 40)), ""]
        if diff.problem:
            lines += [f"Served today: {markdown.text(diff.problem)}", ""]
    if body == []:
        return "\n".join([*lines, "The policy body does not change."])
    text = body if body is not None else (diff.new.text or "").splitlines()
    shown = text if level.diff is None else text[: level.diff]
    if shown:
        lines.append(markdown.fence(shown, "diff" if body is not None else "text", max(level.cell, 120)))
    return "\n".join(lines + _left_out(len(text) - len(shown), "policy lines")).rstrip("\n")


def _resources(plan: Plan, level: _Level) -> str:
    entries = sorted(plan.resource_entries(), key=lambda e: (GROUPS.index(e["group"]), e["name"]))
    groups = ", ".join(f"{g} {n}" for g in GROUPS if (n := sum(e["group"] == g for e in entries)))
    shown = entries if level.rows is None else entries[: level.rows]
    lines = [f"<details><summary>Resources ({len(entries)}): {groups}</summary>", ""]
    lines += [f"- {markdown.code(e['name'], level.cell)} {markdown.code(e['type'], level.cell)}" for e in shown]
    return "\n".join([*lines, *_left_out(len(entries) - len(shown), "resources"), "", "</details>"])


def _warnings(plan: Plan, level: _Level) -> list[Block]:
    if not plan.warnings:
        return []
    shown = plan.warnings if level.items is None else plan.warnings[: level.items]
    lines = ["#### Warnings", "", *(f"- {markdown.text(w, level.cell * 4)}" for w in shown)]
    return [Block.of("\n".join([*lines, *_left_out(len(plan.warnings) - len(shown), "warnings")]))]


def _not_planned(report: StackReport) -> Block:
    """Why a stack was not planned: kept (shortened, at worst counted)."""
    title = "**Not planned:**\n\n"
    problems = report.problems
    full = title + "\n".join(f"- {markdown.text(str(p))}" for p in problems)
    short = title + "\n".join(f"- {markdown.text(str(p), _PROBLEM_CHARS)}" for p in problems)
    return Block.kept(full, short, f"**Not planned:** {len(problems)} problems (printed on stderr).")


def _blocks(report: StackReport, level: _Level) -> list[Block]:
    """The section of one stack at ``level``: heading, live-DNS line and safety notes kept, the
    rest in the order a reviewer reads it."""
    blocks = [Block.kept(_heading(report))]
    if report.plan is None or report.live is None:
        return [*blocks, _not_planned(report)]
    live, plan = report.live, report.plan
    said = markdown.text(live_heading(live), _HEADING_CHARS)
    blocks.append(Block.kept(f"_{said} Evaluated under Pulumi's mock engine; nothing was deployed._"))
    notes = _notes(live)
    blocks += [notes] if notes is not None else []
    blocks += [*_domains(plan, live, level), Block.of(_records(live, level))]
    policies = live.policies if level.rows is None else live.policies[: level.rows]
    blocks += [Block.of(_policy(diff, level, live.compared)) for diff in policies]
    left = _left_out(len(live.policies) - len(policies), "policies")
    blocks += [Block.of(left[-1])] if left else []
    return [*blocks, Block.of(_resources(plan, level)), *_warnings(plan, level)]


# ---- fitting sections to the budget -------------------------------------------------------------
def _cut_note(left_out: int, notes_cut: bool) -> str:
    said = f"{left_out} more parts left out" if left_out else "shortened"
    notes = " and the list of safety notes cut" if notes_cut else ""
    return f"_…{said}{notes} to fit a comment: see {_JSON}._"


class _Section:
    """One stack's section, rendered at each level on demand."""

    def __init__(self, report: StackReport) -> None:
        self.report = report
        self._levels: dict[int, list[Block]] = {}

    def blocks(self, index: int) -> list[Block]:
        if index not in self._levels:
            self._levels[index] = _blocks(self.report, _LEVELS[index])
        return self._levels[index]

    def need(self) -> int:
        """The size of the whole section."""
        return markdown.size(markdown.join(self.blocks(0))) + 1

    def least(self) -> int:
        """The size it needs at least: its kept parts in their shortest forms."""
        return markdown.least_size(self.blocks(len(_LEVELS) - 1), _cut_note) + 1

    def within(self, budget: int) -> str:
        """The section at the first level of detail that fits ``budget`` bytes, else cut by
        :func:`~pulumi_mta_sts.escape.markdown.fit`."""
        return markdown.fit_levels(self.blocks, range(len(_LEVELS)), budget - 1, _cut_note) + "\n"

    def rank(self) -> int:
        """How much a reviewer needs this stack: its most serious note first, a stack not planned
        as a warning, no note last."""
        if self.report.live is None:
            return LEVELS.index("warning")
        return min((LEVELS.index(note.level) for _, note in self.report.live.notes), default=len(LEVELS))


def _rest(sections: Sequence[_Section]) -> str:
    """The line that counts the stacks left out, and the notes they hold."""
    counts = {level: 0 for level in LEVELS}
    for section in sections:
        for _, note in section.report.live.notes if section.report.live is not None else ():
            counts[note.level] += 1
    held = ", ".join(f"{n} {level}" for level, n in counts.items() if n) or "none"
    return (
        f"_…and {len(sections)} more stacks left out to fit a comment (their safety notes: {held}): "
        "see `mta-sts plan --all --format json`._\n"
    )


def _chosen(sections: Sequence[_Section], budget: int) -> list[int]:
    """The stacks shown: every one when their least forms fit together, else the most serious
    first, as many as fit beside the line counting the others (at least one)."""
    separator = markdown.size(_SEPARATOR)
    if sum(s.least() + separator for s in sections) <= budget + separator:
        return list(range(len(sections)))
    room = budget - markdown.size(_rest(sections)) - separator
    chosen: list[int] = []
    for index in sorted(range(len(sections)), key=lambda i: (sections[i].rank(), i)):
        cost = sections[index].least() + separator
        if cost <= room or not chosen:
            chosen.append(index)
            room -= cost
    return sorted(chosen)


def _stacks(sections: Sequence[_Section], budget: int) -> str:
    """Every stack's section, together at most ``budget`` UTF-8 bytes: each stack gets what it
    needs when that fits, else an equal share of what the smaller ones leave, never less than
    its kept parts; stacks that cannot all be shown are counted in a last line."""
    chosen = _chosen(sections, budget)
    left = [sections[i] for i in range(len(sections)) if i not in chosen]
    tail = _rest(left) if left else ""
    remaining = budget - markdown.size(tail) - markdown.size(_SEPARATOR) * (len(chosen) - 1 + bool(tail))
    order = sorted(chosen, key=lambda i: sections[i].need())
    texts: dict[int, str] = {}
    for done, index in enumerate(order):
        section, later = sections[index], sum(sections[i].least() for i in order[done + 1 :])
        spare = max(0, remaining - later - section.least())
        share = min(section.least() + spare // (len(order) - done), remaining - later)
        texts[index] = section.within(share)
        remaining -= markdown.size(texts[index])
    return _SEPARATOR.join([*(texts[i] for i in chosen), *([tail] if tail else [])])


def _overlap_line(entry: SharedName) -> str:
    shown = entry.owners[:_OWNERS_SHOWN]
    owners = "; ".join(f"{markdown.text(', '.join(o.types))} in {markdown.code(o.stack, 100)}" for o in shown)
    more = len(entry.owners) - len(shown)
    return f"- {markdown.code(entry.name, 260)}: {owners}" + (f"; and {more} more stacks" if more else "")


def _overlaps(shared: Sequence[SharedName]) -> str:
    """The warning about DNS names several stacks would publish, within :data:`_OVERLAP_BUDGET`."""
    if not shared:
        return ""
    lines = [f"### ⚠️ {markdown.text(HEADING)} ({len(shared)})", "", markdown.text(CONSEQUENCE), ""]
    room = _OVERLAP_BUDGET - markdown.size("\n".join(lines)) - 200  # 200: the "…and N more" line
    shown = 0
    for entry in shared:
        line = _overlap_line(entry)
        if markdown.size(line) + 1 > room:
            break
        lines.append(line)
        room -= markdown.size(line) + 1
        shown += 1
    return "\n".join(lines + _left_out(len(shared) - shown, "shared names")) + "\n"


def render_markdown(reports: Sequence[StackReport], budget: int = MARKDOWN_BUDGET) -> str:
    """The warning about shared DNS names (if any), then every stack's section, together at most
    ``budget`` UTF-8 bytes (:func:`_stacks` shares what the warning leaves)."""
    warning = _overlaps(dns_overlaps(reports))
    head = warning + _SEPARATOR if warning else ""
    return head + _stacks([_Section(report) for report in reports], budget - markdown.size(head))
