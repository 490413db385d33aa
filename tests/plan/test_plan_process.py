"""``mta-sts plan`` as a user runs it: a process of its own, whose stderr must stay empty.

It used to print ``Exception ignored in: <function BaseEventLoop.__del__> … ValueError: Invalid
file descriptor: -1`` now and then: the SDK's mock monitor makes an event loop in each executor
thread it answers in and nobody closed them, so at interpreter exit the garbage collector could
finalise a loop after its self-pipe socket. The processes below would show it again; the
in-process test checks the cause directly (every loop the run used is closed afterwards).
"""

from __future__ import annotations

import asyncio
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_mta_sts.config.stack import read_stack_file
from pulumi_mta_sts.plan import engine
from pulumi_mta_sts.plan.cloud import PLAN_CLOUD
from pulumi_mta_sts.plan.stack_plan import config_for_engine
from pulumi_mta_sts.program.options import ProgramOptions, running_with

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
RUNS = 4  # at once; the noise showed in about one run in three


def test_plan_in_its_own_process_prints_nothing_on_stderr() -> None:
    command = [sys.executable, "-m", "pulumi_mta_sts", "plan", "--stack", "example-org", "--no-live-dns"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(RUNS)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert (run.returncode, err) == (0, "")
        assert "Stack example-org: MTA-STS for example.org" in out


def test_every_event_loop_the_run_used_is_closed_afterwards() -> None:
    recorder = PLAN_CLOUD.recorder().install(
        config=config_for_engine(read_stack_file(STACKS / "Pulumi.example-org.yaml"))
    )
    with running_with(ProgramOptions(live_dns=False)):
        recorder.run(lambda: runpy.run_path(str(STACKS / "__main__.py"), run_name="__main__"))
    used = set(engine._LOOPS)
    assert len(used) >= 2  # the main thread's and at least one of the monitor's executor threads
    recorder.close()
    assert all(loop.is_closed() for loop in used)
    assert not engine._LOOPS
    with pytest.raises(RuntimeError):  # the main thread's loop is unset too
        asyncio.get_event_loop_policy().get_event_loop()
    assert recorder.resources  # what was recorded stays readable
