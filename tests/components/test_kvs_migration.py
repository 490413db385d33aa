"""Moving a fleet's KeyValueStore to the exclusive-keys resource never leaves a served key missing.

The old state is what ``main`` (0def74f, one ``KeyvaluestoreKey`` per key) planned for the example fleet
and a 300-domain fleet (``data/kvs_main.json``, :mod:`tests.components.kvs_migration`); the new program is
this code's plan. Each ``pulumi up`` is replayed as the engine runs it (creates and updates in any order
their dependencies allow, the exclusive resource's batches in any order, then the deletes of what left
the program with the old state's options), checking after every single write what a reader of the store
gets for every host."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.policy import Policy
from tests.components.kvs_migration import (
    Writer,
    deploy,
    hosting_program,
    large_fleet,
    main_fixture,
    plan_writers,
    read,
    served,
)

MAIN = main_fixture()
SEEDS = range(4)


def main_writers(fleet: str) -> list[Writer]:
    return [Writer.from_json(w) for w in MAIN[fleet]["writers"]]


def example_values(layout: str | None) -> dict[str, Any]:
    values: dict[str, Any] = copy.deepcopy(MAIN["example-fleet"]["values"])
    if layout is not None:
        values.setdefault("defaults", {}).setdefault("host", {})["store_keys"] = layout
    return values


def plan_example(layout: str | None) -> list[Writer]:
    return plan_writers(lambda: None, config=example_values(layout))


def plan_large(fleet: Sequence[tuple[str, str]], layout: str) -> list[Writer]:
    return plan_writers(hosting_program(fleet, store_keys=layout))


def assert_safe(old: list[Writer], new: list[Writer], *, batch: int = 50) -> list[Writer]:
    """Every replay (several orders) keeps every host readable; the store ends as the program says."""
    for seed in SEEDS:
        run, state = deploy(old, new, seed=seed, batch=batch)
        assert run.problems == [], run.problems[:5]
        assert {host: read(run.store, host) for host in run.after} == run.after  # every host its new policy
        exclusive = [w for w in new if w.exclusive]
        if exclusive:
            assert run.store == dict(exclusive[0].pairs)  # nothing stale is left
    return state


def test_the_old_state_is_mains_one_resource_per_key() -> None:
    for fleet in ("example-fleet", "large"):
        writers = main_writers(fleet)
        assert writers and not any(w.exclusive or w.retain for w in writers)
    assert len(served(main_writers("large"))) == 300


@pytest.fixture(scope="module")
def example_plans() -> dict[str, list[Writer]]:
    return {layout: plan_example(layout) for layout in ("migrating", "exclusive")}


@pytest.fixture(scope="module")
def large_plans() -> dict[str, list[Writer]]:
    return {layout: plan_large(large_fleet(), layout) for layout in ("migrating", "exclusive")}


def test_the_default_layout_is_migrating_and_keeps_mains_resources_retained(
    example_plans: dict[str, list[Writer]],
) -> None:
    default = plan_example(None)
    assert default == example_plans["migrating"]
    old = {w.name: w for w in main_writers("example-fleet")}
    kept = {w.name: w for w in default if not w.exclusive}
    assert kept.keys() == old.keys()  # every resource of main, same names ...
    assert all(kept[n].pairs == old[n].pairs and kept[n].retain for n in old)  # ... same keys, now retained


@pytest.mark.parametrize("fleet", ["example-fleet", "large"])
def test_main_to_migrating_to_exclusive_never_misses_a_key(
    fleet: str, example_plans: dict[str, list[Writer]], large_plans: dict[str, list[Writer]]
) -> None:
    plans = example_plans if fleet == "example-fleet" else large_plans
    state = assert_safe(main_writers(fleet), plans["migrating"])
    assert_safe(state, plans["exclusive"], batch=1)


@pytest.mark.parametrize("fleet", ["example-fleet", "large"])
def test_skipping_the_migrating_update_would_delete_live_keys(
    fleet: str, example_plans: dict[str, list[Writer]], large_plans: dict[str, list[Writer]]
) -> None:
    """Why ``migrating`` is the default: main's resources have no retainOnDelete in their state, so dropping
    them in the update that creates the exclusive resource deletes, at its end, the keys it just wrote."""
    plans = example_plans if fleet == "example-fleet" else large_plans
    run, _ = deploy(main_writers(fleet), plans["exclusive"])
    assert run.problems
    assert all("reads None" in p for p in run.problems)


def test_a_new_fleet_gets_no_per_key_resource_but_for_chunks(large_plans: dict[str, list[Writer]]) -> None:
    new = large_plans["exclusive"]
    assert sum(w.exclusive for w in new) == 1
    assert all("~" in w.pairs[0][0] for w in new if not w.exclusive)  # chunks only
    assert len(new) == 1 + 60  # 30 policies over 1 KB in two chunks each; main had 360
    assert_safe([], new, batch=1)


# ---- the same update also changes policies, adds and removes domains ---------------------------------------
LARGE = Policy.build("enforce", [f"mx{j}.another-long-mail-host.example.org" for j in range(45)], 604800).render()


@st.composite
def changes(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(old fleet, new fleet): a slice of the 300, then some removed, some added, some policies changed
    (small to small, small to large, large to small, large to another large)."""
    start = draw(st.integers(0, 260))
    old = large_fleet()[start : start + draw(st.integers(6, 20))]
    new = []
    for domain, text in old:
        action = draw(st.sampled_from(["keep", "keep", "drop", "small", "large"]))
        if action == "keep":
            new.append((domain, text))
        elif action == "small":
            new.append((domain, Policy.build("testing", [f"mx.new.{domain}"], 86401).render()))
        elif action == "large":
            new.append((domain, LARGE.replace("another", domain.split(".")[0])))
    new += [(f"new{i}.example", LARGE if i % 2 else old[0][1]) for i in range(draw(st.integers(0, 3)))]
    return old, new


def main_subset(fleet: Sequence[tuple[str, str]]) -> list[Writer]:
    """main's state for a slice of the 300 (each domain's resources depend only on the store and its chunks)."""
    domains = {d for d, _ in fleet}
    return [w for w in main_writers("large") if w.name.split("-", 1)[1].rsplit("-policy", 1)[0] in domains]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes(), st.integers(1, 50))
def test_generated_changes_in_the_migrating_and_later_updates_never_miss_a_key(
    fleets: tuple[list[tuple[str, str]], list[tuple[str, str]]], batch: int
) -> None:
    old, new = fleets
    if not new:
        return
    state = assert_safe(main_subset(old), plan_large(new, "migrating"), batch=batch)  # upgrade + changes
    changed = [(d, t.replace("86401", "86402")) for d, t in new]
    state = assert_safe(state, plan_large(changed, "migrating"), batch=batch)  # a later update
    state = assert_safe(state, plan_large(new, "exclusive"), batch=batch)  # the switch, with changes
    assert_safe(state, plan_large(changed, "exclusive"), batch=batch)  # and the updates after it
