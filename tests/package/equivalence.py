"""Helpers of the package tests: run a program under a fresh mock engine and describe what it built."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi.runtime

from pulumi_mta_sts.plan.engine import RecordedResource
from tests.pulumi_mock import Recorder, make_recorder

_OBJECT_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def record(program: Callable[[], Any], *, stack: str = "test") -> Recorder:
    """A closed recorder holding what ``program`` registered (project ``mta-sts``, stack ``stack``)."""
    recorder = make_recorder().install(project="mta-sts", stack=stack)
    try:
        recorder.run(program)
    finally:
        pulumi.runtime.set_all_config({})
        recorder.close()
    return recorder


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return _OBJECT_ADDRESS.sub("", repr(value))  # assets and archives: their kind and content


def described(resource: RecordedResource) -> dict[str, Any]:
    """What the engine would see of ``resource``: identity, place in the tree, inputs, dependencies."""
    return {
        "type": resource.type,
        "urn": resource.urn,
        "parent": resource.parent,
        "custom": resource.custom,
        "inputs": _stable(resource.inputs),
        "dependencies": sorted(resource.all_dependencies()),
        "provider": resource.provider,
    }


def plan_of(recorder: Recorder) -> dict[str, dict[str, Any]]:
    """Every registered resource by URN (the component's outputs left aside: they are not inputs)."""
    return {r.urn: described(r) for r in recorder.resources}
