"""The package type tokens (``mta-sts:index:*``) replace nothing in stacks made with the former ones.

The former version is run by mapping the new token back to the former one at registration (and
dropping the alias), which is exactly what the code registered before the change. The new
version's alias specs are captured as the engine receives them, and resolved the way the engine
resolves them: ``collapseAliasToUrn`` for the resource's own aliases and ``inheritedChildAlias``
for every descendant of a resource that was found under an alias
(pulumi/pulumi ``pkg/resource/deploy/step_generator.go``, ``generateAliases``). Every resource of
the new version must then land on exactly one URN of the former version: an update, never a
replacement (delete + create).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest

from pulumi_mta_sts.plan.engine import RecordedResource, RecordingMonitor
from tests.pulumi_mock import Recorder

from .equivalence import record
from .programs import (
    FORMER_TOKENS,
    cloudflare_worker_program,
    fleet_program,
    receiver_program,
    route53_cloudfront_program,
)


@pytest.fixture
def alias_specs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """URN → the aliases its registration sent to the engine."""
    sent: dict[str, list[Any]] = {}
    register = RecordingMonitor.RegisterResource

    def capturing(self: RecordingMonitor, request: Any) -> Any:
        response = register(self, request)
        sent[response.urn] = list(request.aliases)
        return response

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", capturing)
    yield sent


def former_version(program: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """What the code registered before the package tokens: the former token, no alias."""
    init = pulumi.ComponentResource.__init__

    def former_init(self: Any, t: str, name: str, props: Any = None, opts: Any = None, *rest: Any, **kw: Any) -> None:
        if t in FORMER_TOKENS:
            t = FORMER_TOKENS[t]
            opts = pulumi.ResourceOptions.merge(opts, None)
            opts.aliases = None
        init(self, t, name, props, opts, *rest, **kw)

    with monkeypatch.context() as patch:
        patch.setattr(pulumi.ComponentResource, "__init__", former_init)
        return record(program)


ROOT_STACK = "pulumi:pulumi:Stack"


def _urn(parent: str, type_: str, name: str) -> str:
    """A URN as the engine makes it: the parent's whole qualified type before the type, except for
    the root stack's (resource.NewURN). (The SDK's mock engine keeps one level of parent type only,
    so the URNs here are rebuilt from the recorded tree: every descendant's URN carries the token.)"""
    qualified = parent.split("::")[2] if parent else ROOT_STACK
    prefix = "" if qualified == ROOT_STACK else qualified + "$"
    return f"urn:pulumi:test::mta-sts::{prefix}{type_}::{name}"


def engine_urns(recorder: Recorder) -> dict[str, str]:
    """Mock URN → the engine's URN of every recorded resource (parents are registered first)."""
    urns: dict[str, str] = {}
    for resource in recorder.resources:
        urns[resource.urn] = _urn(urns.get(resource.parent, ""), resource.type, resource.name)
    return urns


def _own_aliases(resource: RecordedResource, specs: list[Any], parent: str, found: dict[str, str]) -> list[str]:
    """collapseAliasToUrn: each spec's blanks filled from the resource; a parent found under an alias
    is taken under its former URN."""
    urns = []
    for alias in specs:
        if alias.urn:
            urns.append(alias.urn)
            continue
        spec = alias.spec
        alias_parent = "" if spec.noParent else found.get(parent, parent)
        urns.append(_urn(alias_parent, spec.type or resource.type, spec.name or resource.name))
    return urns


def _inherited_alias(alias: str, parent: str, parent_alias: str) -> str:
    """inheritedChildAlias: the child (as ``alias`` names it) under its parent's former URN; a name made
    from the parent's name follows the parent's former name."""
    type_, name = alias.split("::")[2].split("$")[-1], alias.rsplit("::", 1)[-1]
    parent_name, former_name = parent.rsplit("::", 1)[-1], parent_alias.rsplit("::", 1)[-1]
    alias_name = former_name + name[len(parent_name) :] if name.startswith(parent_name) else name
    return _urn(parent_alias, type_, alias_name)


def engine_matches(new: Recorder, specs: dict[str, list[Any]], former: Recorder) -> dict[str, str]:
    """New engine URN → the former engine URN the engine takes it for (itself when unchanged)."""
    urns, former_urns = engine_urns(new), set(engine_urns(former).values())
    found: dict[str, str] = {}  # the engine's sg.aliases: new URN → the former URN it was found under
    matches: dict[str, str] = {}
    for resource in new.resources:  # registration order: a parent before its children
        urn, parent = urns[resource.urn], urns.get(resource.parent, "")
        candidates = [urn, *_own_aliases(resource, specs.get(resource.urn, []), parent, found)]
        if parent in found:
            candidates += [_inherited_alias(alias, parent, found[parent]) for alias in list(candidates)]
        hits = [candidate for candidate in candidates if candidate in former_urns]
        if hits:
            matches[urn] = hits[0]
            if hits[0] != urn:
                found[urn] = hits[0]
    return matches


PROGRAMS = {
    "route53+cloudfront": route53_cloudfront_program,
    "cloudflare+worker": cloudflare_worker_program,
    "receiver": receiver_program,
    "fleet": fleet_program,
}


@pytest.mark.parametrize("program", PROGRAMS.values(), ids=list(PROGRAMS))
def test_every_resource_of_a_former_stack_is_found_again(
    program: Callable[[], Any], monkeypatch: pytest.MonkeyPatch, alias_specs: dict[str, list[Any]]
) -> None:
    former = former_version(program, monkeypatch)
    alias_specs.clear()
    new = record(program)
    former_urns = set(engine_urns(former).values())
    assert any(FORMER_TOKENS[t] in urn for urn in former_urns for t in FORMER_TOKENS)  # the former tokens ran
    assert any(":index:" in r.type for r in new.resources)  # and the new ones

    matches = engine_matches(new, alias_specs, former)

    unmatched = [urn for urn in engine_urns(new).values() if urn not in matches]
    assert unmatched == [], "these would be created anew (and their former selves deleted)"
    assert sorted(matches.values()) == sorted(former_urns)  # one to one: nothing left to delete
    renamed = {new_urn: old for new_urn, old in matches.items() if new_urn != old}
    under_component = [urn for urn in matches if ":index:" in urn.split("::")[2]]
    assert sorted(renamed) == sorted(under_component)  # the component and every descendant, by alias


def test_the_alias_urn_of_the_component_is_the_former_urn(
    monkeypatch: pytest.MonkeyPatch, alias_specs: dict[str, list[Any]]
) -> None:
    former = former_version(route53_cloudfront_program, monkeypatch)
    alias_specs.clear()
    new = record(route53_cloudfront_program)
    component = new.one("mta-sts:index:MtaSts")
    (alias,) = alias_specs[component.urn]
    assert alias.spec.type == "mta-sts:mtasts:MtaSts"
    parent = engine_urns(new).get(component.parent, "")
    assert _own_aliases(component, [alias], parent, {}) == [
        engine_urns(former)[former.one("mta-sts:mtasts:MtaSts").urn]
    ]


def test_without_the_alias_the_former_resources_would_be_replaced(
    monkeypatch: pytest.MonkeyPatch, alias_specs: dict[str, list[Any]]
) -> None:
    """The check above has teeth: drop the alias and the component and every child go unmatched."""
    former = former_version(route53_cloudfront_program, monkeypatch)
    init = pulumi.ComponentResource.__init__

    def no_alias(self: Any, t: str, name: str, props: Any = None, opts: Any = None, *rest: Any, **kw: Any) -> None:
        if t in FORMER_TOKENS:
            opts = pulumi.ResourceOptions.merge(opts, None)
            opts.aliases = None
        init(self, t, name, props, opts, *rest, **kw)

    alias_specs.clear()
    with monkeypatch.context() as patch:
        patch.setattr(pulumi.ComponentResource, "__init__", no_alias)
        new = record(route53_cloudfront_program)
    matches = engine_matches(new, alias_specs, former)
    unmatched = [urn for urn in engine_urns(new).values() if urn not in matches]
    assert sorted(unmatched) == sorted(urn for urn in engine_urns(new).values() if ":index:" in urn.split("::")[2])
