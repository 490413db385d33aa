"""The policy pack's wiring: every rule becomes a CrossGuard policy at its level and reports what the
rule finds. The ``PolicyPack`` itself is never constructed here (its constructor starts a server)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.guard import RULES
from pulumi_mta_sts.guard.shapes import UNKNOWN

policy_sdk = pytest.importorskip("pulumi_policy", reason="pulumi-policy is a dev dependency (pip install -e '.[dev]')")

PACK = Path(__file__).resolve().parents[2] / "policypack"
ROUTE53 = "aws:route53/record:Record"


def load_pack() -> Any:
    spec = importlib.util.spec_from_file_location("mta_sts_pack", PACK / "mta_sts_pack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_rule_is_a_policy_at_its_level() -> None:
    pack = load_pack()
    assert [p.name for p in pack.POLICIES] == [r.name for r in RULES]
    for policy, rule in zip(pack.POLICIES, RULES, strict=True):
        assert policy.enforcement_level == pack.LEVELS[rule.level]
        expected = policy_sdk.ResourceValidationPolicy if rule.resource_check else policy_sdk.StackValidationPolicy
        assert isinstance(policy, expected)


def _options() -> Any:
    return policy_sdk.PolicyResourceOptions(False, [], None, [], policy_sdk.PolicyCustomTimeouts(0, 0, 0), [])


def test_a_resource_policy_reports_the_rules_message() -> None:
    (policy,) = [p for p in load_pack().POLICIES if p.name == "mta-sts-policy-text-plain"]
    props = {"bucket": "b", "key": ".well-known/mta-sts.txt", "content": "x", "contentType": "text/html"}
    reported: list[tuple[str, Any]] = []
    args = policy_sdk.ResourceValidationArgs(
        "aws:s3/bucketObjectv2:BucketObjectv2", props, "urn:o", "o", _options(), None
    )
    policy.validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert len(reported) == 1 and "text/plain" in reported[0][0]


def test_a_stack_policy_reports_against_the_resource() -> None:
    (policy,) = [p for p in load_pack().POLICIES if p.name == "mta-sts-single-sts-record"]
    resources = [
        policy_sdk.PolicyResource(
            "aws:route53/record:Record",
            {"name": "_mta-sts.example.com", "type": "TXT", "zoneId": "Z1", "records": [f"v=STSv1; id={i};"]},
            f"urn:r{i}", f"r{i}", _options(), None, None, [], {},
        )
        for i in range(2)
    ]  # fmt: skip
    reported: list[tuple[str, Any]] = []
    policy.validate(policy_sdk.StackValidationArgs(resources), lambda m, urn=None: reported.append((m, urn)))
    assert sorted(urn for _, urn in reported) == ["urn:r0", "urn:r1"]


def test_the_pack_files() -> None:
    project = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python" and project["version"]
    main = ast.parse((PACK / "__main__.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(main) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "PolicyPack"]
    assert len(calls) == 1 and {k.arg for k in calls[0].keywords} >= {"name", "policies"}
    requirements = (PACK / "requirements.txt").read_text(encoding="utf-8").split()
    assert "pulumi-policy>=1.21,<2" in requirements and ".." in requirements
    assert Policy.build("testing", ["mx.example.com"]).mode == "testing"


def test_values_unknown_at_preview_do_not_stop_a_stack_rule() -> None:
    """An ACM validation record's type and value are unknown at preview; the duplicate rule still runs."""
    pack = load_pack()
    (policy,) = [p for p in pack.POLICIES if p.name == "mta-sts-single-sts-record"]
    unknown = policy_sdk.proxy.UNKNOWN_STRING_VALUE

    def resource(urn: str, props: dict[str, Any]) -> Any:
        proxied = policy_sdk.proxy.unknown_checking_proxy(props)
        return policy_sdk.PolicyResource(ROUTE53, proxied, urn, urn, _options(), None, None, [], {})

    resources = [
        resource("urn:acm", {"name": unknown, "type": unknown, "zoneId": "Z1", "records": [unknown]}),
        *[resource(f"urn:r{i}", {"name": "_mta-sts.example.com", "type": "TXT", "zoneId": "Z1",
                                 "records": [f"v=STSv1; id={i};"]}) for i in range(2)],
    ]  # fmt: skip
    reported: list[Any] = []
    policy.validate(policy_sdk.StackValidationArgs(resources), lambda m, urn=None: reported.append(urn))
    assert sorted(reported) == ["urn:r0", "urn:r1"]
    assert pack.known(policy_sdk.proxy.unknown_checking_proxy({"a": [unknown, "x"], "b": {"c": unknown}})) == {
        "a": [UNKNOWN, "x"],
        "b": {"c": UNKNOWN},
    }
