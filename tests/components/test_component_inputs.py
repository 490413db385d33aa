"""Every component checks its arguments before it registers anything.

For each component (``MtaSts``, the DNS backends, the policy hosts) a wrong argument raises
:class:`InputError` naming the field, and the mock engine then holds no resource of it at all: a
mistake never leaves half a deployment in the stack. Where stack config has the same setting,
the message is the same for library and stack users, and so are the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.cloudfront import CloudFrontHost, CloudFrontHostArgs
from pulumi_mta_sts.hosting.worker import WorkerHost, WorkerHostArgs
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.spec import DnsConfig
from tests.pulumi_mock import Recorder, make_recorder

POLICY = Policy.build("testing", ["mx1.example.com"], 86401)
#: The smallest valid stack config (``mta-sts:`` keys).
STACK: dict[str, Any] = {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx1.example.com"]}}


def refused(rec: Recorder, program: Callable[[], object]) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as err:
        rec.run(program)
    return err.value.problems


def roots(problems: tuple[Problem, ...]) -> set[str]:
    """``dns.zone_id`` -> ``dns``, ``rua[0]`` -> ``rua``, ``tags.k`` -> ``tags``."""
    return {re.split(r"[\[.]", p.field)[0] for p in problems}


def test_the_recorder_does_see_what_was_registered_before_a_failure(pulumi_mocks: Recorder) -> None:
    """The control for every 'no resource' assertion below."""

    def program() -> None:
        Route53Dns("dns", Route53DnsArgs(zone_id="Z1"))
        raise InputError([Problem("x", None, "stop")])

    refused(pulumi_mocks, program)
    assert [r.name for r in pulumi_mocks.resources] == ["dns"]


# ---- MtaSts --------------------------------------------------------------------------------------
BAD_MTASTS: dict[str, list[object]] = {
    "domain": ["not a domain", "192.0.2.1", 42, "example..com"],
    "policy": ["testing", None, {"mode": "testing"}],
    "dns": [
        "route53",
        DnsConfig("bogus", zone_name="example.com"),
        DnsConfig("route53"),
        DnsConfig("route53", zone_id="Z 1"),
        DnsConfig("cloudflare", zone_name="-bad-.example.com"),
    ],
    "host": ["lambda", "CloudFront"],
    "rua": [["http://example.com/report"], "mailto:tlsrpt@example.com", ["mailto:not-an-address"]],
    "verify_timeout": [5, 99_999, "600", True],
    "price_class": ["PriceClass_300", "priceclass_100", None],
    "tags": [{"team": 1}, {"": "x"}, ["team"], {"k" * 129: "v"}],
}
MTASTS_BASE: dict[str, Any] = {
    "domain": "example.com",
    "policy": POLICY,
    "dns": DnsConfig("route53", zone_name="example.com"),
    "rua": ["mailto:tlsrpt@example.com"],
}


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, values in BAD_MTASTS.items() for v in values])
def test_mtasts_refuses_a_wrong_argument_before_registering_anything(
    pulumi_mocks: Recorder, field: str, value: object
) -> None:
    args = MtaStsArgs(**{**MTASTS_BASE, field: value})
    problems = refused(pulumi_mocks, lambda: MtaSts("example-com", args))
    assert roots(problems) == {field}
    assert pulumi_mocks.resources == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(BAD_MTASTS)), st.none(), min_size=1), st.data())
def test_mtasts_lists_every_wrong_argument_at_once(broken: dict[str, None], data: st.DataObject) -> None:
    values = {field: data.draw(st.sampled_from(BAD_MTASTS[field]), field) for field in broken}
    args = MtaStsArgs(**{**MTASTS_BASE, **values})
    rec = make_recorder().install(stack="test")
    problems = refused(rec, lambda: MtaSts("example-com", args))
    assert roots(problems) == set(values)
    assert rec.resources == []


def test_a_worker_on_route53_is_refused_as_in_stack_config(pulumi_mocks: Recorder) -> None:
    args = MtaStsArgs(**{**MTASTS_BASE, "host": "worker"})
    [problem] = refused(pulumi_mocks, lambda: MtaSts("example-com", args))
    with pytest.raises(InputError) as err:
        load_stack_config({**STACK, "host": {"kind": "worker"}})
    [config_problem] = err.value.problems
    assert (problem.field, config_problem.field) == ("host", "mta-sts:host.kind")
    assert problem.reason == config_problem.reason
    assert pulumi_mocks.resources == []


def test_a_worker_on_a_route53_backend_passed_in_is_refused_before_the_component_exists(
    pulumi_mocks: Recorder,
) -> None:
    def program() -> None:
        dns = Route53Dns("zone", Route53DnsArgs(zone_id="Z1"))
        MtaSts("example-com", MtaStsArgs(**{**MTASTS_BASE, "dns": dns, "host": "worker"}))

    [problem] = refused(pulumi_mocks, program)
    assert problem.field == "host" and "Cloudflare Worker" in problem.reason
    assert [r.name for r in pulumi_mocks.resources] == ["zone"]


def test_the_verify_timeout_message_is_the_stack_configs(pulumi_mocks: Recorder) -> None:
    args = MtaStsArgs(**{**MTASTS_BASE, "verify_timeout": 5})
    [problem] = refused(pulumi_mocks, lambda: MtaSts("example-com", args))
    with pytest.raises(InputError) as err:
        load_stack_config({**STACK, "host": {"verify_timeout": 5}})
    [config_problem] = err.value.problems
    assert problem.reason == config_problem.reason == "must be a whole number from 10 to 3600, got 5"


@pytest.mark.parametrize("provider", ["route53", "cloudflare"])
def test_the_default_host_is_the_dns_providers_as_in_stack_config(pulumi_mocks: Recorder, provider: str) -> None:
    cfg = load_stack_config({**STACK, "dns": {"provider": provider}})
    args = MtaStsArgs(**{**MTASTS_BASE, "dns": DnsConfig(provider, zone_name="example.com")})
    assert args.host is None
    pulumi_mocks.run(lambda: MtaSts("example-com", args))
    [host] = [r for r in pulumi_mocks.resources if r.type.startswith("mta-sts:hosting:")]
    assert (
        host.type
        == {"cloudfront": "mta-sts:hosting:CloudFrontHost", "worker": "mta-sts:hosting:WorkerHost"}[cfg.host.kind]
    )
    assert cfg.host.kind == {"route53": "cloudfront", "cloudflare": "worker"}[provider]


def test_library_defaults_are_the_stack_config_defaults() -> None:
    cfg = load_stack_config(STACK)
    args = MtaStsArgs(domain="example.com", policy=cfg.policy, dns=cfg.dns)
    assert MtaStsArgs(**vars(cfg.args())) == MtaStsArgs(**{**vars(args), "host": cfg.host.kind})
    assert (args.verify_live, args.verify_timeout) == (cfg.host.verify_live, cfg.host.verify_timeout)
    assert args.price_class == CloudFrontHostArgs("example.com", POLICY, None).price_class  # type: ignore[arg-type]


# ---- the DNS backends ----------------------------------------------------------------------------
BAD_BACKENDS: list[tuple[Callable[[], DnsBackend], set[str]]] = [
    (lambda: Route53Dns("dns", Route53DnsArgs()), {"zone_id"}),
    (lambda: Route53Dns("dns", Route53DnsArgs(zone_id="Z 1")), {"zone_id"}),
    (lambda: Route53Dns("dns", Route53DnsArgs(zone_id=5)), {"zone_id"}),  # type: ignore[arg-type]
    (lambda: Route53Dns("dns", Route53DnsArgs(zone_name="-bad-.com")), {"zone_name"}),
    (lambda: Route53Dns("dns", Route53DnsArgs(zone_id="", zone_name="exa mple.com")), {"zone_id", "zone_name"}),
    (lambda: CloudflareDns("dns", CloudflareDnsArgs()), {"zone_id"}),
    (lambda: CloudflareDns("dns", CloudflareDnsArgs(zone_name="192.0.2.1")), {"zone_name"}),
    (lambda: CloudflareDns("dns", CloudflareDnsArgs(zone_id="z1", account_id="a b")), {"account_id"}),
    (lambda: CloudflareDns("dns", CloudflareDnsArgs(account_id="")), {"zone_id", "account_id"}),
]


@pytest.mark.parametrize(("make", "fields"), BAD_BACKENDS)
def test_a_dns_backend_refuses_a_wrong_zone_before_registering_anything(
    pulumi_mocks: Recorder, make: Callable[[], DnsBackend], fields: set[str]
) -> None:
    problems = refused(pulumi_mocks, make)
    assert {p.field for p in problems} == fields
    assert pulumi_mocks.resources == [] and pulumi_mocks.invocations == []


def test_a_backend_normalises_the_zone_name_it_looks_up(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_name="Example.COM."))
        pulumi.export("zone", dns.zone_name)

    pulumi_mocks.run(program)
    [lookup] = pulumi_mocks.invoked("aws:route53/getZone:getZone")
    assert lookup.args["name"] == "example.com" == pulumi_mocks.stack_outputs["zone"]


# ---- the policy hosts ----------------------------------------------------------------------------
def cloudfront_host(**overrides: Any) -> Callable[[], object]:
    def program() -> None:
        dns = Route53Dns("zone", Route53DnsArgs(zone_id="Z1"))
        fields: dict[str, Any] = {"domain": "example.com", "policy": POLICY, "dns": dns, **overrides}
        CloudFrontHost("host", CloudFrontHostArgs(**fields))

    return program


def worker_host(**overrides: Any) -> Callable[[], object]:
    def program() -> None:
        dns = CloudflareDns("zone", CloudflareDnsArgs(zone_id="z1", account_id="a1"))
        fields: dict[str, Any] = {"domain": "example.com", "policy": POLICY, "dns": dns, **overrides}
        WorkerHost("host", WorkerHostArgs(**fields))

    return program


BAD_HOSTS: list[tuple[Callable[..., Callable[[], object]], dict[str, object]]] = [
    (cloudfront_host, {"domain": "mta sts"}),
    (cloudfront_host, {"domain": None}),
    (cloudfront_host, {"policy": "version: STSv1"}),
    (cloudfront_host, {"dns": "route53"}),
    (cloudfront_host, {"price_class": "PriceClass_1000"}),
    (cloudfront_host, {"tags": {"team": ["a"]}}),
    (cloudfront_host, {"domain": "-x-", "price_class": "all", "tags": "x"}),
    (worker_host, {"domain": "1.2.3.4"}),
    (worker_host, {"policy": None}),
    (worker_host, {"script_name": "My Worker"}),
    (worker_host, {"script_name": "x" * 64}),
    (worker_host, {"policy": None, "script_name": ""}),
]


@pytest.mark.parametrize(("make", "overrides"), BAD_HOSTS)
def test_a_host_refuses_a_wrong_argument_before_registering_anything(
    pulumi_mocks: Recorder, make: Callable[..., Callable[[], object]], overrides: dict[str, object]
) -> None:
    problems = refused(pulumi_mocks, make(**overrides))
    assert roots(problems) == set(overrides)
    assert [r.name for r in pulumi_mocks.resources] == ["zone"]  # only the backend it was given


def test_a_worker_host_needs_the_cloudflare_backend_with_the_stack_config_message(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = Route53Dns("zone", Route53DnsArgs(zone_id="Z1"))
        WorkerHost("host", WorkerHostArgs("example.com", POLICY, dns))  # type: ignore[arg-type]

    [problem] = refused(pulumi_mocks, program)
    assert problem.field == "dns"
    assert problem.reason.startswith("a Cloudflare Worker needs dns.provider cloudflare")
    assert [r.name for r in pulumi_mocks.resources] == ["zone"]


def test_a_cloudfront_price_class_is_checked_as_mtasts_checks_it(pulumi_mocks: Recorder) -> None:
    [host_problem] = refused(pulumi_mocks, cloudfront_host(price_class="PriceClass_300"))
    args = MtaStsArgs(**{**MTASTS_BASE, "price_class": "PriceClass_300"})
    [mtasts_problem] = refused(make_recorder().install(stack="test"), lambda: MtaSts("example-com", args))
    assert host_problem == mtasts_problem
    assert "use one of PriceClass_100, PriceClass_200, PriceClass_All" in host_problem.reason
