"""A run of ``mta-sts plan`` as text, JSON (docs/cli.md) and a pull-request comment: each stack's parts
around its :class:`~pulumi_mta_sts.change.model.ChangeSet`, then the DNS names several stacks publish.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pulumi_mta_sts.change import comment
from pulumi_mta_sts.change.model import MARKS, PLAN, STATUS_WORDS, ChangeSet, PolicyChange, state_json
from pulumi_mta_sts.change.text import change_lines, counts_text, id_sentence, shown_lines
from pulumi_mta_sts.core.policy_change import LEVELS as NOTE_LEVELS
from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.markdown import Block

from .cloud import UNKNOWN
from .domains import DomainIndex, domain_of_record, domain_statuses
from .report import CONSEQUENCE, HEADING, SharedName, StackReport, dns_overlaps
from .stack_plan import GROUPS, DomainPolicy, Plan, clean_inputs

_NAMED_DOMAINS: Final = 5
_SEPARATOR: Final = "\n\n---\n\n"
#: The most the warning about shared DNS names takes (UTF-8 bytes); names beyond it are counted.
_OVERLAP_BUDGET: Final = 8_000
_OWNERS_SHOWN: Final = 6
#: Characters of the live-DNS line and of a problem in a comment.
_HEADING_CHARS, _PROBLEM_CHARS = 600, 300


def subject(plan: Plan) -> str:
    if not plan.fleet:
        return plan.first.domain
    names = [d.domain for d in plan.domains]
    shown = ", ".join(names[:_NAMED_DOMAINS]) + (", …" if len(names) > _NAMED_DOMAINS else "")
    return f"{len(names)} domain{'s' if len(names) > 1 else ''}: {shown}"


def live_heading(live: ChangeSet) -> str:
    if live.compared:
        return f"Compared with live DNS: {counts_text(live.counts())}."
    return f"Not compared with live DNS: {live.reason or 'live DNS not asked'}. Showing the desired state."


def _policy_lines(plan: Plan) -> list[str]:
    if not plan.fleet:
        first = plan.first
        return [f"Policy id {first.id}, served at {first.url}:", *(f"    {line}" for line in first.text.splitlines())]
    lines = [f"Policies ({len(plan.domains)})"]
    for d in plan.domains:
        hosted = " (delegated: its owner's CNAMEs point to the provider zone)" if d.delegated else ""
        lines += [f"  {d.domain}{hosted}: id {d.id}, served at {d.url}:", *(f"      {x}" for x in d.text.splitlines())]
    return lines


def _resource_lines(plan: Plan) -> list[str]:
    entries = sorted(plan.resource_entries(), key=lambda e: e["name"])
    lines = [f"Resources ({len(entries)})"]
    for group in GROUPS:
        members = [e for e in entries if e["group"] == group]
        width = max((len(e["name"]) for e in members), default=0)
        lines += [f"  {group}"] if members else []
        for e in members:
            lines.append(f"    {e['name']:<{width}}  {e['type']}")
            if e["dependencies"]:
                lines.append(f"    {'':<{width}}    after: {', '.join(e['dependencies'])}")
    return lines


def _domain_status_lines(plan: Plan, live: ChangeSet) -> list[str]:
    if not (plan.fleet and live.compared):
        return []
    domains = [d.domain for d in plan.domains]
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


def plan_text(plan: Plan, live: ChangeSet) -> str:
    lines = [f"Stack {plan.stack}: MTA-STS for {subject(plan)} (evaluated under the mock engine; nothing was deployed)"]
    lines += [live_heading(live), "", *_policy_lines(plan), *_domain_status_lines(plan, live)]
    lines += ["", *_resource_lines(plan), "", *change_lines(live)]
    lines += ["", "Warnings", *(f"  {w}" for w in plan.warnings)] if plan.warnings else []
    lines += ["", f"Values shown as {UNKNOWN} are only known once the cloud creates the resource."]
    return shown_lines(lines)


def render_text(reports: Sequence[StackReport]) -> str:
    parts = [
        plan_text(r.plan, r.live)
        if r.plan is not None and r.live is not None
        else shown_lines([f"Stack {r.stack}: not planned", *(f"  {p}" for p in r.problems)])
        for r in reports
    ]
    shared = dns_overlaps(reports)
    overlaps = [f"Warning: {HEADING} ({len(shared)})", *(f"  {e.text()}" for e in shared), f"  {CONSEQUENCE}"]
    parts += [shown_lines(overlaps)] if shared else []
    return ("\n" + "─" * 78 + "\n\n").join(parts)


def _policy_json(policy: PolicyChange) -> dict[str, Any]:
    diff, live_mx = policy.diff_lines(), policy.live_mx
    return {
        "domain": policy.domain,
        "url": policy.url,
        "old": state_json(policy.old),
        "new": state_json(policy.new),
        "id_rolls": policy.id_rolls,
        "diff": None if diff is None else "\n".join(diff),
        "problem": policy.problem,
        "live_mx": None if live_mx is None else list(live_mx),
    }


def _dns_json(plan: Plan, live: ChangeSet) -> list[dict[str, Any]]:
    index = DomainIndex(d.domain for d in plan.domains)
    entries: list[dict[str, Any]] = []
    for row in plan.dns_entries():
        record = live.record_for(row["name"], row["type"])
        entry: dict[str, Any] = {**row, "domain": domain_of_record(row["name"], index)} if plan.fleet else dict(row)
        entries.append({**entry, "status": record and record.status, "live": record and record.old})
    return entries


def plan_json(plan: Plan, live: ChangeSet) -> dict[str, Any]:
    first = plan.first
    out: dict[str, Any] = {"stack": plan.stack, "domain": first.domain, "policy": state_json(first.state)}
    domains = [
        {"domain": d.domain, "policy": state_json(d.state), "url": d.url, "mode": d.mode, "delegated": d.delegated}
        for d in plan.domains
    ]
    out |= {"domains": domains} if plan.fleet else {}
    out |= {
        "resources": plan.resource_entries(),
        "dns": _dns_json(plan, live),
        "outputs": clean_inputs(plan.outputs),
        "warnings": plan.warnings,
        "live_dns": {"compared": live.compared, "reason": live.reason},
    }
    diffs = [_policy_json(p) for p in live.policies]
    out["policy_diff"] = next((d for d in diffs if d["domain"] == first.domain), diffs[0] if diffs else None)
    out["policy_diffs"] = diffs
    out["safety_notes"] = [{**note.as_json(), "domain": domain} for domain, note in live.notes]
    return out


def render_json(reports: Sequence[StackReport], *, several: bool) -> dict[str, Any]:
    """One stack's document, or (``--all``) ``{"stacks", "dns_overlaps"}``."""
    docs = [
        plan_json(r.plan, r.live)
        if r.plan is not None and r.live is not None
        else {"stack": r.stack, "errors": [{"field": p.field, "reason": p.reason} for p in r.problems]}
        for r in reports
    ]
    if not several:
        return docs[0]
    return {"stacks": docs, "dns_overlaps": [entry.as_json() for entry in dns_overlaps(reports)]}


def _domain_cell(domain: DomainPolicy, cell: int) -> str:
    return markdown.cell(domain.domain, cell) + (" (delegated)" if domain.delegated else "")


def _domains_block(plan: Plan, live: ChangeSet, level: comment.Level) -> list[Block]:
    if not plan.fleet:
        return []
    domains, more = comment.capped(plan.domains, level.rows, "domains", PLAN)
    lines = [f"#### Domains ({len(plan.domains)})", ""]
    if live.compared:
        lines += ["| Domain | Record sets | Policy | Notes |", "|---|---|---|--:|"]
        for d, status in zip(domains, domain_statuses(live, [d.domain for d in domains])[0], strict=True):
            counts = " · ".join(f"`{MARKS[s]}` {n}" for s, _ in STATUS_WORDS if (n := status.counts.get(s)))
            policy = id_sentence(status.policy, lambda v: markdown.cell(v, 40)) if status.policy else "—"
            lines.append(f"| {_domain_cell(d, level.cell)} | {counts or '—'} | {policy} | {status.notes} |")
    else:
        lines += ["| Domain | Policy id | Mode | Served at |", "|---|---|---|---|"]
        lines += [
            f"| {_domain_cell(d, level.cell)} | {markdown.cell(d.id, 40)} | {markdown.text(d.mode)} | "
            f"{markdown.cell(d.url, level.cell)} |"
            for d in domains
        ]
    return [Block.of("\n".join([*lines, *more]))]


def _resources_block(plan: Plan, level: comment.Level) -> Block:
    entries = sorted(plan.resource_entries(), key=lambda e: (GROUPS.index(e["group"]), e["name"]))
    groups = ", ".join(f"{g} {n}" for g in GROUPS if (n := sum(e["group"] == g for e in entries)))
    shown, more = comment.capped(entries, level.rows, "resources", PLAN)
    lines = [f"- {markdown.code(e['name'], level.cell)} {markdown.code(e['type'], level.cell)}" for e in shown]
    return Block.of(comment.details(f"Resources ({len(entries)}): {groups}", [*lines, *more]))


def _warnings_block(plan: Plan, level: comment.Level) -> list[Block]:
    if not plan.warnings:
        return []
    shown, more = comment.capped(plan.warnings, level.items, "warnings", PLAN)
    items = [f"- {markdown.text(w, level.cell * 4)}" for w in shown]
    return [Block.of("\n".join(["#### Warnings", "", *items, *more]))]


def _blocks(report: StackReport, level: comment.Level) -> list[Block]:
    plan, live = report.plan, report.live
    title = f" · {markdown.text(subject(plan))}" if plan is not None else ""
    blocks = [Block.kept(f"### `mta-sts plan` · stack {markdown.code(report.stack)}{title}")]
    if plan is None or live is None:
        problems = report.problems
        full = "**Not planned:**\n\n" + "\n".join(f"- {markdown.text(str(p))}" for p in problems)
        short = "**Not planned:**\n\n" + "\n".join(f"- {markdown.text(str(p), _PROBLEM_CHARS)}" for p in problems)
        return [*blocks, Block.kept(full, short, f"**Not planned:** {len(problems)} problems (printed on stderr).")]
    said = markdown.text(live_heading(live), _HEADING_CHARS)
    blocks.append(Block.kept(f"_{said} Evaluated under Pulumi's mock engine; nothing was deployed._"))
    blocks += [*comment.notes_block(live), *_domains_block(plan, live, level), *comment.records_blocks(live, level)]
    blocks += [*comment.policies_blocks(live, level), _resources_block(plan, level)]
    return blocks + _warnings_block(plan, level)


class _Section:
    def __init__(self, report: StackReport) -> None:
        self.report = report
        self._levels: dict[comment.Level, list[Block]] = {}

    def blocks(self, level: comment.Level) -> list[Block]:
        if level not in self._levels:
            self._levels[level] = _blocks(self.report, level)
        return self._levels[level]

    def need(self) -> int:
        return markdown.size(markdown.join(self.blocks(comment.LEVELS[0]))) + 1

    def least(self) -> int:
        return markdown.least_size(self.blocks(comment.LEVELS[-1]), comment.cut_note(PLAN)) + 1

    def notes(self) -> list[str]:
        return [note.level for _, note in self.report.live.notes] if self.report.live is not None else []

    def rank(self) -> int:
        """Most serious note first; a stack not planned counts as a warning."""
        if self.report.live is None:
            return NOTE_LEVELS.index("warning")
        return min((NOTE_LEVELS.index(level) for level in self.notes()), default=len(NOTE_LEVELS))


def _rest(sections: Sequence[_Section]) -> str:
    held = ", ".join(f"{n} {level}" for level in NOTE_LEVELS if (n := sum(s.notes().count(level) for s in sections)))
    return (
        f"_…and {len(sections)} more stacks left out to fit a comment (their safety notes: {held or 'none'}): "
        "see `mta-sts plan --all --format json`._\n"
    )


def _chosen(sections: Sequence[_Section], budget: int) -> list[int]:
    """All stacks when their least forms fit, else the most serious that fit (at least one)."""
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
    """Each section what it needs if that fits, else an equal share of what the smaller leave."""
    chosen = _chosen(sections, budget)
    tail = _rest([s for i, s in enumerate(sections) if i not in chosen]) if len(chosen) < len(sections) else ""
    remaining = budget - markdown.size(tail) - markdown.size(_SEPARATOR) * (len(chosen) - 1 + bool(tail))
    order = sorted(chosen, key=lambda i: sections[i].need())
    texts: dict[int, str] = {}
    for done, index in enumerate(order):
        section, later = sections[index], sum(sections[i].least() for i in order[done + 1 :])
        spare = max(0, remaining - later - section.least())
        share = min(section.least() + spare // (len(order) - done), remaining - later)
        texts[index] = comment.fit_comment(section.blocks, share, PLAN)
        remaining -= markdown.size(texts[index])
    return _SEPARATOR.join([*(texts[i] for i in chosen), *([tail] if tail else [])])


def _overlaps(shared: Sequence[SharedName]) -> str:
    if not shared:
        return ""
    lines = [f"### ⚠️ {markdown.text(HEADING)} ({len(shared)})", "", markdown.text(CONSEQUENCE), ""]
    room = _OVERLAP_BUDGET - markdown.size("\n".join(lines)) - 200  # 200: the "…and N more" line
    shown = 0
    for entry in shared:
        owners = entry.owners[:_OWNERS_SHOWN]
        said = "; ".join(f"{markdown.text(', '.join(o.types))} in {markdown.code(o.stack, 100)}" for o in owners)
        more = len(entry.owners) - len(owners)
        line = f"- {markdown.code(entry.name, 260)}: {said}" + (f"; and {more} more stacks" if more else "")
        if markdown.size(line) + 1 > room:
            break
        lines.append(line)
        room -= markdown.size(line) + 1
        shown += 1
    return "\n".join(lines + comment.left_out(len(shared) - shown, "shared names", PLAN)) + "\n"


def render_markdown(reports: Sequence[StackReport], budget: int = comment.COMMENT_BUDGET) -> str:
    warning = _overlaps(dns_overlaps(reports))
    head = warning + _SEPARATOR if warning else ""
    return head + _stacks([_Section(report) for report in reports], budget - markdown.size(head))
