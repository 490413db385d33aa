"""Large and looping DNS answers: the test DNS server truncates a UDP answer the way real
servers do (TC bit, question kept) and serves it whole over TCP, and the checker reads a 60 KB
TXT record, hundreds of MX hosts and CNAME loops without a hang, a traceback or a wrong verdict.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.query
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import CheckOptions, DomainReport, Status, check_domain
from pulumi_mta_sts.core.records import sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.net.lookup import Outcome, lookup, mail_hosts
from pulumi_mta_sts.net.resolver import make_resolver
from tests.livefixture import LiveFixture, live_fixture

TIMEOUT = 2.0
_names = itertools.count()


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def check(live: LiveFixture, domain: str) -> DomainReport:
    options = CheckOptions(
        nameservers=(live.nameserver,),
        cafile=live.cafile,
        https_port=live.https.port,
        smtp=False,
        timeout=TIMEOUT,
    )
    return check_domain(domain, options)


def status(report: DomainReport, check_id: str) -> Status:
    found = report.get(check_id)
    assert found is not None, check_id
    return found.status


def detail(report: DomainReport, check_id: str) -> str:
    found = report.get(check_id)
    assert found is not None, check_id
    return found.detail


# ------------------------------------------------------------------------ the server itself


def test_a_udp_answer_too_large_is_truncated_with_its_question(live: LiveFixture) -> None:
    live.zone.add("wide.dns.test", "TXT", "w" * 2000)
    query = dns.message.make_query("wide.dns.test", "TXT")
    udp = dns.query.udp(query, "127.0.0.1", timeout=TIMEOUT, port=live.dns.port, raise_on_truncation=False)
    assert udp.flags & dns.flags.TC and udp.question == query.question and not udp.answer
    tcp = dns.query.tcp(query, "127.0.0.1", timeout=TIMEOUT, port=live.dns.port)
    assert not tcp.flags & dns.flags.TC
    assert b"".join(tcp.answer[0][0].strings) == b"w" * 2000


def test_an_edns_client_gets_up_to_its_payload_size_over_udp(live: LiveFixture) -> None:
    live.zone.add("edns.dns.test", "TXT", "e" * 1000)
    query = dns.message.make_query("edns.dns.test", "TXT", use_edns=0, payload=1232)
    udp = dns.query.udp(query, "127.0.0.1", timeout=TIMEOUT, port=live.dns.port)
    assert not udp.flags & dns.flags.TC and b"".join(udp.answer[0][0].strings) == b"e" * 1000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(txt_size=st.integers(0, 60_000), mx_count=st.integers(1, 400))
def test_every_large_answer_is_read_whole(live: LiveFixture, txt_size: int, mx_count: int) -> None:
    name = f"n{next(_names)}.size.dns.test"
    value = "".join(chr(ord("a") + i % 26) for i in range(txt_size))
    live.zone.add(name, "TXT", value)
    for i in range(mx_count):
        live.zone.add(name, "MX", (i, f"mx{i}.{name}"))
    resolver = make_resolver([live.nameserver], TIMEOUT)
    txt = lookup(resolver, name, "TXT")
    assert txt.outcome is Outcome.OK and txt.texts() == [value]
    hosts = mail_hosts(resolver, name)
    assert hosts.problem is None and hosts.hosts == tuple(f"mx{i}.{name}" for i in range(mx_count))


# ------------------------------------------------------------------------ the checker


def test_a_60_kb_txt_record_beside_the_sts_record_is_read_and_ignored(live: LiveFixture) -> None:
    published = live.publish("bigtxt.dns.test")
    live.zone.add(sts_record_name("bigtxt.dns.test"), "TXT", "x" * 60_000)
    report = check(live, "bigtxt.dns.test")
    assert status(report, "sts-record") is Status.PASS
    assert published.policy.id in detail(report, "sts-record")
    assert status(report, "policy-id") is Status.PASS


def test_a_60_kb_tlsrpt_record_is_judged_not_timed_out(live: LiveFixture) -> None:
    live.publish("bigrpt.dns.test", tlsrpt=False)
    rua = ",".join(f"mailto:r{i}@bigrpt.dns.test" for i in range(2100))
    value = f"v=TLSRPTv1; rua={rua}"
    assert 55_000 < len(value) < 60_000
    live.zone.add(tlsrpt_record_name("bigrpt.dns.test"), "TXT", value)
    report = check(live, "bigrpt.dns.test")
    assert status(report, "tlsrpt-record") is Status.PASS, detail(report, "tlsrpt-record")


def test_hundreds_of_mx_hosts_are_all_compared_with_the_policy(live: LiveFixture) -> None:
    hosts = [f"mx{i}.many.dns.test" for i in range(300)]
    live.publish("many.dns.test", mx_hosts=hosts, patterns=["*.many.dns.test"])
    report = check(live, "many.dns.test")
    assert status(report, "mx-coverage") is Status.PASS
    assert status(report, "policy-fetch") is Status.PASS


def test_one_uncovered_host_among_hundreds_of_mx_hosts_fails(live: LiveFixture) -> None:
    hosts = [f"mx{i}.uncovered.dns.test" for i in range(299)] + ["mail.elsewhere.test"]
    live.publish("uncovered.dns.test", mx_hosts=hosts, patterns=["*.uncovered.dns.test"])
    report = check(live, "uncovered.dns.test")
    assert status(report, "mx-coverage") is Status.FAIL
    assert "mail.elsewhere.test" in detail(report, "mx-coverage")


@pytest.mark.parametrize(
    ("where", "check_id"),
    [
        ("_mta-sts.{d}", "sts-record"),
        ("mta-sts.{d}", "policy-fetch"),
        ("{d}", "mx-coverage"),
    ],
)
def test_a_cname_loop_is_a_dns_failure_in_time(live: LiveFixture, where: str, check_id: str) -> None:
    domain = f"loop{next(_names)}.dns.test"
    live.publish(domain)
    name = where.format(d=domain)
    live.zone.remove(name)
    live.zone.add(name, "CNAME", f"other.{domain}")
    live.zone.add(f"other.{domain}", "CNAME", name)
    report = check(live, domain)
    assert status(report, check_id) is Status.FAIL, report.get(check_id)
    assert "the CNAME chain is too long (a CNAME loop?)" in detail(report, check_id)
    assert not report.ok


def test_the_fixture_answers_tcp_on_the_udp_port(live: LiveFixture) -> None:
    with socket.create_connection(("127.0.0.1", live.dns.port), timeout=TIMEOUT):
        pass
    resolver = make_resolver([live.nameserver], TIMEOUT)
    assert lookup(resolver, "nothing-here.dns.test", "TXT").outcome is Outcome.NXDOMAIN
