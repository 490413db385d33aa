"""Physical names (core/names.py): every name fits its provider's limit for every valid domain,
today's names are kept where they fit, and two domains never share a cut name."""

from __future__ import annotations

import re

import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core import names
from pulumi_mta_sts.core.names import (
    AUTONAME_SUFFIX_LENGTH,
    CLOUDFRONT_FUNCTION,
    CLOUDFRONT_OAC,
    IAM_ROLE,
    S3_BUCKET,
    SES_RECEIPT_RULE,
    WORKER_SCRIPT,
    NameRule,
    autoname_base,
    name_problem,
    physical_name,
    slug,
)

#: Every rule core/names.py defines, in its order.
RULES = [rule for rule in vars(names).values() if isinstance(rule, NameRule)]
PREFIXES = ("mta-sts", "tlsrpt", "mta-sts-only-policy", "example-com-tlsrpt-function")

#: A DNS label as the generators want it: letters, digits and hyphens, ending in anything.
label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=63)


@st.composite
def domains(draw: st.DrawFn) -> str:
    """Domains up to 253 characters whose labels may end in digits or hyphens."""
    labels = draw(st.lists(label, min_size=2, max_size=8))
    return ".".join(labels)[:253].strip(".") or "a.b"


def long_domain(length: int = 253) -> str:
    parts, total = [], 0
    while total < length - 64:
        parts.append("a" * 62 + "9")
        total += 64
    parts.append("x" * (length - total))
    return ".".join(parts)


def idn_domain() -> str:
    """A long IDN domain in its A-label form (what the config hands the components)."""
    return idna.encode("bücher-und-zeitschriften-für-alle.straße-der-einheit.münchen.example").decode()


def assert_fits(rule: NameRule, name: str) -> None:
    assert len(name) <= rule.limit, (rule.kind, name)
    assert re.fullmatch(f"[{rule.charset}]+", name), (rule.kind, name)
    assert name_problem(rule, name) is None, (rule.kind, name, name_problem(rule, name))
    if rule.lowercase:
        assert name == name.lower()
    if rule.alnum_edges:
        assert name[0].isalnum() and name[-1].isalnum()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.kind)
@pytest.mark.parametrize("domain", [long_domain(), idn_domain(), "a-1.b-.9-.example-", "mail.example-industries.co.uk"])
def test_named_examples_fit(rule: NameRule, domain: str) -> None:
    for prefix in PREFIXES:
        assert_fits(rule, physical_name(rule, prefix, domain))


@settings(max_examples=300, deadline=None)
@given(domain=domains(), prefix=st.sampled_from(PREFIXES), rule=st.sampled_from(RULES))
def test_every_name_fits_its_rule(domain: str, prefix: str, rule: NameRule) -> None:
    assert_fits(rule, physical_name(rule, prefix, domain))


@settings(max_examples=300, deadline=None)
@given(domain=domains(), prefix=st.sampled_from(PREFIXES), rule=st.sampled_from(RULES))
def test_autonamed_base_fits_after_pulumis_suffix(domain: str, prefix: str, rule: NameRule) -> None:
    base = autoname_base(rule, prefix, domain)
    assert len(base) + AUTONAME_SUFFIX_LENGTH <= rule.limit
    assert_fits(rule, base + "-abc1234")


@settings(max_examples=200, deadline=None)
@given(head=st.text(alphabet="abcdefghij", min_size=70, max_size=200), a=label, b=label)
def test_domains_differing_after_the_cut_get_different_names(head: str, a: str, b: str) -> None:
    if slug(a) == slug(b):
        return
    first, second = f"{head}.{a}.com", f"{head}.{b}.com"
    for rule in RULES:
        if len(slug("tlsrpt", first)) > rule.limit or len(slug("tlsrpt", second)) > rule.limit:
            assert physical_name(rule, "tlsrpt", first) != physical_name(rule, "tlsrpt", second), rule.kind


@pytest.mark.parametrize(
    ("rule", "logical"),
    [(S3_BUCKET, "MySite-host-bucket"), (IAM_ROLE, "my_site.tlsrpt-role"), (S3_BUCKET, "example-com-host-bucket")],
)
def test_a_logical_name_that_fits_is_kept_exactly(rule: NameRule, logical: str) -> None:
    """A changed logical name replaces the resource: keep it where the provider takes it."""
    assert autoname_base(rule, logical) == logical


def test_names_are_stable() -> None:
    assert physical_name(IAM_ROLE, "tlsrpt", long_domain()) == physical_name(IAM_ROLE, "tlsrpt", long_domain())


@pytest.mark.parametrize(
    ("rule", "prefix", "domain", "expected"),
    [
        (CLOUDFRONT_OAC, "mta-sts", "example.com", "mta-sts-example-com"),
        (CLOUDFRONT_FUNCTION, "mta-sts-only-policy", "example.com", "mta-sts-only-policy-example-com"),
        (WORKER_SCRIPT, "mta-sts", "example.org", "mta-sts-example-org"),
        (SES_RECEIPT_RULE, "tlsrpt", "mail.example-industries.co.uk", "tlsrpt-mail-example-industries-co-uk"),
    ],
)
def test_todays_names_are_kept_where_they_fit(rule: NameRule, prefix: str, domain: str, expected: str) -> None:
    assert physical_name(rule, prefix, domain) == expected


def test_a_cut_name_keeps_the_readable_head_and_adds_a_hash() -> None:
    name = physical_name(SES_RECEIPT_RULE, "tlsrpt", long_domain())
    assert len(name) == 63 and name.startswith("tlsrpt-aaaa")
    assert re.fullmatch(r".*-[a-z2-7]{8}", name)


def test_forbidden_s3_suffix_is_hashed_away() -> None:
    name = physical_name(S3_BUCKET, "tlsrpt", "example--ol-s3")
    assert_fits(S3_BUCKET, name)
    assert not name.endswith("--ol-s3")


@pytest.mark.parametrize("make", [physical_name, autoname_base])
def test_an_idn_label_first_is_escaped_where_the_provider_reserves_xn(make: object) -> None:
    """S3 refuses bucket names starting with ``xn--``: an IDN domain's first label is one."""
    assert callable(make)
    name = make(S3_BUCKET, "xn--bcher-kva", "example")
    assert name == "x-xn--bcher-kva-example"
    assert_fits(S3_BUCKET, name)
    assert physical_name(IAM_ROLE, "xn--bcher-kva", "example") == "xn--bcher-kva-example"  # IAM does not care


@settings(max_examples=200, deadline=None)
@given(domain=domains(), rule=st.sampled_from(RULES))
def test_a_domain_first_in_the_name_fits_too(domain: str, rule: NameRule) -> None:
    """Logical names of autonamed resources start with the domain (``<domain>-host-bucket``)."""
    idn = "xn--" + domain
    assert_fits(rule, physical_name(rule, idn, "host-bucket"))
    assert_fits(rule, autoname_base(rule, idn, "host-bucket") + "-abc1234")


@pytest.mark.parametrize(
    ("rule", "name", "reason"),
    [
        (SES_RECEIPT_RULE, "x" * 64, "1 to 63"),
        (SES_RECEIPT_RULE, "-rule", "letter or a digit"),
        (S3_BUCKET, "Upper", "characters"),
        (IAM_ROLE, "", "1 to 64"),
    ],
)
def test_name_problem_says_why(rule: NameRule, name: str, reason: str) -> None:
    problem = name_problem(rule, name)
    assert problem is not None and reason in problem


def test_every_rule_cites_its_source() -> None:
    for rule in RULES:
        assert rule.source.startswith("https://"), rule.kind
