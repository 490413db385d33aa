"""The mock engine runs the registrations queued so far every :data:`engine.STEP_EVERY` resources the program
constructs (``plan/engine.py``, ``program/sdk.py``'s ``LoopStepper``), the collector collecting the young generations
only: memory follows what is in flight, not the stack's size. What it records must not depend on it: every fleet and
example stack is planned stepping after every resource and never stepping, and both records are compared."""

from __future__ import annotations

import asyncio
import gc
import json
import runpy
import weakref
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.plan import engine
from pulumi_mta_sts.plan.cloud import PLAN_CLOUD
from pulumi_mta_sts.plan.engine import Recorder
from pulumi_mta_sts.plan.stack_plan import Plan, plan_stack
from pulumi_mta_sts.program import sdk
from pulumi_mta_sts.program.options import ProgramOptions, running_with

ROOT = Path(__file__).resolve().parents[2]
NEVER = 10**9


def _entry(index: int, provider: str, host: str, verify_live: bool, mode: str) -> dict[str, Any]:
    domain = f"d{index}.fleet.test"
    entry: dict[str, Any] = {"domain": domain, "policy": {"mode": mode, "mx": [f"mx.{domain}"], "max_age": 86401}}
    entry["dns"] = {"provider": provider}
    entry["host"] = {"kind": host if provider == "cloudflare" else "cloudfront", "verify_live": verify_live}
    return entry


fleets = st.lists(
    st.tuples(
        st.sampled_from(["route53", "cloudflare"]),
        st.sampled_from(["cloudfront", "worker"]),
        st.booleans(),
        st.sampled_from(["testing", "enforce", "none"]),
    ),
    min_size=1,
    max_size=30,
)


def _record_fleet(domains: list[tuple[str, str, bool, str]], every: int, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    values = {"domains": [_entry(i, *d) for i, d in enumerate(domains)]}
    config = {"aws:region": "eu-west-1", **{f"mta-sts:{k}": json.dumps(v) for k, v in values.items()}}
    monkeypatch.setattr(engine, "STEP_EVERY", every)
    recorder = PLAN_CLOUD.recorder()
    try:
        recorder.install(project="mta-sts", stack="fleet", config=config)
        with running_with(ProgramOptions(live_dns=False)):
            recorder.run(lambda: runpy.run_path(str(ROOT / "stacks" / "__main__.py"), run_name="__main__"))
    finally:
        recorder.close()
    return recorder


def _records(recorder: Recorder) -> list[str]:
    """Every record with everything it holds, in one order (the mock monitor's threads answer in any; the SDK
    lists a resource's dependencies from a set)."""
    found = []
    for r in recorder.resources:
        held = {**vars(r), "dependencies": sorted(r.dependencies)}
        held["property_dependencies"] = {k: sorted(v) for k, v in r.property_dependencies.items()}
        found.append(json.dumps(held, sort_keys=True, default=repr))
    return sorted(found)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(domains=fleets)
def test_a_fleet_records_the_same_stepped_after_every_resource_or_never(
    domains: list[tuple[str, str, bool, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    stepped, whole = _record_fleet(domains, 1, monkeypatch), _record_fleet(domains, NEVER, monkeypatch)
    assert _records(stepped) == _records(whole)
    assert stepped.stack_outputs == whole.stack_outputs
    assert stepped.warnings == whole.warnings
    assert len(stepped.resources) > len(domains)


def _plan(stack: str, every: int, monkeypatch: pytest.MonkeyPatch) -> Plan:
    monkeypatch.setattr(engine, "STEP_EVERY", every)
    return plan_stack(stack, stacks_dir=ROOT / "stacks", options=ProgramOptions(live_dns=False))


@pytest.mark.parametrize("stack", ["example-com", "example-org", "example-net", "example-fleet"])
def test_an_example_stack_plans_the_same_stepped_after_every_resource_or_never(
    stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stepped, whole = _plan(stack, 1, monkeypatch), _plan(stack, NEVER, monkeypatch)

    def entries(plan: Plan) -> list[str]:
        return sorted(json.dumps(e, sort_keys=True) for e in plan.resource_entries())

    assert entries(stepped) == entries(whole)
    assert (stepped.domains, stepped.outputs, stepped.warnings) == (whole.domains, whole.outputs, whole.warnings)


def _things(count: int) -> None:
    """``count`` resources under one component, each taking an output of the first (as a fleet's records take
    their zone's and their host's). A chain, each taking the one before's, advances a registration per step:
    the stepper runs what is ready and does not wait for the mock monitor's threads."""
    parent = pulumi.ComponentResource("test:index:Group", "group")
    first = pulumi.CustomResource("test:index:Thing", "thing-0", {"out": None}, pulumi.ResourceOptions(parent=parent))
    shared = pulumi.Output.concat(first.urn, "/")
    for index in range(1, count):
        pulumi.CustomResource(
            "test:index:Thing", f"thing-{index}", {"after": shared}, pulumi.ResourceOptions(parent=parent)
        )


def _pending_at_the_end(count: int, every: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, list[str]]:
    """Registrations still queued as the program ends, how many times the engine stepped the loop, the names."""
    monkeypatch.setattr(engine, "STEP_EVERY", every)
    pending: list[int] = []
    steppers: list[sdk.LoopStepper] = []
    real = sdk.LoopStepper

    class Kept(real):  # type: ignore[valid-type,misc]
        def __init__(self, every: int) -> None:
            super().__init__(every)
            steppers.append(self)

    monkeypatch.setattr(sdk, "LoopStepper", Kept)
    recorder = Recorder().install()
    try:

        def program() -> None:
            _things(count)
            pending.append(sum(not task.done() for task in asyncio.all_tasks()))

        recorder.run(program)
    finally:
        recorder.close()
    return pending[0], steppers[0].steps, [r.name for r in recorder.resources]


def test_the_engine_steps_the_loop_as_the_program_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never stepping, every registration is still queued when the program ends; stepping every 10 resources,
    the engine ran the loop about once per 10. How many registrations a step finishes depends
    on the mock monitor's threads, so that is left to the bench (bench/bench_fleet.py), not asserted here."""
    _, stepped, stepped_names = _pending_at_the_end(500, 10, monkeypatch)
    unstepped_pending, never, unstepped_names = _pending_at_the_end(500, NEVER, monkeypatch)
    assert unstepped_pending > 500 and never == 0
    assert stepped >= 500 // 10 - 1
    assert sorted(stepped_names) == sorted(unstepped_names) == sorted(["group", *(f"thing-{i}" for i in range(500))])


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_garbage_made_early_in_the_program_is_collected_before_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """While a program runs the automatic collector collects the young generations only, never the oldest."""
    monkeypatch.setattr(engine, "STEP_EVERY", 10)
    seen: list[bool] = []
    recorder = Recorder().install()
    try:

        def program() -> None:
            gone = weakref.ref(_Cycle())  # unreachable at once, but only the cyclic collector can free it
            _things(30)
            seen.append(gone() is None)

        recorder.run(program)
    finally:
        recorder.close()
    assert seen == [True]
    assert gc.isenabled()


def test_resources_made_in_an_apply_are_recorded_alike_stepped_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``apply`` runs on the loop, from a step: the engine does not step the loop from inside it."""

    def program() -> None:
        first = pulumi.CustomResource("test:index:Thing", "first", {"out": None})
        first.urn.apply(lambda _: [pulumi.CustomResource("test:index:Thing", f"inner-{i}", {}) for i in range(5)])
        _things(5)

    names = []
    for every in (1, NEVER):
        monkeypatch.setattr(engine, "STEP_EVERY", every)
        recorder = Recorder().install()
        try:
            recorder.run(program)
        finally:
            recorder.close()
        names.append(sorted(r.name for r in recorder.resources))
    assert names[0] == names[1]
    assert "inner-4" in names[0]
