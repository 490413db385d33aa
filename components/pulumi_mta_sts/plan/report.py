"""One run of ``mta-sts plan``: each stack planned and compared with live DNS (or the problems that
kept it from a plan), and the DNS names several stacks would publish: such a record belongs to the
stack deployed last (Route53's ``allowOverwrite``), fails the second deploy, or is a second ``v=STSv1``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pulumi_mta_sts.change.model import KNOWN_AFTER_DEPLOY, ChangeSet
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import fold_hostname

from .live_diff import LiveRun, compare_with_live
from .stack_plan import Plan, plan_stack

EXIT_OK = 0
EXIT_USAGE = 2
HEADING: Final = "DNS names published by more than one stack"
CONSEQUENCE: Final = (
    "Each such record belongs to the stack deployed last, or that stack's deploy fails on it; "
    "destroying either stack, or removing the domain from it, deletes the record the other serves. "
    'Give each domain to one stack: docs/deploying.md, "Moving a domain between stacks".'
)


@dataclass
class StackReport:
    stack: str
    plan: Plan | None = None
    live: ChangeSet | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE if self.problems else EXIT_OK


def _one(stack: str, stacks_dir: Path | None, run: LiveRun, keep_going: bool) -> StackReport:
    try:
        plan = plan_stack(stack, stacks_dir=stacks_dir, options=run.program_options)
    except InputError as exc:
        if not keep_going:
            raise
        return StackReport(stack, problems=tuple(exc.problems))
    return StackReport(
        stack, plan, compare_with_live(plan.dns_entries(), {d.domain: d.text for d in plan.domains}, run)
    )


def plan_reports(stacks: Sequence[str], stacks_dir: Path | None, run: LiveRun) -> list[StackReport]:
    """Each stack planned and compared (one stack: a mistake raises); why not compared is said once."""
    reports = [_one(stack, stacks_dir, run, len(stacks) > 1) for stack in stacks]
    said: set[str] = set()
    for report in reports:
        live = report.live
        if live is None or live.compared or live.reason is None:
            continue
        if live.reason in said:
            report.live = dataclasses.replace(live, reason="as said above")
        said.add(live.reason)
    return reports


@dataclass(frozen=True)
class Owner:
    stack: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class SharedName:
    name: str
    owners: tuple[Owner, ...]

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(owner.stack for owner in self.owners)

    def as_json(self) -> dict[str, Any]:
        owners = [{"stack": o.stack, "types": list(o.types)} for o in self.owners]
        return {"name": self.name, "stacks": list(self.stacks), "owners": owners}

    def text(self) -> str:
        return f"{self.name}: " + "; ".join(f"{', '.join(o.types)} in {o.stack}" for o in self.owners)


def published_names(rows: Iterable[Mapping[str, str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        raw, rtype = str(row.get("name", "")), str(row.get("type", ""))
        name = fold_hostname(raw)
        if name and KNOWN_AFTER_DEPLOY not in raw:
            found.setdefault(name, set()).add(rtype.strip().upper())
    return {name: frozenset(types) for name, types in found.items()}


def shared_names(published: Mapping[str, Mapping[str, Collection[str]]]) -> list[SharedName]:
    owners: dict[str, list[Owner]] = {}
    for stack in sorted(published):
        for name, types in published[stack].items():
            owners.setdefault(name, []).append(Owner(stack, tuple(sorted(types))))
    return [SharedName(name, tuple(found)) for name, found in sorted(owners.items()) if len(found) > 1]


def dns_overlaps(reports: Sequence[StackReport]) -> list[SharedName]:
    return shared_names({r.stack: published_names(r.plan.dns_entries()) for r in reports if r.plan is not None})
