"""``migration-narrow-due`` on generated migrations (records, clocks before and after the date, the
MX switch done or not, the widened policy live or replaced), judged by the pure round: said exactly
when ``mta-sts migrate --narrow`` would narrow at that moment, never while waiting, never beside
``mx-not-covered``, new once and recovered once when the record goes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.check.model import DomainReport
from pulumi_mta_sts.check.watch_facts import DomainFacts
from pulumi_mta_sts.core.migrate_steps import Live, Record, plan_step
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import StsRecord, sts_record_value
from pulumi_mta_sts.net.lookup import MailHosts
from pulumi_mta_sts.watch import Expectation, RoundOutcome, judge_round, state_from_bytes
from pulumi_mta_sts.watch.migration import CODE

DOMAIN = "shop.example"
OLD = ("mx1.old-mail.example", "mx2.old-mail.example")
NEW = ("shop-example.z1.mx.microsoft",)
WIDE = Policy("enforce", ("*.old-mail.example", *NEW), 86_400)
T0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)

seconds = st.integers(0, 40 * 86_400)


@st.composite
def records(draw: st.DrawFn) -> Record:
    """A record as migrate leaves it after seeing the widened policy (``seen`` set), switch recorded or not."""
    switched = draw(st.none() | seconds.map(lambda s: T0 + dt.timedelta(seconds=s)))
    return Record(
        NEW,
        before_max_age=draw(st.none() | st.integers(0, 31_557_600)),
        before_id="before1",
        widened_id=WIDE.id,
        seen=T0,
        switched=switched,
        txt_ttl=draw(st.integers(0, 86_400)),
        mx_ttl=draw(st.integers(0, 86_400)),
    )


def report(live_mx: tuple[str, ...], policy: Policy, sts_id: str) -> DomainReport:
    facts = DomainFacts(MailHosts(DOMAIN, live_mx), policy, StsRecord(sts_id), None, None)
    return DomainReport(DOMAIN, [], facts)


def expectation(record: Record | None, mx: tuple[str, ...] = WIDE.mx) -> Expectation:
    policy = Policy("enforce", mx, WIDE.max_age)
    return Expectation(DOMAIN, policy.render(), policy.id, sts_record_value(policy.id), None, False, record, "shop")


def judged(rep: DomainReport, expected: Expectation, now: dt.datetime, previous: bytes | None = None) -> RoundOutcome:
    state = None if previous is None else state_from_bytes(previous, "state.json")
    return judge_round([rep], {DOMAIN: expected}, state, None, now)


def due(outcome: RoundOutcome) -> list[tuple[str, str, str, bool]]:
    return [(p.code, p.severity, p.fix, new) for p, new in outcome.domains[0].problems if p.code == CODE]


@given(records(), st.booleans(), st.booleans(), st.integers(-2 * 86_400, 400 * 86_400))
def test_said_exactly_when_migrate_would_narrow(record: Record, switched: bool, same_id: bool, offset: int) -> None:
    now = T0 + dt.timedelta(seconds=offset)
    live_mx = NEW if switched else (*OLD, *NEW)
    sts_id = WIDE.id if same_id else "other2"
    said = due(judged(report(live_mx, WIDE, sts_id), expectation(record), now))
    # what `mta-sts migrate --narrow` does at this moment, with the switch dated as the record has it
    live = Live(live_mx, 0, sts_id, 0, WIDE)
    known = record if record.switched is not None else dataclasses.replace(record, switched=record.seen)
    step = plan_step(WIDE.mx, NEW, (), live, known, now, narrow=True)
    narrows = step.state == "narrow" and step.mx is not None and not step.refused
    assert bool(said) == narrows
    if said:
        [(_, severity, fix, new)] = said
        assert severity == "warn" and new
        assert f"mta-sts migrate {DOMAIN} --to {NEW[0]} --stack shop --narrow" in fix
        assert ("records it first" in fix) == (record.switched is None)
    if not switched or (not same_id and record.wait_seconds):  # the wait runs (restarted): nothing pages anyone
        assert not said


@given(records(), st.integers(0, 400 * 86_400))
def test_never_while_waiting_and_never_without_a_record(record: Record, offset: int) -> None:
    now = T0 + dt.timedelta(seconds=offset)
    after = record.narrow_after
    assert after is not None
    outcome = judged(report(NEW, WIDE, WIDE.id), expectation(record), now)
    assert bool(due(outcome)) == (now >= after)
    assert not due(judged(report(NEW, WIDE, WIDE.id), expectation(None), now))


@given(records())
def test_an_uncovered_new_host_is_mx_not_covered_only(record: Record) -> None:
    """New hosts live that the served policy misses (switched before deploying the widened policy):
    migrate is back at step 1, and watch says it once, as ``mx-not-covered``."""
    narrow_served = Policy("enforce", ("*.old-mail.example",), 86_400)
    outcome = judged(report(NEW, narrow_served, WIDE.id), expectation(record), T0 + dt.timedelta(days=800))
    codes = {p.code for p, _ in outcome.domains[0].problems}
    assert CODE not in codes
    assert f"mx-not-covered:{NEW[0]}" in codes


def test_new_once_then_recovered_once_after_narrowing() -> None:
    record = Record(NEW, 86_400, "before1", WIDE.id, T0, T0, 300, 3_600)
    rep = report(NEW, WIDE, WIDE.id)
    later = T0 + dt.timedelta(days=3)
    first = judged(rep, expectation(record), later)
    assert [(code, new) for code, _, _, new in due(first)] == [(CODE, True)]
    state = json.dumps(first.state_json()).encode()
    second = judged(rep, expectation(record), later + dt.timedelta(hours=1), state)
    assert [(code, new) for code, _, _, new in due(second)] == [(CODE, False)]
    state = json.dumps(second.state_json()).encode()
    # `migrate --narrow` removed the record and narrowed the stack; the narrowed policy is deployed
    narrowed = Policy("enforce", NEW, 86_400)
    third = judged(report(NEW, narrowed, narrowed.id), expectation(None, NEW), later + dt.timedelta(hours=2), state)
    assert due(third) == [] and [r.code for r in third.domains[0].recovered] == [CODE]
    assert third.exit_code == 0


@given(st.none() | records())
def test_the_expectation_carries_the_record_through_json(record: Record | None) -> None:
    expected = expectation(record)
    assert Expectation.from_json(json.loads(json.dumps(expected.as_json()))) == expected
