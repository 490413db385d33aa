"""``mta-sts check`` end to end against real DNS, HTTPS and SMTP servers on loopback.

Each test publishes a correct domain in the fixture, breaks one thing, and asserts the verdict a
sending MTA would reach (pass / warn / fail / skip) and that the hint says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_mta_sts.check import CheckOptions, DomainReport, Status, check_domain, check_domains
from pulumi_mta_sts.check.model import CHECK_IDS
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import sts_record_value
from tests.livefixture import NO_STARTTLS_ADDRESS, LiveFixture, live_fixture


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def check(live: LiveFixture, domain: str, *, smtp: bool = True, timeout: float = 3.0) -> DomainReport:
    return check_domain(domain, live.check_options(smtp=smtp, timeout=timeout))


def status(report: DomainReport, check_id: str) -> Status:
    found = report.get(check_id)
    assert found is not None, f"no {check_id} in {[c.id for c in report.checks]}"
    return found.status


def result(report: DomainReport, check_id: str) -> str:
    found = report.get(check_id)
    assert found is not None
    return f"{found.detail} | {found.hint}"


def test_a_correct_domain_passes_every_check(live: LiveFixture) -> None:
    published = live.publish("good.mail.test")
    report = check(live, "good.mail.test")
    assert report.ok
    expected = {Status.PASS} if live.ipv6 else {Status.PASS, Status.WARN}
    assert {c.status for c in report.checks} <= expected, [c for c in report.checks if c.status != "pass"]
    ids = [c.id for c in report.checks]
    assert ids == [
        "sts-record",
        "policy-fetch",
        "policy-content",
        "policy-id",
        "mx-coverage",
        "starttls:mx1.good.mail.test",
        "starttls:mx2.good.mail.test",
        "dane:mx1.good.mail.test",
        "dane:mx2.good.mail.test",
        "tlsrpt-record",
        "policy-host-ip",
        "caa",
    ]
    assert all(i.split(":")[0] in CHECK_IDS for i in ids)
    assert published.policy.id in result(report, "sts-record")
    assert "TLSv1." in result(report, "starttls:mx1.good.mail.test")
    if live.ipv6:  # some CI containers have no IPv6 loopback; then this check warns (tested below)
        assert "IPv6 (::1)" in result(report, "policy-host-ip")


def test_a_redirect_is_a_failed_fetch_because_senders_do_not_follow_it(live: LiveFixture) -> None:
    published = live.publish("redirect.mail.test")
    published.site.status = 301
    published.site.location = "https://www.redirect.mail.test/mta-sts.txt"
    report = check(live, "redirect.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "301" in result(report, "policy-fetch") and "never follow redirects" in result(report, "policy-fetch")
    assert status(report, "policy-content") is Status.SKIP
    assert not report.ok


def test_a_wrong_content_type_fails(live: LiveFixture) -> None:
    live.publish("ctype.mail.test").site.content_type = "text/html; charset=utf-8"
    report = check(live, "ctype.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "text/html" in result(report, "policy-fetch")


def test_text_plain_with_a_charset_is_fine(live: LiveFixture) -> None:
    live.publish("charset.mail.test").site.content_type = "text/plain; charset=utf-8"
    assert status(check(live, "charset.mail.test", smtp=False), "policy-fetch") is Status.PASS


def test_an_expired_https_certificate_fails(live: LiveFixture) -> None:
    live.publish("https-expired.mail.test")
    live.certificate("mta-sts.https-expired.mail.test", expired=True)
    report = check(live, "https-expired.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "expired" in result(report, "policy-fetch")


def test_an_https_certificate_for_another_name_fails(live: LiveFixture) -> None:
    live.publish("https-name.mail.test")
    live.certificate("mta-sts.https-name.mail.test", "www.https-name.mail.test")
    report = check(live, "https-name.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "mta-sts.https-name.mail.test" in result(report, "policy-fetch")
    assert status(report, "caa") is Status.SKIP  # no verified certificate to compare


def test_an_oversized_policy_fails(live: LiveFixture) -> None:
    published = live.publish("big.mail.test")
    published.site.body = published.policy.render_bytes() + b"x-pad: " + b"a" * 70_000 + b"\r\n"
    report = check(live, "big.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "64 KiB" in result(report, "policy-fetch")


def test_a_body_that_is_not_utf8_fails_the_fetch_and_its_content_is_still_checked(live: LiveFixture) -> None:
    published = live.publish("latin1.mail.test")
    published.site.body = published.policy.render_bytes().replace(b"enforce", b"enf\xf6rce")
    report = check(live, "latin1.mail.test", smtp=False)
    assert status(report, "policy-fetch") is Status.FAIL  # a sender cannot read it: no policy
    assert "not valid UTF-8" in result(report, "policy-fetch")
    assert "serve the policy as UTF-8" in result(report, "policy-fetch")
    assert status(report, "policy-content") is Status.FAIL


def test_a_slow_policy_host_is_a_timeout_not_a_traceback(live: LiveFixture) -> None:
    live.publish("slow.mail.test").site.delay = 1.5
    report = check(live, "slow.mail.test", smtp=False, timeout=0.5)
    assert status(report, "policy-fetch") is Status.FAIL
    assert "0.5s" in result(report, "policy-fetch")


def test_an_expired_smtp_certificate_fails_that_mx(live: LiveFixture) -> None:
    live.publish("smtp-expired.mail.test")
    live.smtp_certificate("mx1.smtp-expired.mail.test", expired=True)
    report = check(live, "smtp-expired.mail.test")
    assert status(report, "starttls:mx1.smtp-expired.mail.test") is Status.FAIL
    assert "expired" in result(report, "starttls:mx1.smtp-expired.mail.test")
    assert status(report, "starttls:mx2.smtp-expired.mail.test") is Status.PASS


def test_an_smtp_certificate_for_another_name_fails(live: LiveFixture) -> None:
    live.publish("smtp-name.mail.test")
    live.smtp_certificate("mx2.smtp-name.mail.test", "mail.elsewhere.test")
    report = check(live, "smtp-name.mail.test")
    assert status(report, "starttls:mx2.smtp-name.mail.test") is Status.FAIL
    assert "mx2.smtp-name.mail.test" in result(report, "starttls:mx2.smtp-name.mail.test")


def test_an_smtp_certificate_expiring_within_14_days_warns(live: LiveFixture) -> None:
    live.publish("smtp-soon.mail.test")
    live.smtp_certificate("mx1.smtp-soon.mail.test", days_left=5)
    report = check(live, "smtp-soon.mail.test")
    assert status(report, "starttls:mx1.smtp-soon.mail.test") is Status.WARN
    assert report.ok


def test_an_mx_without_starttls_fails(live: LiveFixture) -> None:
    live.publish("plain.mail.test")
    live.zone.remove("mx1.plain.mail.test", "A")
    live.zone.add("mx1.plain.mail.test", "A", NO_STARTTLS_ADDRESS)
    report = check(live, "plain.mail.test")
    assert status(report, "starttls:mx1.plain.mail.test") is Status.FAIL
    assert "does not offer STARTTLS" in result(report, "starttls:mx1.plain.mail.test")


def test_no_smtp_skips_the_starttls_probe(live: LiveFixture) -> None:
    live.publish("nosmtp.mail.test")
    report = check(live, "nosmtp.mail.test", smtp=False)
    assert status(report, "starttls") is Status.SKIP


def test_two_sts_records_fail_because_senders_then_ignore_mta_sts(live: LiveFixture) -> None:
    live.publish("twosts.mail.test")
    live.zone.add("_mta-sts.twosts.mail.test", "TXT", sts_record_value("20240101"))
    report = check(live, "twosts.mail.test", smtp=False)
    assert status(report, "sts-record") is Status.FAIL
    assert "delete all but one" in result(report, "sts-record")
    assert status(report, "policy-id") is Status.SKIP


def test_unrelated_txt_records_next_to_the_sts_record_are_ignored(live: LiveFixture) -> None:
    live.publish("unrelated.mail.test")
    live.zone.add("_mta-sts.unrelated.mail.test", "TXT", "google-site-verification=abc")
    assert status(check(live, "unrelated.mail.test", smtp=False), "sts-record") is Status.PASS


def test_a_cname_at_the_sts_name_is_followed(live: LiveFixture) -> None:
    published = live.publish("delegated.mail.test")
    live.zone.remove("_mta-sts.delegated.mail.test")
    live.zone.add("_mta-sts.delegated.mail.test", "CNAME", "_mta-sts.provider.mail.test")
    live.zone.add("_mta-sts.provider.mail.test", "TXT", sts_record_value(published.policy.id))
    report = check(live, "delegated.mail.test", smtp=False)
    assert status(report, "sts-record") is Status.PASS
    assert "via CNAME to _mta-sts.provider.mail.test" in result(report, "sts-record")


def test_an_uncovered_mx_fails_in_enforce(live: LiveFixture) -> None:
    live.publish("uncovered.mail.test")
    live.zone.add("uncovered.mail.test", "MX", (50, "backup.other.test"))
    report = check(live, "uncovered.mail.test", smtp=False)
    assert status(report, "mx-coverage") is Status.FAIL
    text = result(report, "mx-coverage")
    assert "backup.other.test" in text and "mx1.uncovered.mail.test" in text  # host and patterns


def test_an_uncovered_mx_only_warns_in_testing(live: LiveFixture) -> None:
    live.publish("uncovered-testing.mail.test", mode="testing", max_age=86_401)
    live.zone.add("uncovered-testing.mail.test", "MX", (50, "backup.other.test"))
    report = check(live, "uncovered-testing.mail.test", smtp=False)
    assert status(report, "mx-coverage") is Status.WARN
    assert report.ok


def test_a_wildcard_covers_exactly_one_label(live: LiveFixture) -> None:
    live.publish(
        "wild.mail.test",
        mx_hosts=["mx1.mx.wild.mail.test", "a.b.mx.wild.mail.test"],
        patterns=["*.mx.wild.mail.test"],
        smtp_certs=False,
    )
    report = check(live, "wild.mail.test", smtp=False)
    assert status(report, "mx-coverage") is Status.FAIL
    text = result(report, "mx-coverage")
    assert "a.b.mx.wild.mail.test" in text and "*.mx.wild.mail.test" in text
    assert "mx1.mx.wild.mail.test," not in text.split("(patterns")[0]


def test_a_pattern_matching_no_mx_warns(live: LiveFixture) -> None:
    live.publish(
        "stale.mail.test", mx_hosts=["mx1.stale.mail.test"], patterns=["mx1.stale.mail.test", "old.stale.mail.test"]
    )
    report = check(live, "stale.mail.test", smtp=False)
    assert status(report, "mx-coverage") is Status.WARN
    assert "old.stale.mail.test" in result(report, "mx-coverage")


def test_a_domain_without_mx_is_checked_against_its_own_name(live: LiveFixture) -> None:
    live.publish("implicit.mail.test", mx_hosts=[], patterns=["implicit.mail.test"])
    report = check(live, "implicit.mail.test", smtp=False)
    assert status(report, "mx-coverage") is Status.PASS
    assert "implicit MX" in result(report, "mx-coverage")


def test_a_missing_tlsrpt_record_fails(live: LiveFixture) -> None:
    live.publish("notlsrpt.mail.test", tlsrpt=False)
    report = check(live, "notlsrpt.mail.test", smtp=False)
    assert status(report, "tlsrpt-record") is Status.FAIL
    assert "v=TLSRPTv1; rua=mailto:" in result(report, "tlsrpt-record")


def test_a_tlsrpt_record_with_a_bad_rua_fails(live: LiveFixture) -> None:
    live.publish("badrua.mail.test", tlsrpt=False)
    live.zone.add("_smtp._tls.badrua.mail.test", "TXT", "v=TLSRPTv1; rua=ftp://reports.example")
    assert status(check(live, "badrua.mail.test", smtp=False), "tlsrpt-record") is Status.FAIL


def test_a_missing_aaaa_for_the_policy_host_warns(live: LiveFixture) -> None:
    live.publish("v4only.mail.test", aaaa=False)
    report = check(live, "v4only.mail.test", smtp=False)
    assert status(report, "policy-host-ip") is Status.WARN
    assert "AAAA" in result(report, "policy-host-ip")


def test_an_aaaa_that_does_not_serve_the_policy_fails(live: LiveFixture) -> None:
    live.publish("badv6.mail.test", aaaa=False)
    live.zone.add("mta-sts.badv6.mail.test", "AAAA", "::2")  # nothing listens there
    report = check(live, "badv6.mail.test", smtp=False, timeout=1.0)
    assert status(report, "policy-host-ip") is Status.FAIL
    assert status(report, "policy-fetch") is Status.PASS  # IPv4 is fine


def test_a_body_that_is_not_the_one_the_id_was_made_from_warns(live: LiveFixture) -> None:
    published = live.publish("stale-id.mail.test")
    newer = Policy.build("enforce", list(published.policy.mx), 1_209_600)
    published.site.body = newer.render_bytes()
    report = check(live, "stale-id.mail.test", smtp=False)
    assert status(report, "policy-id") is Status.WARN
    assert newer.id in result(report, "policy-id")


def test_ids_not_made_by_this_toolkit_are_not_compared(live: LiveFixture) -> None:
    live.publish("foreign-id.mail.test")
    live.zone.remove("_mta-sts.foreign-id.mail.test")
    live.zone.add("_mta-sts.foreign-id.mail.test", "TXT", "v=STSv1; id=20240101T000000;")
    assert status(check(live, "foreign-id.mail.test", smtp=False), "policy-id") is Status.SKIP


def test_testing_mode_with_one_day_max_age_warns(live: LiveFixture) -> None:
    live.publish("short.mail.test", mode="testing", max_age=86_400)
    report = check(live, "short.mail.test", smtp=False)
    assert status(report, "policy-content") is Status.WARN
    assert "reports" in result(report, "policy-content")


def test_an_invalid_policy_body_fails_strict_validation(live: LiveFixture) -> None:
    live.publish("badbody.mail.test").site.body = b"version: STSv1\r\nmode: enforce\r\nmax_age: 99999999999\r\n"
    report = check(live, "badbody.mail.test", smtp=False)
    assert status(report, "policy-content") is Status.FAIL
    assert status(report, "mx-coverage") is Status.SKIP


def test_caa_that_names_another_ca_is_reported(live: LiveFixture) -> None:
    live.publish("caa.mail.test", caa=False)
    live.zone.add("caa.mail.test", "CAA", (0, "issue", "letsencrypt.org"))
    report = check(live, "caa.mail.test", smtp=False)
    assert status(report, "caa") is Status.WARN  # the fixture CA is not one caa.py knows
    assert "letsencrypt.org" in result(report, "caa")


def test_caa_on_the_policy_host_itself_wins_over_the_domain(live: LiveFixture) -> None:
    live.publish("caa-host.mail.test", caa=False)
    live.zone.add("caa-host.mail.test", "CAA", (0, "issue", "letsencrypt.org"))
    live.zone.add("mta-sts.caa-host.mail.test", "CAA", (0, "issue", "fixturetrust.test"))
    report = check(live, "caa-host.mail.test", smtp=False)
    assert status(report, "caa") is Status.PASS
    assert "at mta-sts.caa-host.mail.test" in result(report, "caa")


def test_a_domain_that_does_not_exist_fails_cleanly(live: LiveFixture) -> None:
    report = check(live, "nonexistent.mail.test")
    assert not report.ok
    assert status(report, "sts-record") is Status.FAIL
    assert "NXDOMAIN" in result(report, "sts-record")
    assert status(report, "mx-coverage") is Status.SKIP
    assert status(report, "starttls") is Status.SKIP


def test_a_dns_timeout_is_reported_per_check(live: LiveFixture) -> None:
    live.publish("silent.mail.test")
    live.zone.blackhole("silent.mail.test")
    report = check(live, "silent.mail.test", timeout=0.3)
    assert status(report, "sts-record") is Status.FAIL
    assert "DNS timeout" in result(report, "sts-record")
    assert status(report, "tlsrpt-record") is Status.FAIL
    assert status(report, "caa") is Status.FAIL


def test_one_run_asks_each_dns_question_once_even_when_domains_share_parents(live: LiveFixture) -> None:
    for domain in ("a.shared.test", "b.shared.test"):
        live.publish(domain, caa=False, mx_hosts=["mx.shared.test"], smtp_certs=False)
    live.zone.queries.clear()
    options = CheckOptions(
        nameservers=(live.nameserver,), cafile=live.cafile, https_port=live.https.port, smtp=False, concurrency=1
    )
    reports = check_domains(["a.shared.test", "b.shared.test"], options)
    assert [r.ok for r in reports] == [True, True]
    assert live.zone.queries[("shared.test", "CAA")] == 1  # the CAA climb of both domains reaches it
    assert max(live.zone.queries.values()) == 1
