"""Run a Pulumi program under the SDK's mock engine and record every resource and log message:
``mta-sts plan`` and the tests both use it, so both see a program alike. The SDK's mock monitor
closes none of its per-thread event loops ("Invalid file descriptor: -1" at exit): each is noted and closed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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


def _note_event_loop() -> None:
    _LOOPS.add(sdk.ensure_event_loop())


def close_event_loops() -> None:
    """Close the main thread's loop (as ``asyncio.run`` does) and every loop an executor thread made."""
    try:
        main = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # none set in this thread
        main = None
    if main is not None and not main.is_running() and not main.is_closed():
        pending = [task for task in asyncio.all_tasks(main) if not task.done()]
        for task in pending:
            task.cancel()
        main.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        main.run_until_complete(main.shutdown_asyncgens())
        main.run_until_complete(main.shutdown_default_executor())
        main.close()
        asyncio.set_event_loop(None)
    for loop in list(_LOOPS):
        if not loop.is_running() and not loop.is_closed():
            loop.close()
        _LOOPS.discard(loop)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while a program runs: all it makes lives to the end (half the time of a
    400-domain plan), then frozen until :meth:`Recorder.close` (``bench/bench_fleet.py --only engine``)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass
class RecordedResource:
    """One ``RegisterResource`` (or ``ReadResource``) request."""

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
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.recorder = recorder

    def _record(self, request: Any, urn: str, properties: Any, **details: Any) -> None:
        self.recorder.resources.append(
            RecordedResource(
                type=request.type,
                name=request.name,
                urn=urn,
                inputs=sdk.deserialize_properties(properties),
                parent=request.parent,
                dependencies=list(request.dependencies),
                provider=request.provider,
                state=dict(self.resources[urn].state),
                **details,
            )
        )

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        _note_event_loop()
        if request.type != "pulumi:pulumi:Stack":
            self._record(
                request,
                response.urn,
                request.object,
                custom=bool(request.custom),
                property_dependencies={key: list(deps.urns) for key, deps in request.propertyDependencies.items()},
                id=response.id,
            )
        return response

    def Invoke(self, request: Any) -> Any:
        response = super().Invoke(request)  # type: ignore[no-untyped-call]
        _note_event_loop()
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        _note_event_loop()
        self._record(request, response.urn, request.properties, custom=True, id=request.id)
        return response


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


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
        self.logs: list[tuple[str, str]] = []
        self.monitor = RecordingMonitor(self)
        self.logger = logging.getLogger(f"{__name__}.{id(self)}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(_ListHandler(self.logs))

    def install(self, project: str = "mta-sts", stack: str = "test", config: Mapping[str, str] | None = None) -> Self:
        """Fresh root stack, exactly ``config``, every ``apply`` run (``preview=False``)."""
        _note_event_loop()
        sdk.reset_root_resource()
        pulumi.runtime.set_all_config(dict(config or {}))
        pulumi.runtime.set_mocks(
            self, project=project, stack=stack, preview=False, monitor=self.monitor, logger=self.logger
        )
        return self

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        handler = self.outputs.get(args.typ, self.default_outputs)
        state = {**args.inputs, **(dict(handler(args)) if handler is not None else {})}
        return args.resource_id or str(state.pop("id", "") or f"{args.name}-id"), state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        handler = self.invokes.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"no mock answer for invoke {args.token!r}; add one to Recorder.invokes "
                "(answers for every program: pulumi_mta_sts/plan/cloud.py)"
            )
        return dict(handler(args)), []

    def run(self, program: Callable[[], Any]) -> None:

        def wrapped() -> Any:
            program()
            exported = sdk.root_resource_outputs()
            return pulumi.Output.from_input(exported).apply(self.stack_outputs.update)

        with collector_paused(), sdk.without_source_positions():
            pulumi.runtime.test(wrapped)()  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Close the run's event loops and unfreeze what it froze; what was recorded stays readable."""
        close_event_loops()
        gc.unfreeze()

    @property
    def warnings(self) -> list[str]:
        return [msg for level, msg in self.logs if level == "warning"]
