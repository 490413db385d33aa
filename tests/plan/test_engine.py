"""The mock engine's run: what it changes in the interpreter while a program runs, and restores."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

import pulumi
import pulumi.runtime.resource as sdk_resource  # noqa: TID251 - the test reads what the adapter patches
import pulumi.runtime.settings as sdk_settings  # noqa: TID251 - and the RPCs the stepper forgets
import pytest
from pulumi.runtime.proto import source_pb2  # type: ignore[import-untyped]  # noqa: TID251

from pulumi_mta_sts.plan import engine
from pulumi_mta_sts.program import sdk
from tests.pulumi_mock import Recorder


def _run(program: Callable[[], None]) -> None:
    recorder = Recorder().install()
    try:
        recorder.run(program)
    finally:
        recorder.close()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_runs_only_the_young_generations_during_a_run_and_is_left_as_it_was(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    thresholds = gc.get_threshold()
    seen: list[tuple[bool, tuple[int, int, int]]] = []
    try:
        _run(lambda: seen.append((gc.isenabled(), gc.get_threshold())))
        assert seen == [(True, (*thresholds[:2], 2**31 - 1))]  # the oldest generation: never
        assert gc.isenabled() is enabled and gc.get_threshold() == thresholds
    finally:
        gc.enable()


def test_the_collector_comes_back_when_the_program_fails() -> None:
    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _run(program)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_no_source_positions_are_captured_inside_and_the_sdk_function_is_back_after() -> None:
    captured = sdk_resource._get_stack_trace
    with sdk.LoopStepper(10**9):
        assert sdk_resource._get_stack_trace() == source_pb2.StackTrace()
    assert sdk_resource._get_stack_trace is captured


def test_a_program_run_records_its_resources_with_both_in_force() -> None:
    recorder = Recorder().install()
    try:
        seen: list[int] = []

        def program() -> None:
            seen.append(gc.get_threshold()[2])
            pulumi.ComponentResource("test:index:Thing", "thing")

        recorder.run(program)
    finally:
        recorder.close()
    assert seen == [2**31 - 1]
    assert [r.name for r in recorder.resources] == ["thing"]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # close() handed what the run made back to the collector


def test_what_the_program_made_is_frozen_until_the_recorder_closes() -> None:
    """Else the collector's first pass after the run walks all of it at once."""
    recorder = Recorder().install()
    recorder.run(lambda: pulumi.ComponentResource("test:index:Thing", "thing"))
    try:
        assert gc.get_freeze_count() > 0
    finally:
        recorder.close()
    assert gc.get_freeze_count() == 0


def test_a_resources_inputs_are_recorded_as_the_engine_sends_them_and_shared_with_its_state() -> None:
    """The record's inputs are the mock monitor's own reading of the request (numbers come back as floats), the
    very objects its state holds: one copy per resource, not two (bench/README.md, plan memory)."""
    recorder = Recorder().install()
    sent = {"name": "_mta-sts.example.com", "ttl": 300, "records": ["v=STSv1; id=x;"], "tags": {"a": "b"}}
    try:
        recorder.run(lambda: pulumi.CustomResource("test:index:Thing", "thing", dict(sent)) and None)
    finally:
        recorder.close()
    [record] = recorder.resources
    assert record.inputs == {**sent, "ttl": 300.0}
    assert all(record.state[key] is value for key, value in record.inputs.items())


async def _fails() -> None:
    raise RuntimeError("the registration failed")


def test_a_step_forgets_the_rpcs_that_finished_and_keeps_the_failed_and_the_pending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SDK keeps every RPC to await at the program's end; a step drops those that finished cleanly (awaiting
    them returns at once), never one whose failure the end must raise or one still running."""
    monkeypatch.setattr(engine, "STEP_EVERY", 1)
    kept: list[bool] = []

    def program() -> None:
        rpcs, loop = sdk_settings._get_rpc_manager().rpcs, asyncio.get_event_loop()
        tasks = [
            loop.create_task(asyncio.sleep(0)),
            loop.create_task(_fails()),
            loop.create_task(asyncio.Event().wait()),
        ]
        rpcs.extend(tasks)
        pulumi.CustomResource("test:index:Thing", "thing", {})  # the engine steps the loop as it is constructed
        kept.extend(task in rpcs for task in tasks)
        for task in tasks[1:]:
            rpcs.remove(task)
        tasks[2].cancel()

    _run(program)
    assert kept == [False, True, True]
