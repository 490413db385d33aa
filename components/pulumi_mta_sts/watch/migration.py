"""When an MX migration's narrowing is due (issue 26 §2: narrowing stays an explicit step, nothing
time-based enters a plan, and ``watch`` says when it is due). The step and its date are
:func:`~pulumi_mta_sts.core.migrate_steps.plan_step`'s, the same function ``mta-sts migrate`` runs, fed
what this round's ``check`` saw instead of ``migrate``'s own reading; nothing is recomputed here.

A round says ``migration-narrow-due`` (a warning: nothing is broken, the policy is only wider than it
needs to be) once live DNS lists only the new MX hosts, the served policy covers them, the stack's ``mx``
is still wide and the recorded wait is over. While the wait runs it says nothing (``mta-sts migrate``
tells the date); a switch made too early or MX hosts the policy misses are ``mx-not-covered`` already.
After ``mta-sts migrate --narrow`` the record is gone from the stack file, and the problem recovers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shlex

from pulumi_mta_sts.check.model import DomainReport
from pulumi_mta_sts.core.migrate_steps import Live, Record, plan_step, stamp
from pulumi_mta_sts.core.policy import parse_policy

from .model import WARN, Expectation, WatchProblem

CODE = "migration-narrow-due"


def narrow_due(report: DomainReport, expected: Expectation | None, now: dt.datetime) -> WatchProblem | None:
    """``migration-narrow-due`` for a domain whose stack holds a migration record, when it is due."""
    record = None if expected is None else expected.migration
    facts = report.facts
    if expected is None or record is None or facts is None or facts.policy is None or facts.sts_record is None:
        return None
    declared = parse_policy(expected.policy).policy
    if declared is None:
        return None
    # TTLs 0: the record keeps the largest TTLs migrate saw, and plan_step counts the larger.
    live = Live(facts.mail.hosts, 0, facts.sts_record.id, 0, facts.policy)
    step = plan_step(declared.mx, record.to, (), live, record, now)
    if step.state != "narrow" or step.record is None:
        return None
    after = _unrecorded_switch(step.record, record).narrow_after
    if after is None or now < after:
        return None
    return _problem(expected, record, step.narrowed, after)


def _unrecorded_switch(planned: Record, record: Record) -> Record:
    """``plan_step`` dates a switch the record does not hold at ``now`` (as ``migrate`` will record it); a
    watch round records nothing, so it counts only the wait it knows and says the MX TTL in the fix."""
    return planned if record.switched is not None else dataclasses.replace(planned, switched=None)


def _problem(expected: Expectation, record: Record, target: tuple[str, ...], after: dt.datetime) -> WatchProblem:
    stack = f" --stack {shlex.quote(expected.stack)}" if expected.stack else ""
    command = f"mta-sts migrate {expected.domain} --to {' '.join(map(shlex.quote, record.to))}{stack} --narrow"
    message = (
        f"the MX records of {expected.domain} list only the new hosts ({', '.join(record.to)}) and senders' cached "
        f"policies from before the widening have expired ({stamp(after)}): the policy can be narrowed to "
        f"{', '.join(target)}"
    )
    fix = f"run '{command}', then deploy the stack as it says"
    if record.switched is None:
        fix += (
            f" (the stack file's record has no MX switch yet: migrate records it first and narrows one MX TTL, "
            f"{record.mx_ttl} s, later; run it again then)"
        )
    return WatchProblem(CODE, WARN, message, fix)
