"""A table of invalid inputs: each one is refused with a problem naming the exact field.

Covers the policy model (RFC 8461 §3.2), the stack config layer and rua URIs. Every row builds a
complete, otherwise valid stack config and changes one thing.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError

VALID: dict[str, Any] = {
    "domain": "example.com",
    "dns": {"provider": "route53", "zone_name": "example.com"},
    "host": {"kind": "cloudfront"},
    "policy": {"mode": "enforce", "mx": ["mx1.example.com"], "max_age": 604800},
    "reporting": {"rua": ["mailto:tlsrpt@example.com"], "receiver": False},
    "preflight": {"mx_coverage": True},
}


class _Delete:
    def __repr__(self) -> str:
        return "<deleted>"


_DELETE = _Delete()


def _with(path: str, value: object) -> dict[str, Any]:
    config = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = config
    for name in parents:
        node = node.setdefault(name, {})
    if value is _DELETE:
        node.pop(last, None)
    else:
        node[last] = value
    return config


CASES: list[tuple[str, object, str]] = [
    # policy.max_age
    ("policy.max_age", 40_000_000, "mta-sts:policy.max_age"),
    ("policy.max_age", 31_557_601, "mta-sts:policy.max_age"),
    ("policy.max_age", -1, "mta-sts:policy.max_age"),
    ("policy.max_age", "1d", "mta-sts:policy.max_age"),
    ("policy.max_age", "12345678901", "mta-sts:policy.max_age"),
    ("policy.max_age", 1.5, "mta-sts:policy.max_age"),
    ("policy.max_age", True, "mta-sts:policy.max_age"),
    ("policy.max_age", None, "mta-sts:policy.max_age"),
    # policy.mode
    ("policy.mode", "enforcing", "mta-sts:policy.mode"),
    ("policy.mode", "", "mta-sts:policy.mode"),
    ("policy.mode", 1, "mta-sts:policy.mode"),
    # policy.mx
    ("policy.mx", [], "mta-sts:policy.mx"),
    ("policy.mx", _DELETE, "mta-sts:policy.mx"),
    ("policy.mx", {"a": 1}, "mta-sts:policy.mx"),
    ("policy.mx", ["192.0.2.1"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx1.example.com", "2001:db8::1"], "mta-sts:policy.mx[1]"),
    ("policy.mx", ["[192.0.2.1]"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx..example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", [".example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["a" * 64 + ".example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", [".".join(["a" * 60] * 5) + ".com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx.*.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["*mx.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["*.*.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["*"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["*.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["-mx.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx-.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx_1.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx 1.example.com"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["localhost"], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["mx.example.123"], "mta-sts:policy.mx[0]"),
    ("policy.mx", [""], "mta-sts:policy.mx[0]"),
    ("policy.mx", [42], "mta-sts:policy.mx[0]"),
    ("policy.mx", ["xn--zz.example.com"], "mta-sts:policy.mx[0]"),
    # policy extensions / unknown keys
    ("policy.extensions", {"mode": "x"}, "mta-sts:policy.extensions.mode"),
    ("policy.extensions", {"bad key": "x"}, "mta-sts:policy.extensions.bad key"),
    ("policy.extensions", {"k": "line\nbreak"}, "mta-sts:policy.extensions.k"),
    ("policy.extensions", "k=v", "mta-sts:policy.extensions"),
    ("policy.maxage", 100, "mta-sts:policy.maxage"),
    ("policy", "enforce", "mta-sts:policy"),
    # domain
    ("domain", _DELETE, "mta-sts:domain"),
    ("domain", "192.0.2.1", "mta-sts:domain"),
    ("domain", "example", "mta-sts:domain"),
    ("domain", "*.example.com", "mta-sts:domain"),
    ("domain", "exa mple.com", "mta-sts:domain"),
    # dns / host
    ("dns", _DELETE, "mta-sts:dns"),
    ("dns.provider", "route-53", "mta-sts:dns.provider"),
    ("dns.provider", _DELETE, "mta-sts:dns.provider"),
    ("dns.zone_name", "example.org", "mta-sts:dns.zone_name"),
    ("dns.zone_id", "has space", "mta-sts:dns.zone_id"),
    ("dns.zone", "example.com", "mta-sts:dns.zone"),
    ("host.kind", "s3", "mta-sts:host.kind"),
    ("host.kind", "worker", "mta-sts:host.kind"),  # a Worker needs Cloudflare DNS
    ("host.verify_live", "maybe", "mta-sts:host.verify_live"),
    ("host.verify_timeout", 5, "mta-sts:host.verify_timeout"),
    # reporting
    ("reporting.rua", ["tlsrpt@example.com"], "mta-sts:reporting.rua[0]"),
    ("reporting.rua", ["mailto:ok@example.com", "http://r.example.com/"], "mta-sts:reporting.rua[1]"),
    ("reporting.rua", ["mailto:a@example.com,b@example.com"], "mta-sts:reporting.rua[0]"),
    ("reporting.rua", {"to": "x"}, "mta-sts:reporting.rua"),
    ("reporting.alarm_email", "not-an-address", "mta-sts:reporting.alarm_email"),
    ("reporting.receiver", "yes please", "mta-sts:reporting.receiver"),
    # preflight and top level
    ("preflight.mx_coverage", "sometimes", "mta-sts:preflight.mx_coverage"),
    ("preflight.skip", True, "mta-sts:preflight.skip"),
    ("policys", {}, "mta-sts:policys"),
]


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_the_base_config_is_valid() -> None:
    assert load_stack_config(VALID).domain == "example.com"


@pytest.mark.parametrize(("path", "value", "field"), CASES, ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES])
def test_invalid_input_names_its_field(path: str, value: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        load_stack_config(_with(path, value))
    fields = [p.field for p in info.value.problems]
    assert field in fields, fields
    for problem in info.value.problems:
        assert str(problem).startswith(problem.field + ": ")
        assert len(problem.reason) > 10
