"""The one sender-like HTTPS policy fetch against a real HTTPS server on loopback (trustme CA)."""

from __future__ import annotations

import socket
import ssl
import struct
import threading

import pytest

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES, Accepted, FetchError, Refused, Rule
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.net.https_fetch import USER_AGENT, fetch_policy, make_tls_context, policy_fetch_url
from tests.livefixture.https_server import HttpsFixture, Site
from tests.livefixture.pki import Pki

HOST = "mta-sts.fetch.test"
POLICY = Policy.build("enforce", ["mx1.fetch.test"], 604800).render_bytes()


@pytest.fixture
def trust(pki: Pki) -> ssl.SSLContext:
    return make_tls_context(pki.cafile)


def serve(server: HttpsFixture, pki: Pki, site: Site, *names: str) -> Site:
    server.serve(HOST, site, pki.server_context(*(names or (HOST,))))
    return site


def test_the_url_leaves_out_port_443() -> None:
    assert policy_fetch_url(HOST) == f"https://{HOST}/.well-known/mta-sts.txt"
    assert policy_fetch_url(HOST, 8443, "/p") == f"https://{HOST}:8443/p"


def test_a_good_policy_is_read_with_what_the_checker_reports(
    server: HttpsFixture, pki: Pki, trust: ssl.SSLContext
) -> None:
    serve(server, pki, Site(body=POLICY))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    assert (got.status, got.content_type, got.body, got.too_large) == (200, "text/plain", POLICY, False)
    assert got.address == "127.0.0.1" and got.url == policy_fetch_url(HOST, server.port)
    assert got.tls_version is not None and got.tls_version.startswith("TLSv1.")
    assert got.certificate is not None and got.certificate.issuer != "unknown issuer"
    assert got.verdict == Accepted(POLICY, POLICY.decode())
    assert "pulumi-mta-sts" in USER_AGENT


@pytest.mark.parametrize(("size", "too_large"), [(MAX_POLICY_BYTES, False), (MAX_POLICY_BYTES + 1, True)])
def test_the_body_is_read_up_to_the_cap_plus_one_byte(
    server: HttpsFixture, pki: Pki, trust: ssl.SSLContext, size: int, too_large: bool
) -> None:
    serve(server, pki, Site(body=b"a" * size))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    assert got.too_large is too_large and got.body == b"a" * min(size, MAX_POLICY_BYTES)


def test_a_huge_body_is_cut_at_the_cap(server: HttpsFixture, pki: Pki, trust: ssl.SSLContext) -> None:
    serve(server, pki, Site(body=b"a" * (8 * MAX_POLICY_BYTES)))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    assert got.too_large and len(got.body) == MAX_POLICY_BYTES
    assert isinstance(got.verdict, Refused) and got.verdict.rule is Rule.SIZE


def test_a_redirect_is_reported_not_followed(server: HttpsFixture, pki: Pki, trust: ssl.SSLContext) -> None:
    site = serve(server, pki, Site(body=POLICY, status=301, location=f"https://{HOST}/elsewhere"))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    assert (got.status, got.location, site.requests) == (301, f"https://{HOST}/elsewhere", 1)


@pytest.mark.parametrize(
    ("names", "expired", "text"),
    [(("www.fetch.test",), False, "Hostname mismatch"), ((HOST,), True, "expired")],
)
def test_a_certificate_a_sender_refuses_is_a_tls_failure(
    server: HttpsFixture, pki: Pki, trust: ssl.SSLContext, names: tuple[str, ...], expired: bool, text: str
) -> None:
    server.serve(HOST, Site(body=POLICY), pki.server_context(*names, expired=expired))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    assert got.status is None and got.error_kind is FetchError.TLS
    assert got.error is not None and got.error.startswith("certificate rejected") and text in got.error


def test_a_certificate_from_an_unknown_ca_is_a_tls_failure(server: HttpsFixture, trust: ssl.SSLContext) -> None:
    stranger = Pki()
    try:
        server.serve(HOST, Site(body=POLICY), stranger.server_context(HOST))
        got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust)
    finally:
        stranger.close()
    assert got.error_kind is FetchError.TLS and got.error is not None and "unable to get local issuer" in got.error


def test_without_an_address_the_system_resolver_is_used(server: HttpsFixture, pki: Pki, trust: ssl.SSLContext) -> None:
    server.serve("localhost", Site(body=POLICY), pki.server_context("localhost"))
    got = fetch_policy("localhost", port=server.port, context=trust)
    assert got.status == 200 and got.address in {"127.0.0.1", "::1"}


def test_the_system_trust_store_refuses_the_test_ca(server: HttpsFixture, pki: Pki) -> None:
    serve(server, pki, Site(body=POLICY))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port)  # no context: the system store
    assert got.error_kind is FetchError.TLS


def test_an_answer_that_does_not_come_in_time_is_a_timeout(
    server: HttpsFixture, pki: Pki, trust: ssl.SSLContext
) -> None:
    # The request waits at a barrier nobody else reaches (up to 5 s, then 503); the fetch gives
    # up after 0.2 s. Nothing here sleeps.
    serve(server, pki, Site(body=POLICY, gate=threading.Barrier(2, timeout=5)))
    got = fetch_policy(HOST, "127.0.0.1", port=server.port, context=trust, timeout=0.2)
    assert (got.status, got.error_kind, got.error) == (None, FetchError.TIMEOUT, "no answer within 0.2s")


def test_a_closed_port_is_a_connect_failure(trust: ssl.SSLContext) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        got = fetch_policy(HOST, "127.0.0.1", port=port, context=trust)
    assert got.error_kind is FetchError.CONNECT and got.address == "127.0.0.1"
    assert isinstance(got.verdict, Refused) and got.verdict.rule is Rule.ANSWER


@pytest.mark.skipif(not hasattr(socket, "TCP_INFO"), reason="TCP_INFO (a listening socket's backlog) is Linux's")
def test_the_fixture_keeps_concurrent_connections_waiting(server: HttpsFixture) -> None:
    """The fixture stands in for every domain's policy host at once: a backlog of socketserver's 5 dropped
    bench_check.py's concurrent connections, which then waited a second for the SYN to be sent again."""
    for listening in server.servers:
        info = listening.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        backlog = struct.unpack_from("I", info, 28)[0]  # tcpi_sacked: a listening socket's backlog
        assert backlog >= 128
