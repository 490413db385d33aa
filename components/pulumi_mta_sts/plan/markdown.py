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
each cut saying what is left out and how to see everything (``--format json``).

Everything that comes from outside (values DNS serves, a served policy, warnings) is escaped:
it cannot close a table cell, a code block or a ``<details>``, nor mention anyone.

With several stacks (``--all``), DNS names more than one of them would publish
(:mod:`.overlaps`) come first, in at most :data:`_OVERLAP_BUDGET` bytes (the rest counted), and
the stacks share what is left.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

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


@dataclass(frozen=True)
class _Level:
    """How much one section shows: ``rows`` record sets (and resources) in the tables (``None``:
    all), ``unchanged`` rows listed, ``diff`` lines of the policy diff, ``cell`` characters per
    table cell, ``items`` safety notes and warnings."""

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


# ---- escaping -----------------------------------------------------------------------------------
def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _code(text: str | None, limit: int) -> str:
    """``text`` as inline code inside a table cell: HTML-escaped, ``|`` as an entity (it would end
    the cell even inside code), control characters replaced, cut to ``limit`` characters."""
    if text is None:
        return "—"
    if text == "":
        return "(empty)"
    escaped = html.escape(_printable(_cut(text, limit)), quote=False).replace("|", "&#124;")
    return f"<code>{escaped}</code>"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def _plain(text: str) -> str:
    """Running text that renders as written: HTML and Markdown characters escaped, ``@`` as an
    entity (no mentions), one line."""
    escaped = html.escape(_printable(text), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("@", "&#64;")


def _fence(lines: Sequence[str], language: str) -> list[str]:
    """A fenced block longer than any run of backticks inside, so nothing inside can close it."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *(_printable(line) for line in lines), fence]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


# ---- the parts of a section ---------------------------------------------------------------------
def _heading(report: StackReport) -> list[str]:
    plan = report.plan
    domain = f" · {_plain(plan.subject())}" if plan is not None else ""
    return [f"### `mta-sts plan` · stack `{_plain(report.stack)}`{domain}", ""]


def _notes(live: LiveComparison, level: _Level) -> list[str]:
    notes = live.notes
    if not notes:
        return []
    several = len(live.policies) > 1 or len({domain for domain, _ in notes}) > 1
    shown = notes if level.items is None else notes[: level.items]
    lines = ["#### Safety notes", ""]
    for domain, note in shown:
        where = f" ({_plain(domain)})" if several else ""
        lines.append(f"- {_LEVEL_ICONS[note.level]} **{note.level}** `{note.code}`{where}: {_plain(note.message)}")
    lines += _left_out(len(notes) - len(shown), "safety notes")
    return [*lines, ""]


def _left_out(count: int, what: str) -> list[str]:
    if count <= 0:
        return []
    return ["", f"_…and {count} more {what}, left out to fit a comment: see `mta-sts plan --format json`._"]


def _change_row(record: RecordSet, cell: int) -> str:
    today = _code(VALUE_SEPARATOR.join(record.live), cell) if record.live else "—"
    after = _code(VALUE_SEPARATOR.join(record.values), cell)
    return f"| `{MARKS[record.status]}` | {_code(record.name, cell)} | {_plain(record.type)} | {today} | {after} |"


def _value_row(record: RecordSet, cell: int) -> str:
    mark = f"`{MARKS[record.status]}`" if record.status is not None else ""
    value = _code(VALUE_SEPARATOR.join(record.values), cell)
    return f"| {mark} | {_code(record.name, cell)} | {_plain(record.type)} | {value} |"


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


def _records(live: LiveComparison, level: _Level) -> list[str]:
    if not live.compared:
        return ["#### DNS records", "", *_table(live.records, level, compared=False), ""]
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
    return [*lines, ""]


def _counts(live: LiveComparison) -> str:
    counts = live.counts()
    return " · ".join(f"`{MARKS[s]}` {counts[s]} {w}" for s, w in STATUS_WORDS)


def _domains(plan: Plan, live: LiveComparison, level: _Level) -> list[str]:
    """A fleet's domains, one row each: its policy id and mode, or with live DNS its record sets
    by status, what happens to its id and its safety notes (nothing for a single-domain stack)."""
    if not plan.fleet:
        return []
    domains = plan.domains
    shown = domains if level.rows is None else domains[: level.rows]
    lines = [f"#### Domains ({len(domains)})", ""]
    lines += _compared_domains(shown, live, level.cell) if live.compared else _planned_domains(shown, level.cell)
    return [*lines, *_left_out(len(domains) - len(shown), "domains"), ""]


def _planned_domains(domains: Sequence[DomainPolicy], cell: int) -> list[str]:
    rows = [
        f"| {_domain_cell(d, cell)} | {_code(d.id, 40)} | {_plain(d.mode)} | {_code(d.url, cell)} |" for d in domains
    ]
    return ["| Domain | Policy id | Mode | Served at |", "|---|---|---|---|", *rows]


def _compared_domains(domains: Sequence[DomainPolicy], live: LiveComparison, cell: int) -> list[str]:
    statuses = domain_statuses(live, [d.domain for d in domains])[0]
    lines = ["| Domain | Record sets | Policy | Notes |", "|---|---|---|--:|"]
    for d, status in zip(domains, statuses, strict=True):
        counts = " · ".join(f"`{MARKS[s]}` {status.counts[s]}" for s, _ in STATUS_WORDS if status.counts[s]) or "—"
        policy = id_sentence(status.policy, lambda v: _code(v, 40)) if status.policy else "—"
        lines.append(f"| {_domain_cell(d, cell)} | {counts} | {policy} | {status.notes} |")
    return lines


def _domain_cell(domain: DomainPolicy, cell: int) -> str:
    return _code(domain.domain, cell) + (" (delegated)" if domain.delegated else "")


def _cut_lines(lines: list[str], limit: int | None, cell: int) -> tuple[list[str], int]:
    shown = lines if limit is None else lines[:limit]
    return [_cut(line, max(cell, 120)) for line in shown], len(lines) - len(shown)


def _policy(diff: PolicyDiff, level: _Level, compared: bool) -> list[str]:
    lines = [f"#### Policy of {_plain(diff.domain)}", ""]
    body = policy_diff_lines(diff) if compared else None
    if compared:
        lines += [id_sentence(diff, lambda value: _code(value, 40)), ""]
        if diff.problem:
            lines += [f"Served today: {_plain(diff.problem)}", ""]
    if body == []:
        return [*lines, "The policy body does not change.", ""]
    text = body if body is not None else (diff.new.text or "").splitlines()
    shown, left = _cut_lines(text, level.diff, level.cell)
    if shown:
        lines += _fence(shown, "diff" if body is not None else "text")
    return lines + _left_out(left, "policy lines") + [""]


def _resources(plan: Plan, level: _Level) -> list[str]:
    entries = sorted(plan.resource_entries(), key=lambda e: (GROUPS.index(e["group"]), e["name"]))
    groups = ", ".join(f"{g} {n}" for g in GROUPS if (n := sum(e["group"] == g for e in entries)))
    shown = entries if level.rows is None else entries[: level.rows]
    lines = [f"<details><summary>Resources ({len(entries)}): {_plain(groups)}</summary>", ""]
    lines += [f"- {_code(e['name'], level.cell)} {_code(e['type'], level.cell)}" for e in shown]
    return [*lines, *_left_out(len(entries) - len(shown), "resources"), "", "</details>", ""]


def _warnings(plan: Plan, level: _Level) -> list[str]:
    if not plan.warnings:
        return []
    shown = plan.warnings if level.items is None else plan.warnings[: level.items]
    lines = ["#### Warnings", "", *(f"- {_plain(_cut(w, level.cell * 4))}" for w in shown)]
    return [*lines, *_left_out(len(plan.warnings) - len(shown), "warnings"), ""]


def _section(report: StackReport, level: _Level) -> str:
    lines = _heading(report)
    if report.plan is None or report.live is None:
        lines += ["**Not planned:**", ""] + [f"- {_plain(str(p))}" for p in report.problems]
        return "\n".join(lines) + "\n"
    live = report.live
    lines += [f"_{_plain(live_heading(live))} Evaluated under Pulumi's mock engine; nothing was deployed._", ""]
    lines += _notes(live, level) + _domains(report.plan, live, level) + _records(live, level)
    policies = live.policies if level.rows is None else live.policies[: level.rows]
    for diff in policies:
        lines += _policy(diff, level, live.compared)
    lines += _left_out(len(live.policies) - len(policies), "policies")
    lines += _resources(report.plan, level) + _warnings(report.plan, level)
    return "\n".join(lines).rstrip("\n") + "\n"


def _fit(report: StackReport, budget: int) -> str:
    """The section at the first level of detail that fits ``budget`` bytes."""
    text = ""
    for level in _LEVELS:
        text = _section(report, level)
        if _size(text) <= budget:
            return text
    note = "\n_…cut to fit a comment: see `mta-sts plan --format json`._\n"
    room = max(0, budget - _size(note))
    kept = text.encode("utf-8")[:room].decode("utf-8", "ignore")
    return kept[: kept.rfind("\n") + 1] + note


def _overlap_line(entry: SharedName) -> str:
    shown = entry.owners[:_OWNERS_SHOWN]
    owners = "; ".join(f"{_plain(', '.join(o.types))} in {_code(o.stack, 100)}" for o in shown)
    more = len(entry.owners) - len(shown)
    return f"- {_code(entry.name, 260)}: {owners}" + (f"; and {more} more stacks" if more else "")


def _overlaps(shared: Sequence[SharedName]) -> str:
    """The warning about DNS names several stacks would publish, within :data:`_OVERLAP_BUDGET`."""
    if not shared:
        return ""
    lines = [f"### ⚠️ {_plain(HEADING)} ({len(shared)})", "", _plain(CONSEQUENCE), ""]
    room = _OVERLAP_BUDGET - _size("\n".join(lines)) - 200  # 200: the "…and N more" line
    shown = 0
    for entry in shared:
        line = _overlap_line(entry)
        if _size(line) + 1 > room:
            break
        lines.append(line)
        room -= _size(line) + 1
        shown += 1
    return "\n".join(lines + _left_out(len(shared) - shown, "shared names")) + "\n"


def render_markdown(reports: Sequence[StackReport], budget: int = MARKDOWN_BUDGET) -> str:
    """The warning about shared DNS names (if any), then every stack's section, together at most
    ``budget`` UTF-8 bytes (each stack gets an equal share of what the warning leaves)."""
    warning = _overlaps(dns_overlaps(reports))
    head = warning + _SEPARATOR if warning else ""
    left = budget - _size(head)
    share = (left - _size(_SEPARATOR) * (len(reports) - 1)) // max(1, len(reports))
    return head + _SEPARATOR.join(_fit(report, share) for report in reports)
