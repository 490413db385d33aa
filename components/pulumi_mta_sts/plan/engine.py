"""Run a Pulumi program under the SDK's mock engine and record every resource and log message:
``mta-sts plan`` and the tests both use it, so both see a program alike. The SDK's mock monitor
closes none of its per-thread event loops ("Invalid file descriptor: -1" at exit): each is noted and closed.
"""

from __future__ import annotations

import ast
import asyncio
import gc
import importlib.util
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

import pulumi
import pulumi.runtime
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from pulumi_mta_sts.program import sdk

OutputsFn = Callable[[MockResourceArgs], Mapping[str, Any]]
InvokeFn = Callable[[MockCallArgs], Mapping[str, Any]]


#: Held, not weakly referenced: a loop collected before it is closed is finalised with its socket in no set order.
_LOOPS: set[asyncio.AbstractEventLoop] = set()


def defer_star_imports(package: str) -> None:
    """``import package`` costs nothing until a name of it is asked for; then its ``__init__`` runs without its star
    imports (``pulumi_cloudflare``: 781 submodules, 117 MiB), and a name is read from ``_inputs`` (imported last) or its
    own submodule (``get_zone_output``: ``get_zone``), else from all, in order (tests/plan/test_deferred_imports.py)."""
    spec = None if package in sys.modules else importlib.util.find_spec(package)
    if spec is None or spec.loader is None:
        return
    tree = ast.parse(spec.loader.get_source(package) or "")  # type: ignore[attr-defined]
    stars = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.names[0].name == "*"]
    tree.body = [node for node in tree.body if node not in stars]
    rest, names = [compile(tree, spec.origin or package, "exec")], [f"{package}.{node.module}" for node in stars]
    module = sys.modules[package] = importlib.util.module_from_spec(spec)

    def star_name(name: str) -> Any:
        if rest:  # the first name asked for: the rest of the __init__ runs, its own imports finding no __getattr__
            del module.__getattr__
            exec(rest.pop(), vars(module))
            module.__getattr__ = star_name  # type: ignore[method-assign]
            return getattr(module, name)
        own = "".join(f"_{c.lower()}" if c.isupper() else c for c in name.removesuffix("Args")).lstrip("_")
        for found in (f"{package}._inputs", f"{package}.{own.removesuffix('_output')}"):
            if found in names and name in (submodule := importlib.import_module(found)).__all__:
                return vars(module).setdefault(name, getattr(submodule, name))
        vars(module).pop("__getattr__", None)
        for submodule in map(importlib.import_module, names):
            vars(module).update({key: getattr(submodule, key) for key in submodule.__all__})
        return getattr(module, name)

    module.__getattr__ = star_name  # type: ignore[method-assign]


#: Every so many resources constructed, the registrations queued so far run.
STEP_EVERY = 100


@dataclass
class RecordedResource:
    """One ``RegisterResource`` request; its inputs and state are the very objects the mock monitor holds."""

    type: str
    name: str
    urn: str
    custom: bool
    inputs: dict[str, Any]
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str = ""
    id: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    def all_dependencies(self) -> set[str]:
        return set(self.dependencies).union(*self.property_dependencies.values())


class RecordingMonitor(sdk.MockMonitor):
    """Made with the :class:`Recorder` (its ``mocks``), which it appends each resource's request to. Reads
    (``Resource.get``) are not recorded: they create nothing, and no stack program here makes one."""

    mocks: Recorder

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.mocks.resources.append(
                RecordedResource(
                    type=sys.intern(request.type),
                    name=request.name,
                    urn=sys.intern(response.urn),
                    custom=bool(request.custom),
                    inputs=self.mocks.registering.inputs,
                    parent=sys.intern(request.parent),
                    dependencies=[sys.intern(u) for u in request.dependencies],
                    property_dependencies={
                        key: [sys.intern(u) for u in deps.urns] for key, deps in request.propertyDependencies.items()
                    },
                    provider=request.provider,
                    id=response.id,
                    state=self.resources[response.urn].state,
                )
            )
        return response


class Recorder(Mocks):
    """The mock engine: ``outputs`` (type token → state the cloud adds) and ``invokes`` (token → result;
    none: the invoke fails) are plain dicts a test may override."""

    def __init__(
        self,
        outputs: Mapping[str, OutputsFn] | None = None,
        invokes: Mapping[str, InvokeFn] | None = None,
        default_outputs: OutputsFn | None = None,
    ) -> None:
        self.outputs: dict[str, OutputsFn] = dict(outputs or {})
        self.invokes: dict[str, InvokeFn] = dict(invokes or {})
        self.default_outputs = default_outputs
        self.stack_outputs: dict[str, Any] = {}
        self.resources: list[RecordedResource] = []
        self.log_sink = sdk.LogSink()
        self.registering = threading.local()  # the inputs of the resource each monitor thread is registering
        self.monitor = RecordingMonitor(self)

    def install(self, project: str = "mta-sts", stack: str = "test", config: Mapping[str, str] | None = None) -> Self:
        """Fresh root stack, exactly ``config``, every ``apply`` run (``preview=False``)."""
        _LOOPS.add(sdk.ensure_event_loop())
        defer_star_imports("pulumi_cloudflare")  # planned, a fleet on Cloudflare needs 3 of its resources' modules
        sdk.reset_root_resource()
        pulumi.runtime.set_all_config(dict(config or {}))
        pulumi.runtime.set_mocks(self, project=project, stack=stack, preview=False, monitor=self.monitor)
        self.log_sink.install()
        return self

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        _LOOPS.add(sdk.ensure_event_loop())  # the monitor's thread's: this and call are where requests enter
        self.registering.inputs = args.inputs  # what the RecordingMonitor records: the state's values, not a copy
        handler = self.outputs.get(args.typ, self.default_outputs)
        state = {**args.inputs, **(dict(handler(args)) if handler is not None else {})}
        return args.resource_id or str(state.pop("id", "") or f"{args.name}-id"), state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        _LOOPS.add(sdk.ensure_event_loop())
        handler = self.invokes.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"no mock answer for invoke {args.token!r}; add one to Recorder.invokes "
                "(answers for every program: pulumi_mta_sts/plan/cloud.py)"
            )
        return dict(handler(args)), []

    def run(self, program: Callable[[], Any]) -> None:
        """Only the young generations are collected meanwhile, also as the registrations left run after the program (a
        full collection walks every object alive: 3x the CPU of a plan); what it made is frozen until :meth:`close`."""
        stepper, was_enabled, thresholds = sdk.LoopStepper(STEP_EVERY), gc.isenabled(), gc.get_threshold()

        def wrapped() -> Any:
            program()
            return pulumi.Output.from_input(sdk.root_resource_outputs()).apply(self.stack_outputs.update)

        gc.set_threshold(thresholds[0], thresholds[1], 2**31 - 1)  # never the oldest
        gc.enable()
        try:
            with stepper:
                pulumi.runtime.test(wrapped)()  # type: ignore[no-untyped-call]
        finally:
            gc.set_threshold(*thresholds)
            gc.freeze()
            if not was_enabled:
                gc.disable()

    def close(self) -> None:
        """Close the run's event loops (the main thread's as ``asyncio.run`` does) and unfreeze what it froze."""
        main = sdk.ensure_event_loop()  # a new one if none is open, closed at once
        if not main.is_running():
            with asyncio.Runner(loop_factory=lambda: main):  # closing it cancels the loop's tasks and shuts it down
                asyncio.set_event_loop(None)
        for loop in list(_LOOPS):
            if not loop.is_running() and not loop.is_closed():
                loop.close()
            _LOOPS.discard(loop)
        gc.unfreeze()

    @property
    def warnings(self) -> list[str]:
        """In an order that does not depend on when the event loop ran (a log about a resource waits for its
        URN): those about none as they came, then by the registration of their resource."""
        order = {r.urn: i for i, r in enumerate(self.resources)}
        logs = sorted(self.log_sink, key=lambda log: order.get(log[2], len(order)) if log[2] else -1)
        return [message for level, message, _ in logs if level == "warning"]
