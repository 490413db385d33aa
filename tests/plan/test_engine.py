"""The mock engine's run: what it changes in the interpreter while a program runs, and restores."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pulumi
import pulumi.runtime.resource as sdk_resource  # noqa: TID251 - the test reads what the adapter patches
import pytest
from pulumi.runtime.proto import source_pb2  # type: ignore[import-untyped]  # noqa: TID251

from pulumi_mta_sts.program import sdk
from tests.pulumi_mock import Recorder


def _run(program: Callable[[], None]) -> None:
    recorder = Recorder().install()
    try:
        recorder.run(program)
    finally:
        recorder.close()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_during_a_run_and_left_as_it_was(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    seen: list[bool] = []
    try:
        _run(lambda: seen.append(gc.isenabled()))
        assert seen == [False]
        assert gc.isenabled() is enabled
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
    with sdk.without_source_positions():
        assert sdk_resource._get_stack_trace() == source_pb2.StackTrace()
    assert sdk_resource._get_stack_trace is captured


def test_a_program_run_records_its_resources_with_both_in_force() -> None:
    recorder = Recorder().install()
    try:
        seen: list[bool] = []

        def program() -> None:
            seen.append(gc.isenabled())
            pulumi.ComponentResource("test:index:Thing", "thing")

        recorder.run(program)
    finally:
        recorder.close()
    assert seen == [False]
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
