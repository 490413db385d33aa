"""Adopting what is already at ``mta-sts.<domain>`` (issue 13): the program looks in live DNS
(a real DNS server on loopback) before any resource, stops where the host's own record could
not be created, warns with the steps where a safe sequence exists, never stops or warns about
what its own deploy leaves there, and switching ``host.kind`` follows the documented sequence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.exception
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import StackConfig, load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.net.existing_records import HostAnswer, live_host_records
from pulumi_mta_sts.net.resolver import make_resolver
from pulumi_mta_sts.plan.stack_plan import Plan, plan_stack
from pulumi_mta_sts.program.options import LiveDns, ProgramOptions
from pulumi_mta_sts.program.preflight import (
    HOST_KIND_KEY,
    Situation,
    blocking_reason,
    check_host_records,
    run_preflight,
    takeover_warnings,
)
from tests.livefixture.dns_server import DnsFixture, Zone

PROGRAM = Path(__file__).resolve().parents[2] / "stacks" / "__main__.py"
DOCS = "Migrating from a hand-made or hosted MTA-STS setup"
CLOUDFRONT_TARGET = "d111abcdef8.cloudfront.net"


@pytest.fixture(scope="module")
def server() -> Iterator[DnsFixture]:
    fixture = DnsFixture(Zone())
    yield fixture
    fixture.stop()


@pytest.fixture
def zone(server: DnsFixture) -> Zone:
    server.zone.records.clear()
    server.zone.blackholes.clear()
    return server.zone


@pytest.fixture
def live(server: DnsFixture) -> LiveDns:
    return LiveDns(make_resolver([server.nameserver], timeout=0.5))


def config(domain: str, provider: str = "route53", kind: str | None = None) -> StackConfig:
    values: dict[str, object] = {
        "domain": domain,
        "dns": {"provider": provider, "zone_name": domain},
        "policy": {"mode": "testing", "mx": [f"mx.{domain}"], "max_age": 86401},
    }
    if kind:
        values["host"] = {"kind": kind}
    return load_stack_config(values)


def hosted_setup(zone: Zone, domain: str) -> None:
    """What a hosted MTA-STS service asks for: a CNAME to its own host."""
    zone.add(f"mta-sts.{domain}", "CNAME", "mta-sts.hosting-service.test")
    zone.add("mta-sts.hosting-service.test", "A", "192.0.2.10")
    zone.add("mta-sts.hosting-service.test", "AAAA", "2001:db8::10")


# ---- the look-up (net/host_records.py) ------------------------------------------------------------
def test_the_look_up_sees_a_cname_and_the_addresses_behind_it(zone: Zone, live: LiveDns) -> None:
    hosted_setup(zone, "hosted.test")
    assert live.resolver is not None
    answer = live_host_records("mta-sts.hosted.test", live.resolver)
    assert answer == HostAnswer("mta-sts.hosted.test", "mta-sts.hosting-service.test", ("192.0.2.10", "2001:db8::10"))


def test_the_look_up_sees_plain_addresses_and_nothing(zone: Zone, live: LiveDns) -> None:
    zone.add("mta-sts.byhand.test", "A", "198.51.100.7")
    zone.add("byhand.test", "A", "198.51.100.1")
    assert live.resolver is not None
    assert live_host_records("mta-sts.byhand.test", live.resolver) == HostAnswer(
        "mta-sts.byhand.test", None, ("198.51.100.7",)
    )
    assert live_host_records("mta-sts.nothing.test", live.resolver).empty  # NXDOMAIN
    zone.add("empty.test", "A", "198.51.100.2")
    zone.add("mta-sts.empty.test", "TXT", "not an address")
    assert live_host_records("mta-sts.empty.test", live.resolver).empty  # the name, no A/AAAA/CNAME


def test_an_unreachable_server_raises_and_the_preflight_only_warns(zone: Zone, live: LiveDns) -> None:
    zone.blackhole("silent.test")
    assert live.resolver is not None
    with pytest.raises(dns.exception.DNSException):
        live_host_records("mta-sts.silent.test", live.resolver)
    [warning] = check_host_records(config("silent.test"), live.resolver)
    assert warning.startswith("preflight: could not look up mta-sts.silent.test")


# ---- what stops, what warns ------------------------------------------------------------------------
def test_route53_with_a_hosted_cname_stops_before_anything_with_the_steps(zone: Zone, live: LiveDns) -> None:
    hosted_setup(zone, "hosted.test")
    with pytest.raises(InputError) as caught:
        run_preflight(config("hosted.test"), live)
    [problem] = caught.value.problems
    assert problem.field == HOST_KIND_KEY and problem.value == "cloudfront"
    for step in ("mta-sts.hosting-service.test", "192.0.2.10, 2001:db8::10", "one change batch", "pulumi up", DOCS):
        assert step in problem.reason


def test_route53_over_hand_made_addresses_goes_on_silently(zone: Zone, live: LiveDns) -> None:
    """The alias overwrites A/AAAA in one UPSERT (allow_overwrite): nothing to stop or say."""
    zone.add("mta-sts.byhand.test", "A", "198.51.100.7")
    assert run_preflight(config("byhand.test"), live) == []


def test_a_worker_over_a_cname_stops_naming_error_100117(zone: Zone, live: LiveDns) -> None:
    hosted_setup(zone, "hosted.test")
    with pytest.raises(InputError) as caught:
        run_preflight(config("hosted.test", "cloudflare"), live)
    [problem] = caught.value.problems
    assert problem.value == "worker" and "100117" in problem.reason
    assert "pulumi destroy --target '<URN of hosted-test-host-alias>'" in problem.reason


def test_cloudfront_on_cloudflare_over_a_foreign_cname_warns_with_the_import(zone: Zone, live: LiveDns) -> None:
    hosted_setup(zone, "hosted.test")
    [warning] = run_preflight(config("hosted.test", "cloudflare", "cloudfront"), live)
    assert "81053" in warning and DOCS in warning
    assert (
        "pulumi import cloudflare:index/dnsRecord:DnsRecord hosted-test-host-alias '<ZONE_ID>/<RECORD_ID>' "
        "--parent 'hosted-test-dns=<URN of hosted-test-dns>'" in warning
    )


def test_without_a_resolver_nothing_is_looked_up() -> None:
    assert run_preflight(config("hosted.test"), LiveDns(None, "no DNS resolver")) == []


# ---- never about what the stack's own deploy leaves -------------------------------------------------
OWN_SETUPS = {
    ("route53", "cloudfront"): lambda addresses: HostAnswer("mta-sts.x.test", None, addresses),
    ("cloudflare", "cloudfront"): lambda addresses: HostAnswer("mta-sts.x.test", CLOUDFRONT_TARGET, addresses),
    ("cloudflare", "worker"): lambda addresses: HostAnswer("mta-sts.x.test", None, addresses),
}
addresses = st.lists(st.ip_addresses().map(str), max_size=4).map(tuple)


@given(setup=st.sampled_from(sorted(OWN_SETUPS)), found=addresses)
def test_what_the_stacks_own_deploy_leaves_never_stops_or_warns(setup: tuple[str, str], found: tuple[str, ...]) -> None:
    situation = Situation(*setup, "x-test", OWN_SETUPS[setup](found))
    assert blocking_reason(situation) is None
    assert takeover_warnings(situation) == []


@given(
    setup=st.sampled_from(sorted(OWN_SETUPS)),
    cname=st.one_of(st.none(), st.from_regex(r"[a-z]{1,10}\.[a-z]{2,5}", fullmatch=True)),
    found=addresses,
)
def test_a_situation_either_stops_or_warns_and_always_says_where_to_read(
    setup: tuple[str, str], cname: str | None, found: tuple[str, ...]
) -> None:
    situation = Situation(*setup, "x-test", HostAnswer("mta-sts.x.test", cname, found))
    blocking, warnings = blocking_reason(situation), takeover_warnings(situation)
    assert not (blocking and warnings)
    for message in [blocking or "", *warnings]:
        if message:
            assert "mta-sts.x.test" in message and DOCS in message


# ---- the whole program, and switching host.kind (docs/deploying.md) --------------------------------
STACK = """\
config:
  mta-sts:domain: {domain}
  mta-sts:dns:
    provider: {provider}
    zone_name: {domain}
  mta-sts:host:
    kind: {kind}
  mta-sts:policy:
    mode: testing
    max_age: 86401
    mx: [mx.{domain}]
  mta-sts:reporting:
    rua: [mailto:tlsrpt@{domain}]
"""


def plan(tmp_path: Path, server: DnsFixture, domain: str, provider: str, kind: str) -> Plan:
    (tmp_path / "Pulumi.s.yaml").write_text(STACK.format(domain=domain, provider=provider, kind=kind))
    options = ProgramOptions(nameservers=(server.nameserver,), dns_timeout=0.5)
    return plan_stack("s", stacks_dir=tmp_path, program=PROGRAM, options=options)


def types(result: Plan) -> set[str]:
    return {r.type for r in result.resources}


def test_a_stopped_program_registers_nothing(tmp_path: Path, server: DnsFixture, zone: Zone) -> None:
    hosted_setup(zone, "hosted.test")
    with pytest.raises(InputError) as caught:
        plan(tmp_path, server, "hosted.test", "route53", "cloudfront")
    assert caught.value.problems[0].field == f"Pulumi.s.yaml: {HOST_KIND_KEY}"


def test_migrating_a_hosted_setup_to_route53_step_by_step(tmp_path: Path, server: DnsFixture, zone: Zone) -> None:
    """docs: replace the CNAME by A/AAAA with its addresses, then `pulumi up` overwrites them."""
    hosted_setup(zone, "hosted.test")
    with pytest.raises(InputError):
        plan(tmp_path, server, "hosted.test", "route53", "cloudfront")
    zone.remove("mta-sts.hosted.test")  # one change batch: DELETE the CNAME, CREATE A/AAAA
    zone.add("mta-sts.hosted.test", "A", "192.0.2.10")
    zone.add("mta-sts.hosted.test", "AAAA", "2001:db8::10")
    result = plan(tmp_path, server, "hosted.test", "route53", "cloudfront")
    aliases = [r for r in result.resources if r.name.startswith("hosted-test-host-alias")]
    assert len(aliases) == 2 and all(r.inputs["allowOverwrite"] is True for r in aliases)


def test_switching_cloudfront_to_worker_on_cloudflare(tmp_path: Path, server: DnsFixture, zone: Zone) -> None:
    """docs: the stack's CloudFront CNAME blocks the Worker; remove it, then `pulumi up` at once."""
    zone.add("mta-sts.switch.test", "CNAME", CLOUDFRONT_TARGET)  # what the cloudfront deploy left
    zone.add(CLOUDFRONT_TARGET, "A", "203.0.113.5")
    assert "aws:cloudfront/distribution:Distribution" in types(
        plan(tmp_path, server, "switch.test", "cloudflare", "cloudfront")
    )
    with pytest.raises(InputError) as caught:
        plan(tmp_path, server, "switch.test", "cloudflare", "worker")
    assert "pulumi destroy --target '<URN of switch-test-host-alias>'" in caught.value.problems[0].reason
    zone.remove("mta-sts.switch.test")  # `pulumi destroy --target` the alias
    assert "cloudflare:index/workersCustomDomain:WorkersCustomDomain" in types(
        plan(tmp_path, server, "switch.test", "cloudflare", "worker")
    )


def test_switching_worker_to_cloudfront_on_cloudflare(tmp_path: Path, server: DnsFixture, zone: Zone) -> None:
    """docs: `pulumi up` goes on with a warning (it stops at the CNAME once CloudFront serves);
    remove the Worker's custom domain, then `pulumi up` again; afterwards nothing is said."""
    zone.add("mta-sts.switch.test", "A", "104.16.1.1")  # what the Worker's custom domain looks like
    zone.add("mta-sts.switch.test", "AAAA", "2606:4700::1")
    assert plan(tmp_path, server, "switch.test", "cloudflare", "worker").warnings == []
    result = plan(tmp_path, server, "switch.test", "cloudflare", "cloudfront")
    [warning] = [w for w in result.warnings if "mta-sts.switch.test" in w]
    assert "pulumi destroy --target '<URN of switch-test-host-domain>'" in warning
    assert "aws:cloudfront/distribution:Distribution" in types(result)
    zone.remove("mta-sts.switch.test")
    zone.add("mta-sts.switch.test", "CNAME", CLOUDFRONT_TARGET)  # the second `pulumi up` made it
    zone.add(CLOUDFRONT_TARGET, "A", "203.0.113.5")
    assert not [
        w for w in plan(tmp_path, server, "switch.test", "cloudflare", "cloudfront").warnings if "mta-sts.switch" in w
    ]


def test_the_messages_point_at_a_section_the_docs_have() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "deploying.md").read_text(encoding="utf-8")
    assert f"## {DOCS}\n" in docs
    assert "### Switching `mta-sts:host.kind`" in docs


def test_a_domain_without_reports_is_warned_about_naming_its_keys() -> None:
    """One domain: mta-sts:reporting; a fleet's entry: its own key, and no receiver to suggest."""
    from pulumi_mta_sts.config.fleet import load_any_config
    from pulumi_mta_sts.config.stack import no_reports_note
    from pulumi_mta_sts.program.pipeline import reporting_warnings

    policy = {"mx": ["mx.a.example"]}
    single = load_any_config({"domain": "a.example", "dns": {"provider": "route53"}, "policy": policy})
    assert reporting_warnings(single) == [no_reports_note("a.example")]
    assert "mta-sts:reporting.receiver" in no_reports_note("a.example")
    entries = [{"domain": "a.example"}, {"domain": "b.example", "reporting": {"rua": ["mailto:r@b.example"]}}]
    fleet = load_any_config({"defaults": {"dns": {"provider": "route53"}, "policy": policy}, "domains": entries})
    [warning] = reporting_warnings(fleet)
    assert "mta-sts:domains[0].reporting has no rua)" in warning and "receiver" not in warning
