"""The policy pack's rules, as pure functions: a passing and a failing resource each, in the shapes the
AWS and Cloudflare providers' schemas give them (camelCase, as the policy pack sees them), and
generated MX patterns and TXT values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import sts_record_value
from pulumi_mta_sts.core.txt_values import cloudflare_txt, route53_txt
from pulumi_mta_sts.guard import RULES, Resource
from pulumi_mta_sts.guard.rules import (
    cloudfront_http,
    cloudfront_tls,
    duplicate_sts_records,
    enforce_max_age,
    mx_patterns,
    policy_content_type,
    public_policy_bucket,
    sts_id_matches_policy,
)
from tests import strategies

ROUTE53 = "aws:route53/record:Record"
CLOUDFLARE = "cloudflare:index/dnsRecord:DnsRecord"
CLOUDFLARE_LEGACY = "cloudflare:index/record:Record"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
POLICY = Policy.build("enforce", ["mx1.example.com"], 604800)


def route53_txt_record(name: str, *values: str, zone: str = "Z1") -> Resource:
    props = {"name": name, "type": "TXT", "zoneId": zone, "ttl": 300, "records": [route53_txt(v) for v in values]}
    return Resource(ROUTE53, props, f"urn:{name}:{len(values)}:{values[0][:12]}")


def cloudflare_txt_record(name: str, value: str, type_: str = CLOUDFLARE, key: str = "content") -> Resource:
    props = {"name": name, "type": "TXT", "zoneId": "0" * 32, "ttl": 300, key: cloudflare_txt(value)}
    return Resource(type_, props, f"urn:cf:{name}:{value[:20]}")


def policy_object(content: str, content_type: str | None = "text/plain", bucket: str = "policy-bucket") -> Resource:
    props: dict[str, Any] = {"bucket": bucket, "key": ".well-known/mta-sts.txt", "content": content}
    if content_type is not None:
        props["contentType"] = content_type
    return Resource(OBJECT, props, "urn:object")


def distribution(viewer: str = "https-only", minimum: str | None = "TLSv1.2_2021", **extra: Any) -> dict[str, Any]:
    certificate: dict[str, Any] = {
        "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
        "sslSupportMethod": "sni-only",
    }
    if minimum is not None:
        certificate["minimumProtocolVersion"] = minimum
    return {
        "aliases": ["mta-sts.example.com"],
        "defaultCacheBehavior": {"viewerProtocolPolicy": viewer, "targetOriginId": "s3"},
        "viewerCertificate": certificate,
        **extra,
    }


def test_every_rule_has_a_level_a_check_and_a_unique_name() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES) == 8
    for rule in RULES:
        assert rule.level in ("advisory", "mandatory")
        assert (rule.resource_check is None) != (rule.stack_check is None)


# ---- two v=STSv1 records at one name ------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda n, v: route53_txt_record(n, v),
        lambda n, v: cloudflare_txt_record(n, v),
        lambda n, v: cloudflare_txt_record(n, v, CLOUDFLARE_LEGACY, "value"),
    ],
    ids=["route53", "cloudflare", "cloudflare-legacy"],
)
def test_two_sts_records_at_one_name_are_refused(make: Any) -> None:
    one = make("_mta-sts.example.com", sts_record_value(POLICY.id))
    other = make("_mta-sts.example.com.", "v=STSv1; id=20240101;")
    assert duplicate_sts_records([one]) == []
    violations = duplicate_sts_records([one, other])
    assert len(violations) == 2 and "keep exactly one" in violations[0].message
    assert {v.urn for v in violations} == {one.urn, other.urn}


def test_two_sts_values_in_one_route53_record_set_are_refused_and_other_txt_is_fine() -> None:
    both = route53_txt_record("_mta-sts.example.com", "v=STSv1; id=a1;", "v=STSv1; id=b2;")
    assert len(duplicate_sts_records([both])) == 1
    mixed = route53_txt_record("_mta-sts.example.com", "v=STSv1; id=a1;", "google-site-verification=x")
    assert duplicate_sts_records([mixed]) == []
    elsewhere = route53_txt_record("_mta-sts.example.org", "v=STSv1; id=a1;")
    assert duplicate_sts_records([route53_txt_record("_mta-sts.example.com", "v=STSv1; id=a1;"), elsewhere]) == []


@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=4))
def test_txt_values_of_any_length_and_content_round_trip_through_both_shapes(values: list[str]) -> None:
    """Whatever TXT values a program writes (split at 255 bytes, quotes, backslashes), the rule sees
    them as resolvers do: only values that begin with v=STSv1; count."""
    expected = sum(1 for v in values if v.startswith("v=STSv1;"))
    r53 = route53_txt_record("_mta-sts.example.com", *values)
    assert len(duplicate_sts_records([r53])) == (1 if expected > 1 else 0)
    records = [cloudflare_txt_record("_mta-sts.example.com", v) for v in values]
    records = [Resource(r.type, r.props, f"urn:{i}") for i, r in enumerate(records)]
    assert len(duplicate_sts_records(records)) == (expected if expected > 1 else 0)


# ---- the id derived from the served policy ------------------------------------------------------
def test_an_id_not_derived_from_the_served_policy_is_reported_with_the_right_one() -> None:
    served = policy_object(POLICY.render())
    good = route53_txt_record("_mta-sts.example.com", sts_record_value(POLICY.id))
    stale = cloudflare_txt_record("_mta-sts.example.com", "v=STSv1; id=20240101T000000;")
    assert sts_id_matches_policy([served, good]) == []
    (violation,) = sts_id_matches_policy([served, stale])
    assert f"publish id={POLICY.id}" in violation.message and violation.urn == stale.urn
    assert sts_id_matches_policy([stale]) == []  # no policy object in the stack: nothing to compare with


@given(strategies.mode, strategies.mx_list, strategies.max_age)
def test_the_id_is_judged_on_the_exact_bytes_served(mode: str, mx: list[str], max_age: int) -> None:
    policy = Policy.build(mode, mx if mode != "none" else [], max_age)
    record = route53_txt_record("_mta-sts.example.com", sts_record_value(policy.id))
    assert sts_id_matches_policy([policy_object(policy.render()), record]) == []
    other = policy.render().replace("\r\n", "\n")  # other bytes, other id
    assert len(sts_id_matches_policy([policy_object(other), record])) == 1


# ---- text/plain ---------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8", "Text/Plain"])
def test_a_policy_object_served_as_text_plain_passes(content_type: str) -> None:
    resource = policy_object(POLICY.render(), content_type)
    assert policy_content_type(resource.type, resource.props) == []


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "text/html"])
def test_a_policy_object_not_served_as_text_plain_is_refused(content_type: str | None) -> None:
    resource = policy_object(POLICY.render(), content_type)
    (message,) = policy_content_type(resource.type, resource.props)
    assert 'contentType="text/plain"' in message
    other = {**resource.props, "key": "index.html"}
    assert policy_content_type(resource.type, other) == []  # not the policy


# ---- the CloudFront host ------------------------------------------------------------------------
def test_a_cloudfront_host_that_answers_http_is_reported() -> None:
    assert cloudfront_http(DISTRIBUTION, distribution()) == []
    for viewer in ("redirect-to-https", "allow-all"):
        (message,) = cloudfront_http(DISTRIBUTION, distribution(viewer))
        assert "https-only" in message
    ordered = distribution(
        orderedCacheBehaviors=[{"pathPattern": "/.well-known/*", "viewerProtocolPolicy": "allow-all"}]
    )
    assert cloudfront_http(DISTRIBUTION, ordered)
    assert cloudfront_http(DISTRIBUTION, {**distribution("allow-all"), "aliases": ["www.example.com"]}) == []


@pytest.mark.parametrize("minimum", ["TLSv1", "TLSv1_2016", "TLSv1.1_2016", "SSLv3", None])
def test_a_cloudfront_host_that_allows_tls_below_1_2_is_refused(minimum: str | None) -> None:
    (message,) = cloudfront_tls(DISTRIBUTION, distribution(minimum=minimum))
    assert "TLSv1.2_2021" in message


@pytest.mark.parametrize("minimum", ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025"])
def test_a_cloudfront_host_with_tls_1_2_or_later_passes(minimum: str) -> None:
    assert cloudfront_tls(DISTRIBUTION, distribution(minimum=minimum)) == []


# ---- the public bucket --------------------------------------------------------------------------
def _public(type_: str, **props: Any) -> Resource:
    return Resource(type_, {"bucket": "policy-bucket", **props}, f"urn:{type_}")


PRIVATE_POLICY = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
        }
    ]
}


def test_a_private_policy_bucket_passes() -> None:
    resources = [
        policy_object(POLICY.render()),
        _public("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", blockPublicAcls=True,
                blockPublicPolicy=True, ignorePublicAcls=True, restrictPublicBuckets=True),
        _public("aws:s3/bucketPolicy:BucketPolicy", policy=json.dumps(PRIVATE_POLICY)),
        _public("aws:s3/bucketAclV2:BucketAclV2", acl="private"),
    ]  # fmt: skip
    assert public_policy_bucket(resources) == []


@pytest.mark.parametrize(
    "exposure",
    [
        _public("aws:s3/bucketAclV2:BucketAclV2", acl="public-read"),
        _public("aws:s3/bucket:Bucket", acl="public-read"),
        _public("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", blockPublicAcls=True),
        _public(
            "aws:s3/bucketPolicy:BucketPolicy",
            policy=json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}),
        ),
        _public(
            "aws:s3/bucketPolicy:BucketPolicy",
            policy={"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*"}},
        ),
    ],
    ids=["acl", "legacy-acl", "access-block-off", "policy-star", "policy-aws-star"],
)
def test_a_public_policy_bucket_is_refused(exposure: Resource) -> None:
    (violation,) = public_policy_bucket([policy_object(POLICY.render()), exposure])
    assert violation.urn == exposure.urn and "keep it private" in violation.message
    assert public_policy_bucket([policy_object(POLICY.render(), bucket="other"), exposure]) == []


# ---- max_age in enforce -------------------------------------------------------------------------
def test_an_enforce_policy_cached_less_than_a_day_is_reported() -> None:
    short = policy_object(Policy.build("enforce", ["mx1.example.com"], 3600).render())
    (message,) = enforce_max_age(short.type, short.props)
    assert "at least 86400" in message
    for fine in (Policy.build("enforce", ["mx1.example.com"], 86400), Policy.build("testing", ["mx1.example.com"], 60)):
        resource = policy_object(fine.render())
        assert enforce_max_age(resource.type, resource.props) == []


@given(strategies.max_age)
def test_max_age_below_a_day_in_enforce_and_nothing_else(max_age: int) -> None:
    resource = policy_object(Policy.build("enforce", ["mx1.example.com"], max_age).render())
    assert bool(enforce_max_age(resource.type, resource.props)) == (max_age < 86400)


# ---- mx patterns --------------------------------------------------------------------------------
def _policy_text(*mx: str) -> str:
    return "version: STSv1\r\nmode: enforce\r\n" + "".join(f"mx: {p}\r\n" for p in mx) + "max_age: 604800\r\n"


def test_mx_patterns_that_do_not_parse_are_refused() -> None:
    good = policy_object(_policy_text("mx1.example.com", "*.mail.example.com"))
    assert mx_patterns(good.type, good.props) == []
    bad = policy_object(_policy_text("mx1.example.com", "mx*.example.com", "mx..example.com"))
    messages = mx_patterns(bad.type, bad.props)
    assert len(messages) == 2 and "mx[1]" in messages[0] and "mx[2]" in messages[1]


@given(strategies.mx_list)
def test_generated_valid_patterns_pass(mx: list[str]) -> None:
    resource = policy_object(_policy_text(*mx))
    assert mx_patterns(resource.type, resource.props) == []


@given(strategies.hostname, st.sampled_from(["*", "..", "_", "-.", "*.*.", "@"]), st.booleans())
def test_generated_broken_patterns_are_refused(host: str, junk: str, front: bool) -> None:
    pattern = junk + host if front else host.replace(".", junk, 1)
    resource = policy_object(_policy_text(pattern))
    assert mx_patterns(resource.type, resource.props), pattern


def test_the_default_cloudfront_certificate_allows_tls_1_0_whatever_the_minimum_says() -> None:
    props = distribution(minimum="TLSv1.2_2021")
    props["viewerCertificate"] = {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1.2_2021"}
    (message,) = cloudfront_tls(DISTRIBUTION, props)
    assert "default *.cloudfront.net certificate" in message
