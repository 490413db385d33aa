"""One run of ``mta-sts plan``: the stacks planned (or why one could not be), each compared with
live DNS through the run's one :class:`~.live_diff.LiveRun` (shown by :mod:`.output`).

``--all`` plans every stack of the stacks folder; a stack that cannot be planned is reported in
its place and the others are still planned; the exit code is the worst.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pulumi_mta_sts.change.model import ChangeSet
from pulumi_mta_sts.config.stack import find_stacks_dir, stack_name_problems, stacks_dir_problems
from pulumi_mta_sts.core.errors import InputError, Problem

from .live_diff import LiveRun, compare_with_live
from .overlaps import SharedName, published_names, shared_names
from .stack_plan import Plan, plan_stack

EXIT_OK = 0
EXIT_USAGE = 2


@dataclass
class StackReport:
    """One stack of the run: its plan and comparison, or the problems that kept it from a plan."""

    stack: str
    plan: Plan | None = None
    live: ChangeSet | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE if self.problems else EXIT_OK


def stack_names(stacks_dir: Path | None) -> list[str]:
    """Every stack with a ``Pulumi.<stack>.yaml`` in the stacks folder, sorted (``--all``)."""
    folder = stacks_dir or find_stacks_dir()
    problems = stacks_dir_problems(folder, stacks_dir is not None)
    if problems:
        raise InputError(problems)
    names = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
    names = [n for n in names if not stack_name_problems(n)]
    if not names:
        raise InputError([Problem("--all", str(folder), f"no stack files (Pulumi.<stack>.yaml) in {folder}")])
    return names


def _one(stack: str, stacks_dir: Path | None, run: LiveRun, keep_going: bool) -> StackReport:
    try:
        plan = plan_stack(stack, stacks_dir=stacks_dir, options=run.program_options)
    except InputError as exc:
        if not keep_going:
            raise
        return StackReport(stack, problems=tuple(exc.problems))
    return StackReport(stack, plan, compare_with_live(plan.dns_entries(), plan.policies(), run))


def plan_reports(stacks: Sequence[str], stacks_dir: Path | None, run: LiveRun) -> list[StackReport]:
    """Plan each stack and compare it with live DNS. One stack: a mistake raises
    :class:`InputError`; several: it is that stack's report and the others go on. Why live DNS
    was not compared is said by the first stack it concerns; the next say "as said above"."""
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


def dns_overlaps(reports: Sequence[StackReport]) -> list[SharedName]:
    """The DNS names more than one planned stack of the run would publish."""
    return shared_names({r.stack: published_names(r.plan.dns_entries()) for r in reports if r.plan is not None})
