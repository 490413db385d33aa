"""The one adapter for the Pulumi SDK's internals (``pulumi_mta_sts.program.sdk``).

When an SDK release moves or renames one of the private names the adapter uses, the test for
that name fails and says which one. The names are found in the adapter's source (its imports
from, and attribute reads on, the modules ``pyproject.toml`` bans everywhere else), so the list
cannot fall behind the code. ruff refuses those modules outside the adapter; the last tests check
that the ban is in force.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pulumi
import pulumi.dynamic
import pulumi.runtime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.program import sdk
from tests.pulumi_mock import serialize_provider

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "components" / "pulumi_mta_sts" / "program" / "sdk.py"


def banned_modules() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        ruff = tomllib.load(handle)["tool"]["ruff"]["lint"]
    return sorted(ruff["flake8-tidy-imports"]["banned-api"])


def _is_banned(dotted: str) -> bool:
    return any(dotted == module or dotted.startswith(f"{module}.") for module in banned_modules())


def internal_names(source: str) -> list[str]:
    """Every private SDK name ``source`` uses: ``module.name`` for each ``from module import name``
    and each ``alias.attribute`` read on an imported private module."""
    found: dict[str, None] = {}
    aliases: dict[str, str] = {}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                if _is_banned(dotted):
                    found[dotted] = None
                    aliases[alias.asname or alias.name] = dotted
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            found[f"{aliases[node.value.id]}.{node.attr}"] = None
    return list(found)


def resolve(dotted: str) -> object:
    """The object ``dotted`` names in the installed SDK; fails naming it when it is gone."""
    module_name, _, attribute = dotted.rpartition(".")
    try:
        return importlib.import_module(dotted)
    except ImportError:
        pass
    try:
        target: object = importlib.import_module(module_name)
    except ImportError:
        target = resolve(module_name)
    if not hasattr(target, attribute):
        pytest.fail(
            f"pulumi {version('pulumi')} has no {dotted}, which pulumi_mta_sts/program/sdk.py uses: "
            "find where the SDK moved it and update the adapter"
        )
    return getattr(target, attribute)


USED = internal_names(ADAPTER.read_text(encoding="utf-8"))


def test_the_adapter_uses_internals_at_all() -> None:
    """Guards the parser above: an empty list would make the next test pass vacuously."""
    assert {"pulumi.runtime.config.CONFIG", "pulumi.runtime.settings.ROOT", "pulumi.runtime.resource"} <= set(USED)


@pytest.mark.parametrize("dotted", USED)
def test_every_internal_the_adapter_uses_exists_in_the_installed_sdk(dotted: str) -> None:
    assert resolve(dotted) is not None


def test_a_moved_internal_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi.runtime.settings as settings  # noqa: TID251  (the test plays the SDK's part)

    monkeypatch.delattr(settings, "ROOT")
    with pytest.raises(pytest.fail.Exception, match=r"has no pulumi\.runtime\.settings\.ROOT"):
        resolve("pulumi.runtime.settings.ROOT")


# ---- what the adapter does -----------------------------------------------------------------------
def test_stack_config_merges_the_engines_environment_and_the_mock_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"mta-sts:domain": "from-env", "mta-sts:only-env": "1"}))
    pulumi.runtime.set_all_config({"mta-sts:domain": "example.com"})
    try:
        config = sdk.stack_config()
    finally:
        pulumi.runtime.set_all_config({})
    assert config["mta-sts:domain"] == "example.com"  # the mock engine's config wins
    assert config["mta-sts:only-env"] == "1"


def test_a_closed_event_loop_is_replaced() -> None:
    loop = sdk.ensure_event_loop()
    assert sdk.ensure_event_loop() is loop
    loop.close()
    fresh = sdk.ensure_event_loop()
    assert fresh is not loop and not fresh.is_closed()
    assert asyncio.get_event_loop_policy().get_event_loop() is fresh


def test_the_root_resource_is_reset_between_runs(pulumi_mocks: object) -> None:
    from pulumi_mta_sts.plan.engine import Recorder

    assert isinstance(pulumi_mocks, Recorder)
    pulumi_mocks.run(lambda: pulumi.export("answer", 42))
    assert sdk.root_resource_outputs().keys() == {"answer"}
    sdk.reset_root_resource()
    assert sdk.root_resource_outputs() == {}


class _Node:
    """What the SDK's cycle check reads of a resource: its identity and the dependencies declared on it."""

    def index_in(self, nodes: list[_Node]) -> int:
        return nodes.index(self)


@settings(max_examples=300, deadline=None)
@given(edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40))
def test_dependencies_are_declared_and_refused_exactly_as_the_sdk_does(edges: list[tuple[int, int]]) -> None:
    """Every answer (a dependency that would close a cycle is refused) and the graph it leaves are the SDK's own, on
    generated graphs with cycles, self-dependencies and repeats; inside ``with`` the SDK calls the stepper's."""
    from pulumi.runtime import resource_cycle_breaker as cycles  # noqa: TID251  (the SDK's own, to compare with)
    from pulumi.runtime import rpc  # noqa: TID251

    theirs, ours = [_Node() for _ in range(8)], [_Node() for _ in range(8)]
    sdks_own: Any = cycles.declare_dependency  # typed for resources; it reads only the attribute it sets
    expected = [sdks_own(theirs[a], theirs[b]) for a, b in edges]
    stepper, sdks = sdk.LoopStepper(10**9), rpc.declare_dependency  # type: ignore[attr-defined]
    with stepper:
        patched: Any = rpc.declare_dependency  # type: ignore[attr-defined]
        assert patched == stepper.declare_dependency
        answers = [patched(ours[a], ours[b]) for a, b in edges]
    assert rpc.declare_dependency is sdks  # type: ignore[attr-defined]
    assert answers == expected
    graph: Any = cycles._deps
    assert [{d.index_in(ours) for d in graph(n)} for n in ours] == [
        {d.index_in(theirs) for d in graph(n)} for n in theirs
    ]
    if any(a == b for a, b in edges) or any((b, a) in edges for a, b in edges):
        assert False in answers


class _Provider(pulumi.dynamic.ResourceProvider):
    pass


def test_a_dynamic_provider_serialises_as_pulumi_stores_it() -> None:
    text = serialize_provider(_Provider())
    assert text and text.isascii()


# ---- the ban ----------------------------------------------------------------------------------
def test_ruff_refuses_every_banned_module_outside_the_adapter(tmp_path: Path) -> None:
    modules = banned_modules()
    probe = tmp_path / "probe.py"
    probe.write_text("".join(f"import {module}\n" for module in modules))
    found = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--select",
            "TID251",
            "--output-format",
            "json",
            str(probe),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    flagged = {item["location"]["row"] for item in json.loads(found.stdout)}
    assert flagged == set(range(1, len(modules) + 1)), found.stdout


def test_the_adapter_itself_is_allowed() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID251", str(ADAPTER)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stdout


def test_the_asyncio_internals_the_plan_engines_stepper_uses_exist() -> None:
    """``sdk.LoopStepper`` (the plan engine only, never ``pulumi up``) steps the loop as the SDK's own
    ``_sync_await`` does: a Python that moves these fails here, naming them, not in a plan."""
    loop = asyncio.new_event_loop()
    try:
        missing = [name for name in ("_ready", "_run_once") if not hasattr(loop, name)]
    finally:
        loop.close()
    missing += [f"asyncio.tasks.{name}" for name in ("_enter_task", "_leave_task") if not hasattr(asyncio.tasks, name)]
    assert not missing, f"asyncio internals the plan engine's LoopStepper uses are gone: {missing}"
