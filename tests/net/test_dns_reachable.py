"""Whether DNS can be reached at all (``net/resolver.py``: :func:`unreachable_reason`,
:class:`DnsUnreachable`), and the resolver's time limits.

Nothing here measures time: a silent server counts the queries it was sent (they wait in its
socket), "port unreachable" is told apart from a timeout by the reason given, and the time limits
are read from the resolver as configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.rcode
import dns.rdatatype
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.net import resolver as resolver_module
from pulumi_mta_sts.net.resolver import (
    PROBE_ATTEMPTS,
    DnsUnreachable,
    ensure_reachable,
    make_resolver,
    unreachable_reason,
)
from tests.livefixture.dns_server import DnsFixture, Zone
from tests.livefixture.silent_dns import AnsweringDns, SilentDns, closed_port

#: Short, so a test with a silent server ends soon; nothing asserts how long it took.
SHORT = 0.4
#: Long: a path that must not wait (port unreachable) would fail its assertion, not only be slow.
LONG = 30.0


@pytest.fixture
def silent() -> Iterator[SilentDns]:
    with SilentDns() as server:
        yield server


@pytest.fixture(scope="module")
def working() -> Iterator[DnsFixture]:
    server = DnsFixture(Zone())
    yield server
    server.stop()


def test_a_silent_server_is_asked_the_root_zone_twice_then_given_up(silent: SilentDns) -> None:
    reason = unreachable_reason(make_resolver([silent.nameserver], SHORT), SHORT)
    assert reason == f"{silent.nameserver}: no answer within {SHORT:g} s"
    queries = silent.drain()
    assert len(queries) == PROBE_ATTEMPTS == 2
    assert all(q.question[0].name.to_text() == "." and q.question[0].rdtype == dns.rdatatype.NS for q in queries)


def test_nothing_listening_is_known_from_the_port_unreachable_answer_not_from_a_timeout() -> None:
    port = closed_port()
    reason = unreachable_reason(make_resolver([f"127.0.0.1:{port}"], LONG), LONG)
    assert reason == f"127.0.0.1:{port}: nothing answers DNS there (port unreachable)"


def test_any_answer_means_dns_works_even_a_refusal(working: DnsFixture) -> None:
    assert unreachable_reason(make_resolver([working.nameserver], SHORT), SHORT) is None
    with AnsweringDns(dns.rcode.REFUSED) as refusing:  # an authoritative-only server
        assert unreachable_reason(make_resolver([refusing.nameserver], SHORT), SHORT) is None
        assert refusing.queries == 1


def test_servfail_for_the_root_zone_is_a_resolver_that_cannot_resolve_anything() -> None:
    with AnsweringDns(dns.rcode.SERVFAIL) as failing:
        reason = unreachable_reason(make_resolver([failing.nameserver], LONG), LONG)
    assert reason == f"{failing.nameserver}: answers SERVFAIL even for the root zone (it cannot resolve anything)"


def test_servers_are_asked_side_by_side_so_a_silent_first_one_does_not_hide_a_working_one(
    silent: SilentDns, working: DnsFixture
) -> None:
    resolver = make_resolver([silent.nameserver, f"127.0.0.1:{closed_port()}", working.nameserver], LONG)
    assert unreachable_reason(resolver, LONG) is None
    assert len(silent.drain()) == 1  # asked once, and the working server answered that round


def test_every_server_is_named_with_why_it_failed(silent: SilentDns) -> None:
    port = closed_port()
    reason = unreachable_reason(make_resolver([silent.nameserver, f"127.0.0.1:{port}"], SHORT), SHORT)
    assert reason == (
        f"{silent.nameserver}: no answer within {SHORT:g} s; "
        f"127.0.0.1:{port}: nothing answers DNS there (port unreachable)"
    )
    with pytest.raises(DnsUnreachable) as caught:
        ensure_reachable(make_resolver([silent.nameserver], SHORT), SHORT)
    assert str(caught.value) == f"DNS cannot be reached: {silent.nameserver}: no answer within {SHORT:g} s"
    assert "offline" in caught.value.fix and "--" not in caught.value.fix  # no flag named


# ---- the system's configuration -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no DNS server is configured: {file} names no DNS server"),
        ("# a comment\nsearch example.com\n", "no DNS server is configured: {file} names no DNS server"),
        ("nameserver localhost\n", "{file} names 'localhost', which is not an IP address"),
        (None, "no DNS server is configured: {file} cannot be read"),
    ],
)
def test_a_system_configuration_without_a_usable_server_is_named(
    text: str | None, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "resolv.conf"
    if text is not None:
        conf.write_text(text)
    monkeypatch.setattr(resolver_module, "SYSTEM_RESOLV_CONF", str(conf))
    monkeypatch.delenv("MTA_STS_NAMESERVERS", raising=False)
    with pytest.raises(DnsUnreachable) as caught:
        make_resolver()
    assert caught.value.reason == says.format(file=conf)
    assert str(conf) in caught.value.fix and "--" not in caught.value.fix


def test_servers_from_the_system_configuration_are_said_to_come_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("nameserver 127.0.0.1\n")
    monkeypatch.setattr(resolver_module, "SYSTEM_RESOLV_CONF", str(conf))
    monkeypatch.delenv("MTA_STS_NAMESERVERS", raising=False)
    resolver = make_resolver(timeout=LONG)
    port = closed_port()
    resolver.port = port  # resolv.conf has no ports: point its one server at nothing
    assert unreachable_reason(resolver, LONG) == (
        f"127.0.0.1:{port}: nothing answers DNS there (port unreachable) (the DNS servers of {conf})"
    )


# ---- time limits ----------------------------------------------------------------------------------
def test_the_default_query_limit_is_at_most_three_seconds_and_bounds_the_whole_query() -> None:
    resolver = make_resolver(["127.0.0.1"])
    assert DNS_TIMEOUT <= 3
    assert (resolver.lifetime, resolver.timeout) == (DNS_TIMEOUT, DNS_TIMEOUT)


@given(st.integers(min_value=1, max_value=8), st.floats(min_value=0.1, max_value=600))
def test_the_servers_share_the_limit_so_each_of_the_first_three_is_tried(servers: int, limit: float) -> None:
    resolver = make_resolver([f"127.0.0.{n}" for n in range(1, servers + 1)], limit)
    assert resolver.lifetime == limit
    assert resolver.timeout == pytest.approx(limit / min(servers, 3))
