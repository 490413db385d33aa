"""The rules stack config shares with the components: one rule, one message, any field name.

Stack config reports ``mta-sts:dns.zone_id``; ``MtaSts`` reports ``dns.zone_id``; a DNS backend
reports ``zone_id``: the reason is the same text in all three, because all three call the one
function here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.spec.deployment import DnsConfig, dns_config_problems
from pulumi_mta_sts.spec.rules import (
    PRICE_CLASSES,
    host_kind_problems,
    id_problems,
    policy_problems,
    price_class_problems,
    tags_problems,
    whole_number_problems,
    zone_problems,
)


def verify_timeout_problems(value: object) -> list[Problem]:
    """What a component's ``verify_timeout`` is checked with (spec.deployment.check_domain)."""
    return whole_number_problems("verify_timeout", value, *defaults.VERIFY_TIMEOUT_RANGE)


STACK: dict[str, Any] = {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx1.example.com"]}}


def config_problem(**changes: Any) -> Problem:
    """The one problem stack config reports for ``STACK`` with ``changes`` (section: mapping)."""
    values = {**STACK, **changes}
    with pytest.raises(InputError) as err:
        load_stack_config(values)
    [problem] = err.value.problems
    return problem


@pytest.mark.parametrize(
    ("changes", "shared"),
    [
        ({"dns": {"provider": "route53", "zone_id": "Z 1"}}, id_problems("Z 1", "zone_id", "zone")),
        ({"dns": {"provider": "route53", "zone_name": "-x-"}}, zone_problems(None, "-x-")[1]),
        ({"host": {"kind": "lambda"}}, host_kind_problems("lambda", "route53")),
        ({"host": {"kind": "worker"}}, host_kind_problems("worker", "route53")),
        ({"host": {"verify_timeout": 5}}, verify_timeout_problems(5)),
        ({"dns": {"provider": "bind"}}, dns_config_problems(DnsConfig("bind", zone_name="example.com"))),
    ],
)
def test_stack_config_reports_the_shared_rules_words(changes: dict[str, Any], shared: list[Problem]) -> None:
    [expected] = shared
    got = config_problem(**changes)
    assert got.reason == expected.reason
    assert got.field.endswith(expected.field.rsplit(".", 1)[-1])


@given(st.integers(), st.booleans())
def test_verify_timeout_takes_whole_numbers_in_the_default_range(value: int, as_bool: bool) -> None:
    low, high = defaults.VERIFY_TIMEOUT_RANGE
    given_value: object = bool(value % 2) if as_bool else value
    ok = not as_bool and low <= value <= high
    assert (verify_timeout_problems(given_value) == []) is ok
    assert verify_timeout_problems(defaults.VERIFY_TIMEOUT) == []


@given(st.text(max_size=20))
def test_price_class_is_one_of_cloudfronts_three_exactly(value: str) -> None:
    assert (price_class_problems(value) == []) is (value in PRICE_CLASSES)
    assert price_class_problems(defaults.PRICE_CLASS) == []


@given(
    st.one_of(
        st.dictionaries(st.text(max_size=140), st.one_of(st.text(max_size=270), st.integers(), st.none()), max_size=3),
        st.lists(st.text(max_size=3), max_size=2),
        st.text(max_size=3),
    )
)
def test_tags_are_text_names_and_values_within_the_aws_limits(tags: object) -> None:
    valid = isinstance(tags, dict) and all(
        isinstance(v, str) and 1 <= len(k) <= 128 and len(v) <= 256 for k, v in tags.items()
    )
    problems = tags_problems(tags)
    assert (problems == []) is valid
    assert all(p.field == "tags" or p.field.startswith("tags.") for p in problems)


@pytest.mark.parametrize(
    ("zone_id", "zone_name", "fields"),
    [
        (None, None, ["zone_id"]),
        ("", None, ["zone_id"]),
        ("Z1", None, []),
        (None, "Example.COM.", []),
        (7, "example..com", ["zone_id", "zone_name"]),
    ],
)
def test_a_zone_is_an_id_or_a_name(zone_id: object, zone_name: object, fields: list[str]) -> None:
    normal, problems = zone_problems(zone_id, zone_name)
    assert [p.field for p in problems] == fields
    if zone_name == "Example.COM.":
        assert normal == "example.com"
    assert zone_problems(None, None, required=False) == (None, [])


def test_a_dns_config_given_to_a_component_is_checked_under_dns() -> None:
    problems = dns_config_problems(DnsConfig("bind", zone_id="a b"), "dns")
    assert [p.field for p in problems] == ["dns.provider", "dns.zone_id"]
    assert dns_config_problems(DnsConfig("cloudflare", zone_name="example.com")) == []


def test_components_take_a_ready_policy() -> None:
    assert policy_problems(Policy.build(mx=["mx.example.com"])) == []
    [problem] = policy_problems({"mode": "testing"})
    assert problem.field == "policy" and "Policy.build" in problem.reason


def test_a_worker_is_fine_on_cloudflare_and_when_the_provider_is_not_known() -> None:
    assert host_kind_problems("worker", "cloudflare") == []
    assert host_kind_problems("worker", None) == []
    assert host_kind_problems("cloudfront", "route53") == host_kind_problems("cloudfront", "cloudflare") == []
