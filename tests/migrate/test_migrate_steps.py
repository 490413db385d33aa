"""The steps as a pure function, driven through whole migrations with a simulated clock: generated
old and new MX sets (shared wildcards, hosts of one provider and the other), max_age and TTLs; each
run's stack change is applied, "deployed" when the test says so, and checked against what senders
would do at that moment."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from pulumi_mta_sts.core.matching import matches, uncovered
from pulumi_mta_sts.core.migrate_steps import Live, Record, plan_step
from pulumi_mta_sts.core.policy import MAX_AGE_LIMIT, Policy
from tests.strategies import label

T0 = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
hosts_under = st.sampled_from(["a.example", "b.example", "mail.protection.outlook.com", "o-v1.mx.microsoft"])
host = st.builds(lambda first, suffix: f"{first}.{suffix}", label, hosts_under)
host_sets = st.lists(host, min_size=1, max_size=4, unique=True)


def _live(mx: list[str], policy: Policy | None, ttls: tuple[int, int]) -> Live:
    return Live(tuple(mx), ttls[1], policy.id if policy else None, ttls[0], policy)


@given(
    old=host_sets,
    new=host_sets,
    wildcard=st.booleans(),
    max_age=st.integers(0, MAX_AGE_LIMIT),
    ttls=st.tuples(st.integers(0, 86_400), st.integers(0, 86_400)),
    early=st.integers(1, 10**6),
)
def test_a_whole_migration(
    old: list[str], new: list[str], wildcard: bool, max_age: int, ttls: tuple[int, int], early: int
) -> None:
    assume(not set(old) & set(new))  # a host in both lists never moves
    stack = [("*." + h.partition(".")[2]) if wildcard else h for h in old]
    served = Policy.build("enforce", stack, max_age)
    step = plan_step(stack, new, [], _live(old, served, ttls), None, T0)
    if not uncovered(new, stack):  # the old wildcards cover the new hosts: the policy needs no change
        assert step.mx is None and uncovered(new, served.mx) == []
        return
    if uncovered(new, stack):
        assert step.state == "widen" and step.mx is not None
        assert uncovered([*old, *new], step.mx) == []  # old ∪ new
        stack = list(step.mx)
    record = step.record
    assert record is not None and record.before_max_age == max_age
    step = plan_step(stack, new, [], _live(old, served, ttls), record, T0)
    assert step.mx is None
    served = Policy.build("enforce", stack, max_age)  # deployed
    seen = T0 + dt.timedelta(hours=1)
    step = plan_step(stack, new, [], _live(old, served, ttls), step.record, seen)
    due = seen + dt.timedelta(seconds=max_age + sum(ttls))
    assert step.record is not None and step.record.narrow_after == due
    old_only = [h for h in old if not matches(h, step.narrowed)]
    if not old_only:
        return  # the new patterns cover the old hosts too: there is nothing to narrow
    assert step.state == ("wait" if due > seen else "switch")
    record = step.record
    # switched: narrowing refused at every moment before the date, and before the switch was seen an MX TTL
    switch_seen = seen + dt.timedelta(seconds=early)
    last = max(due, switch_seen + dt.timedelta(seconds=ttls[1]))
    step = plan_step(stack, new, [], _live(new, served, ttls), record, switch_seen, narrow=True)
    if switch_seen < last:
        assert step.refused and step.mx is None
        assert step.record is not None and step.record.switched == switch_seen
        before = last - dt.timedelta(seconds=1)
        assert plan_step(stack, new, [], _live(new, served, ttls), step.record, before, narrow=True).refused
        step = plan_step(stack, new, [], _live(new, served, ttls), step.record, last, narrow=True)
    assert step.refused is None and step.mx is not None and step.record is None
    assert uncovered(new, step.mx) == [] and all(any(matches(h, [p]) for h in new) for p in step.mx)
    assert all(not matches(h, step.mx) for h in old_only)


@given(old=host_sets, new=host_sets, seen_days=st.integers(0, 400))
def test_without_a_record_the_wait_is_never_shorter(old: list[str], new: list[str], seen_days: int) -> None:
    assume(not set(old) & set(new))
    stack = [*old, *new]
    served = Policy.build("enforce", stack, 86_400)
    now = T0 + dt.timedelta(days=seen_days)
    lost = plan_step(stack, new, [], _live(old, served, (60, 60)), None, now)
    assert lost.record is not None and lost.record.before_max_age is None
    assert lost.record.narrow_after == now + dt.timedelta(seconds=MAX_AGE_LIMIT + 120)


@given(old=host_sets, new=host_sets)
def test_a_record_of_another_migration_is_not_used(old: list[str], new: list[str]) -> None:
    assume(not set(old) & set(new))
    stack = [*old, *new]
    served = Policy.build("enforce", stack, 86_400)
    other = Record(("other.example",), 0, None, served.id, T0 - dt.timedelta(days=900))
    step = plan_step(stack, new, [], _live(old, served, (0, 0)), other, T0)
    assert step.record is not None and step.record.seen == T0 and step.record.to == tuple(new)


@given(old=host_sets, new=host_sets, data=st.data())
def test_the_record_is_the_same_migration_whatever_the_order_of_to(
    old: list[str], new: list[str], data: st.DataObject
) -> None:
    assume(not set(old) & set(new))
    stack = [*old, *new]
    served = Policy.build("enforce", stack, 86_400)
    kept = Record(tuple(new), 600, None, served.id, T0)
    shuffled = data.draw(st.permutations(new))
    step = plan_step(stack, shuffled, [], _live(old, served, (0, 0)), kept, T0 + dt.timedelta(days=1))
    assert step.record is not None and step.record.seen == T0 and step.record.before_max_age == 600


@given(old=host_sets, new=host_sets)
def test_a_stack_that_misses_a_live_host_is_widened_to_cover_it(old: list[str], new: list[str]) -> None:
    served = Policy.build("enforce", new, 86_400)
    step = plan_step(new, new, [], _live(old, served, (0, 0)), None, T0)
    missing = uncovered(old, new)
    assert (step.state == "widen") == bool(missing)
    if step.mx is not None:
        assert uncovered([*old, *new], step.mx) == []
