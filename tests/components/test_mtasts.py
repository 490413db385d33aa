"""The MtaSts component: outputs, safe rollout order, policy edits, existing records in live DNS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dns.resolver
import pulumi
import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import DnsRecord, sts_record_value
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.net.resolver import NO_LIVE_DNS_ENV, make_resolver
from pulumi_mta_sts.spec import DnsConfig
from tests.livefixture.dns_server import DnsFixture, Zone
from tests.pulumi_mock import Recorder, depends_on, make_recorder

POLICY = Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 86401)


def args(policy: Policy = POLICY, **overrides: Any) -> MtaStsArgs:
    base: dict[str, Any] = {
        "domain": "example.com",
        "policy": policy,
        "dns": DnsConfig("route53", zone_name="example.com"),
        "rua": ["mailto:tlsrpt@example.com"],
    }
    return MtaStsArgs(**{**base, **overrides})


def deploy(a: MtaStsArgs) -> Recorder:
    rec = make_recorder().install(stack="test")

    def program() -> None:
        m = MtaSts("example-com", a)
        for key in ("policy_id", "policy_text", "policy_url", "records", "host"):
            pulumi.export(key, getattr(m, key))

    rec.run(program)
    return rec


def inputs_by_name(rec: Recorder) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in rec.resources}


def test_outputs_name_the_policy_its_url_the_records_and_the_host(pulumi_mocks: Recorder) -> None:
    rec = deploy(args())
    out = rec.stack_outputs
    assert out["policy_id"] == POLICY.id
    assert out["policy_text"] == POLICY.render()
    assert out["policy_url"] == "https://mta-sts.example.com/.well-known/mta-sts.txt"
    records = {(r["name"], r["type"]): r["value"] for r in out["records"]}
    dist = rec.one("aws:cloudfront/distribution:Distribution").state["domainName"]
    assert records == {
        ("_mta-sts.example.com", "TXT"): sts_record_value(POLICY.id),
        ("_smtp._tls.example.com", "TXT"): "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
        ("mta-sts.example.com", "A"): dist,
        ("mta-sts.example.com", "AAAA"): dist,
    }
    assert out["host"]["kind"] == "cloudfront" and out["host"]["distribution_domain_name"] == dist


def test_adding_an_mx_changes_the_policy_object_and_the_txt_id(pulumi_mocks: Recorder) -> None:
    before = inputs_by_name(deploy(args()))
    edited = Policy.build("testing", ["mx1.example.com", "mx2.example.com", "mx3.example.com"], 86401)
    after = inputs_by_name(deploy(args(edited)))
    assert before["example-com-host-policy"]["content"] != after["example-com-host-policy"]["content"]
    assert after["example-com-host-policy"]["content"] == edited.render()
    assert before["example-com-mta-sts-txt"]["records"] == [sts_record_value(POLICY.id)]
    assert after["example-com-mta-sts-txt"]["records"] == [sts_record_value(edited.id)]
    assert after["example-com-policy-live"]["policy_text"] == edited.render()  # verified again
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"example-com-host-policy", "example-com-mta-sts-txt", "example-com-policy-live"}


def test_reordering_mx_or_changing_their_case_changes_nothing(pulumi_mocks: Recorder) -> None:
    before = inputs_by_name(deploy(args()))
    same = Policy.build("testing", ["MX2.example.com.", "mx1.example.com", "mx2.example.com"], "86401")
    assert inputs_by_name(deploy(args(same))) == before


def test_without_live_verification_the_txt_waits_for_the_host_and_a_warning_says_so(pulumi_mocks: Recorder) -> None:
    rec = deploy(args(verify_live=False))
    assert rec.of_type("pulumi-python:dynamic/mtasts:PolicyLive") == []
    txt = rec.named("example-com-mta-sts-txt")
    for name in ("example-com-host-policy", "example-com-host-cdn", "example-com-host-alias-a"):
        assert depends_on(txt, name)
    assert any("verify_live is off" in w and "https://mta-sts.example.com" in w for w in rec.warnings)


def test_the_verification_timeout_reaches_policy_live(pulumi_mocks: Recorder) -> None:
    rec = deploy(args(verify_timeout=120))
    assert rec.one("pulumi-python:dynamic/mtasts:PolicyLive").inputs["timeout"] == 120


# ---- existing records in live DNS (a real DNS server on 127.0.0.1) -------------------------------
@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsFixture]:
    server = DnsFixture(Zone())
    yield server
    server.stop()


@pytest.fixture
def live_dns(dns_server: DnsFixture, monkeypatch: pytest.MonkeyPatch) -> Zone:
    """The loopback DNS server with an empty zone holding only example.com."""
    zone = dns_server.zone
    zone.records.clear()
    zone.blackholes.clear()
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    zone.add("example.com", "A", "127.0.0.1")
    return zone


@pytest.fixture
def resolver(dns_server: DnsFixture) -> dns.resolver.Resolver:
    return make_resolver([dns_server.nameserver], timeout=0.5)


class _NoLookups(dns.resolver.Resolver):
    """A resolver that fails the test if anything asks it."""

    def resolve(self, *args: Any, **kwargs: Any) -> dns.resolver.Answer:
        raise AssertionError(f"unexpected DNS look-up {args}")


def warn_unmanaged(a: MtaStsArgs, resolver: dns.resolver.Resolver, **kwargs: Any) -> tuple[Recorder, list[str]]:
    """Deploy ``a`` and ask the component for unmanaged records, as the stack program does."""
    rec = make_recorder().install(stack="test")
    returned: list[str] = []
    rec.run(lambda: returned.extend(MtaSts("example-com", a).warn_unmanaged_records(resolver, **kwargs)))
    return rec, returned


def test_the_constructor_looks_nothing_up(pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    monkeypatch.setattr(dns.resolver.Resolver, "resolve", _NoLookups.resolve)
    assert deploy(args()).warnings == []


def test_a_hand_made_sts_record_is_reported_with_how_to_adopt_it(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    live_dns.add("_mta-sts.example.com", "TXT", "v=STSv1; id=20240101T000000;")
    live_dns.add("_mta-sts.example.com", "TXT", "some other text")
    rec, returned = warn_unmanaged(args(), resolver)
    [warning] = rec.warnings
    assert returned == [warning]
    assert "_mta-sts.example.com" in warning and "v=STSv1; id=20240101T000000;" in warning
    assert "NO policy" in warning
    assert (
        "`pulumi import aws:route53/record:Record example-com-mta-sts-txt '<ZONE_ID>__mta-sts.example.com_TXT' "
        "--parent 'example-com-dns=<URN of example-com-dns>'`" in warning
    )
    assert len(rec.resources) > 10  # a warning, not a failure


def test_a_lone_spaced_sts_record_is_reported_without_claiming_no_policy(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    """Alone, 'v=STSv1 ;id=…' is the domain's record (RFC 8461 §3.1's discard rule is said of several
    answers); beside the stack's record it is discarded, so senders keep a policy: the warning says so."""
    live_dns.add("_mta-sts.example.com", "TXT", "v=STSv1 ;id=handmade1")
    rec, _ = warn_unmanaged(args(), resolver)
    [warning] = rec.warnings
    assert "v=STSv1 ;id=handmade1" in warning and "Senders discard it" in warning and "NO policy" not in warning


def test_records_this_stack_published_are_not_reported(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    older = Policy.build("testing", ["mx1.example.com"], 86401)
    live_dns.add("_mta-sts.example.com", "TXT", sts_record_value(older.id))  # our previous id
    live_dns.add("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com")
    rec, returned = warn_unmanaged(args(), resolver)
    assert rec.warnings == returned == []


def test_a_different_tlsrpt_record_is_reported(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    live_dns.add("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=mailto:dmarc@provider.example")
    rec, _ = warn_unmanaged(args(dns=DnsConfig("cloudflare", zone_name="example.com")), resolver)
    [warning] = rec.warnings
    assert "mailto:dmarc@provider.example" in warning
    assert (
        "pulumi import cloudflare:index/dnsRecord:DnsRecord example-com-tlsrpt-txt '<ZONE_ID>/<RECORD_ID>'" in warning
    )


def test_records_given_and_is_ours_are_what_is_checked(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    """The TLS-RPT receiver passes its own record and tells its earlier values apart."""
    live_dns.add("_mta-sts.example.com", "TXT", "v=STSv1; id=handmade1;")  # not asked about
    live_dns.add("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=https://old.endpoint.example/v1")
    theirs = DnsRecord("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.com")
    rec, returned = warn_unmanaged(args(rua=[]), resolver, records=[theirs])
    [warning] = returned
    assert "https://old.endpoint.example/v1" in warning and "example-com-tlsrpt-txt" in warning
    rec, returned = warn_unmanaged(args(rua=[]), resolver, records=[theirs], is_ours=lambda v: "old.endpoint" in v)
    assert returned == rec.warnings == []


def test_unreachable_dns_is_a_warning_and_the_program_goes_on(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    live_dns.blackhole("example.com")
    rec, _ = warn_unmanaged(args(), resolver)
    assert len(rec.warnings) == 2 and all("could not check live DNS" in w for w in rec.warnings)
    assert rec.named("example-com-mta-sts-txt")


def test_the_adoption_hint_is_the_backends_own(
    pulumi_mocks: Recorder, live_dns: Zone, resolver: dns.resolver.Resolver
) -> None:
    """A backend that is neither Route53 nor Cloudflare says itself how its records are imported."""
    from pulumi_mta_sts.dns import Route53DnsArgs
    from tests.components.test_interfaces import AcmeDns

    live_dns.add("_mta-sts.example.com", "TXT", "v=STSv1; id=handmade1;")
    returned: list[str] = []

    def program() -> None:
        site = MtaSts("example-com", args(dns=AcmeDns("acme", Route53DnsArgs(zone_id="Z1")), host="cloudfront"))
        returned.extend(site.warn_unmanaged_records(resolver))

    pulumi_mocks.run(program)
    [warning] = returned
    assert "`pulumi import acme:dns/txt:Txt example-com-mta-sts-txt '_mta-sts.example.com@acme'" in warning
    assert "--parent 'acme=<URN of acme>'" in warning
