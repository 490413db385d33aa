"""The shared AWS host of a fleet under the mock engine: what it creates once, per shard and per
domain, and plan-level proof that adding, removing and reordering domains leaves every other
domain's records, key and distribution exactly as they were."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.edge_code import fleet_function_code, kvs_entries
from pulumi_mta_sts.hosting.shared import FleetSite
from pulumi_mta_sts.hosting.shared_cloudfront import (
    SharedCloudFrontHosting,
    SharedCloudFrontHostingArgs,
    delegated_target,
)
from pulumi_mta_sts.plan.engine import RecordedResource
from tests.components.shared_node import needs_node, run_function
from tests.core.test_shards import moves
from tests.pulumi_mock import CACHING_DISABLED_POLICY_ID, CLOUDFRONT_ZONE_ID, Recorder, depends_on, make_recorder

R53 = "aws:route53/record:Record"
CF_RECORD = "cloudflare:index/dnsRecord:DnsRecord"
KEY = "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey"
KEYS = "aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive"
CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
DIST = "aws:cloudfront/distribution:Distribution"

SMALL = Policy.build("testing", ["mx.example.net"], 86401).render()
LARGE = Policy.build("enforce", [f"mx{i}.a-long-mail-host-name.example.net" for i in range(50)], 604800).render()
DOMAINS = [f"d{i:02}.example" for i in range(25)]


def policy_of(domain: str) -> str:
    return LARGE if domain == "d07.example" else SMALL


@dataclass
class Plan:
    rec: Recorder
    host: SharedCloudFrontHosting
    registered: dict[str, Any]
    customer_records: dict[str, list[dict[str, str]]]

    def named(self, name: str) -> RecordedResource:
        return self.rec.named(name)

    def of_domain(self, domain: str) -> dict[str, RecordedResource]:
        """The resources made for ``domain`` (by name), its DNS backend excluded."""
        return {r.name: r for r in self.rec.resources if r.name.startswith(f"fleet-{domain}-")}


def run_plan(
    domains: Sequence[str],
    assignment: dict[str, int] | None = None,
    *,
    per_shard: int = 10,
    backend: Callable[[str], DnsBackend | None] | None = None,
    delegation: Callable[[], DnsBackend] | None = None,
    **extra: Any,
) -> Plan:
    """One run of the mock engine with a shared host for ``domains`` (each in its own Route53 zone)."""
    rec = make_recorder().install(project="mta-sts", stack="test")
    registered: dict[str, Any] = {}
    original = rec.monitor.RegisterResource

    def spy(request: Any) -> Any:
        registered[request.name] = request
        return original(request)

    rec.monitor.RegisterResource = spy  # type: ignore[method-assign]
    holder: list[SharedCloudFrontHosting] = []
    customer: dict[str, list[dict[str, str]]] = {}

    def make(domain: str) -> DnsBackend | None:
        return Route53Dns(f"dns-{domain}", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))

    def program() -> None:
        sites = [FleetSite(d, policy_of(d), (backend or make)(d)) for d in domains]
        if delegation is not None:
            extra["delegation_dns"] = delegation()
        args = SharedCloudFrontHostingArgs(
            sites=sites, domains_per_certificate=per_shard, assignment=assignment, **extra
        )
        holder.append(SharedCloudFrontHosting("fleet", args))
        for d in domains:
            holder[0].site(d).customer_records.apply(lambda v, d=d: customer.__setitem__(d, v))  # type: ignore[misc]

    try:
        rec.run(program)
    finally:
        pulumi.runtime.set_all_config({})
        rec.close()
    return Plan(rec, holder[0], registered, customer)


@pytest.fixture(scope="module")
def base() -> Plan:
    return run_plan(DOMAINS)


def stored(plan: Plan) -> dict[str, str]:
    """The store as the exclusive resource writes it (every key of the fleet)."""
    return {p["key"]: p["value"] for p in plan.rec.one(KEYS).inputs["resourceKeyValuePairs"]}


# ---- what is created -----------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["migrating", "exclusive"])
def test_shared_resources_once_then_per_shard_then_at_most_four_per_domain(base: Plan, layout: str) -> None:
    plan = base if layout == "migrating" else run_plan(DOMAINS, store_keys=layout)
    counts = Counter(r.type for r in plan.rec.resources if not r.name.startswith("dns-"))
    large_chunks = len(kvs_entries("mta-sts.d07.example", LARGE)) - 1
    heads = 25 if layout == "migrating" else 0  # the retained per-key resources of earlier versions
    assert counts == {
        "mta-sts:hosting:SharedCloudFrontHosting": 1,
        "aws:cloudfront/keyValueStore:KeyValueStore": 1,
        "aws:cloudfront/function:Function": 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
        CERT: 3,  # ceil(25 / 10)
        VALIDATION: 3,
        DIST: 3,
        KEYS: 1,
        KEY: heads + large_chunks,
        R53: 25 * 3,  # validation CNAME + alias A + AAAA
    }
    small = [d for d in DOMAINS if policy_of(d) == SMALL]
    assert {len(plan.of_domain(d)) for d in small} == {4 if layout == "migrating" else 3}  # (key,) validation, A, AAAA
    assert "aws:s3/bucketPolicy:BucketPolicy" not in counts  # nothing may read the origin


def test_the_function_answers_from_the_store_and_runs_on_every_distribution(base: Plan) -> None:
    function = base.rec.one("aws:cloudfront/function:Function")
    store = base.rec.one("aws:cloudfront/keyValueStore:KeyValueStore")
    assert function.inputs["runtime"] == "cloudfront-js-2.0" and function.inputs["publish"] is True
    assert function.inputs["code"] == fleet_function_code()
    assert function.inputs["keyValueStoreAssociations"] == [store.state["arn"]]
    for dist in base.rec.of_type(DIST):
        behaviour = dist.inputs["defaultCacheBehavior"]
        assert behaviour["functionAssociations"] == [
            {"eventType": "viewer-request", "functionArn": function.state["arn"]}
        ]
        assert behaviour["viewerProtocolPolicy"] == "https-only"
        assert behaviour["allowedMethods"] == ["GET", "HEAD"]
        assert behaviour["cachePolicyId"] == CACHING_DISABLED_POLICY_ID
        assert dist.inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
        assert dist.inputs["viewerCertificate"]["sslSupportMethod"] == "sni-only"
        assert dist.inputs["isIpv6Enabled"] is True
        assert "customErrorResponses" not in dist.inputs  # the function answers every request


def test_each_shard_has_one_certificate_naming_its_hosts_and_its_distribution_uses_it(base: Plan) -> None:
    for shard, members in {0: DOMAINS[:10], 1: DOMAINS[10:20], 2: DOMAINS[20:]}.items():
        hosts = [f"mta-sts.{d}" for d in members]
        cert = base.named(f"fleet-shard-{shard}-certificate")
        assert [cert.inputs["domainName"], *cert.inputs.get("subjectAlternativeNames", [])] == hosts
        assert cert.inputs["region"] == "us-east-1" and cert.inputs["validationMethod"] == "DNS"
        validation = base.named(f"fleet-shard-{shard}-certificate-validation")
        for d in members:
            assert depends_on(validation, f"fleet-{d}-validation")
        dist = base.named(f"fleet-shard-{shard}-cdn")
        assert dist.inputs["aliases"] == hosts
        assert dist.inputs["viewerCertificate"]["acmCertificateArn"] == cert.state["arn"]
        assert depends_on(dist, validation)


def test_each_domain_has_its_validation_cname_alias_and_key(base: Plan) -> None:
    for domain in DOMAINS:
        shard = base.host.assignment[domain]
        option = next(
            o
            for o in base.named(f"fleet-shard-{shard}-certificate").state["domainValidationOptions"]
            if o["domainName"] == f"mta-sts.{domain}"
        )
        cname = base.named(f"fleet-{domain}-validation")
        assert (cname.inputs["name"], cname.inputs["records"]) == (
            option["resourceRecordName"].rstrip("."),
            [option["resourceRecordValue"].rstrip(".")],
        )
        dist = base.named(f"fleet-shard-{shard}-cdn")
        for rtype in ("a", "aaaa"):
            alias = base.named(f"fleet-{domain}-alias-{rtype}")
            assert alias.inputs["name"] == f"mta-sts.{domain}"
            assert alias.inputs["aliases"] == [
                {"name": dist.state["domainName"], "zoneId": CLOUDFRONT_ZONE_ID, "evaluateTargetHealth": False}
            ]
        own = {r.inputs["key"]: r.inputs["value"] for r in base.of_domain(domain).values() if r.type == KEY}
        assert own == dict(kvs_entries(f"mta-sts.{domain}", policy_of(domain)))  # chunks and retained head
        assert dict(kvs_entries(f"mta-sts.{domain}", policy_of(domain))).items() <= stored(base).items()


@needs_node
def test_the_planned_store_and_function_serve_every_domains_exact_bytes(base: Plan, tmp_path: Path) -> None:
    """End to end: the function code and the keys as planned, run under Node."""
    store = stored(base)
    assert store == {k: v for d in DOMAINS for k, v in kvs_entries(f"mta-sts.{d}", policy_of(d))}
    code = base.rec.one("aws:cloudfront/function:Function").inputs["code"]
    requests = [("GET", "/.well-known/mta-sts.txt", f"MTA-STS.{d.upper()}.") for d in DOMAINS]
    results = run_function(tmp_path, code, store, requests)
    for domain, got in zip(DOMAINS, results, strict=True):
        assert (got["status"], got["body"]) == (200, policy_of(domain).encode())


@pytest.mark.parametrize("layout", ["migrating", "exclusive"])
def test_a_large_policys_head_key_is_written_after_its_chunks(base: Plan, layout: str) -> None:
    plan = base if layout == "migrating" else run_plan(DOMAINS, store_keys=layout)
    chunks = [r for r in plan.of_domain("d07.example").values() if r.type == KEY and "~" in r.inputs["key"]]
    assert len(chunks) >= 2
    writers = [plan.rec.one(KEYS)]
    if layout == "migrating":
        writers.append(plan.named("fleet-d07.example-policy"))
    assert all(depends_on(w, c) for w in writers for c in chunks)


def test_the_served_resources_are_what_the_gate_must_wait_for(base: Plan) -> None:
    site = base.host.site("d03.example")
    names = {pulumi_name(r) for r in site.served}
    assert {"fleet-d03.example-policy", "fleet-policy-keys", "fleet-function", "fleet-shard-0-cdn"} <= names
    assert {"fleet-d03.example-alias-a", "fleet-d03.example-alias-aaaa"} <= names
    assert site.policy_url == "https://mta-sts.d03.example/.well-known/mta-sts.txt" and site.shard == 0
    with pytest.raises(KeyError, match="not one of the sites"):
        base.host.site("other.example")


def pulumi_name(resource: pulumi.Resource) -> str:
    return str(resource._name)  # the logical name


def test_nothing_asks_to_delete_before_replacing(base: Plan) -> None:
    """A certificate whose names change is replaced; Pulumi's default creates the new one first."""
    assert base.registered
    assert not any(r.deleteBeforeReplace for r in base.registered.values())
    assert not any(list(r.replaceOnChanges) for r in base.registered.values())


# ---- stability: add, remove, reorder -------------------------------------------------------------
def assert_untouched(before: Plan, after: Plan, domains: Sequence[str]) -> None:
    for domain in domains:
        old, new = before.of_domain(domain), after.of_domain(domain)
        assert old.keys() == new.keys(), domain
        for name in old:
            assert old[name].inputs == new[name].inputs, name
            assert old[name].state == new[name].state, name


def shards_of(plan: Plan, domains: Sequence[str]) -> set[int]:
    return {plan.host.assignment[d] for d in domains}


def assert_same_shard_resources(before: Plan, after: Plan, shards: set[int]) -> None:
    for shard in shards:
        for suffix in ("certificate", "certificate-validation", "cdn"):
            name = f"fleet-shard-{shard}-{suffix}"
            assert before.named(name).inputs == after.named(name).inputs, name


def test_adding_a_domain_changes_one_shard_and_no_other_domain(base: Plan) -> None:
    after = run_plan([*DOMAINS, "new.example"], base.host.assignment)
    assert moves(base.host.assignment, after.host.assignment) == {}
    shard = after.host.assignment["new.example"]
    assert shard == 2  # the shard with free slots
    assert_untouched(base, after, DOMAINS)
    assert_same_shard_resources(base, after, {0, 1})
    cert = after.named("fleet-shard-2-certificate")
    assert "mta-sts.new.example" in cert.inputs["subjectAlternativeNames"]
    old_dist, new_dist = base.named("fleet-shard-2-cdn"), after.named("fleet-shard-2-cdn")
    assert old_dist.state["domainName"] == new_dist.state["domainName"]  # the others' aliases hold
    assert [a for a in new_dist.inputs["aliases"] if a != "mta-sts.new.example"] == old_dist.inputs["aliases"]


def test_removing_a_domain_changes_only_its_shard(base: Plan) -> None:
    gone = "d13.example"
    kept = [d for d in DOMAINS if d != gone]
    after = run_plan(kept, base.host.assignment)
    assert moves(base.host.assignment, after.host.assignment) == {}
    assert_untouched(base, after, kept)
    assert_same_shard_resources(base, after, {0, 2})
    assert after.of_domain(gone) == {}
    assert "mta-sts.d13.example" not in after.named("fleet-shard-1-cdn").inputs["aliases"]


def test_reordering_changes_nothing_at_all(base: Plan) -> None:
    after = run_plan(list(reversed(DOMAINS)), base.host.assignment)
    assert after.host.assignment == base.host.assignment
    assert {r.name: r.inputs for r in after.rec.resources} == {r.name: r.inputs for r in base.rec.resources}
    again = run_plan(list(reversed(DOMAINS)))  # no pins: a fresh assignment is order-free too
    assert again.host.assignment == base.host.assignment


def test_add_and_remove_in_one_run_reuses_the_free_slot_and_moves_nobody(base: Plan) -> None:
    kept = [d for d in DOMAINS if d != "d04.example"]
    after = run_plan([*kept, "a-new.example", "z-new.example"], base.host.assignment)
    assert moves(base.host.assignment, after.host.assignment) == {}
    assert after.host.assignment["a-new.example"] == 0  # d04's free slot
    assert after.host.assignment["z-new.example"] == 2
    assert_untouched(base, after, kept)
    assert_same_shard_resources(base, after, {1})


def test_without_the_pins_a_removal_can_move_other_domains(base: Plan) -> None:
    """Why the previous assignment must be given: computed afresh, removing d00 shifts every
    later domain one slot and d10 and d20 change shard (docs/fleets.md, Shared hosting)."""
    after = run_plan(DOMAINS[1:])
    assert moves(base.host.assignment, after.host.assignment) == {"d10.example": (1, 0), "d20.example": (2, 1)}


# ---- delegated domains ---------------------------------------------------------------------------
def test_a_delegated_domain_gets_no_records_in_its_own_dns_and_a_stable_target_to_cname_to() -> None:
    provider = "hosting.provider.example"

    def backend(domain: str) -> DnsBackend | None:
        if domain == "cust.example":
            return None
        return Route53Dns(f"dns-{domain}", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))

    plan = run_plan(
        ["a.example", "cust.example"],
        backend=backend,
        delegation=lambda: Route53Dns("provider", Route53DnsArgs(zone_id="ZPROVIDER", zone_name=provider)),
    )
    target = delegated_target("cust.example", provider)
    assert target == "cust.example.hosting.provider.example"
    records = plan.of_domain("cust.example")
    assert sorted(str(r.inputs.get("name", r.inputs.get("key"))) for r in records.values()) == sorted(
        ["mta-sts.cust.example", target, target]  # its (retained) KVS key; A and AAAA in the provider zone
    )
    assert {r.inputs["zoneId"] for r in records.values() if r.type == R53} == {"ZPROVIDER"}
    cert = plan.named("fleet-shard-0-certificate")
    option = next(o for o in cert.state["domainValidationOptions"] if o["domainName"] == "mta-sts.cust.example")
    assert plan.customer_records["cust.example"] == [
        {"name": "mta-sts.cust.example", "type": "CNAME", "value": target},
        {
            "name": option["resourceRecordName"].rstrip("."),
            "type": "CNAME",
            "value": option["resourceRecordValue"].rstrip("."),
        },
    ]
    assert plan.customer_records["a.example"] == []
    assert "mta-sts.cust.example" in cert.inputs["subjectAlternativeNames"]


def test_cloudflare_zones_get_a_plain_cname_and_three_resources_per_domain() -> None:
    def backend(domain: str) -> DnsBackend | None:
        return CloudflareDns(f"dns-{domain}", CloudflareDnsArgs(zone_id="0" * 32, account_id="f" * 32))

    plan = run_plan(["a.example", "b.example"], backend=backend)
    for domain in ("a.example", "b.example"):
        made = plan.of_domain(domain)
        assert len(made) == 3  # key, validation CNAME, alias CNAME
        alias = made[f"fleet-{domain}-alias"]
        assert (alias.inputs["type"], alias.inputs["proxied"]) == ("CNAME", False)


# ---- refusals ------------------------------------------------------------------------------------
def refusal(**kwargs: Any) -> InputError:
    rec = make_recorder().install()
    try:
        with pytest.raises(InputError) as caught:
            rec.run(lambda: SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(**kwargs)))
        assert [r for r in rec.resources if r.type != "mta-sts:dns:Route53Dns"] == []
    finally:
        rec.close()
    return caught.value


def fields(error: InputError) -> list[str]:
    return [p.field for p in error.problems]


def test_every_mistake_is_refused_before_anything_is_created() -> None:
    site = FleetSite("a.example", SMALL, None)
    assert fields(refusal(sites=[site])) == ["delegation_dns"]
    assert fields(refusal(sites=[FleetSite("A.Example", SMALL, None)], domains_per_certificate=10)) == [
        "sites[0].domain",
        "delegation_dns",
    ]
    assert fields(refusal(sites=[FleetSite("a.example", "mode: enforce\r\n", None)]))[:2] == [
        "sites[0].policy_text.version",
        "sites[0].policy_text.max_age",
    ]
    assert fields(refusal(sites=["a.example"])) == ["sites[0]"]
    assert fields(refusal(sites=[site, site])) == ["sites", "delegation_dns"]


def test_capacity_and_pins_are_checked_with_the_field_named() -> None:
    def with_zone(**kwargs: Any) -> InputError:
        rec = make_recorder().install()
        try:
            with pytest.raises(InputError) as caught:

                def program() -> None:
                    sites = [FleetSite("a.example", SMALL, Route53Dns("z", Route53DnsArgs(zone_id="Z1")))]
                    SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(sites=sites, **kwargs))

                rec.run(program)
        finally:
            rec.close()
        return caught.value

    assert fields(with_zone(domains_per_certificate=101)) == ["domains_per_certificate"]
    assert fields(with_zone(assignment={"a.example": -1})) == ["assignment.a.example"]
    assert fields(with_zone(price_class="PriceClass_9")) == ["price_class"]


# ---- ACM's 64-character common name ----------------------------------------------------------------
LONG = "a-rather-long-label.that-makes-the-host-name.too-long-for-a-common-name.example"


def test_the_certificates_domain_name_is_a_host_of_at_most_64_characters() -> None:
    plan = run_plan([LONG, "z.example"])
    cert = plan.named("fleet-shard-0-certificate")
    assert cert.inputs["domainName"] == "mta-sts.z.example"
    assert cert.inputs["subjectAlternativeNames"] == [f"mta-sts.{LONG}"]
    assert plan.named("fleet-shard-0-cdn").inputs["aliases"] == [f"mta-sts.{LONG}", "mta-sts.z.example"]


def test_a_shard_of_only_long_host_names_is_refused() -> None:
    rec = make_recorder().install()
    try:
        with pytest.raises(InputError) as caught:

            def program() -> None:
                sites = [FleetSite(LONG, SMALL, Route53Dns("z", Route53DnsArgs(zone_id="Z1")))]
                SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(sites=sites))

            rec.run(program)
        assert [r for r in rec.resources if r.type.startswith("aws:")] == []
    finally:
        rec.close()
    [problem] = caught.value.problems
    assert problem.field == "sites" and "at most 64" in problem.reason


# ---- generated sequences at plan level -----------------------------------------------------------
POOL = [f"g{i:02}.example" for i in range(30)]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=14, unique=True),
    st.lists(st.tuples(st.booleans(), st.sampled_from(POOL)), min_size=1, max_size=3),
)
def test_generated_add_and_remove_sequences_leave_every_kept_domain_as_it_was(
    start: list[str], steps: list[tuple[bool, str]]
) -> None:
    before = run_plan(start, per_shard=4)
    domains = list(start)
    for add, name in steps:
        domains = [*domains, name] if add and name not in domains else [d for d in domains if d != name or add]
        if not domains:
            break
        after = run_plan(domains, before.host.assignment, per_shard=4)
        kept = [d for d in domains if d in before.host.assignment]
        assert moves(before.host.assignment, after.host.assignment) == {}
        assert_untouched(before, after, kept)
        changed = {after.host.assignment[d] for d in domains if d not in before.host.assignment}
        changed |= {before.host.assignment[d] for d in before.host.assignment if d not in domains}
        assert_same_shard_resources(before, after, set(after.host.distributions) - changed)
        before = after
