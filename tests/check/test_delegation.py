"""``mta-sts check`` of a delegated domain (hosted mode) against loopback DNS and HTTPS: the CNAME
chains are followed, and each delegated name is reported as found, missing or wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from pulumi_mta_sts.check import CheckOptions, DomainReport, Status, check_domain
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from tests.livefixture import LiveFixture, live_fixture

ZONE = "mta-sts.provider.test"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def check(live: LiveFixture, domain: str) -> DomainReport:
    options = CheckOptions(
        nameservers=(live.nameserver,), cafile=live.cafile, https_port=live.https.port, smtp=False, timeout=3.0
    )
    return check_domain(domain, options)


def delegate(live: LiveFixture, domain: str, *, host: str | None = "", tlsrpt: bool = True) -> None:
    """Publish ``domain`` as the fleet serves a delegated domain: its records under ``ZONE`` and
    its owner's CNAMEs to them. ``host``: the ``mta-sts.`` CNAME's target ("" = the right one,
    None = no CNAME, the host's own addresses removed)."""
    published = live.publish(domain)
    zone = live.zone
    for name in (sts_record_name(domain), tlsrpt_record_name(domain)):
        for rtype, value in list(zone.records[name]):
            zone.add(f"{name}.{ZONE}", rtype, value)
        zone.remove(name)
    zone.add(sts_record_name(domain), "CNAME", f"{sts_record_name(domain)}.{ZONE}")
    if tlsrpt:
        zone.add(tlsrpt_record_name(domain), "CNAME", f"{tlsrpt_record_name(domain)}.{ZONE}")
    target = f"{domain}.{ZONE}"
    for rtype, value in list(zone.records[published.host]):
        zone.add(target, rtype, value)
    zone.remove(published.host)
    if host is not None:
        zone.add(published.host, "CNAME", host or target)


def statuses(report: DomainReport) -> dict[str, Status]:
    return {c.id: c.status for c in report.checks}


def test_a_complete_delegation_passes_through_the_cname_chains(live: LiveFixture) -> None:
    delegate(live, "whole.mail.test")
    report = check(live, "whole.mail.test")
    found = statuses(report)
    assert report.ok, [c for c in report.checks if c.status is Status.FAIL]
    assert found["sts-record"] is Status.PASS and found["policy-fetch"] is Status.PASS  # via the CNAMEs
    assert found["policy-id"] is Status.PASS and found["tlsrpt-record"] is Status.PASS
    assert [i for i in found if i.startswith("delegation:")] == [
        "delegation:_mta-sts.whole.mail.test",
        "delegation:mta-sts.whole.mail.test",
        "delegation:_smtp._tls.whole.mail.test",
    ]
    assert all(found[i] is Status.PASS for i in found if i.startswith("delegation:"))
    assert f"→ whole.mail.test.{ZONE}" in report.get("delegation:mta-sts.whole.mail.test").detail  # type: ignore[union-attr]


def test_a_missing_host_cname_is_reported_missing(live: LiveFixture) -> None:
    delegate(live, "nohost.mail.test", host=None)
    report = check(live, "nohost.mail.test")
    result = report.get("delegation:mta-sts.nohost.mail.test")
    assert result is not None and result.status is Status.FAIL and "missing" in result.detail
    assert f"publish {policy_host('nohost.mail.test')} CNAME" in result.hint
    assert statuses(report)["policy-fetch"] is Status.FAIL
    assert not report.ok


def test_a_host_cname_into_another_zone_is_wrong(live: LiveFixture) -> None:
    delegate(live, "wrong.mail.test", host="elsewhere.other.test")
    live.zone.add("elsewhere.other.test", "A", "127.0.0.1")
    result = check(live, "wrong.mail.test").get("delegation:mta-sts.wrong.mail.test")
    assert result is not None and result.status is Status.FAIL and "wrong" in result.detail


def test_tls_reporting_need_not_be_delegated(live: LiveFixture) -> None:
    delegate(live, "notls.mail.test", tlsrpt=False)
    result = check(live, "notls.mail.test").get("delegation:_smtp._tls.notls.mail.test")
    assert result is not None and result.status is Status.SKIP


def test_a_domain_that_is_not_delegated_gets_no_delegation_results(live: LiveFixture) -> None:
    live.publish("own.mail.test")
    assert not [c for c in check(live, "own.mail.test").checks if c.id.startswith("delegation")]


def test_another_providers_naming_is_reported_and_not_judged(live: LiveFixture) -> None:
    published = live.publish("other.mail.test")
    zone = live.zone
    name = sts_record_name("other.mail.test")
    zone.remove(name)
    zone.add(name, "CNAME", "_mta-sts.hosted-by.vendor.test")
    zone.add("_mta-sts.hosted-by.vendor.test", "TXT", f"v=STSv1; id={published.policy.id};")
    report = check(live, "other.mail.test")
    found = {c.id: c for c in report.checks if c.id.startswith("delegation:")}
    assert found[f"delegation:{name}"].status is Status.PASS and "vendor.test" in found[f"delegation:{name}"].detail
    assert all(c.status is not Status.FAIL for c in found.values())


def test_the_command_reports_the_delegation_in_json(live: LiveFixture, capsys: pytest.CaptureFixture[str]) -> None:
    delegate(live, "cli.mail.test", host=None)
    code = main(["check", "cli.mail.test", "--json", *live.cli_args(smtp=False)])
    document = json.loads(capsys.readouterr().out)
    checks = {c["id"]: c for c in document["domains"][0]["checks"]}
    assert code == 1 and checks["delegation:mta-sts.cli.mail.test"]["status"] == "fail"
    assert checks["delegation:_mta-sts.cli.mail.test"]["status"] == "pass"
