"""A one-domain CloudFront host needs an ACM certificate whose first name fits 64 characters:
stack config refuses, naming ``mta-sts:domain``, a domain for which no such name exists."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.names import ACM_COMMON_NAME_LIMIT, certificate_common_name
from tests.strategies import domain_under


def _domain(labels: list[int]) -> str:
    return ".".join("a" * n for n in labels) + ".com"


def _values(domain: str, provider: str, kind: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "domain": domain,
        "dns": {"provider": provider, "zone_id": "Z1" if provider == "route53" else "0" * 32},
        "policy": {"mode": "testing", "mx": ["mx.example.net"], "max_age": 86401},
    }
    if kind is not None:
        values["host"] = {"kind": kind}
    return values


domains = st.lists(st.integers(1, 63), min_size=1, max_size=3).map(_domain).filter(lambda d: len(d) <= 240)


@given(domains)
def test_a_cloudfront_host_is_accepted_exactly_when_acm_has_a_common_name_for_it(domain: str) -> None:
    fits = len(domain) <= ACM_COMMON_NAME_LIMIT
    assert (certificate_common_name(f"mta-sts.{domain}", domain) is not None) is fits
    _assert_refused_unless(_values(domain, "route53", None), fits, "host.kind: worker")  # Route53: CloudFront


def _assert_refused_unless(values: dict[str, Any], fits: bool, said: str) -> None:
    """The stack config loads when ``fits``, else is refused once, naming ``mta-sts:domain``."""
    try:
        load_stack_config(values)
    except InputError as exc:
        assert not fits
        [problem] = exc.problems
        assert problem.field == "mta-sts:domain" and said in problem.reason
    else:
        assert fits


@given(domains)
def test_a_worker_host_needs_no_acm_certificate_whatever_the_length(domain: str) -> None:
    load_stack_config(_values(domain, "cloudflare", "worker"))


@pytest.mark.parametrize("length", [56, 57, 64])
def test_the_host_is_the_common_name_while_it_fits_then_the_domain(length: int) -> None:
    domain = "a" * (length - 4) + ".com"
    host = f"mta-sts.{domain}"
    assert certificate_common_name(host, domain) == (host if len(host) <= 64 else domain)


# ---- the zone apex, when both mta-sts.<domain> and the domain are longer than 64 -------------------------
def _zone(length: int) -> str:
    """A zone name of exactly ``length`` characters (ending in ``.com``)."""
    return domain_under("com", length) if length > 4 else "a.com"


#: Lengths on both sides of every boundary: the host (56/57: mta-sts. is 8), the domain and the zone (64/65).
BOUNDARY = st.sampled_from([5, 20, 55, 56, 57, 58, 62, 63, 64, 65, 66, 80, 120])


@st.composite
def zones_and_domains(draw: st.DrawFn) -> tuple[str, str]:
    zone = _zone(draw(BOUNDARY))
    length = max(draw(BOUNDARY), len(zone))
    domain = zone if length == len(zone) else domain_under(zone, max(length, len(zone) + 2))
    return zone, domain


def _old_rule(host: str, domain: str) -> str | None:
    return next((n for n in (host, domain) if len(n) <= ACM_COMMON_NAME_LIMIT), None)


@given(zones_and_domains())
def test_the_first_name_is_the_host_then_the_domain_then_the_zone_apex(names: tuple[str, str]) -> None:
    zone, domain = names
    host = f"mta-sts.{domain}"
    expected = next((n for n in (host, domain, zone) if len(n) <= ACM_COMMON_NAME_LIMIT), None)
    assert certificate_common_name(host, domain, zone) == expected
    if _old_rule(host, domain) is not None:  # what fitted before is unchanged: no certificate is replaced
        assert certificate_common_name(host, domain, zone) == _old_rule(host, domain)
    assert certificate_common_name(host, domain, "other.example") == _old_rule(host, domain)  # not its zone


@given(zones_and_domains())
def test_the_stack_refuses_exactly_when_no_name_fits_naming_mta_sts_domain(names: tuple[str, str]) -> None:
    zone, domain = names
    values = _values(domain, "route53", None)
    values["dns"] = {"provider": "route53", "zone_name": zone}
    fits = certificate_common_name(f"mta-sts.{domain}", domain, zone) is not None
    _assert_refused_unless(values, fits, "mta-sts:dns.zone_name")
