"""A check's run keeps its threads on one CPU (``check/runner.py``: :func:`one_cpu`, issue 25), and gives the
calling thread back the CPUs it had, however the run ends: its threads hold the GIL in turn, and spread over
several CPUs each turn woke another one (bench/README.md, Session 9)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.check import check_domains, runner
from pulumi_mta_sts.check.runner import CheckOptions, Session, one_cpu
from pulumi_mta_sts.net.https_fetch import FetchResult
from pulumi_mta_sts.net.resolver import DnsUnreachable
from tests.livefixture import LiveFixture, live_fixture
from tests.livefixture.silent_dns import closed_port

LINUX_AFFINITY = hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1
needs_affinity = pytest.mark.skipif(not LINUX_AFFINITY, reason="needs thread affinity (Linux) and two CPUs")


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        for n in range(6):
            fixture.publish(f"d{n}.cpu.test")
        yield fixture


@needs_affinity
@pytest.mark.parametrize("concurrency", [1, 3, 20])
def test_a_run_keeps_its_threads_on_one_cpu_and_gives_the_callers_back(
    live: LiveFixture, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    seen: dict[int, set[int]] = {}
    real: Callable[..., FetchResult] = vars(runner)["fetch_policy"]

    def fetch(*args: object, **kwargs: object) -> FetchResult:
        seen[threading.get_ident()] = os.sched_getaffinity(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "fetch_policy", fetch)
    before = os.sched_getaffinity(0)
    reports = check_domains([f"d{n}.cpu.test" for n in range(6)], live.check_options(concurrency=concurrency))
    assert all(report.ok for report in reports)
    assert len(seen) > 1 and all(len(cpus) == 1 and cpus <= before for cpus in seen.values())
    assert len({frozenset(cpus) for cpus in seen.values()}) == 1
    assert os.sched_getaffinity(0) == before


@needs_affinity
def test_the_cpus_come_back_when_the_run_raises(live: LiveFixture) -> None:
    before = os.sched_getaffinity(0)
    with pytest.raises(RuntimeError), Session(live.check_options()):
        assert len(os.sched_getaffinity(0)) == 1
        raise RuntimeError("a bug in a check")
    assert os.sched_getaffinity(0) == before


@needs_affinity
def test_dns_out_of_reach_leaves_the_cpus_alone() -> None:
    before = os.sched_getaffinity(0)
    with pytest.raises(DnsUnreachable):
        Session(CheckOptions(nameservers=(f"127.0.0.1:{closed_port()}",), timeout=0.5))
    assert os.sched_getaffinity(0) == before


def test_without_a_gil_or_affinity_the_cpus_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[set[int]] = []
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cpus: calls.append(set(cpus)), raising=False)
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)
    assert one_cpu() == set() and calls == []
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: True, raising=False)
    monkeypatch.delattr(os, "sched_setaffinity")
    assert one_cpu() == set() and calls == []


def test_a_refused_affinity_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(pid: int, cpus: object) -> None:
        raise PermissionError("sandboxed")

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "sched_setaffinity", refuse, raising=False)
    assert one_cpu() == set()


@given(cpus=st.sets(st.integers(0, 255), min_size=1, max_size=12), pid=st.integers(1, 4_194_304))
def test_one_of_the_threads_own_cpus_is_chosen_and_the_rest_given_back(cpus: set[int], pid: int) -> None:
    """Generated CPU sets (a container's cpuset need not start at 0 or be contiguous) and process ids."""
    calls: list[set[int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "sched_getaffinity", lambda _: set(cpus), raising=False)
        patch.setattr(os, "sched_setaffinity", lambda _, chosen: calls.append(set(chosen)), raising=False)
        patch.setattr(os, "getpid", lambda: pid)
        patch.setattr(sys, "_is_gil_enabled", lambda: True, raising=False)
        kept = one_cpu()
    if len(cpus) == 1:
        assert (kept, calls) == (set(), [])
    else:
        assert kept == cpus and len(calls) == 1 and len(calls[0]) == 1 and calls[0] <= cpus
