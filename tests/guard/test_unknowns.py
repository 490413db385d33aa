"""Every rule of the pack, run as pulumi-policy runs it at preview, with values unknown at every
position of valid and invalid stacks (Route53 and Cloudflare shapes): no rule raises, and no
mandatory violation appears that the stack without the unknown does not have.

How pulumi-policy 1.21 presents an unknown (``pulumi_policy/policy.py``, ``Analyze`` and
``AnalyzeStack``): the engine marshals it as one of seven sentinel strings
(``pulumi_policy/proxy.py``; pulumi's ``sdk/go/common/resource/plugin/rpc.go``
``marshalUnknownProperty``: an unknown string, list or object alike, at any depth), the analyzer
deserializes the properties and wraps them in ``unknown_checking_proxy``, whose item access raises
``UnknownValueError``. So these tests build the raw properties with the sentinels, wrap them with
the real ``unknown_checking_proxy`` and call each policy's ``validate`` as the analyzer does.

"Caused only by an unknown": an unknown value may turn out to be any value, including the one the
stack had before it was replaced; a violation that holds whatever the value is therefore holds for
that one too. So the mandatory violations with unknowns must be among those of the stack without
them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import sts_record_value
from pulumi_mta_sts.core.txt_values import cloudflare_txt, route53_txt
from pulumi_mta_sts.guard import RULES
from tests.guard.test_pack import load_pack

policy_sdk = pytest.importorskip("pulumi_policy", reason="pulumi-policy is a dev dependency (pip install -e '.[dev]')")
proxy = policy_sdk.proxy

SENTINELS = (
    proxy.UNKNOWN_STRING_VALUE,
    proxy.UNKNOWN_ARRAY_VALUE,
    proxy.UNKNOWN_OBJECT_VALUE,
    proxy.UNKNOWN_BOOLEAN_VALUE,
    proxy.UNKNOWN_NUMBER_VALUE,
    proxy.UNKNOWN_ASSET_VALUE,
    proxy.UNKNOWN_ARCHIVE_VALUE,
)
PACK = load_pack()
MANDATORY = {rule.name for rule in RULES if rule.level == "mandatory"}
POLICY = Policy.build("enforce", ["mx1.example.com", "*.mx.example.com"], 604800)
BUCKET = "policy-bucket"
PRIVATE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
        }
    ],
}

PUBLIC_POLICY = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject"}]}

Stack = list[tuple[str, dict[str, Any]]]


def _hosting() -> Stack:
    """The S3 + CloudFront resources of a policy host, every rule satisfied."""
    return [
        ("aws:s3/bucketObjectv2:BucketObjectv2", {"bucket": BUCKET, "key": ".well-known/mta-sts.txt",
                                                   "content": POLICY.render(), "contentType": "text/plain",
                                                   "cacheControl": "max-age=300"}),
        ("aws:cloudfront/distribution:Distribution", {
            "aliases": ["mta-sts.example.com"], "enabled": True,
            "origins": [{"domainName": f"{BUCKET}.s3.amazonaws.com", "originId": "s3"}],
            "defaultCacheBehavior": {"viewerProtocolPolicy": "https-only", "targetOriginId": "s3",
                                     "allowedMethods": ["GET", "HEAD"]},
            "orderedCacheBehaviors": [{"pathPattern": "/.well-known/*", "viewerProtocolPolicy": "https-only",
                                       "targetOriginId": "s3"}],
            "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
                                  "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021",
                                  "cloudfrontDefaultCertificate": False},
        }),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"bucket": BUCKET, "blockPublicAcls": True,
                                                                    "blockPublicPolicy": True,
                                                                    "ignorePublicAcls": True,
                                                                    "restrictPublicBuckets": True}),
        ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": BUCKET, "policy": PRIVATE_POLICY}),
        ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": BUCKET, "policy": json.dumps(PRIVATE_POLICY)}),
        ("aws:s3/bucketAclV2:BucketAclV2", {"bucket": BUCKET, "acl": "private"}),
        ("aws:s3/bucket:Bucket", {"bucket": BUCKET, "acl": "private", "tags": {"app": "mta-sts"}}),
    ]  # fmt: skip


def route53(name: str, *values: str, type_: str = "TXT") -> tuple[str, dict[str, Any]]:
    records = [route53_txt(v) for v in values] if type_ == "TXT" else list(values)
    return "aws:route53/record:Record", {"name": name, "type": type_, "zoneId": "Z1", "ttl": 300, "records": records}


def cloudflare(name: str, value: str, legacy: bool = False) -> tuple[str, dict[str, Any]]:
    """A Cloudflare 6 ``DnsRecord`` (``content``), or the legacy ``Record`` (``value``)."""
    props = {"name": name, "type": "TXT", "zoneId": "0" * 32, "ttl": 1}
    if legacy:
        return "cloudflare:index/record:Record", {**props, "value": cloudflare_txt(value)}
    return "cloudflare:index/dnsRecord:DnsRecord", {**props, "content": cloudflare_txt(value)}


STS = sts_record_value(POLICY.id)
TLSRPT = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"


def route53_stack() -> Stack:
    return [
        *_hosting(),
        route53("_mta-sts.example.com", STS),
        route53("_smtp._tls.example.com", TLSRPT),
        route53("example.com", "v=spf1 -all", "google-site-verification=abc"),
        route53("_x1.mta-sts.example.com", "_y1.acm-validations.aws.", type_="CNAME"),
    ]


def cloudflare_stack() -> Stack:
    return [
        *_hosting(),
        cloudflare("_mta-sts.example.com", STS),
        cloudflare("_smtp._tls.example.com", TLSRPT, legacy=True),
        cloudflare("example.com", "v=spf1 -all"),
    ]


def _set(stack: Stack, type_prefix: str, key: str, value: Any, nested: str | None = None) -> Stack:
    for type_, props in stack:
        if type_.startswith(type_prefix):
            if nested is None:
                props[key] = value
            else:
                props[nested][key] = value
    return stack


def _sts(stack: Stack, *values: str) -> Stack:
    """The ``_mta-sts`` record(s) replaced by ``values`` (one Route53 record set, or one Cloudflare record each)."""
    kept = [(t, p) for t, p in stack if p.get("name") != "_mta-sts.example.com"]
    if any(t.startswith("aws:route53") for t, _ in stack):
        return [*kept, route53("_mta-sts.example.com", *values)]
    return [*kept, *(cloudflare("_mta-sts.example.com", v, legacy=i % 2 == 1) for i, v in enumerate(values))]


def _body(text: str) -> Callable[[Stack], Stack]:
    return lambda stack: _set(stack, "aws:s3/bucketObject", "content", text)


#: How a stack breaks a rule (or, for "valid" and "spaced", none).
VARIANTS: dict[str, Callable[[Stack], Stack]] = {
    "valid": lambda stack: stack,
    "spaced-alone": lambda stack: _sts(stack, STS.replace("v=STSv1;", "v=STSv1 ;")),
    "spaced-beside": lambda stack: _sts(stack, STS, "v=STSv1 ;id=stale1"),
    "two-sts": lambda stack: _sts(stack, STS, "v=STSv1; id=20240101;"),
    "stale-id": lambda stack: _sts(stack, "v=STSv1; id=20240101;"),
    "text-html": lambda stack: _set(stack, "aws:s3/bucketObject", "contentType", "text/html"),
    "no-content-type": lambda stack: [(t, {k: v for k, v in p.items() if k != "contentType"}) for t, p in stack],
    "http": lambda stack: _set(stack, "aws:cloudfront", "viewerProtocolPolicy", "allow-all", "defaultCacheBehavior"),
    "tls1": lambda stack: _set(stack, "aws:cloudfront", "minimumProtocolVersion", "TLSv1", "viewerCertificate"),
    "default-cert": lambda stack: _set(
        stack, "aws:cloudfront", "cloudfrontDefaultCertificate", True, "viewerCertificate"
    ),
    "public-acl": lambda stack: _set(stack, "aws:s3/bucketAclV2", "acl", "public-read"),
    "access-block-off": lambda stack: _set(stack, "aws:s3/bucketPublicAccessBlock", "blockPublicPolicy", False),
    "policy-star": lambda stack: _set(stack, "aws:s3/bucketPolicy", "policy", PUBLIC_POLICY),
    "short-enforce": _body(Policy.build("enforce", ["mx1.example.com"], 3600).render()),
    "bad-mx": _body(POLICY.render().replace("mx: mx1.example.com", "mx: mx*.example.com")),
}
PROVIDERS = {"route53": route53_stack, "cloudflare": cloudflare_stack}
CASES = [(provider, variant) for provider in PROVIDERS for variant in VARIANTS]


def stack_of(provider: str, variant: str) -> Stack:
    return VARIANTS[variant](PROVIDERS[provider]())


# ---- running the pack as the analyzer does -------------------------------------------------------
def _options() -> Any:
    return policy_sdk.PolicyResourceOptions(False, [], None, [], policy_sdk.PolicyCustomTimeouts(0, 0, 0), [])


def run_pack(stack: Stack) -> set[tuple[str, str]]:
    """``(policy, urn)`` of every violation the pack reports; the props go through pulumi-policy's
    own ``unknown_checking_proxy``, as in ``Analyze`` / ``AnalyzeStack``."""
    found: set[tuple[str, str]] = set()
    urns = [f"urn:pulumi:test::p::{type_}::r{index}" for index, (type_, _) in enumerate(stack)]
    for policy in PACK.POLICIES:
        if isinstance(policy, policy_sdk.ResourceValidationPolicy):
            for urn, (type_, props) in zip(urns, stack, strict=True):
                args = policy_sdk.ResourceValidationArgs(
                    type_, proxy.unknown_checking_proxy(props), urn, urn, _options(), None
                )
                policy.validate(args, lambda message, _=None, u=urn, p=policy.name: found.add((p, u)))
        else:
            resources = [
                policy_sdk.PolicyResource(
                    type_, proxy.unknown_checking_proxy(props), urn, urn, _options(), None, None, [], {}
                )
                for urn, (type_, props) in zip(urns, stack, strict=True)
            ]
            args = policy_sdk.StackValidationArgs(resources)
            policy.validate(args, lambda message, urn=None, p=policy.name: found.add((p, urn or "")))
    return found


def mandatory(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(policy, urn) for policy, urn in found if policy in MANDATORY}


Path = tuple[int, tuple[str | int, ...]]


def positions(stack: Stack) -> Iterator[Path]:
    """Every value of every resource: each property, each list item and object entry, at any depth."""

    def walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
        yield path
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, child in children:
            yield from walk(child, (*path, key))

    for index, (_, props) in enumerate(stack):
        for key, value in props.items():
            yield from ((index, path) for path in walk(value, (key,)))


def outermost(chosen: list[Path]) -> list[Path]:
    """The positions not inside another chosen one (an unknown object has no known entries)."""

    def inside(inner: Path, outer: Path) -> bool:
        return inner != outer and inner[0] == outer[0] and inner[1][: len(outer[1])] == outer[1]

    return [position for position in chosen if not any(inside(position, other) for other in chosen)]


def substituted(stack: Stack, where: dict[Path, Any]) -> Stack:
    # Each resource copied on its own: the shapes share sub-objects between resources, and one
    # deepcopy of the whole would keep them shared (an unknown put in one would show in the other).
    stack = [copy.deepcopy(resource) for resource in stack]
    for (index, path), value in where.items():
        holder: Any = stack[index][1]
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    return stack


# ---- the tests -----------------------------------------------------------------------------------
def test_the_variants_break_the_rules_they_name() -> None:
    """The shapes are the ones the rules read: each invalid variant has a mandatory or advisory violation."""
    for provider in PROVIDERS:
        assert run_pack(stack_of(provider, "valid")) == set(), provider
        assert run_pack(stack_of(provider, "spaced-alone")) == set(), provider  # one answer: a valid record
        assert run_pack(stack_of(provider, "spaced-beside")) == set(), provider  # discarded beside the record
        for variant in VARIANTS:
            if variant not in ("valid", "spaced-alone", "spaced-beside"):
                assert run_pack(stack_of(provider, variant)), (provider, variant)


@pytest.mark.parametrize(("provider", "variant"), CASES, ids=[f"{p}-{v}" for p, v in CASES])
def test_an_unknown_anywhere_never_raises_nor_adds_a_mandatory_violation(provider: str, variant: str) -> None:
    stack = stack_of(provider, variant)
    base = mandatory(run_pack(stack))
    for number, position in enumerate(positions(stack)):
        sentinel = SENTINELS[number % len(SENTINELS)]
        found = mandatory(run_pack(substituted(stack, {position: sentinel})))
        assert found <= base, (position, sentinel, found - base)


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(CASES), data=st.data())
def test_many_unknowns_at_once_never_raise_nor_add_a_mandatory_violation(
    case: tuple[str, str], data: st.DataObject
) -> None:
    stack = stack_of(*case)
    chosen = data.draw(st.lists(st.sampled_from(list(positions(stack))), min_size=1, max_size=12, unique=True))
    where = {position: data.draw(st.sampled_from(SENTINELS)) for position in outermost(chosen)}
    assert mandatory(run_pack(substituted(stack, where))) <= mandatory(run_pack(stack))


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_null_or_a_value_of_another_type_anywhere_never_raises(provider: str) -> None:
    """The engine sends an unknown whose type it does not know as null (``marshalUnknownProperty``);
    no rule may raise on it, nor on a value of a type the schema does not give."""
    others: tuple[object, ...] = (0, True, "", [], {}, "x")
    for variant in VARIANTS:
        stack = stack_of(provider, variant)
        for number, position in enumerate(positions(stack)):
            run_pack(substituted(stack, {position: None}))
            run_pack(substituted(stack, {position: others[number % len(others)]}))


def test_a_stack_rule_still_runs_when_other_resources_are_unknown() -> None:
    """An ACM validation record whose name, type and value are unknown does not stop the duplicate
    rule for the records that are known (pulumi-policy would skip the whole policy)."""
    stack = stack_of("route53", "two-sts")
    unknown = proxy.UNKNOWN_STRING_VALUE
    stack.append(("aws:route53/record:Record", {"name": unknown, "type": unknown, "zoneId": "Z1",
                                                "records": [unknown]}))  # fmt: skip
    assert {p for p, _ in run_pack(stack)} >= {"mta-sts-single-sts-record"}
