"""The one mock cloud (``pulumi_mta_sts.plan.cloud``): ``mta-sts plan`` and the tests get the same
answers, except that where the test cloud makes a value up the plan says ``(known after deploy)``.
The cases are generated from the cloud's own tables, so a new answer is checked as soon as it is
added."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from pulumi_mta_sts.plan import cloud
from pulumi_mta_sts.plan.cloud import PLAN_CLOUD, UNKNOWN
from tests import pulumi_mock
from tests.pulumi_mock import TEST_CLOUD

#: What a program passes, for every input an answer reads (and an empty set: all defaults).
RESOURCE_INPUTS: list[dict[str, Any]] = [
    {},
    {
        "bucket": "given-bucket",
        "domainName": "mta-sts.example.com",
        "subjectAlternativeNames": ["www.example.com"],
        "region": "us-east-1",
        "name": "_mta-sts.example.com",
        "zoneId": "Z123",
        "type": "TXT",
        "domain": "tlsrpt.example.com",
        "scriptName": "mta-sts-example-org",
        "content": "export default {}",
    },
]
INVOKE_ARGS: list[dict[str, Any]] = [
    {},
    {"name": "example.com", "zoneId": "Z123", "filter": {"name": "example.org", "match": "all"}},
]
#: Arguments a data source cannot do without.
REQUIRED_ARGS: dict[str, dict[str, Any]] = {
    "aws:cloudfront/getCachePolicy:getCachePolicy": {"name": "Managed-CachingDisabled"},
}
#: Values only the test cloud makes up; the plan must never show them.
MADE_UP = (
    cloud.ACCOUNT,
    cloud.ROUTE53_ZONE_ID,
    cloud.CLOUDFLARE_ACCOUNT_ID,
    pulumi_mock.HTTP_API_ENDPOINT,
    "VeRiFy+token=",
    "-f00",
)


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in leaves(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in leaves(item, f"{path}[{i}]").items()}
    return {path: value}


def assert_plan_differs_only_by_unknowns(plan: Any, test: Any) -> None:
    plan_leaves, test_leaves = leaves(plan), leaves(test)
    assert plan_leaves.keys() == test_leaves.keys()  # the same shape either way
    for path, value in plan_leaves.items():
        assert value in (test_leaves[path], UNKNOWN), f"{path}: plan {value!r}, tests {test_leaves[path]!r}"
        assert not (isinstance(value, str) and value != UNKNOWN and any(m in value for m in MADE_UP)), path
    assert UNKNOWN not in test_leaves.values()


@pytest.mark.parametrize("inputs", RESOURCE_INPUTS, ids=["no inputs", "inputs"])
@pytest.mark.parametrize("token", sorted(PLAN_CLOUD.recorder().outputs))
def test_every_resource_answer_is_the_test_clouds_with_the_made_up_values_unknown(
    token: str, inputs: dict[str, Any]
) -> None:
    args = MockResourceArgs(token, "example-com-thing", dict(inputs), custom=True)
    assert_plan_differs_only_by_unknowns(
        PLAN_CLOUD.recorder().outputs[token](args), TEST_CLOUD.recorder().outputs[token](args)
    )


@pytest.mark.parametrize("arguments", INVOKE_ARGS, ids=["few", "all"])
@pytest.mark.parametrize("token", sorted(PLAN_CLOUD.recorder().invokes))
def test_every_invoke_answer_is_the_test_clouds_with_the_made_up_values_unknown(
    token: str, arguments: dict[str, Any]
) -> None:
    args = MockCallArgs(token, {**arguments, **REQUIRED_ARGS.get(token, {})}, "")
    assert_plan_differs_only_by_unknowns(
        PLAN_CLOUD.recorder().invokes[token](args), TEST_CLOUD.recorder().invokes[token](args)
    )


@pytest.mark.parametrize("typ", ["aws:sns/topicSubscription:TopicSubscription", "cloudflare:index/anything:Thing"])
def test_a_type_without_an_answer_gets_an_id_and_for_aws_an_arn(typ: str) -> None:
    args = MockResourceArgs(typ, "thing", {}, custom=True)
    assert_plan_differs_only_by_unknowns(PLAN_CLOUD.default_outputs(args), TEST_CLOUD.default_outputs(args))
    assert ("arn" in TEST_CLOUD.default_outputs(args)) is typ.startswith("aws:")
    component = MockResourceArgs("mta-sts:x:Component", "thing", {}, custom=False)
    assert TEST_CLOUD.default_outputs(component) == PLAN_CLOUD.default_outputs(component) == {}


def test_what_is_the_same_everywhere_is_known_to_the_plan() -> None:
    distribution = MockResourceArgs("aws:cloudfront/distribution:Distribution", "cdn", {}, custom=True)
    assert PLAN_CLOUD.recorder().outputs[distribution.typ](distribution)["hostedZoneId"] == "Z2FDTNDATAQYW2"
    policy = MockCallArgs("aws:cloudfront/getCachePolicy:getCachePolicy", {"name": "Managed-CachingDisabled"}, "")
    assert PLAN_CLOUD.recorder().invokes[policy.token](policy)["id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    bucket = MockResourceArgs("aws:s3/bucket:Bucket", "b", {"bucket": "given"}, custom=True)
    assert PLAN_CLOUD.recorder().outputs[bucket.typ](bucket)["arn"] == "arn:aws:s3:::given"


def test_an_unknown_managed_cache_policy_is_an_error_naming_it() -> None:
    args = MockCallArgs("aws:cloudfront/getCachePolicy:getCachePolicy", {"name": "Managed-Nope"}, "")
    for answers in (PLAN_CLOUD, TEST_CLOUD):
        with pytest.raises(ValueError, match="Managed-Nope"):
            answers.recorder().invokes[args.token](args)


def test_the_test_suites_names_keep_their_values() -> None:
    """Other test files import these from ``tests.pulumi_mock`` and compare with them."""
    assert (pulumi_mock.ACCOUNT, pulumi_mock.REGION) == ("123456789012", "eu-west-1")
    assert pulumi_mock.HTTP_API_ENDPOINT == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    assert pulumi_mock.CLOUDFLARE_ACCOUNT_ID == "f037e56e89293a057740de681ac9abbe"
    assert pulumi_mock.ROUTE53_ZONE_ID == "Z0123456789EXAMPLE"
    assert pulumi_mock.CACHING_DISABLED_POLICY_ID == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert pulumi_mock.CLOUDFRONT_ZONE_ID == "Z2FDTNDATAQYW2"
    assert set(pulumi_mock.INVOKES) == set(TEST_CLOUD.recorder().invokes)
    assert pulumi_mock.make_recorder().invokes.keys() == pulumi_mock.INVOKES.keys()
