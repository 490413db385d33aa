"""The stack preflight: with mode enforce, live MX hosts not covered by the policy stop the
program; the explicit switch and unreachable DNS skip it with a warning. Real DNS server on
loopback (dnslib)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.net.resolver import make_resolver
from pulumi_mta_sts.program.options import LIVE_DNS_DISABLED, LiveDns, ProgramOptions, open_live_dns
from pulumi_mta_sts.program.preflight import check_mx_coverage, run_preflight
from tests.livefixture.dns_server import DnsFixture, Zone


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsFixture]:
    zone = Zone()
    zone.add("covered.pf.test", "MX", (10, "mx1.covered.pf.test"))
    zone.add("covered.pf.test", "MX", (20, "mx2.mail.pf.test"))
    zone.add("moving.pf.test", "MX", (10, "mx1.moving.pf.test"))
    zone.add("moving.pf.test", "MX", (20, "new-mx.provider.test"))
    zone.add("deep.pf.test", "MX", (10, "a.b.mail.pf.test"))
    zone.add("nomx.pf.test", "A", "127.0.0.1")
    zone.blackhole("unreachable.pf.test")
    server = DnsFixture(zone)
    yield server
    server.stop()


def config(domain: str, mx: list[str], *, mode: str = "enforce", **preflight: Any) -> DomainConfig:
    values: dict[str, Any] = {
        "domain": domain,
        "dns": {"provider": "route53"},
        "policy": {"mode": mode, "mx": mx, "max_age": 604800},
    }
    if preflight:
        values["preflight"] = preflight
    return load_stack_config(values)


def test_covered_mx_hosts_pass_silently(dns_server: DnsFixture) -> None:
    cfg = config("covered.pf.test", ["mx1.covered.pf.test", "*.mail.pf.test"])
    assert check_mx_coverage(cfg, make_resolver([dns_server.nameserver], 2)) == []


def test_an_uncovered_mx_in_enforce_stops_with_hosts_and_patterns(dns_server: DnsFixture) -> None:
    cfg = config("moving.pf.test", ["mx1.moving.pf.test"])
    with pytest.raises(InputError) as exc:
        check_mx_coverage(cfg, make_resolver([dns_server.nameserver], 2))
    [problem] = exc.value.problems
    assert problem.field == "mta-sts:policy.mx"
    assert "new-mx.provider.test" in problem.reason and "mx1.moving.pf.test" in problem.reason
    assert "mta-sts:preflight.mx_coverage: false" in problem.reason


def test_a_wildcard_does_not_cover_two_labels(dns_server: DnsFixture) -> None:
    with pytest.raises(InputError, match=r"a\.b\.mail\.pf\.test"):
        check_mx_coverage(config("deep.pf.test", ["*.mail.pf.test"]), make_resolver([dns_server.nameserver], 2))


def test_a_domain_without_mx_is_checked_as_its_own_mail_host(dns_server: DnsFixture) -> None:
    with pytest.raises(InputError, match="implicit MX"):
        check_mx_coverage(config("nomx.pf.test", ["mx.other.test"]), make_resolver([dns_server.nameserver], 2))


def test_the_explicit_switch_skips_the_check_with_a_warning(dns_server: DnsFixture) -> None:
    cfg = config("moving.pf.test", ["mx1.moving.pf.test"], mx_coverage=False)
    [warning] = check_mx_coverage(cfg, make_resolver([dns_server.nameserver], 2))
    assert "mta-sts:preflight.mx_coverage is false" in warning


def test_unreachable_dns_skips_the_check_with_a_warning(dns_server: DnsFixture) -> None:
    cfg = config("unreachable.pf.test", ["mx1.unreachable.pf.test"])
    [warning] = check_mx_coverage(cfg, make_resolver([dns_server.nameserver], 0.3))
    assert "DNS could not be reached" in warning and "timeout" in warning


def test_testing_mode_is_not_checked(dns_server: DnsFixture) -> None:
    cfg = config("moving.pf.test", ["mx1.moving.pf.test"], mode="testing")
    assert check_mx_coverage(cfg, make_resolver([dns_server.nameserver], 2)) == []


def test_run_preflight_asks_the_runs_resolver(dns_server: DnsFixture) -> None:
    live = LiveDns(make_resolver([dns_server.nameserver], 2))
    with pytest.raises(InputError):
        run_preflight(config("moving.pf.test", ["mx1.moving.pf.test"]), live)
    assert run_preflight(config("covered.pf.test", ["mx1.covered.pf.test", "*.mail.pf.test"]), live) == []


def test_run_preflight_skips_when_live_dns_is_off() -> None:
    live = open_live_dns(ProgramOptions(live_dns=False))
    [warning] = run_preflight(config("moving.pf.test", ["mx1.moving.pf.test"]), live)
    assert warning == f"preflight: {LIVE_DNS_DISABLED}; MX coverage of moving.pf.test not checked"


def test_run_preflight_without_a_resolver_says_why_and_goes_on() -> None:
    live = LiveDns(None, "no DNS resolver could be set up: no nameservers")
    [warning] = run_preflight(config("moving.pf.test", ["mx1.moving.pf.test"]), live)
    assert "DNS could not be reached (no DNS resolver could be set up: no nameservers)" in warning
    assert "mta-sts check moving.pf.test" in warning


@pytest.mark.parametrize("live", [LiveDns(None, "no DNS resolver"), open_live_dns(ProgramOptions(live_dns=False))])
def test_the_switch_and_testing_mode_need_no_resolver(live: LiveDns) -> None:
    switched_off = config("moving.pf.test", ["mx1.moving.pf.test"], mx_coverage=False)
    [warning] = run_preflight(switched_off, live)
    assert "mta-sts:preflight.mx_coverage is false" in warning
    assert run_preflight(config("moving.pf.test", ["mx1.moving.pf.test"], mode="testing"), live) == []
