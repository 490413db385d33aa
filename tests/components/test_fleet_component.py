"""MtaStsFleet under the mock runtime: three domains across Route53 and Cloudflare (one delegated),
each with its own policy, id, TXT records and PolicyLive gate; arguments checked first; the
resources each domain adds."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pulumi_mta_sts import DelegationArgs, DnsConfig, FleetDomainArgs, InputError, MtaStsFleet, MtaStsFleetArgs, Policy
from pulumi_mta_sts.core.policy import policy_id
from pulumi_mta_sts.core.records import sts_record_value
from pulumi_mta_sts.plan.engine import RecordedResource
from tests.components.fleet_support import run_program, three_domains
from tests.pulumi_mock import Recorder, depends_on

POLICY_LIVE = "pulumi-python:dynamic/mtasts:PolicyLive"
ROUTE53 = "aws:route53/record:Record"
CLOUDFLARE = "cloudflare:index/dnsRecord:DnsRecord"


def txt_of(rec: Recorder, name: str) -> RecordedResource:
    return rec.named(f"fleet-{name}-mta-sts-txt")


def test_three_domains_each_with_their_own_policy_id_records_and_gate(pulumi_mocks: Recorder) -> None:
    run_program(pulumi_mocks, three_domains())
    domains = pulumi_mocks.stack_outputs["domains"]
    assert set(domains) == {"example.com", "example.org", "customer.example"}
    gates = {r.inputs["url"]: r for r in pulumi_mocks.of_type(POLICY_LIVE)}
    assert len(gates) == 3
    for domain, label in (
        ("example.com", "example-com"),
        ("example.org", "example-org"),
        ("customer.example", "customer-example"),
    ):
        gate = gates[f"https://mta-sts.{domain}/.well-known/mta-sts.txt"]
        text = gate.inputs["policy_text"]
        assert domains[domain]["policy_id"] == policy_id(text.encode())  # the hash of its own bytes
        txt = txt_of(pulumi_mocks, label)
        assert depends_on(txt, gate)  # its id only after its own body is served
        assert not any(depends_on(txt, other) for other in gates.values() if other is not gate)
        record = domains[domain]["records"][0]
        assert record["value"] == sts_record_value(domains[domain]["policy_id"])
    assert len({d["policy_id"] for d in domains.values()}) == 3


def test_each_domain_goes_to_its_own_provider(pulumi_mocks: Recorder) -> None:
    run_program(pulumi_mocks, three_domains())
    assert txt_of(pulumi_mocks, "example-com").type == ROUTE53
    assert txt_of(pulumi_mocks, "example-com").inputs["name"] == "_mta-sts.example.com"
    assert txt_of(pulumi_mocks, "example-org").type == CLOUDFLARE
    assert txt_of(pulumi_mocks, "example-org").inputs["name"] == "_mta-sts.example.org"
    delegated = txt_of(pulumi_mocks, "customer-example")
    assert delegated.type == ROUTE53 and delegated.inputs["name"] == "_mta-sts.customer.example.mta-sts.example.net"
    kinds = Counter(r.type for r in pulumi_mocks.resources if r.type.startswith("mta-sts:hosting:"))
    assert kinds == {"mta-sts:hosting:SharedCloudFrontHosting": 1, "mta-sts:hosting:SharedWorkerHosting": 1}
    assert len(pulumi_mocks.of_type("aws:cloudfront/distribution:Distribution")) == 1  # shared by two domains


def test_the_gate_waits_for_what_serves_the_domain(pulumi_mocks: Recorder) -> None:
    run_program(pulumi_mocks, three_domains())
    gate = pulumi_mocks.named("fleet-example-com-policy-live")
    distribution = pulumi_mocks.one("aws:cloudfront/distribution:Distribution")
    assert depends_on(gate, distribution) and depends_on(gate, "fleet-cloudfront-example.com-policy")
    worker_gate = pulumi_mocks.named("fleet-example-org-policy-live")
    assert depends_on(worker_gate, pulumi_mocks.one("cloudflare:index/workersScript:WorkersScript"))


def test_only_a_delegated_domain_has_customer_records(pulumi_mocks: Recorder) -> None:
    run_program(pulumi_mocks, three_domains())
    domains = pulumi_mocks.stack_outputs["domains"]
    assert domains["example.com"]["customer_records"] == [] == domains["example.org"]["customer_records"]
    records = domains["customer.example"]["customer_records"]
    names = [r["name"] for r in records]
    assert names[0] == "mta-sts.customer.example" and names[-1] == "_mta-sts.customer.example"
    assert {r["type"] for r in records} == {"CNAME"}
    assert {
        "name": "_smtp._tls.customer.example",
        "type": "CNAME",
        "value": "_smtp._tls.customer.example.mta-sts.example.net",
    } in records
    assert any(r["value"].endswith(".acm-validations.aws") for r in records)  # the certificate's validation
    assert domains["customer.example"]["delegated"] is True


def _own_resources(rec: Recorder, domain: str) -> list[RecordedResource]:
    """The custom resources that exist for ``domain`` alone (named after it)."""
    label = domain.replace(".", "-")
    return [r for r in rec.resources if r.custom and (f"-{domain}-" in r.name or f"-{label}-" in r.name)]


def _fleet(n: int, **domain: Any) -> dict[str, Any]:
    return {
        "defaults": {"dns": {"provider": "route53", "zone_name": "example.com"}, **domain},
        "domains": [{"domain": f"d{i}.example.com", "policy": {"mx": ["mx.example.com"]}} for i in range(n)],
    }


@pytest.mark.parametrize(("rua", "expected"), [(False, 5), (True, 6)])
def test_resources_each_delegated_domain_adds(pulumi_mocks: Recorder, rua: bool, expected: int) -> None:
    """A delegated domain: no validation record in our DNS (its owner publishes it)."""
    values = _fleet(3, delegated=True, **({"reporting": {"rua": ["mailto:tlsrpt@example.com"]}} if rua else {}))
    values["delegation"] = {"provider": "route53", "zone_name": "mta-sts.example.net"}
    del values["defaults"]["dns"]
    run_program(pulumi_mocks, values)
    counts = {d: len(_own_resources(pulumi_mocks, d)) for d in ("d0.example.com", "d1.example.com", "d2.example.com")}
    assert set(counts.values()) == {expected}, counts


@pytest.mark.parametrize(("rua", "expected"), [(False, 6), (True, 7)])
def test_resources_each_aws_domain_adds(pulumi_mocks: Recorder, rua: bool, expected: int) -> None:
    """Counted, not guessed: the resources of one Route53 domain beside the shared ones. The
    fleet's own share is its gate and TXT records; the rest is the shared hosting's (the policy
    entry, the validation record, the alias A + AAAA)."""
    extra = {"reporting": {"rua": ["mailto:tlsrpt@example.com"]}} if rua else {}
    run_program(pulumi_mocks, _fleet(3, **extra))
    total = len([r for r in pulumi_mocks.resources if r.custom])
    own = {d: _own_resources(pulumi_mocks, d) for d in ("d0.example.com", "d1.example.com", "d2.example.com")}
    counts = {d: len(rs) for d, rs in own.items()}
    assert set(counts.values()) == {expected}, {d: [r.name for r in rs] for d, rs in own.items()}
    kinds = Counter(r.type for r in own["d0.example.com"])
    assert kinds[POLICY_LIVE] == 1 and kinds["aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"] == 1
    assert kinds[ROUTE53] == expected - 2  # TXT(s), validation, alias A + AAAA
    shared = total - sum(counts.values())
    assert shared == len(
        [
            r
            for r in pulumi_mocks.resources
            if r.custom and r.name.startswith("fleet-cloudfront") and not any(r in rs for rs in own.values())
        ]
    )


# ---- the library component ------------------------------------------------------------------------
def _policy(mode: str = "testing") -> Policy:
    return Policy.build(mode, ["mx.example.com"], 86401)


def test_the_component_alone_with_a_delegated_domain(pulumi_mocks: Recorder) -> None:
    args = MtaStsFleetArgs(
        domains=[
            FleetDomainArgs("a.example.com", _policy(), DnsConfig("route53", zone_name="example.com")),
            FleetDomainArgs("b.example.com", _policy("enforce"), DnsConfig("route53", zone_name="example.com")),
            FleetDomainArgs("hosted.example", _policy(), None, rua=["mailto:r@example.com"]),
        ],
        delegation=DelegationArgs("mta-sts.provider.example", DnsConfig("cloudflare", zone_name="provider.example")),
    )
    pulumi_mocks.run(lambda: MtaStsFleet("mail", args))
    backends = [r.name for r in pulumi_mocks.resources if r.type.startswith("mta-sts:dns:")]
    assert sorted(backends) == ["mail-dns-cloudflare-provider-example", "mail-dns-route53-example-com"]  # one per zone
    hosted = pulumi_mocks.named("mail-hosted-example-mta-sts-txt")
    assert hosted.type == CLOUDFLARE and hosted.inputs["name"] == "_mta-sts.hosted.example.mta-sts.provider.example"


def test_arguments_are_checked_before_anything_is_registered(pulumi_mocks: Recorder) -> None:
    args = MtaStsFleetArgs(
        domains=[
            FleetDomainArgs("a.example.com", _policy(), DnsConfig("route53")),
            FleetDomainArgs("A.example.com", "testing", DnsConfig("gandi")),  # type: ignore[arg-type]
            FleetDomainArgs("hosted.example", _policy(), None, host="worker", verify_timeout=1),
        ],
        domains_per_certificate=0,
        store_keys="per-key",
    )
    with pytest.raises(InputError) as caught:
        pulumi_mocks.run(lambda: MtaStsFleet("mail", args))
    fields = {p.field for p in caught.value.problems}
    assert {
        "domains[0].dns.zone_id",
        "domains[1].policy",
        "domains[1].dns.provider",
        "domains[2].host",
        "domains[2].verify_timeout",
        "delegation",
        "domains_per_certificate",
        "store_keys",
    } <= fields, fields
    assert pulumi_mocks.resources == []


def test_the_store_keys_layout_reaches_the_shared_host_and_migrating_says_what_to_do(pulumi_mocks: Recorder) -> None:
    values = _fleet(2)
    run_program(pulumi_mocks, values)  # the default: migrating
    keys = "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"
    assert {r.name for r in pulumi_mocks.of_type(keys)} == {f"fleet-cloudfront-d{i}.example.com-policy" for i in (0, 1)}
    assert any("store_keys is migrating" in w and "exclusive" in w for w in pulumi_mocks.warnings)


def test_the_exclusive_layout_has_no_per_key_resource_and_no_warning(pulumi_mocks: Recorder) -> None:
    values = _fleet(2)
    values["defaults"]["host"] = {"store_keys": "exclusive"}
    run_program(pulumi_mocks, values)
    assert not pulumi_mocks.of_type("aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey")
    assert pulumi_mocks.one("aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive")
    assert not any("store_keys" in w for w in pulumi_mocks.warnings)


def test_verify_live_off_publishes_after_the_hosting_with_a_warning(pulumi_mocks: Recorder) -> None:
    values = _fleet(2)
    values["domains"][1]["host"] = {"verify_live": False}
    run_program(pulumi_mocks, values)
    assert [r.name for r in pulumi_mocks.of_type(POLICY_LIVE)] == ["fleet-d0-example-com-policy-live"]
    txt = pulumi_mocks.named("fleet-d1-example-com-mta-sts-txt")
    assert depends_on(txt, "fleet-cloudfront-shard-0-cdn")
    assert any("verify_live is off for d1.example.com" in w for w in pulumi_mocks.warnings)


def test_an_offboarding_domain_serves_mode_none_and_keeps_its_records(pulumi_mocks: Recorder) -> None:
    values = _fleet(2)
    values["domains"][0].update(
        offboard="2026-01-01", policy={"mode": "enforce", "max_age": 604800, "mx": ["mx.example.com"]}
    )
    run_program(pulumi_mocks, values)
    gate = pulumi_mocks.named("fleet-d0-example-com-policy-live")
    assert "mode: none\r\n" in gate.inputs["policy_text"] and "max_age: 604800" in gate.inputs["policy_text"]
    assert pulumi_mocks.stack_outputs["domains"]["d0.example.com"]["mode"] == "none"
    assert pulumi_mocks.named("fleet-d0-example-com-mta-sts-txt")
    assert any("is offboarding" in w and "2026-01-09" in w for w in pulumi_mocks.warnings)


def test_pinned_shards_are_kept_and_exported(pulumi_mocks: Recorder) -> None:
    values = _fleet(3)
    values["defaults"]["host"] = {"domains_per_certificate": 2}
    values["domains"][2]["shard"] = 0
    run_program(pulumi_mocks, values)
    shards = pulumi_mocks.stack_outputs["shards"]
    assert shards["d2.example.com"] == 0 and sorted(shards.values()) == [0, 0, 1]


def test_the_preflight_names_every_enforce_domain_with_an_uncovered_mx(pulumi_mocks: Recorder) -> None:
    from pulumi_mta_sts.program.options import ProgramOptions
    from pulumi_mta_sts.program.pipeline import StackInputError
    from tests.livefixture.dns_server import DnsFixture, Zone

    zone = Zone()
    for name in ("d0.example.com", "d1.example.com", "d2.example.com"):
        zone.add(name, "MX", (10, f"mx.{name}"))  # the policies allow only mx.example.com
    dns = DnsFixture(zone)
    try:
        values = _fleet(3, policy={"mode": "enforce", "max_age": 604800})
        values["domains"][2]["policy"]["mode"] = "testing"
        options = ProgramOptions(live_dns=True, nameservers=(dns.nameserver,), dns_timeout=2.0)
        with pytest.raises(StackInputError) as caught:
            run_program(pulumi_mocks, values, options=options)
    finally:
        dns.stop()
    fields = [p.field for p in caught.value.problems]
    assert fields == ["mta-sts:domains[0].policy.mx", "mta-sts:domains[1].policy.mx"], caught.value
    assert pulumi_mocks.resources == []  # stopped before anything was registered
