"""The deploy gate's waiting (``net/served.py``) against a real HTTPS server on loopback
(trustme CA, SNI certificates).

The policy URL counts as serving the new policy only when a sender would accept the fetch
(``core/acceptance.py``) and the accepted body is exactly the new bytes; redirects never count.
"""

from __future__ import annotations

import inspect
import socket
import ssl
from typing import Any

import pytest

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT, VERIFY_INITIAL_DELAY, VERIFY_MAX_DELAY, VERIFY_TIMEOUT
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_url
from pulumi_mta_sts.net.https_fetch import FetchResult, fetch_policy
from pulumi_mta_sts.net.served import MIN_ATTEMPT_SECONDS, PolicyNotServed, wait_until_served
from tests.livefixture.https_server import HttpsFixture, Site
from tests.livefixture.pki import Pki

DOMAIN = "example.com"
HOST = f"mta-sts.{DOMAIN}"
OLD = Policy.build("testing", ["mx1.example.com"], 86401)
NEW = Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 86401)


@pytest.fixture
def client_context(pki: Pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=pki.cafile)


def _opts(server: HttpsFixture, ctx: ssl.SSLContext) -> dict[str, Any]:
    return {"ssl_context": ctx, "connect_to": ("127.0.0.1", server.port)}


def _url(server: HttpsFixture) -> str:
    return policy_url(DOMAIN).replace(HOST, f"{HOST}:{server.port}")


def _no_sleep(seconds: float) -> None:
    """Backoff without waiting: the tests drive the server's state per attempt, not by time."""


def _must_not_fetch(host: str, address: str | None = None, **kw: Any) -> FetchResult:
    raise AssertionError("fetched although the input can never be served")


def test_the_defaults_are_the_toolkits() -> None:
    params = inspect.signature(wait_until_served).parameters
    defaults = {name: params[name].default for name in ("timeout", "initial_delay", "max_delay", "request_timeout")}
    assert defaults == {
        "timeout": VERIFY_TIMEOUT,
        "initial_delay": VERIFY_INITIAL_DELAY,
        "max_delay": VERIFY_MAX_DELAY,
        "request_timeout": HTTPS_REQUEST_TIMEOUT,
    }


def test_the_new_body_served_is_served(server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext) -> None:
    server.serve(HOST, Site(body=NEW.render_bytes()), pki.server_context(HOST))
    result = wait_until_served(_url(server), NEW.render_bytes(), timeout=0, **_opts(server, client_context))
    assert result.served and len(result.attempts) == 1
    assert result.last is not None and result.last.body == NEW.render_bytes()


def test_stale_body_then_fresh_body_is_served_on_the_attempt_that_sees_it(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    site = Site(body=OLD.render_bytes())
    server.serve(HOST, site, pki.server_context(HOST))
    seen: list[FetchResult] = []

    def fetch_then_deploy_after_two(host: str, address: str | None = None, **kw: Any) -> FetchResult:
        attempt = fetch_policy(host, address, **kw)  # a real HTTPS request each time
        seen.append(attempt)
        if len(seen) == 2:
            site.body = NEW.render_bytes()  # the CDN now has the new object
        return attempt

    result = wait_until_served(
        _url(server),
        NEW.render_bytes(),
        timeout=30,
        fetch=fetch_then_deploy_after_two,
        sleep=_no_sleep,
        **_opts(server, client_context),
    )
    assert result.served
    assert [a.body for a in result.attempts] == [OLD.render_bytes(), OLD.render_bytes(), NEW.render_bytes()]


def test_never_fresh_backs_off_then_fails_after_the_timeout_saying_why(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve(HOST, Site(body=OLD.render_bytes()), pki.server_context(HOST))
    now = [0.0]
    slept: list[float] = []

    def advance(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    result = wait_until_served(
        _url(server),
        NEW.render_bytes(),
        timeout=60,
        initial_delay=2,
        max_delay=16,
        clock=lambda: now[0],
        sleep=advance,
        **_opts(server, client_context),
    )
    assert not result.served
    assert slept == [2, 4, 8, 16, 16, 14]  # doubling, capped, the last one cut to the deadline
    assert len(result.attempts) == 7 and result.elapsed == 60
    message = PolicyNotServed(result).args[0]
    assert f"id {NEW.id}" in message and f"policy id {OLD.id}" in message
    assert "senders accept it, but it is not the new policy" in message
    assert "keeps its old id" in message and "mta-sts:host.verify_live" in message


@pytest.mark.parametrize(
    ("site", "why"),
    [
        (Site(body=NEW.render_bytes(), status=302, location="https://elsewhere.example/"), "302 redirect"),
        (Site(body=NEW.render_bytes(), content_type="text/html"), "Content-Type 'text/html'"),
        (Site(body=NEW.render_bytes(), status=404), "answers HTTP 404"),
        (Site(body=b"\xff" + NEW.render_bytes()), "not valid UTF-8"),
    ],
)
def test_what_a_sender_would_not_cache_never_counts_even_with_the_expected_bytes(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext, site: Site, why: str
) -> None:
    server.serve(HOST, site, pki.server_context(HOST))
    result = wait_until_served(_url(server), site.body, timeout=0, sleep=_no_sleep, **_opts(server, client_context))
    assert not result.served
    message = result.failure_message()
    assert why in message and "senders refuse it" in message


def test_a_certificate_for_another_name_never_counts(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve(HOST, Site(body=NEW.render_bytes()), pki.server_context("www.example.com"))
    result = wait_until_served(
        _url(server), NEW.render_bytes(), timeout=0, sleep=_no_sleep, **_opts(server, client_context)
    )
    message = result.failure_message()
    assert not result.served and "certificate rejected" in message and "mta-sts.example.com" in message
    assert "serve a certificate valid for mta-sts.example.com" in message


def test_nobody_listening_is_a_failed_attempt_not_a_crash(client_context: ssl.SSLContext) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        result = wait_until_served(
            f"https://{HOST}:{port}/.well-known/mta-sts.txt",
            NEW.render_bytes(),
            timeout=0,
            sleep=_no_sleep,
            ssl_context=client_context,
            connect_to=("127.0.0.1", port),
        )
    message = result.failure_message()
    assert not result.served and f"cannot connect to 127.0.0.1 port {port}" in message


def test_without_connect_to_the_url_is_fetched_through_the_system_resolver(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve("localhost", Site(body=NEW.render_bytes()), pki.server_context("localhost"))
    url = f"https://localhost:{server.port}/.well-known/mta-sts.txt"
    result = wait_until_served(url, NEW.render_bytes(), timeout=0, ssl_context=client_context)
    assert result.served and result.last is not None
    assert result.last.address in {"127.0.0.1", "::1"}


def test_each_fetch_gets_the_url_parts_and_a_timeout_within_the_deadline() -> None:
    calls: list[dict[str, Any]] = []

    def record(host: str, address: str | None = None, **kw: Any) -> FetchResult:
        calls.append({"host": host, "address": address, **kw})
        return FetchResult(host=host, url="", address="-", error="refused", error_kind=None)

    now = [0.0]

    def advance(seconds: float) -> None:
        now[0] += seconds

    wait_until_served(
        "https://mta-sts.example.com:8443/.well-known/mta-sts.txt?x=1",
        b"policy",
        timeout=5,
        initial_delay=3,
        request_timeout=10,
        fetch=record,
        clock=lambda: now[0],
        sleep=advance,
    )
    first = calls[0]
    assert (first["host"], first["address"], first["port"]) == ("mta-sts.example.com", None, 8443)
    assert first["path"] == "/.well-known/mta-sts.txt?x=1"
    # The time left, but at least MIN_ATTEMPT_SECONDS: a whole fetch cut to a sliver only times out.
    assert [c["timeout"] for c in calls] == [5, 2, MIN_ATTEMPT_SECONDS]


@pytest.mark.parametrize(
    ("url", "expected", "field"),
    [
        ("http://mta-sts.example.com/.well-known/mta-sts.txt", b"policy", "url"),
        ("mta-sts.example.com/.well-known/mta-sts.txt", b"policy", "url"),
        ("https://mta-sts.example.com/.well-known/mta-sts.txt", b"a" * (MAX_POLICY_BYTES + 1), "policy_text"),
    ],
)
def test_what_can_never_be_served_is_an_input_error_before_any_fetch(url: str, expected: bytes, field: str) -> None:
    with pytest.raises(InputError) as caught:
        wait_until_served(url, expected, fetch=_must_not_fetch)
    assert [p.field for p in caught.value.problems] == [field]
