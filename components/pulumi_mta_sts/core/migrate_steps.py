"""The four steps of an MX migration as a pure function of what the stack declares, what live DNS
shows and the record of earlier runs, at a given time (the caller's clock: tests inject one).

1. widen: the stack's ``mx`` becomes old ∪ new, then ``pulumi up`` serves it;
2. wait: until every sender's cached copy of the policy from before the widening has expired —
   ``narrow_after`` = when the widened policy was first seen live + the ``max_age`` of the policy live
   before it + the ``_mta-sts`` TXT TTL + the MX TTL;
3. switch: the MX records move to the new hosts (outside the stack: it never manages a domain's MX);
4. narrow: the stack's ``mx`` keeps only the patterns that cover a new host; refused before
   ``narrow_after`` and before the switch has been seen live for an MX TTL.

Nothing here reads a clock or the network; nothing time-based goes into a plan or a policy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pulumi_mta_sts.core.matching import matches, uncovered
from pulumi_mta_sts.core.policy import MAX_AGE_LIMIT, Policy

#: Said when the record of step 1 is missing: the wait then counts the longest max_age a policy may have.
UNKNOWN_BEFORE = (
    "the max_age of the policy live before the widening is not recorded in the stack file (the record line "
    f"written at step 1 is missing), so the wait counts the longest a policy may have ({MAX_AGE_LIMIT} s, a year); "
    "restore that line from the stack file's history to count the real value"
)
EARLY_SWITCH = (
    "the MX records were switched before {}: senders that still cache the policy from before the widening "
    "refuse the new hosts in enforce (and report them in testing) until then"
)
STEP_NAMES = {1: "widen", 2: "wait", 3: "switch", 4: "narrow", 5: "done"}


@dataclass(frozen=True)
class Record:
    """What earlier runs saw, kept in the stack file (:mod:`.stack_mx`): losing it only makes the wait
    longer (an unknown ``before_max_age`` counts as a year, an unknown sighting as now)."""

    to: tuple[str, ...]
    before_max_age: int | None = None
    before_id: str | None = None
    widened_id: str | None = None
    seen: dt.datetime | None = None
    switched: dt.datetime | None = None
    txt_ttl: int = 0
    mx_ttl: int = 0

    @property
    def wait_seconds(self) -> int:
        before = MAX_AGE_LIMIT if self.before_max_age is None else self.before_max_age
        return before + self.txt_ttl + self.mx_ttl

    @property
    def narrow_after(self) -> dt.datetime | None:
        """The first moment narrowing is safe; ``None`` until the widened policy was seen live."""
        if self.seen is None:
            return None
        after = self.seen + dt.timedelta(seconds=self.wait_seconds)
        if self.switched is not None:
            after = max(after, self.switched + dt.timedelta(seconds=self.mx_ttl))
        return after


@dataclass(frozen=True)
class Live:
    """What live DNS says: MX hosts, the policy served under the one ``_mta-sts`` id (``None``: none)."""

    mx: tuple[str, ...]
    mx_ttl: int
    sts_id: str | None
    txt_ttl: int
    policy: Policy | None


@dataclass
class Step:
    """Where a domain is and what this run does: ``mx`` the stack's new list (``None``: unchanged),
    ``record`` the record to keep (``None``: remove it), ``refused`` why ``mx`` is not written (the record is)."""

    number: int
    state: str
    message: str
    record: Record | None
    mx: tuple[str, ...] | None = None
    narrowed: tuple[str, ...] = ()
    refused: str | None = None
    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return STEP_NAMES[self.number]


def stamp(moment: dt.datetime | None) -> str:
    """A moment as UTC ISO 8601 to the second (``2026-12-07T16:00:00Z``)."""
    return "-" if moment is None else moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def widened(stack_mx: Sequence[str], new_patterns: Sequence[str], hosts: Sequence[str]) -> tuple[str, ...]:
    """The stack's patterns, then each new pattern a host needs, then an exact name for any other host."""
    mx = list(dict.fromkeys(stack_mx))
    for host in hosts:
        if not matches(host, mx):
            mx.append(next((p for p in new_patterns if matches(host, [p])), host))
    return tuple(mx)


def narrowed(stack_mx: Sequence[str], new_hosts: Sequence[str]) -> tuple[str, ...]:
    """The stack's patterns that cover a new host (in their order): the policy after the migration."""
    return tuple(p for p in dict.fromkeys(stack_mx) if any(matches(h, [p]) for h in new_hosts))


def _before(record: Record, live: Live) -> Record:
    """The policy live before the widening, captured while it is still the one served."""
    if record.before_max_age is not None:
        return record
    before = live.policy.max_age if live.policy is not None else 0
    return dataclasses.replace(record, before_max_age=before, before_id=live.sts_id)


def _observed(record: Record | None, new_hosts: tuple[str, ...], live: Live) -> Record:
    """The record for this migration (another migration's is dropped), with the largest TTLs seen."""
    if record is None or sorted(record.to) != sorted(new_hosts):
        record = Record(new_hosts)
    return dataclasses.replace(
        record, txt_ttl=max(record.txt_ttl, live.txt_ttl), mx_ttl=max(record.mx_ttl, live.mx_ttl)
    )


def plan_step(
    stack_mx: Sequence[str],
    new_hosts: Sequence[str],
    new_patterns: Sequence[str],
    live: Live,
    record: Record | None,
    now: dt.datetime,
    *,
    narrow: bool = False,
) -> Step:
    """The step a domain is in and this run's change (see the module docstring)."""
    new = tuple(new_hosts)
    rec = _observed(record, new, live)
    wanted = uncovered([*live.mx, *new], stack_mx)
    if wanted:
        mx = widened(stack_mx, new_patterns, [*live.mx, *new])
        message = f"the stack's mx does not cover {', '.join(wanted)}: widened to old ∪ new"
        return _checked(Step(1, "widen", message, _before(rec, live), mx), live, new)
    served = live.policy
    if served is None or uncovered(new, served.mx):
        return _deploy_widened(rec, live, new)
    step = _after_widening(stack_mx, rec, live, new, now, narrow)
    if step.record is not None and step.record.before_max_age is None:
        step.warnings.append(UNKNOWN_BEFORE)
    return step


def _deploy_widened(rec: Record, live: Live, new: tuple[str, ...]) -> Step:
    served = "no policy is served" if live.policy is None else "the served policy does not cover the new MX yet"
    step = Step(1, "deploy-widened", f"the stack's mx is widened; {served}", _before(rec, live))
    old_gone = [h for h in live.mx if live.policy is not None and not matches(h, live.policy.mx)]
    if old_gone:
        step.warnings.append(
            f"live MX {', '.join(old_gone)} is not covered by the served policy: senders in enforce refuse it now; "
            "deploy the widened policy at once"
        )
    return step


def _after_widening(
    stack_mx: Sequence[str], rec: Record, live: Live, new: tuple[str, ...], now: dt.datetime, narrow: bool
) -> Step:
    if rec.seen is None or rec.widened_id != live.sts_id:
        rec = dataclasses.replace(rec, seen=now, widened_id=live.sts_id, switched=None)
    target = narrowed(stack_mx, new)
    old_live = [h for h in live.mx if h not in new]  # switched: DNS lists only the new hosts
    after = rec.narrow_after
    assert after is not None  # seen is set above
    if old_live:
        if now < after:
            message = f"the widened policy is live since {stamp(rec.seen)}; switch the MX on or after {stamp(after)}"
            step = Step(2, "wait", message, rec, narrowed=target)
        else:
            step = Step(3, "switch", f"switch the MX records from {', '.join(old_live)} now", rec, narrowed=target)
        if narrow:
            step.refused = f"narrowing refused: live MX still lists {', '.join(old_live)}; switch the MX first"
        return step
    if rec.switched is None:
        rec = dataclasses.replace(rec, switched=now)
    warnings = [EARLY_SWITCH.format(stamp(after))] if (rec.switched or now) < after else []
    step = _switched(stack_mx, rec, live, new, target, now, narrow)
    step.warnings += warnings
    return step


def _switched(
    stack_mx: Sequence[str],
    rec: Record,
    live: Live,
    new: tuple[str, ...],
    target: tuple[str, ...],
    now: dt.datetime,
    narrow: bool,
) -> Step:
    if tuple(dict.fromkeys(stack_mx)) != target:
        return _narrow(rec, live, new, target, now, narrow)
    wide = live.policy is not None and narrowed(live.policy.mx, new) != tuple(dict.fromkeys(live.policy.mx))
    if wide:
        return Step(4, "deploy-narrowed", "the stack's mx is narrowed; the served policy is still wide", None)
    return Step(5, "done", "the MX records are switched and the served policy lists only the new patterns", None)


def _narrow(
    rec: Record, live: Live, new: tuple[str, ...], target: tuple[str, ...], now: dt.datetime, narrow: bool
) -> Step:
    after = rec.narrow_after
    assert after is not None
    if now < after:
        why = (
            f"senders may cache the policy from before the widening until {stamp(after)} (first seen widened "
            f"{stamp(rec.seen)} + {rec.wait_seconds} s: its max_age, the _mta-sts and MX TTLs; MX switch seen "
            f"{stamp(rec.switched)} + MX TTL {rec.mx_ttl} s)"
        )
        step = Step(4, "narrow", f"narrowing is due on or after {stamp(after)}", rec, narrowed=target)
        step.refused = f"narrowing refused before {stamp(after)}: {why}" if narrow else None
        return step
    if not narrow:
        return Step(4, "narrow", "narrowing is due now (give --narrow)", rec, narrowed=target)
    step = _checked(Step(4, "narrow", f"narrowed to {', '.join(target)}", rec, target, target), live, new)
    step.record = rec if step.refused else None  # the migration is over: its record goes
    return step


def _checked(step: Step, live: Live, new: tuple[str, ...]) -> Step:
    """No edit may produce a policy that fails a live MX host or a new one (a compliant sender uses both)."""
    if step.mx is not None and (missed := uncovered([*live.mx, *new], step.mx)):
        step.refused = f"internal check: the new mx would not cover {', '.join(missed)}; nothing written"
        step.mx = None
    return step
