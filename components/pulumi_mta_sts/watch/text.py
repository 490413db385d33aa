"""A round as terminal text: one block per domain, what a stranger wrote (DNS, a served policy, a
sender's report) shown through :mod:`pulumi_mta_sts.escape.terminal`, never obeyed."""

from __future__ import annotations

from pulumi_mta_sts.escape.terminal import shown

from .round import DomainOutcome, RoundOutcome


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def domain_lines(outcome: DomainOutcome) -> list[str]:
    new = sum(1 for _, is_new in outcome.problems if is_new)
    head = f"{outcome.domain}: {_count(len(outcome.problems), 'problem')} ({new} new)" if outcome.problems else ""
    head = head or f"{outcome.domain}: no problems"
    if outcome.recovered:
        head += f", {len(outcome.recovered)} recovered"
    lines = [shown(head)]
    for problem, is_new in outcome.problems:
        mark = "new " if is_new else "    "
        lines.append(shown(f"  {problem.severity.upper()} {mark} {problem.code}: {problem.message}"))
        lines.append(shown(f"             fix: {problem.fix}"))
    lines += [
        shown(f"  RECOVERED  {r.code} (since {r.said.since:%Y-%m-%d %H:%M} UTC): {r.said.message}")
        for r in outcome.recovered
    ]
    return lines


def render_text(outcome: RoundOutcome) -> str:
    """Every domain's block, then one line: how many failures and warnings."""
    lines = [line for domain in outcome.domains for line in domain_lines(domain)]
    problems = [p for d in outcome.domains for p, _ in d.problems]
    failures = sum(1 for p in problems if p.severity == "fail")
    lines.append(f"{_count(failures, 'failure')}, {_count(len(problems) - failures, 'warning')}")
    return "\n".join(lines)
