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
    try:
        load_stack_config(_values(domain, "route53", None))  # Route53's default host is CloudFront
    except InputError as exc:
        assert not fits
        [problem] = exc.problems
        assert problem.field == "mta-sts:domain" and "host.kind: worker" in problem.reason
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
