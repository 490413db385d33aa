"""The test-suite's Pulumi mock: the mock engine of ``mta-sts plan`` answering as the test cloud.

The recording machinery (what was registered, with which inputs, parent, dependencies,
property dependencies and provider) is :class:`pulumi_mta_sts.plan.engine.Recorder`, and what
the cloud answers is :data:`pulumi_mta_sts.plan.cloud.TEST_CLOUD`: the same answers ``mta-sts
plan`` gets, with realistic fake values (account :data:`ACCOUNT`, region :data:`REGION`, ids
hashed from resource names) where the plan shows ``(known after deploy)``. To answer for a new
type or data source, add it to ``plan/cloud.py``; both then know it.

How to use it in a test (the ``pulumi_mocks`` fixture in ``conftest.py`` does the set-up)::

    def test_something(pulumi_mocks):
        pulumi_mocks.run(lambda: MyComponent("x", args))
        bucket = pulumi_mocks.one("aws:s3/bucket:Bucket")
        assert bucket.inputs["forceDestroy"] is False
        assert depends_on(txt, policy_live)         # a RecordedResource, URN or logical name
        assert "..." in pulumi_mocks.warnings[0]

A single test can override an answer on its own recorder without touching the tables:
``pulumi_mocks.invokes["cloudflare:index/getZone:getZone"] = lambda a: {...}``. Import helpers in
tests with ``from tests.pulumi_mock import ACCOUNT, ...`` (``tests`` is a package).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider as _serialize_provider  # noqa: TID251  (what the SDK stores)
from pulumi.runtime import MockCallArgs

from pulumi_mta_sts.plan import engine
from pulumi_mta_sts.plan.cloud import (
    ACCOUNT,
    CLOUDFLARE_ACCOUNT_ID,
    CLOUDFRONT_ZONE_ID,
    HTTP_API_ID,
    MANAGED_CACHE_POLICIES,
    REGION,
    ROUTE53_ZONE_ID,
    MockCloud,
)
from pulumi_mta_sts.plan.engine import InvokeFn, OutputsFn, RecordedResource

__all__ = [
    "ACCOUNT",
    "CACHING_DISABLED_POLICY_ID",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFRONT_ZONE_ID",
    "HTTP_API_ENDPOINT",
    "INVOKES",
    "OUTPUTS",
    "REGION",
    "ROUTE53_ZONE_ID",
    "TEST_CLOUD",
    "Recorder",
    "depends_on",
    "make_recorder",
    "parent_name",
]

#: The mock cloud answering with realistic fakes where ``mta-sts plan`` shows ``(known after deploy)``.
TEST_CLOUD = MockCloud(fake_values=True)
CACHING_DISABLED_POLICY_ID = MANAGED_CACHE_POLICIES["Managed-CachingDisabled"]
#: The receiver's HTTPS endpoint (an API Gateway HTTP API) in the test cloud.
HTTP_API_ENDPOINT = f"https://{HTTP_API_ID}.execute-api.{REGION}.amazonaws.com"
#: Resource type token → ``args -> state`` of the test cloud (camelCase keys).
OUTPUTS: dict[str, OutputsFn] = TEST_CLOUD.recorder().outputs
#: Invoke token → ``args -> result`` of the test cloud.
INVOKES: dict[str, InvokeFn] = TEST_CLOUD.recorder().invokes


@dataclass(frozen=True)
class RecordedInvoke:
    token: str
    args: dict[str, Any]
    provider: str


class Recorder(engine.Recorder):
    """The engine's recorder, keeping every invoke, with the queries tests ask of what a program did."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invocations: list[RecordedInvoke] = []

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.invocations.append(RecordedInvoke(args.token, dict(args.args), args.provider or ""))
        return super().call(args)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> RecordedResource:
        """The single resource of ``type_token`` (and ``name``, if given); fails otherwise."""
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_token)]
            raise AssertionError(f"expected one {type_token} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def named(self, name: str) -> RecordedResource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name!r}, found {len(found)}")
        return found[0]

    def children_of(self, parent: RecordedResource | str) -> list[RecordedResource]:
        urn = parent.urn if isinstance(parent, RecordedResource) else parent
        return [r for r in self.resources if r.parent == urn]

    def descendants_of(self, parent: RecordedResource | str) -> list[RecordedResource]:
        out: list[RecordedResource] = []
        todo = [parent.urn if isinstance(parent, RecordedResource) else parent]
        while todo:
            kids = self.children_of(todo.pop())
            out.extend(kids)
            todo.extend(k.urn for k in kids)
        return out

    def invoked(self, token: str) -> list[RecordedInvoke]:
        return [c for c in self.invocations if c.token == token]


def name_of_urn(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def parent_name(resource: RecordedResource) -> str:
    return name_of_urn(resource.parent) if resource.parent else ""


def depends_on(resource: RecordedResource, other: RecordedResource | str) -> bool:
    """``other``: a record, a URN or a logical name."""
    if isinstance(other, RecordedResource):
        return other.urn in resource.all_dependencies()
    return any(urn == other or name_of_urn(urn) == other for urn in resource.all_dependencies())


def serialize_provider(provider: object) -> str:
    """A dynamic provider as Pulumi stores it in the state (base64 of the pickled provider)."""
    return str(_serialize_provider(provider))  # type: ignore[arg-type]


def make_recorder() -> Recorder:
    """A fresh recorder answering as the test cloud (not yet installed)."""
    return Recorder(OUTPUTS, INVOKES, TEST_CLOUD.default_outputs)
