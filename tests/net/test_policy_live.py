"""PolicyLive's logic against a real HTTPS server on loopback (trustme CA, SNI certificates).

The policy URL counts as serving the new policy only when a sender would cache exactly the new
bytes: HTTPS with a valid certificate, 200, text/plain, same SHA-256; redirects never count.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_url
from pulumi_mta_sts.net.served import Attempt, PolicyNotServed, fetch_policy, wait_until_served
from tests.livefixture.https_server import HttpsFixture, Site
from tests.livefixture.pki import Pki

DOMAIN = "example.com"
HOST = f"mta-sts.{DOMAIN}"
OLD = Policy.build("testing", ["mx1.example.com"], 86401)
NEW = Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 86401)


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    p = Pki()
    yield p
    p.close()


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[HttpsFixture]:
    fixture = HttpsFixture(pki.server_context("unknown.invalid"))
    yield fixture
    fixture.stop()


@pytest.fixture
def client_context(pki: Pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=pki.cafile)


def _opts(server: HttpsFixture, ctx: ssl.SSLContext) -> dict[str, Any]:
    return {"ssl_context": ctx, "connect_to": ("127.0.0.1", server.port)}


def _url(server: HttpsFixture) -> str:
    return policy_url(DOMAIN).replace(HOST, f"{HOST}:{server.port}")


def _no_sleep(seconds: float) -> None:
    """Backoff without waiting: the tests drive the server's state per attempt, not by time."""


def test_fetch_reads_status_type_and_exact_bytes(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve(HOST, Site(body=NEW.render_bytes()), pki.server_context(HOST))
    got = fetch_policy(_url(server), **_opts(server, client_context))
    assert (got.status, got.content_type, got.body) == (200, "text/plain", NEW.render_bytes())


def test_stale_body_then_fresh_body_is_served_on_the_attempt_that_sees_it(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    site = Site(body=OLD.render_bytes())
    server.serve(HOST, site, pki.server_context(HOST))
    seen: list[Attempt] = []

    def fetch_then_deploy_after_two(url: str, **kw: Any) -> Attempt:
        attempt = fetch_policy(url, **kw)  # a real HTTPS request each time
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


def test_never_fresh_fails_after_the_timeout_with_a_clear_message(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve(HOST, Site(body=OLD.render_bytes()), pki.server_context(HOST))
    now = [0.0]

    def clock() -> float:
        return now[0]

    def advance(seconds: float) -> None:
        now[0] += seconds

    result = wait_until_served(
        _url(server),
        NEW.render_bytes(),
        timeout=60,
        initial_delay=2,
        max_delay=16,
        clock=clock,
        sleep=advance,
        **_opts(server, client_context),
    )
    assert not result.served
    # backoff 2, 4, 8, 16, 16, then the 14 s left: 7 fetches in 60 s
    assert len(result.attempts) == 7 and result.elapsed == 60
    message = PolicyNotServed(result).args[0]
    assert f"id {NEW.id}" in message and f"policy id {OLD.id}" in message
    assert "keeps its old id" in message and "mta-sts:host.verify_live" in message


@pytest.mark.parametrize(
    ("site", "why"),
    [
        (Site(body=NEW.render_bytes(), status=302, location="https://elsewhere.example/"), "redirect"),
        (Site(body=NEW.render_bytes(), content_type="text/html"), "Content-Type 'text/html'"),
        (Site(body=NEW.render_bytes(), status=404), "HTTP 404"),
    ],
)
def test_what_a_sender_would_not_cache_never_counts(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext, site: Site, why: str
) -> None:
    server.serve(HOST, site, pki.server_context(HOST))
    result = wait_until_served(
        _url(server), NEW.render_bytes(), timeout=0, sleep=_no_sleep, **_opts(server, client_context)
    )
    assert not result.served and why in result.failure_message()


def test_a_certificate_for_another_name_never_counts(
    server: HttpsFixture, pki: Pki, client_context: ssl.SSLContext
) -> None:
    server.serve(HOST, Site(body=NEW.render_bytes()), pki.server_context("www.example.com"))
    result = wait_until_served(
        _url(server), NEW.render_bytes(), timeout=0, sleep=_no_sleep, **_opts(server, client_context)
    )
    assert not result.served and "certificate not valid for mta-sts.example.com" in result.failure_message()


def test_nobody_listening_is_a_failed_attempt_not_a_crash(client_context: ssl.SSLContext) -> None:
    import socket

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
    assert not result.served and "ConnectionRefusedError" in result.failure_message()
