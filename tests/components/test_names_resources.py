"""Plan-level: every name-limited resource of the policy hosts fits its provider's limit for every
domain MTA-STS can serve (the longest, IDN, labels ending in digits), two long domains never
share a name, and the example-size names are today's (no replacement of existing stacks)."""

from __future__ import annotations

import idna
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.names import (
    ACM_COMMON_NAME_LIMIT,
    AUTONAME_SUFFIX_LENGTH,
    CLOUDFRONT_FUNCTION,
    CLOUDFRONT_OAC,
    S3_BUCKET,
    WORKER_SCRIPT,
    NameRule,
    name_problem,
)
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.spec import DnsConfig
from tests.pulumi_mock import Recorder, make_recorder

POLICY = Policy.build("testing", ["mx1.example.com"], 86401)
RUA = ["mailto:tlsrpt@example.com"]

#: Resource type -> (its name rule, the input holding the physical name; None: autonamed from
#: the logical name).
NAMED: dict[str, tuple[NameRule, str | None]] = {
    "aws:cloudfront/originAccessControl:OriginAccessControl": (CLOUDFRONT_OAC, "name"),
    "aws:cloudfront/function:Function": (CLOUDFRONT_FUNCTION, "name"),
    "cloudflare:index/workersScript:WorkersScript": (WORKER_SCRIPT, "scriptName"),
    "aws:s3/bucket:Bucket": (S3_BUCKET, None),
}
HOSTS = [("route53", "cloudfront"), ("cloudflare", "cloudfront"), ("cloudflare", "worker")]

#: The longest domain MTA-STS with TLS-RPT can use: `_smtp._tls.<domain>` is at most 253.
LONGEST = ".".join(["a" * 62 + "9", "b" * 62 + "8", "c" * 62 + "7", "d" * 50])
IDN = "bücher-und-zeitschriften-für-alle-leserinnen.straße-der-einheit-münchen.zürich-ölgesellschaft.example"
#: The longest domain a CloudFront host takes: ACM needs a certificate name of at most 64
#: characters (core/names.py: the domain itself once mta-sts.<domain> is longer).
LONGEST_CLOUDFRONT = ".".join(["a" * 40 + "9", "b" * 17 + "8", "c" * 3])
IDN_CLOUDFRONT = "bücher-für-alle-9.straße-münchen-8.example"


def longest(domain: str, kind: str) -> str:
    """``domain``, or for the CloudFront host the longest domain of its kind that ACM can certify."""
    if kind != "cloudfront" or len(idna.encode(domain, uts46=True)) <= ACM_COMMON_NAME_LIMIT:
        return domain
    return IDN_CLOUDFRONT if domain == IDN else LONGEST_CLOUDFRONT


def deploy(domain: str, provider: str, kind: str) -> Recorder:
    """``MtaSts`` named as the stack program names it: the domain (A-labels) with dots as dashes."""
    rec = make_recorder().install(stack="names")
    args = MtaStsArgs(domain, POLICY, DnsConfig(provider, zone_name="example.com"), host=kind, rua=RUA)
    name = idna.encode(domain, uts46=True).decode().replace(".", "-") if domain.isascii() is False else domain
    rec.run(lambda: MtaSts(name.replace(".", "-"), args))
    return rec


def physical_names(rec: Recorder) -> list[tuple[NameRule, str, str]]:
    """(rule, name, what) for every name-limited resource; autonamed ones with Pulumi's suffix."""
    found = []
    for type_token, (rule, key) in NAMED.items():
        for resource in rec.of_type(type_token):
            name = resource.inputs[key] if key else resource.name + "-abc1234"
            found.append((rule, str(name), f"{type_token} {resource.name}"))
    return found


def assert_all_fit(rec: Recorder) -> None:
    names = physical_names(rec)
    assert names
    for rule, name, what in names:
        assert name_problem(rule, name) is None, (what, name, name_problem(rule, name))


@pytest.mark.parametrize(("provider", "kind"), HOSTS)
@pytest.mark.parametrize("domain", [LONGEST, IDN, "mail-9.relay-2-1.example-industries.co.uk"])
def test_named_domains_fit_every_limit(domain: str, provider: str, kind: str) -> None:
    assert len(LONGEST) == 242 and len(LONGEST_CLOUDFRONT) == ACM_COMMON_NAME_LIMIT
    assert len(idna.encode(IDN_CLOUDFRONT, uts46=True)) <= ACM_COMMON_NAME_LIMIT
    assert_all_fit(deploy(longest(domain, kind), provider, kind))


@pytest.mark.parametrize("provider", ["route53", "cloudflare"])
@pytest.mark.parametrize("domain", [LONGEST, IDN, LONGEST_CLOUDFRONT + "x"])
def test_a_domain_acm_cannot_certify_is_refused_for_cloudfront_before_any_resource(domain: str, provider: str) -> None:
    with pytest.raises(InputError) as caught:
        deploy(domain, provider, "cloudfront")
    assert {p.field for p in caught.value.problems} == {"domain"}
    assert "host.kind: worker" in caught.value.problems[0].reason


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)


@st.composite
def servable_domains(draw: st.DrawFn) -> str:
    """Valid domains whose `_smtp._tls.` name fits in 253 characters; labels often end in digits."""
    labels = draw(st.lists(label, min_size=2, max_size=5))
    domain = ".".join(labels)[:242].strip(".-")
    return domain if "." in domain and not domain.rsplit(".", 1)[1].isdigit() else f"{domain or 'x'}.example"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domain=servable_domains(), host=st.sampled_from(HOSTS))
def test_every_servable_domain_fits_every_limit(domain: str, host: tuple[str, str]) -> None:
    try:
        rec = deploy(domain, *host)
    except InputError as exc:  # only the DNS rules of the domain itself, never a name limit
        assert all(p.field == "domain" for p in exc.problems), exc.problems
        return
    assert_all_fit(rec)


@pytest.mark.parametrize(("provider", "kind"), HOSTS)
def test_two_long_domains_that_differ_after_the_cut_get_different_names(provider: str, kind: str) -> None:
    domain = longest(LONGEST, kind)
    first = {what.split()[0]: name for _, name, what in physical_names(deploy(domain, provider, kind))}
    other = domain[:-1] + "e"
    second = {what.split()[0]: name for _, name, what in physical_names(deploy(other, provider, kind))}
    for type_token, name in first.items():
        if type_token != "aws:s3/bucket:Bucket":  # autonamed: unique by Pulumi's random suffix
            assert name != second[type_token], type_token


@pytest.mark.parametrize(
    ("provider", "kind", "expected"),
    [
        (
            "route53",
            "cloudfront",
            {"mta-sts-example-com", "mta-sts-only-policy-example-com", "example-com-host-bucket"},
        ),
        ("cloudflare", "worker", {"mta-sts-example-com"}),
    ],
)
def test_example_size_names_are_todays(provider: str, kind: str, expected: set[str]) -> None:
    names = {name.removesuffix("-abc1234") for _, name, _ in physical_names(deploy("example.com", provider, kind))}
    assert names == expected


def test_the_autonamed_bucket_keeps_room_for_pulumis_suffix() -> None:
    [bucket] = deploy(LONGEST_CLOUDFRONT, "route53", "cloudfront").of_type("aws:s3/bucket:Bucket")
    assert len(bucket.name) + AUTONAME_SUFFIX_LENGTH <= S3_BUCKET.limit


@pytest.mark.parametrize(
    ("domain", "rua", "room"),
    [(LONGEST + "x", RUA, 242), ("a" * 62 + "." + LONGEST[:182] + "x", (), 244)],
)
def test_a_domain_too_long_for_the_mta_sts_names_is_a_problem_not_a_failed_deploy(
    domain: str, rua: list[str], room: int
) -> None:
    rec = make_recorder().install(stack="names")
    args = MtaStsArgs(domain, POLICY, DnsConfig("route53", zone_name="example.com"), rua=rua)
    with pytest.raises(InputError) as caught:
        rec.run(lambda: MtaSts("site", args))
    [problem] = caught.value.problems
    assert problem.field == "domain" and f"at most {room} characters" in problem.reason
    assert rec.resources == []


def test_a_label_ending_in_a_hyphen_is_a_problem_naming_the_domain() -> None:
    with pytest.raises(InputError) as caught:
        deploy("relay-.example.com", "route53", "cloudfront")
    assert {p.field for p in caught.value.problems} == {"domain"}
