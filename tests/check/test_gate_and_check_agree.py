"""The deploy gate and ``mta-sts check`` must reach the same verdict on the same policy URL.

If ``PolicyLive`` (``net/served.py``) accepted what the checker fails, a deploy would publish a
new id for a body senders refuse; the other way round, a deploy would stop although every
sender takes the policy. Both fetch with ``net/https_fetch.py`` and judge with
``core/acceptance.py``; this test would catch them drifting apart again. For every row the
loopback fixture (DNS + HTTPS with a trustme CA) serves one response at ``mta-sts.<domain>``;
the gate waits for exactly the served bytes (so only the sender rules decide) and the checker
checks the domain; both verdicts must equal the row's expectation, and a refusal must give the
same reason on both paths.
"""

from __future__ import annotations

import datetime as dt
import http
import ssl
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pulumi_mta_sts.check import CheckOptions, DomainReport, Status, check_domain
from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES, Accepted
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.net.https_fetch import FetchResult, fetch_policy, make_tls_context, policy_fetch_url
from pulumi_mta_sts.net.served import WaitResult, wait_until_served
from tests.livefixture import LiveFixture, Published, live_fixture
from tests.livefixture.pki import Pki

TARGET = "target.agree.test"  # serves a good policy: where the redirects point


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        fixture.publish(TARGET, smtp_certs=False)
        yield fixture


@pytest.fixture(scope="module")
def stranger() -> Iterator[Pki]:
    """A CA nobody trusts."""
    pki = Pki()
    yield pki
    pki.close()


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server context with a certificate for ``host`` that signs itself."""
    return self_signed(host)[0]


def self_signed(host: str) -> tuple[ssl.SSLContext, bytes]:
    """:func:`self_signed_context` and that certificate (DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as pem:  # ssl loads chains from files only
        pem.write(cert_pem + key_pem)
        pem.flush()
        ctx.load_cert_chain(pem.name)
    return ctx, cert.public_bytes(serialization.Encoding.DER)


def at_the_cap(policy: Policy) -> bytes:
    """A valid policy of exactly :data:`MAX_POLICY_BYTES` (padded with an extension field)."""
    head, tail = policy.render_bytes(), b"\r\n"
    prefix = b"x-pad: "
    return head + prefix + b"a" * (MAX_POLICY_BYTES - len(head) - len(prefix) - len(tail)) + tail


@dataclass(frozen=True)
class Row:
    """One response served at the policy URL, and whether a sender accepts it."""

    name: str
    accepted: bool
    change: Callable[[LiveFixture, Published, Pki], None]


def _site(**fields: Any) -> Callable[[LiveFixture, Published, Pki], None]:
    def change(live: LiveFixture, published: Published, stranger: Pki) -> None:
        for key, value in fields.items():
            setattr(published.site, key, value)

    return change


def _body(make: Callable[[Policy], bytes]) -> Callable[[LiveFixture, Published, Pki], None]:
    def change(live: LiveFixture, published: Published, stranger: Pki) -> None:
        published.site.body = make(published.policy)

    return change


def _certificate(kind: str) -> Callable[[LiveFixture, Published, Pki], None]:
    def change(live: LiveFixture, published: Published, stranger: Pki) -> None:
        host = published.host
        if kind == "other-name":
            live.certificate(host, f"www.{published.domain}")
        elif kind == "expired":
            live.certificate(host, expired=True)
        elif kind == "untrusted-ca":
            live.https.contexts[host] = stranger.server_context(host)
        else:
            live.https.contexts[host] = self_signed_context(host)

    return change


GOOD_POLICY_URL = f"https://{policy_host(TARGET)}/.well-known/mta-sts.txt"

ROWS = [
    Row("200 text/plain", True, _site()),
    Row("200 text/plain; charset=utf-8", True, _site(content_type="text/plain; charset=utf-8")),
    Row("200 TEXT/PLAIN;Charset=UTF-8", True, _site(content_type="TEXT/PLAIN;Charset=UTF-8")),
    Row("200 text/html", False, _site(content_type="text/html")),
    Row("200 text/html; charset=utf-8", False, _site(content_type="text/html; charset=utf-8")),
    Row("200 empty Content-Type", False, _site(content_type="")),
    Row("200 without a Content-Type header", False, _site(content_type=None)),
    Row("301 to a good policy", False, _site(status=301, location=GOOD_POLICY_URL)),
    Row("302 to a good policy", False, _site(status=302, location=GOOD_POLICY_URL)),
    Row("404", False, _site(status=404)),
    Row("500", False, _site(status=500)),
    Row("body exactly at the cap", True, _body(at_the_cap)),
    Row("body one byte over the cap", False, _body(lambda p: at_the_cap(p) + b"a")),
    Row("body not UTF-8", False, _body(lambda p: p.render_bytes().replace(b"enforce", b"enf\xf6rce"))),
    Row("body shorter than its Content-Length", False, _site(missing=1)),
    Row("body far shorter than its Content-Length", False, _site(missing=10_000)),
    Row("certificate for another name", False, _certificate("other-name")),
    Row("certificate expired", False, _certificate("expired")),
    Row("certificate from an untrusted CA", False, _certificate("untrusted-ca")),
    Row("certificate self-signed", False, _certificate("self-signed")),
]

#: Every final status a server can send with a body, other than 200: all refused by both.
OTHER_STATUSES = [s.value for s in http.HTTPStatus if 200 < s.value < 600 and s.value not in (204, 205, 304)]


def gate(live: LiveFixture, published: Published) -> WaitResult:
    """``wait_until_served`` for exactly the served bytes (cut at the cap: a longer expected
    policy is an input error, and the first 64 KiB of an oversized body must still be refused),
    one attempt, no sleeping (the fake clock reaches the deadline as the attempt returns)."""
    now = [0.0]

    def one_attempt(host: str, address: str | None = None, **kw: Any) -> FetchResult:
        attempt = fetch_policy(host, address, **kw)
        now[0] += 3.0
        return attempt

    return wait_until_served(
        policy_fetch_url(published.host, live.https.port),
        published.site.body[:MAX_POLICY_BYTES],
        timeout=3.0,
        ssl_context=make_tls_context(live.cafile),
        connect_to=("127.0.0.1", live.https.port),
        fetch=one_attempt,
        clock=lambda: now[0],
        sleep=lambda seconds: None,
    )


def checker(live: LiveFixture, domain: str) -> DomainReport:
    options = CheckOptions(
        nameservers=(live.nameserver,), cafile=live.cafile, https_port=live.https.port, smtp=False, timeout=3.0
    )
    return check_domain(domain, options)


def assert_agree(live: LiveFixture, published: Published, accepted: bool) -> None:
    waited = gate(live, published)
    fetch_check = checker(live, published.domain).get("policy-fetch")
    assert fetch_check is not None
    assert len(waited.attempts) == 1
    assert (waited.served, fetch_check.status is Status.PASS) == (accepted, accepted), (
        waited.failure_message(),
        fetch_check,
    )
    verdict = waited.attempts[0].verdict
    if not isinstance(verdict, Accepted):  # the same reason and fix on both paths
        assert verdict.reason in fetch_check.detail and verdict.fix == fetch_check.hint
        assert verdict.reason in waited.failure_message() and verdict.fix in waited.failure_message()


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_the_gate_and_the_checker_agree(live: LiveFixture, stranger: Pki, row: Row) -> None:
    domain = f"row{ROWS.index(row)}.agree.test"
    published = live.publish(domain, smtp_certs=False)
    row.change(live, published, stranger)
    assert_agree(live, published, row.accepted)


@pytest.mark.parametrize("status", OTHER_STATUSES)
def test_the_gate_and_the_checker_refuse_every_other_status(live: LiveFixture, status: int) -> None:
    published = live.publish(f"status{status}.agree.test", smtp_certs=False)
    published.site.status = status
    published.site.location = GOOD_POLICY_URL if 300 <= status < 400 else None
    assert_agree(live, published, False)
