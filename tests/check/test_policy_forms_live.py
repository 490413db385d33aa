"""``mta-sts check`` on loopback servers serving each policy and record form of issue 12 gives
the verdict senders give (and postfix-mta-sts-resolver, a real sender, agrees where it follows
the RFC)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postfix_mta_sts_resolver.resolver import STSFetchResult

from pulumi_mta_sts.check import CheckOptions, DomainReport, Status, check_domain
from tests.check.test_interop_postfix_resolver import _run, _sender_resolve, sender_network
from tests.livefixture import LiveFixture, live_fixture

__all__ = ["sender_network"]  # the fixture, used by name

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def check(live: LiveFixture, domain: str) -> DomainReport:
    options = CheckOptions((live.nameserver,), live.cafile, live.https.port, smtp=False, timeout=3)
    return check_domain(domain, options)


def verdict(report: DomainReport, check_id: str) -> tuple[Status, str]:
    found = report.get(check_id)
    assert found is not None
    return found.status, f"{found.detail} | {found.hint}"


def serve(live: LiveFixture, domain: str, body: str, *, mx_hosts: list[str] | None = None) -> None:
    """Publish ``domain`` and serve ``body`` ({d} is the domain) as its policy."""
    published = live.publish(domain, mx_hosts=mx_hosts, smtp_certs=False)
    published.site.body = body.format(d=domain).encode()


GOOD = "version: STSv1\r\nmode: enforce\r\nmx: mx1.{d}\r\nmx: mx2.{d}\r\nmax_age: 604800\r\n"


@pytest.mark.parametrize(
    ("label", "body", "expected"),
    [
        ("noend", GOOD[:-2], Status.PASS),  # "[sts-policy-term]": the last line end is optional
        ("trailing", GOOD.replace("\r\n", " \t\r\n"), Status.PASS),  # "*WSP" after a value
        ("lf", GOOD.replace("\r\n", "\n"), Status.PASS),  # sts-policy-term = LF / CRLF
        ("twomodes", GOOD + "mode: testing\r\n", Status.WARN),  # the first value counts: advice
        ("vlast", GOOD.replace("version: STSv1\r\n", "") + "version: STSv1\r\n", Status.WARN),
        ("blank", GOOD.replace("\r\nmx: mx2", "\r\n\r\nmx: mx2"), Status.WARN),  # between fields: advice
    ],
)
def test_bodies_senders_accept_are_never_a_failure(live: LiveFixture, label: str, body: str, expected: Status) -> None:
    """RFC 8461 §3.2: repeated fields keep the first value, the final line end is optional,
    white space may follow a value, fields come in any order."""
    domain = f"form-{label}.mail.test"
    serve(live, domain, body)
    report = check(live, domain)
    status, text = verdict(report, "policy-content")
    assert status is expected, text
    assert verdict(report, "mx-coverage")[0] is Status.PASS
    if label == "twomodes":
        assert "senders use the first ('enforce')" in text


@pytest.mark.parametrize(
    ("label", "mx_value"),
    [("dot", "mx1.{d}."), ("ulabel", "mx1.{d}")],
)
def test_mx_values_strict_senders_refuse_fail_with_both_behaviours_in_the_hint(
    live: LiveFixture, label: str, mx_value: str
) -> None:
    domain = "xn--bcher-kva.mail.test" if label == "ulabel" else f"form-{label}.mail.test"
    shown = mx_value.format(d="bücher.mail.test" if label == "ulabel" else domain)
    serve(live, domain, GOOD.replace("mx: mx1.{d}", f"mx: {shown}"))
    report = check(live, domain)
    status, text = verdict(report, "policy-content")
    assert status is Status.FAIL
    assert "Strict senders refuse the whole policy" in text and "lenient ones" in text
    assert f"mx: mx1.{domain}" in text  # the fix names the served form


@pytest.mark.parametrize("ending", ["\r\n", "\r\n\r\n", " \t\r\n"])
def test_empty_lines_at_the_end_fail_with_both_behaviours_in_the_hint(live: LiveFixture, ending: str) -> None:
    """As for an mx value with a trailing dot: the grammar allows one optional line end after the
    last field, strict senders refuse more, lenient ones apply the policy. ``check`` fails, says
    both, keeps the lint note and still compares the MX hosts with the policy lenient senders apply."""
    domain = f"form-end{len(ending)}.mail.test"
    serve(live, domain, GOOD + ending)
    report = check(live, domain)
    status, text = verdict(report, "policy-content")
    assert status is Status.FAIL, text
    assert "Strict senders refuse the whole policy" in text and "lenient ones" in text
    assert "Mimecast" in text and "remove the empty lines at the end of the body" in text
    assert verdict(report, "mx-coverage")[0] is Status.PASS


@pytest.mark.usefixtures("sender_network")
def test_a_unicode_line_separator_does_not_cover_an_mx_for_the_checker(live: LiveFixture) -> None:
    """Lines end at LF or CRLF only (RFC 8461 §3.2). The policy covers mx1 only; an extension
    hides 'mx: backup…' behind U+2028. Senders that follow the RFC see no such mx line, so the
    checker must not count backup as covered (it did, with str.splitlines())."""
    domain = "form-u2028.mail.test"
    hosts = [f"mx1.{domain}", f"backup.{domain}"]
    body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.{d}\r\nmax_age: 604800\r\nnote: x\u2028mx: backup.{d}\r\n"
    serve(live, domain, body, mx_hosts=hosts)
    live.https.sites[f"mta-sts.{domain}"].content_type = "text/plain; charset=utf-8"  # the sender decodes by it
    report = check(live, domain)
    status, text = verdict(report, "mx-coverage")
    assert status is Status.FAIL and f"backup.{domain}" in text
    assert verdict(report, "policy-content")[0] is Status.WARN  # the separator is pointed out
    result, found = _run(_sender_resolve(live, domain))  # a splitlines() sender reads the extra line
    assert result is STSFetchResult.VALID and f"backup.{domain}" in found[1]["mx"]


@pytest.mark.parametrize("lookalike", ["v=STSv1", "v=STSv1 id=abc", "v=STSv1 ; id=abc;"])
def test_a_record_that_does_not_begin_with_v_stsv1_semicolon_is_ignored(live: LiveFixture, lookalike: str) -> None:
    """RFC 8461 §3.1: "records that do not begin with "v=STSv1;" are discarded"; the good record
    is then the only one and senders use it."""
    domain = f"form-rec{abs(hash(lookalike)) % 10_000}.mail.test"
    published = live.publish(domain, smtp_certs=False)
    live.zone.add(f"_mta-sts.{domain}", "TXT", lookalike)
    status, text = verdict(check(live, domain), "sts-record")
    assert status is Status.WARN, text
    assert published.policy.id in text and "senders ignore it" in text


@pytest.mark.parametrize("spaced", ["v=STSv1 ;id={id}", "v=STSv1\t ; id={id} ;"])
def test_the_only_record_with_white_space_before_the_semicolon_passes_with_a_warning(
    live: LiveFixture, spaced: str
) -> None:
    """RFC 8461 §3.1: the discard rule is said of several answers; alone, the record is judged by
    the ABNF (``sts-field-delim = *WSP ";" *WSP``) and is valid. Senders that apply the rule to a
    single answer drop it: check warns."""
    domain = f"form-spaced{len(spaced)}.mail.test"
    published = live.publish(domain, smtp_certs=False)
    live.zone.remove(f"_mta-sts.{domain}")
    live.zone.add(f"_mta-sts.{domain}", "TXT", spaced.format(id=published.policy.id))
    report = check(live, domain)
    status, text = verdict(report, "sts-record")
    assert status is Status.WARN and f"id={published.policy.id}" in text, text
    assert "literally drop it" in text and "remove the white space before the first ';'" in text
    assert verdict(report, "policy-id")[0] is Status.PASS and report.ok
    live.zone.add(f"_mta-sts.{domain}", "TXT", "v=spf1 -all")  # several answers: the discard rule applies
    status, text = verdict(check(live, domain), "sts-record")
    assert status is Status.FAIL and "discards it" in text, text


def test_the_only_tlsrpt_record_with_white_space_before_the_semicolon_passes_with_a_warning(
    live: LiveFixture,
) -> None:
    domain = "form-tlsrpt-spaced.mail.test"
    live.publish(domain, smtp_certs=False)
    live.zone.remove(f"_smtp._tls.{domain}")
    live.zone.add(f"_smtp._tls.{domain}", "TXT", f"v=TLSRPTv1 ; rua=mailto:tlsrpt@{domain}")
    status, text = verdict(check(live, domain), "tlsrpt-record")
    assert status is Status.WARN and f"rua=mailto:tlsrpt@{domain}" in text and "literally drop it" in text


def test_an_id_x_y_after_the_id_is_an_ignored_extension(live: LiveFixture) -> None:
    domain = "form-idxy.mail.test"
    published = live.publish(domain, smtp_certs=False)
    live.zone.remove(f"_mta-sts.{domain}")
    live.zone.add(f"_mta-sts.{domain}", "TXT", f"v=STSv1; id={published.policy.id}; id=x-y;")
    report = check(live, domain)
    status, text = verdict(report, "sts-record")
    assert status is Status.WARN and "can only be an extension" in text
    assert verdict(report, "policy-id")[0] is Status.PASS  # the real id is compared


def test_a_tlsrpt_lookalike_beside_the_record_is_ignored(live: LiveFixture) -> None:
    """RFC 8460 §3: records not beginning with "v=TLSRPTv1;" are discarded."""
    domain = "form-tlsrpt.mail.test"
    live.publish(domain, smtp_certs=False)
    live.zone.add(f"_smtp._tls.{domain}", "TXT", "v=TLSRPTv1 rua=mailto:old@example.com")
    status, text = verdict(check(live, domain), "tlsrpt-record")
    assert status is Status.WARN and f"tlsrpt@{domain}" in text
