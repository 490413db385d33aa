"""Interop with a real sender's code: postfix-mta-sts-resolver fetches the policy our core
renders, served by the loopback fixture, and reaches the same result as our checker.

The library is pointed at the fixture without changing its code: its aiodns resolver is
replaced by an aiodns resolver that asks the fixture's DNS server, and ``aiohttp.ClientSession``
gets a connector whose resolver maps the policy host to the fixture's HTTPS port and whose TLS
context trusts the fixture CA (SNI and host name checks still use the policy host name).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import aiodns
import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from postfix_mta_sts_resolver.internal_cache import InternalLRUCache
from postfix_mta_sts_resolver.resolver import STSFetchResult, STSResolver
from postfix_mta_sts_resolver.responder import STSSocketmapResponder
from postfix_mta_sts_resolver.utils import populate_cfg_defaults

from pulumi_mta_sts.check import CheckOptions, Status, check_domain
from pulumi_mta_sts.check.policy_checks import check_policy_content
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.net.https_fetch import fetch_policy, make_tls_context
from tests.livefixture import LiveFixture, live_fixture

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a private loop. Unlike ``asyncio.run`` this leaves the thread's event-loop
    policy alone, so later synchronous Pulumi mock tests in the same process still get a loop."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


class _FixtureResolver(AbstractResolver):
    """aiohttp host resolution through the fixture's DNS, answering the fixture's HTTPS port."""

    def __init__(self, live: LiveFixture) -> None:
        self.live = live
        self.dns = aiodns.DNSResolver(nameservers=[live.nameserver], timeout=3)

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        answers = await self.dns.query(host, "A")
        return [
            ResolveResult(
                hostname=host,
                host=a.host,
                port=self.live.https.port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for a in answers
        ]

    async def close(self) -> None:
        pass


@pytest.fixture
def sender_network(live: LiveFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    real_session = aiohttp.ClientSession
    trust = ssl.create_default_context(cafile=live.cafile)

    def session(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        kwargs.pop("loop", None)
        connector = aiohttp.TCPConnector(resolver=_FixtureResolver(live), ssl=trust)
        return real_session(*args, connector=connector, **kwargs)

    monkeypatch.setattr(aiohttp, "ClientSession", session)


def _point_at_fixture(resolver: STSResolver, live: LiveFixture) -> STSResolver:
    resolver._resolver = aiodns.DNSResolver(nameservers=[live.nameserver], timeout=3)
    return resolver


async def _sender_resolve(live: LiveFixture, domain: str) -> tuple[STSFetchResult, Any]:
    resolver = _point_at_fixture(STSResolver(loop=asyncio.get_running_loop(), timeout=3), live)
    result: tuple[STSFetchResult, Any] = await resolver.resolve(domain)
    return result


async def _postfix_answer(live: LiveFixture, domain: str) -> str:
    cfg = populate_cfg_defaults({"default_zone": {"timeout": 3}})
    responder = STSSocketmapResponder(cfg, asyncio.get_running_loop(), InternalLRUCache())
    _point_at_fixture(responder._default_zone.resolver, live)
    raw: bytes = await responder.process_request(f"postfix {domain}".encode())
    return raw.decode()


def _ours(live: LiveFixture, domain: str) -> tuple[str, int, tuple[str, ...]]:
    host = policy_host(domain)
    fetched = fetch_policy(host, "127.0.0.1", port=live.https.port, context=make_tls_context(live.cafile))
    _, policy = check_policy_content(fetched.body)
    assert policy is not None
    return policy.mode, policy.max_age, policy.mx


def _postfix_matches(mx_host: str, match_list: list[str]) -> bool:
    """Postfix's documented rule for ``match=`` in a TLS policy: a name matches itself, and a
    name starting with '.' matches any subdomain of it, at any depth."""
    return any(mx_host == m or (m.startswith(".") and mx_host.endswith(m)) for m in match_list)


@pytest.mark.usefixtures("sender_network")
def test_the_sender_accepts_our_policy_and_reads_what_we_read(live: LiveFixture) -> None:
    published = live.publish(
        "interop.mail.test",
        mx_hosts=["mx1.interop.mail.test"],
        patterns=["mx1.interop.mail.test", "*.backup.interop.mail.test"],
    )
    status, found = _run(_sender_resolve(live, "interop.mail.test"))
    assert status is STSFetchResult.VALID
    policy_id, body = found
    assert policy_id == published.policy.id
    theirs = (body["mode"], body["max_age"], tuple(sorted(body["mx"])))
    assert theirs == _ours(live, "interop.mail.test")
    assert theirs == (published.policy.mode, published.policy.max_age, published.policy.mx)


@pytest.mark.usefixtures("sender_network")
def test_the_sender_rejects_what_our_checker_fails(live: LiveFixture) -> None:
    published = live.publish("interop-redirect.mail.test")
    published.site.status = 302
    published.site.location = "https://elsewhere.mail.test/"
    status, _ = _run(_sender_resolve(live, "interop-redirect.mail.test"))
    assert status is STSFetchResult.FETCH_ERROR
    options = CheckOptions((live.nameserver,), live.cafile, live.https.port, smtp=False, timeout=3)
    fetch = check_domain("interop-redirect.mail.test", options).get("policy-fetch")
    assert fetch is not None and fetch.status is Status.FAIL


@pytest.mark.usefixtures("sender_network")
def test_our_checker_stays_strict_where_postfix_matching_is_looser(live: LiveFixture) -> None:
    live.publish(
        "interop-wild.mail.test",
        mx_hosts=["a.b.mx.interop-wild.mail.test"],
        patterns=["*.mx.interop-wild.mail.test"],
        smtp_certs=False,
    )
    answer = _run(_postfix_answer(live, "interop-wild.mail.test"))
    assert "OK secure match=.mx.interop-wild.mail.test" in answer
    match_list = answer.split("match=")[1].split()[0].split(":")
    assert _postfix_matches("a.b.mx.interop-wild.mail.test", match_list)  # Postfix would deliver

    options = CheckOptions((live.nameserver,), live.cafile, live.https.port, smtp=False, timeout=3)
    coverage = check_domain("interop-wild.mail.test", options).get("mx-coverage")
    assert coverage is not None and coverage.status is Status.FAIL  # RFC 8461 §4.1: one label only
    assert "a.b.mx.interop-wild.mail.test" in coverage.detail
