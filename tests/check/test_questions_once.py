"""``mta-sts check`` asks each DNS question once per run (issue 25): counted by the loopback DNS
server that answers them, over generated mixes of domains (delegated or not, with or without their
TLSRPT record, CAA, AAAA or own MX hosts, sharing MX hosts and parent zones, any concurrency)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import check_domains
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from tests.check.test_delegation import delegate
from tests.livefixture import LiveFixture, live_fixture

#: The parent zone of every generated domain: its CAA set is climbed to by each domain's check.
PARENT = "once.test"
#: MX hosts some generated domains share (asked once for all of them when STARTTLS is probed).
SHARED_MX = (f"mx1.shared.{PARENT}", f"mx2.shared.{PARENT}")
KINDS = ("plain", "delegated", "no-tlsrpt", "no-caa", "no-aaaa", "implicit-mx", "shared-mx")
#: Every generated run also has two domains that climb to the parent zone's CAA (it has none: a
#: negative answer, which a resolver's cache keeps for its SOA's minimum TTL, none here) and two
#: that share MX hosts, so each run has questions several domains need.
SHARING = ("no-caa", "no-caa", "shared-mx", "shared-mx")
_runs = itertools.count()


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        for host in SHARED_MX:
            fixture.zone.add(host, "A", "127.0.0.1")
        yield fixture


def publish(live: LiveFixture, domain: str, kind: str) -> None:
    if kind == "delegated":
        delegate(live, domain)
    elif kind == "implicit-mx":
        live.publish(domain, mx_hosts=(), patterns=[domain])
    elif kind == "shared-mx":
        live.publish(domain, mx_hosts=SHARED_MX)
    else:
        live.publish(
            domain, tlsrpt=kind != "no-tlsrpt", caa=kind != "no-caa", aaaa=False if kind == "no-aaaa" else None
        )


def asked_twice(
    live: LiveFixture, domains: list[str], *, smtp: bool, concurrency: int, dns_timeout: float | None = None
) -> dict[tuple[str, str], int]:
    """Run one check of ``domains``; the questions the DNS server got more than once. The
    reachability probe's question for the root (asked again only if a datagram is lost) is left out."""
    live.zone.queries.clear()
    options = live.check_options(smtp=smtp, concurrency=concurrency, dns_timeout=dns_timeout)
    reports = check_domains(domains, options)
    assert [r.domain for r in reports] == domains
    return {key: n for key, n in live.zone.queries.items() if n > 1 and key[0] != ""}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6),
    smtp=st.booleans(),
    concurrency=st.sampled_from([1, 3, 20]),
)
def test_no_question_is_asked_twice(live: LiveFixture, kinds: list[str], smtp: bool, concurrency: int) -> None:
    run = next(_runs)
    kinds = [*kinds, *SHARING]
    domains = [f"d{i}-{run}.{PARENT}" for i in range(len(kinds))]
    for domain, kind in zip(domains, kinds, strict=True):
        publish(live, domain, kind)
    assert asked_twice(live, domains, smtp=smtp, concurrency=concurrency) == {}


def test_the_delegation_is_read_from_the_answers_the_other_checks_get(live: LiveFixture) -> None:
    """A delegated domain's CNAMEs come with its TXT and A answers: no CNAME question is asked."""
    delegate(live, "reads.once.test")
    assert asked_twice(live, ["reads.once.test"], smtp=False, concurrency=1) == {}
    asked = {name for name, rtype in live.zone.queries if rtype == "CNAME"}
    assert asked == set()


def test_a_name_whose_answer_failed_is_asked_for_its_cname_once(live: LiveFixture) -> None:
    """When a name's TXT or A question fails, its CNAME is asked on its own, once, and the
    delegation check still says what that name is."""
    domain = "dead.once.test"
    live.publish(domain)
    for name in (sts_record_name(domain), policy_host(domain), tlsrpt_record_name(domain)):
        live.zone.blackhole(name)
    assert (
        asked_twice(live, [domain, domain.replace("dead", "alive")], smtp=False, concurrency=2, dns_timeout=0.5) == {}
    )
    cname_questions = sorted(name for name, rtype in live.zone.queries if rtype == "CNAME")
    assert cname_questions == sorted([sts_record_name(domain), policy_host(domain), tlsrpt_record_name(domain)])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    with_tlsa=st.lists(st.booleans(), min_size=1, max_size=3),
    sharers=st.integers(min_value=2, max_value=4),
    concurrency=st.sampled_from([1, 3, 20]),
)
def test_dane_asks_each_shared_mx_host_once(
    live: LiveFixture, with_tlsa: list[bool], sharers: int, concurrency: int
) -> None:
    """DANE's questions (issue 27) are the run's too: MX hosts several domains share get one TLSA question
    each per run, and their address is asked (with the DNSSEC OK bit) only where TLSA records exist,
    once. Without STARTTLS (with it, the probe's plain address question is the other one)."""
    run = next(_runs)
    mx_hosts = tuple(f"mx{i}.dane{run}.{PARENT}" for i in range(len(with_tlsa)))
    for mx, tlsa in zip(mx_hosts, with_tlsa, strict=True):
        live.zone.add(mx, "A", "127.0.0.1")
        if tlsa:
            live.zone.add(f"_25._tcp.{mx}", "TLSA", (3, 1, 1, bytes(32)))
    domains = [f"s{i}-dane{run}.{PARENT}" for i in range(sharers)]
    for domain in domains:
        live.publish(domain, mx_hosts=mx_hosts)
    assert asked_twice(live, domains, smtp=False, concurrency=concurrency) == {}
    asked = live.zone.queries
    assert [asked[(f"_25._tcp.{mx}", "TLSA")] for mx in mx_hosts] == [1] * len(mx_hosts)
    assert [asked.get((mx, "A"), 0) for mx in mx_hosts] == [int(tlsa) for tlsa in with_tlsa]
