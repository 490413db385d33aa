"""The one module that touches the Pulumi SDK's internals (checked with pulumi 3.272), for what the
public API cannot do: ruff's ``banned-api`` refuses them elsewhere, ``tests/program/test_sdk.py``
names the symbol an SDK moves.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pulumi.runtime import resource as _resource
from pulumi.runtime import resource_cycle_breaker as _cycles
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime.config import CONFIG as _CONFIG
from pulumi.runtime.config import get_config_env as _get_config_env
from pulumi.runtime.mocks import MockMonitor as MockMonitor  # subclass it to see each request's parent and provider
from pulumi.runtime.proto import engine_pb2 as _engine_pb2
from pulumi.runtime.proto import source_pb2 as _source_pb2
from pulumi.runtime.sync_await import _ensure_event_loop


def stack_config() -> dict[str, Any]:
    """Every ``namespace:key`` of the stack config as the engine passed it (``PULUMI_CONFIG``, or
    the mock engine's ``set_all_config``, which wins)."""
    return {**_get_config_env(), **_CONFIG.get()}


def reset_root_resource() -> None:
    """Forget the root stack resource, so that the next ``set_mocks`` creates a fresh one."""
    _settings.ROOT.set(None)


def root_resource_outputs() -> dict[str, Any]:
    """What the program exported (``pulumi.export``) so far: the root stack's outputs."""
    return dict(getattr(_settings.get_root_resource(), "outputs", {}) or {})


class LogSink(list[tuple[str, str, str]]):
    """The run's engine once :meth:`install` ed (after ``set_mocks``, whose engine hands a logger only the
    message): each log's level, message and the URN it is about ("" for none), as they come."""

    def install(self) -> None:
        _settings.SETTINGS.engine = self

    def Log(self, request: Any) -> None:
        if request.severity != _engine_pb2.DEBUG:
            self.append((_engine_pb2.LogSeverity.Name(request.severity).lower(), request.message, request.urn))


def ensure_event_loop() -> asyncio.AbstractEventLoop:
    """The current thread's open event loop, made as the SDK makes it when there is none or it closed."""
    loop: asyncio.AbstractEventLoop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    if loop.is_closed():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop


class LoopStepper:
    """Inside ``with``, the SDK's cycle check is :meth:`declare_dependency` and this makes the call stack it captures
    per resource (empty: only the Pulumi CLI's display reads it, 15% of planning time), called as the program constructs
    each resource: every ``every`` calls from the program's own step (the first call's), it runs the callbacks the
    loop has ready as ``_sync_await`` does (``steps``: how many times)."""

    def __init__(self, every: int) -> None:
        self.every, self.calls, self.steps, self.loop = every, 0, 0, ensure_event_loop()

    def __enter__(self) -> None:
        self.depended_on: set[object] = set()  # every resource a dependency was asked on while in force
        self.captured = _resource._get_stack_trace, _rpc.declare_dependency  # type: ignore[attr-defined]
        _resource._get_stack_trace, _rpc.declare_dependency = self, self.declare_dependency  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        _resource._get_stack_trace, _rpc.declare_dependency = self.captured  # type: ignore[attr-defined]

    def declare_dependency(self, from_resource: Any, to_resource: Any) -> bool:
        """The SDK's, which refuses a dependency that would close a cycle by walking all ``to_resource`` depends on
        (quadratic in a fleet's domains: its shared hosting), walking only when a path to ``from_resource`` can be."""
        self.depended_on.add(to_resource)
        if from_resource in self.depended_on:
            return bool(_cycles.declare_dependency(from_resource, to_resource))
        _cycles._add_dep(from_resource, to_resource)  # nothing depends on it: no path leads back to it
        return True

    def __call__(self) -> Any:
        loop, ready, self.calls = self.loop, self.loop._ready, self.calls + 1  # type: ignore[attr-defined]
        if self.calls == 1:
            self.task, self.floor = asyncio.current_task(loop), len(ready)
        if self.calls % self.every or self.task is None or asyncio.current_task(loop) is not self.task:
            return _source_pb2.StackTrace()  # not yet, or called from a callback the loop runs, not the program
        asyncio.tasks._leave_task(loop, self.task)  # type: ignore[attr-defined]
        for _ in range(1000):  # a registration takes a few dozen; bounds a callback that reschedules itself
            if not ready:
                break
            loop._run_once()  # type: ignore[attr-defined]
        for _ in range(self.floor - len(ready)):
            loop.call_soon(int)  # no-ops: the step the program runs in pops as many as it saw
        asyncio.tasks._enter_task(loop, self.task)  # type: ignore[attr-defined]
        rpcs = _settings._get_rpc_manager().rpcs  # kept to be awaited at the end: a finished one would return at once
        rpcs[:] = [t for t in rpcs if not isinstance(t, asyncio.Task) or not t.done() or t.cancelled() or t.exception()]
        self.steps += 1
        return _source_pb2.StackTrace()
