"""One run of ``mta-sts plan``: the stacks planned (or why one could not be), each compared with
live DNS through the run's one :class:`~pulumi_mta_sts.plan.live_diff.LiveRun`, and the run as
text or JSON (markdown: :mod:`.markdown`).

``--all`` plans every stack of the stacks folder; a stack that cannot be planned (a config
mistake) is reported in its place and the others are still planned; the exit code is the worst.
The stacks planned are then compared with each other: a DNS name more than one of them would
publish is a warning (:mod:`.overlaps`) in every format, which never changes the exit code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.stack import find_stacks_dir, stack_name_problems, stacks_dir_problems
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.escape import terminal

from .live_diff import LiveComparison, LiveRun, compare_with_live
from .overlaps import SharedName, published_names, shared_names, text_lines
from .stack_plan import Plan, plan_stack

__all__ = [
    "EXIT_OK",
    "EXIT_USAGE",
    "StackReport",
    "dns_overlaps",
    "plan_reports",
    "render_json",
    "render_text",
    "stack_names",
]

EXIT_OK = 0
EXIT_USAGE = 2


@dataclass
class StackReport:
    """One stack of the run: its plan and comparison, or the problems that kept it from a plan."""

    stack: str
    plan: Plan | None = None
    live: LiveComparison | None = None
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
    :class:`InputError`; several: it is that stack's report and the others go on."""
    keep_going = len(stacks) > 1
    return _said_once([_one(stack, stacks_dir, run, keep_going) for stack in stacks])


def _said_once(reports: list[StackReport]) -> list[StackReport]:
    """Why live DNS was not compared is said by the first stack it concerns; the next say "as above"."""
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
    """The DNS names more than one planned stack of the run would publish (stacks that could not
    be planned publish nothing)."""
    return shared_names({r.stack: published_names(r.plan.dns_entries()) for r in reports if r.plan is not None})


def _error_text(report: StackReport) -> str:
    lines = [f"Stack {report.stack}: not planned"] + [f"  {problem}" for problem in report.problems]
    return "\n".join(terminal.shown(line) for line in lines) + "\n"


def render_text(reports: Sequence[StackReport]) -> str:
    """The run for people: each stack's plan (or its problems), separated by a rule, then the DNS
    names several stacks would publish (if any)."""
    parts = [r.plan.text(r.live) if r.plan is not None else _error_text(r) for r in reports]
    overlaps = text_lines(dns_overlaps(reports))
    if overlaps:
        parts.append("\n".join(terminal.shown(line) for line in overlaps) + "\n")
    return ("\n" + "─" * 78 + "\n\n").join(parts)


def _error_json(report: StackReport) -> dict[str, Any]:
    return {"stack": report.stack, "errors": [{"field": p.field, "reason": p.reason} for p in report.problems]}


def render_json(reports: Sequence[StackReport], *, several: bool) -> dict[str, Any]:
    """One stack: its plan document; ``several`` (``--all``): ``{"stacks": [...], "dns_overlaps":
    [...]}``, a stack that could not be planned as ``{"stack", "errors"}``, each DNS name several
    stacks would publish as ``{"name", "stacks", "owners": [{"stack", "types"}]}``."""
    docs = [r.plan.as_json(r.live) if r.plan is not None else _error_json(r) for r in reports]
    if not several:
        return docs[0]
    return {"stacks": docs, "dns_overlaps": [entry.as_json() for entry in dns_overlaps(reports)]}
