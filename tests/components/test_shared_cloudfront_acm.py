"""The certificates of the shared CloudFront host: every validation names all of its certificate's names or
none (the AWS provider fails at once on a list that misses one), the first name fits ACM's 64 characters,
and more than 100 shards get more CloudFront Functions (a function serves at most 100 distributions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.shards import function_groups
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.shared import FleetSite
from pulumi_mta_sts.hosting.shared_cloudfront import SharedCloudFrontHosting, SharedCloudFrontHostingArgs
from pulumi_mta_sts.plan.engine import RecordedResource
from tests.components.fleet_support import EXAMPLE_FLEET, run_program
from tests.pulumi_mock import Recorder, depends_on, make_recorder
from tests.strategies import domain_under

CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
DIST = "aws:cloudfront/distribution:Distribution"
FUNCTION = "aws:cloudfront/function:Function"
POLICY = Policy.build("testing", ["mx.example.net"], 86401).render()


def provider_refusal(certificate: RecordedResource, validation: RecordedResource) -> list[str]:
    """What ``aws_acm_certificate_validation``'s create does before it waits (terraform-provider-aws,
    ``internal/service/acm/certificate_validation.go``): with ``validation_record_fqdns`` given, every
    record name of the certificate's ``domain_validation_options`` must be among them (trailing dots
    ignored), else it fails at once with ``missing <name> DNS validation record``; without, it waits."""
    given_names = {str(f).rstrip(".") for f in validation.inputs.get("validationRecordFqdns") or []}
    if not given_names:
        return []
    options = certificate.state["domainValidationOptions"]
    wanted = {o["domainName"]: o["resourceRecordName"].rstrip(".") for o in options}
    return [f"missing {name} DNS validation record: {fqdn}" for name, fqdn in wanted.items() if fqdn not in given_names]


def certificates_and_validations(rec: Recorder) -> list[tuple[RecordedResource, RecordedResource]]:
    pairs = []
    for validation in rec.of_type(VALIDATION):
        certificate = rec.named(validation.name.removesuffix("-validation"))
        assert certificate.type == CERT
        pairs.append((certificate, validation))
    assert pairs
    return pairs


def assert_every_validation_names_all_or_none(rec: Recorder) -> None:
    for certificate, validation in certificates_and_validations(rec):
        assert provider_refusal(certificate, validation) == [], certificate.name
        names = validation.inputs.get("validationRecordFqdns") or []
        assert len(names) in (0, len(certificate.state["domainValidationOptions"])), certificate.name


# ---- the example fleet and generated fleets ---------------------------------------------------------------
def test_the_example_fleet_plans_with_every_validation_naming_all_its_names(pulumi_mocks: Recorder) -> None:
    from pulumi_mta_sts.config.stack import read_stack_file, stack_values

    run_program(pulumi_mocks, stack_values(read_stack_file(EXAMPLE_FLEET)))
    assert_every_validation_names_all_or_none(pulumi_mocks)
    mixed = [
        (c, v) for c, v in certificates_and_validations(pulumi_mocks) if len(c.state["domainValidationOptions"]) > 1
    ]
    assert mixed  # the example's shard holds a Route53 domain and a delegated one
    for certificate, validation in mixed:
        assert len(validation.inputs["validationRecordFqdns"]) == len(certificate.state["domainValidationOptions"])


def backend(kind: str, domain: str) -> DnsBackend | None:
    if kind == "route53":
        return Route53Dns(f"dns-{domain}", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
    if kind == "cloudflare":
        return CloudflareDns(f"dns-{domain}", CloudflareDnsArgs(zone_id="0" * 32, account_id="f" * 32))
    return None


def plan(sites: Callable[[], list[FleetSite]], **extra: Any) -> Recorder:
    rec = make_recorder().install(project="mta-sts", stack="test")

    def program() -> None:
        provider = Route53Dns("provider", Route53DnsArgs(zone_id="ZPROVIDER", zone_name="hosting.provider.example"))
        SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(sites=sites(), delegation_dns=provider, **extra))

    try:
        rec.run(program)
    finally:
        rec.close()
    return rec


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["route53", "cloudflare", "delegated"]), min_size=1, max_size=12), st.integers(1, 4))
def test_generated_fleets_name_all_or_none_in_every_validation(kinds: list[str], per_shard: int) -> None:
    domains = [(f"d{i}.example", kind) for i, kind in enumerate(kinds)]
    rec = plan(lambda: [FleetSite(d, POLICY, backend(k, d)) for d, k in domains], domains_per_certificate=per_shard)
    assert_every_validation_names_all_or_none(rec)
    for certificate, validation in certificates_and_validations(rec):
        names = [o["domainName"] for o in certificate.state["domainValidationOptions"]]
        delegated_only = all(kinds[int(n.split(".")[1][1:])] == "delegated" for n in names)
        assert bool(validation.inputs.get("validationRecordFqdns")) is not delegated_only  # none: only then


def test_a_shard_of_delegated_domains_only_names_none_as_before() -> None:
    rec = plan(lambda: [FleetSite("a.example", POLICY, None), FleetSite("b.example", POLICY, None)])
    [(_, validation)] = certificates_and_validations(rec)
    assert validation.inputs["validationRecordFqdns"] == []


# ---- ACM's 64-character first name, in a shard ------------------------------------------------------------
def long_domain(length: int, zone: str = "example") -> str:
    return domain_under(zone, length, "a")


def zone_backend(domain: str, zone: str) -> DnsBackend:
    return Route53Dns(f"dns-{domain}", Route53DnsArgs(zone_id="Z0123456789EXAMPLE", zone_name=zone))


@pytest.mark.parametrize("length", [56, 57, 63, 64, 65])
def test_a_shard_of_long_hosts_takes_a_domain_then_the_zone_apex_as_first_name(length: int) -> None:
    domain = long_domain(length)
    rec = plan(lambda: [FleetSite(domain, POLICY, zone_backend(domain, "example"))])
    [(certificate, validation)] = certificates_and_validations(rec)
    host = f"mta-sts.{domain}"
    expected = host if len(host) <= 64 else domain if length <= 64 else "example"
    assert certificate.inputs["domainName"] == expected
    assert [certificate.inputs["domainName"], *certificate.inputs.get("subjectAlternativeNames", [])] == list(
        dict.fromkeys([expected, host])
    )
    assert provider_refusal(certificate, validation) == []
    assert len(validation.inputs["validationRecordFqdns"]) == len(certificate.state["domainValidationOptions"])


def test_an_unchanged_shard_keeps_its_first_host_whatever_else_fits() -> None:
    long = long_domain(70)
    rec = plan(lambda: [FleetSite(long, POLICY, zone_backend(long, "example")), FleetSite("z.example", POLICY, None)])
    [(certificate, _)] = certificates_and_validations(rec)
    assert certificate.inputs["domainName"] == "mta-sts.z.example"  # a host fits: as before, no extra name
    assert not [r for r in rec.resources if r.name.endswith("first-name-validation")]


def test_two_shards_certifying_one_apex_share_its_validation_record() -> None:
    domains = [long_domain(66 + i) for i in range(2)]
    rec = plan(
        lambda: [FleetSite(d, POLICY, zone_backend(d, "example")) for d in domains],
        domains_per_certificate=2,
        assignment={domains[0]: 0, domains[1]: 1},
    )
    records = [r for r in rec.resources if r.name.endswith("first-name-validation")]
    assert len(records) == 1
    pairs = certificates_and_validations(rec)
    assert len(pairs) == 2 and {c.inputs["domainName"] for c, _ in pairs} == {"example"}
    assert all(depends_on(v, records[0]) for _, v in pairs)
    assert_every_validation_names_all_or_none(rec)


def refused(sites: Callable[[], list[FleetSite]], **extra: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        plan(sites, **extra)
    return caught.value


def test_a_shard_with_no_name_that_fits_is_refused() -> None:
    long = long_domain(80, zone="b" * 61 + ".example")  # zone apex 69 characters
    error = refused(lambda: [FleetSite(long, POLICY, zone_backend(long, "b" * 61 + ".example"))])
    [problem] = error.problems
    assert problem.field == "sites" and "at most 64" in problem.reason


def test_a_full_shard_that_needs_an_extra_first_name_is_refused() -> None:
    domains = [long_domain(66 + i) for i in range(2)]
    error = refused(
        lambda: [FleetSite(d, POLICY, zone_backend(d, "example")) for d in domains], domains_per_certificate=1
    )
    assert {p.field for p in error.problems} == {"sites"}
    assert "domains_per_certificate" in error.problems[0].reason


# ---- more than 100 shards: more functions -----------------------------------------------------------------
@given(st.sets(st.integers(0, 999), max_size=300))
def test_function_groups_never_put_more_than_100_shards_on_one_function(shards: set[int]) -> None:
    groups = function_groups(shards)
    assert groups.keys() == shards
    assert all(n <= 100 for n in Counter(groups.values()).values())
    if len(shards) <= 100:
        assert set(groups.values()) <= {0}  # as every fleet was: one function


@given(st.sets(st.integers(0, 999), min_size=101, max_size=300), st.sets(st.integers(0, 999), max_size=20))
def test_a_shards_function_stays_while_others_come_and_go(shards: set[int], others: set[int]) -> None:
    after = function_groups(shards | others)
    assert all(after[s] == g for s, g in function_groups(shards).items())


def test_101_shards_get_two_functions_reading_the_one_store() -> None:
    rec = plan(
        lambda: [FleetSite(f"d{i:03}.example", POLICY, backend("route53", f"d{i:03}.example")) for i in range(101)],
        domains_per_certificate=1,
    )
    functions = {f.name: f for f in rec.of_type(FUNCTION)}
    assert set(functions) == {"fleet-function", "fleet-function-1"}
    store = rec.one("aws:cloudfront/keyValueStore:KeyValueStore").state["arn"]
    assert {f.inputs["code"] for f in functions.values()} == {functions["fleet-function"].inputs["code"]}
    assert all(f.inputs["keyValueStoreAssociations"] == [store] for f in functions.values())
    uses: Counter[str] = Counter()
    for dist in rec.of_type(DIST):
        shard = int(dist.name.split("-")[2])
        [association] = dist.inputs["defaultCacheBehavior"]["functionAssociations"]
        name = "fleet-function" if shard < 100 else "fleet-function-1"
        assert association["functionArn"] == functions[name].state["arn"]
        uses[name] += 1
    assert uses == {"fleet-function": 100, "fleet-function-1": 1}


def test_up_to_100_shards_keep_the_one_function_they_had() -> None:
    rec = plan(
        lambda: [FleetSite(f"d{i:03}.example", POLICY, backend("route53", f"d{i:03}.example")) for i in range(100)],
        domains_per_certificate=1,
    )
    assert [f.name for f in rec.of_type(FUNCTION)] == ["fleet-function"]
