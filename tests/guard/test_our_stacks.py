"""The toolkit's own components pass every rule of the pack (no noise for users of the components)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pulumi_mta_sts.guard import RULES, Resource
from tests.package.equivalence import record
from tests.package.programs import PAIRS


@pytest.mark.parametrize("program", [rich for _, rich in PAIRS.values()], ids=list(PAIRS))
def test_the_components_break_no_rule(program: Callable[[], Any]) -> None:
    recorded = record(program)
    resources = [Resource(r.type, r.inputs, r.urn, r.name) for r in recorded.resources]
    assert any(r.type == "aws:route53/record:Record" or r.type.startswith("cloudflare:") for r in resources)
    for rule in RULES:
        if rule.resource_check is not None:
            found = [m for r in resources for m in rule.resource_check(r.type, r.props)]
        else:
            assert rule.stack_check is not None
            found = [v.message for v in rule.stack_check(resources)]
        assert found == [], rule.name


def test_the_checks_see_our_policy_object_and_host() -> None:
    recorded = record(PAIRS["route53+cloudfront"][1])
    objects = [r for r in recorded.resources if r.inputs.get("key") == ".well-known/mta-sts.txt"]
    assert objects and objects[0].inputs.get("content")
    hosts = recorded.of_type("aws:cloudfront/distribution:Distribution")
    assert hosts and any(a.startswith("mta-sts.") for a in hosts[0].inputs["aliases"])
