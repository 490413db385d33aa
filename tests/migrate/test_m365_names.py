"""Microsoft 365's MX names since July 2026, ``<domain>.<zone>.mx.microsoft``, for generated domains
and zones: what ``init`` and ``migrate`` write always matches them, ``*.mx.microsoft`` never does,
and ``check`` says why on the mx-coverage row. The old ``*.mail.protection.outlook.com`` preset stays."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.check.dns_checks import check_mx_coverage
from pulumi_mta_sts.check.model import Status
from pulumi_mta_sts.config.init_stack import mx_patterns, pattern_for
from pulumi_mta_sts.core.matching import matches
from pulumi_mta_sts.core.migrate_steps import widened
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.net.lookup import MailHosts
from tests.strategies import label

m365_host = st.builds(lambda domain, zone: f"{domain}.{zone}.mx.microsoft", label, label)


@given(hosts=st.lists(m365_host, min_size=1, max_size=3, unique=True))
def test_what_init_and_migrate_write_matches_and_the_shallow_wildcard_never_does(hosts: list[str]) -> None:
    written = mx_patterns(hosts)
    assert all(matches(h, written) for h in hosts)
    assert all(not matches(h, ["*.mx.microsoft"]) for h in hosts)
    for host in hosts:
        pattern = pattern_for(host).pattern
        assert pattern == "*." + host.partition(".")[2] and pattern_for(host).provider == "Microsoft 365"
    migrated = widened(["*.mail.protection.outlook.com"], [pattern_for(h).pattern for h in hosts], hosts)
    assert all(matches(h, migrated) for h in hosts) and "*.mail.protection.outlook.com" in migrated


@given(tenant=label)
def test_old_tenants_keep_the_outlook_preset(tenant: str) -> None:
    assert pattern_for(f"{tenant}.mail.protection.outlook.com").pattern == "*.mail.protection.outlook.com"
    assert pattern_for(f"{tenant}.mx.microsoft").pattern == f"{tenant}.mx.microsoft"  # not the documented depth


@given(host=m365_host, mode=st.sampled_from(["enforce", "testing"]))
def test_check_explains_a_wildcard_one_label_too_shallow(host: str, mode: str) -> None:
    policy = Policy.build(mode, ["*.mx.microsoft"], 86_400)
    result = check_mx_coverage(MailHosts("example.com", (host,)), policy)
    assert result.status is (Status.FAIL if mode == "enforce" else Status.WARN)
    zone_wildcard = "*." + host.partition(".")[2]
    assert "covers exactly one label" in result.hint and host in result.hint and zone_wildcard in result.hint
