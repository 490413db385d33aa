"""``dane:<mx>`` for MX hosts whose certificate PKIX refuses (self-signed, a private CA, another name,
expired): ``starttls:<mx>`` fails, and DANE still matches the certificate presented, read over one more
STARTTLS connection made only where usable TLSA records exist. Each test runs its own aiosmtpd server on
loopback that counts the connections it accepts (and can break every one after the first)."""

from __future__ import annotations

import datetime as dt
import ssl
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import DomainReport, Status, check_domain
from pulumi_mta_sts.check.dane_presented import names_host
from pulumi_mta_sts.core.tlsa import DANE_EE, DANE_TA, record_for
from tests.check import test_dane_live as base
from tests.check.test_gate_and_check_agree import self_signed
from tests.livefixture.smtp_server import _port_free_on, _Sink

world = base.world  # the module-scoped loopback world (DNS that sets AD, HTTPS policy)
DANE_VALID = "validating senders deliver under DANE; MTA-STS senders (non-DANE) refuse this certificate"


class CountingSmtp:
    """An aiosmtpd server on 127.0.0.1 offering STARTTLS with ``tls``, counting the connections it accepts
    once started; from connection ``break_from`` on it closes each one at once."""

    def __init__(self, tls: ssl.SSLContext, break_from: int | None = None) -> None:
        self.connections, self.armed, outer = 0, False, self

        class Counting(SMTP):
            def connection_made(self, transport: Any) -> None:
                upgraded = self._original_transport is not None  # called again after STARTTLS: not a connection
                super().connection_made(transport)
                if outer.armed and not upgraded:
                    outer.connections += 1
                    if break_from is not None and outer.connections >= break_from:
                        transport.close()

        class Serving(Controller):
            def factory(self) -> SMTP:
                return Counting(self.handler, **self.SMTP_kwargs)

        self.port = _port_free_on(["127.0.0.1"])
        self.controller = Serving(
            _Sink(), hostname="127.0.0.1", port=self.port, tls_context=tls, require_starttls=False
        )
        self.controller.start()  # returns once the server answered its own trigger connection
        self.armed = True


@contextmanager
def serving(tls: ssl.SSLContext, break_from: int | None = None) -> Iterator[CountingSmtp]:
    server = CountingSmtp(tls, break_from)
    try:
        yield server
    finally:
        server.controller.stop()


def _server_context(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as folder:
        cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert.write_bytes(cert_pem)
        key.write_bytes(key_pem)
        context.load_cert_chain(cert, key)
    return context


def issued(ca: trustme.CA, name: str, **kwargs: Any) -> tuple[ssl.SSLContext, bytes, list[bytes]]:
    """A server context with a certificate ``ca`` issued for ``name``; its DER and the chain served (DER)."""
    cert = ca.issue_cert(name, **kwargs)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    chain = [ssl.PEM_cert_to_DER_cert(pem.bytes().decode()) for pem in cert.cert_chain_pems]
    return context, chain[0], chain


def refused_certificate(world: base.World, kind: str, mx: str) -> tuple[ssl.SSLContext, bytes]:
    """A certificate for ``mx`` that PKIX refuses, and DANE-EE may accept (RFC 7672 §3.1.1)."""
    if kind == "self-signed":
        return self_signed(mx)
    if kind == "private CA":
        return issued(trustme.CA(), mx)[:2]
    if kind == "another name":
        return issued(world.live.pki.ca, f"other.{mx}")[:2]
    now = dt.datetime.now(dt.UTC)  # expired, from the CA the check trusts
    return issued(world.live.pki.ca, mx, not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))[
        :2
    ]


def check(world: base.World, domain: str, port: int) -> DomainReport:
    live = world.live
    options = live.check_options(smtp_port=port, dnssec_resolver=world.ad_setting.nameserver)
    return check_domain(domain, options)


def rows(report: DomainReport, mx: str) -> tuple[Status, tuple[Status, str, str]]:
    starttls = report.get(f"starttls:{mx}")
    assert starttls is not None
    return starttls.status, base.row(report, mx)


# ---- generated: every kind of refused certificate, selector and matching type, right or wrong ----
@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["self-signed", "private CA", "another name", "expired"]),
    selector=st.sampled_from([0, 1]),
    mtype=st.sampled_from([0, 1, 2]),
    right=st.booleans(),
)
def test_dane_ee_judges_the_certificate_pkix_refused_over_exactly_one_more_connection(
    world: base.World, kind: str, selector: int, mtype: int, right: bool
) -> None:
    domain, mx, _, _ = base.publish(world)
    tls, leaf = refused_certificate(world, kind, mx)
    data = record_for(leaf, DANE_EE, selector, mtype).data
    base.add_tlsa(world, mx, DANE_EE, selector, mtype, data if right else bytes([data[0] ^ 1]) + data[1:])
    base.add_tlsa(world, mx, DANE_EE, 1, 1, bytes(32))  # the next key: no rollover warning
    with serving(tls) as server:
        starttls, (status, detail, hint) = rows(check(world, domain, server.port), mx)
    assert starttls is Status.FAIL
    assert server.connections == 2
    if right:
        assert status is Status.PASS and "DANE valid" in detail and DANE_VALID in detail, detail
    else:
        assert status is Status.FAIL and "DANE mismatch" in detail and "will not deliver" in detail and hint


# ---- one scenario each ------------------------------------------------------------------------
def test_no_extra_connection_without_usable_tlsa_or_when_pkix_accepted_the_certificate(world: base.World) -> None:
    domain, mx, _, _ = base.publish(world)
    tls, leaf = self_signed(mx)
    with serving(tls) as server:  # no TLSA at all
        assert rows(check(world, domain, server.port), mx)[1][0] is Status.PASS
    assert server.connections == 1
    base.add_tlsa(world, mx, 1, 1, 1, record_for(leaf, 1, 1, 1).data)  # PKIX-EE: unusable for SMTP
    with serving(tls) as server:
        assert "every record is unusable" in rows(check(world, domain, server.port), mx)[1][1]
    assert server.connections == 1
    other, mx2, _, _ = base.publish(world)
    trusted, leaf2, _ = issued(world.live.pki.ca, mx2)
    base.add_tlsa(world, mx2, DANE_EE, 1, 1, record_for(leaf2, DANE_EE, 1, 1).data)
    with serving(trusted) as server:
        starttls, (_, detail, _) = rows(check(world, other, server.port), mx2)
    assert starttls is Status.PASS and "DANE valid" in detail and DANE_VALID not in detail
    assert server.connections == 1


def test_a_server_that_breaks_the_second_connection_leaves_the_match_not_checked(world: base.World) -> None:
    domain, mx, _, _ = base.publish(world)
    tls, leaf = self_signed(mx)
    base.add_tlsa(world, mx, DANE_EE, 1, 1, record_for(leaf, DANE_EE, 1, 1).data)
    with serving(tls, break_from=2) as server:
        starttls, (status, detail, hint) = rows(check(world, domain, server.port), mx)
    assert starttls is Status.FAIL and server.connections == 2
    assert status is Status.WARN and "not checked (reading the certificate again failed" in detail, detail
    assert f"starttls:{mx}" in hint


@pytest.fixture
def chain_known(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's chain, as Python 3.13 gives it (built from the private method of 3.11-3.12)."""
    if not base.CHAIN_KNOWN:
        monkeypatch.setattr(ssl.SSLSocket, "get_unverified_chain", base._chain_as_python_3_13_gives_it, raising=False)


@pytest.mark.usefixtures("chain_known")
@pytest.mark.parametrize("selector,mtype", [(0, 1), (1, 1), (0, 2), (1, 2), (0, 0)])
def test_dane_ta_of_a_private_ca_matches_the_chain_read_without_trust(
    world: base.World, selector: int, mtype: int
) -> None:
    private = trustme.CA().create_child_ca()  # the server sends leaf + this CA
    domain, mx, _, _ = base.publish(world)
    tls, _, chain = issued(private, mx)
    base.add_tlsa(world, mx, DANE_TA, selector, mtype, record_for(chain[1], DANE_TA, selector, mtype).data)
    with serving(tls) as server:
        starttls, (status, detail, _) = rows(check(world, domain, server.port), mx)
    assert starttls is Status.FAIL and server.connections == 2
    assert status is Status.PASS and DANE_VALID in detail, detail


@pytest.mark.usefixtures("chain_known")
def test_dane_ta_needs_the_mx_name_and_a_chain_the_ca_signed(world: base.World) -> None:
    private = trustme.CA().create_child_ca()
    domain, mx, _, _ = base.publish(world)
    tls, _, chain = issued(private, f"other.{mx}")  # the CA matches; the name does not (RFC 7672 §3.1.2)
    base.add_tlsa(world, mx, DANE_TA, 0, 1, record_for(chain[1], DANE_TA, 0, 1).data)
    with serving(tls) as server:
        status, detail, _ = rows(check(world, domain, server.port), mx)[1]
    assert status is Status.FAIL and "does not name the MX host" in detail, detail
    wildcard, mx2, _, _ = base.publish(world)
    tls, _, chain = issued(private, "*." + mx2.partition(".")[2])
    base.add_tlsa(world, mx2, DANE_TA, 0, 1, record_for(chain[1], DANE_TA, 0, 1).data)
    with serving(tls) as server:
        assert rows(check(world, wildcard, server.port), mx2)[1][0] is Status.PASS


@pytest.mark.skipif(base.CHAIN_KNOWN, reason="this Python gives the chain")
def test_without_the_chain_dane_ta_of_a_refused_certificate_is_not_checked(world: base.World) -> None:
    private = trustme.CA().create_child_ca()
    domain, mx, _, _ = base.publish(world)
    tls, _, chain = issued(private, mx)
    base.add_tlsa(world, mx, DANE_TA, 0, 1, record_for(chain[1], DANE_TA, 0, 1).data)
    with serving(tls) as server:
        status, detail, hint = rows(check(world, domain, server.port), mx)[1]
    assert status is Status.WARN and "not checked" in detail and "3.13" in hint


@pytest.mark.usefixtures("chain_known")
def test_dane_ta_naming_a_ca_that_did_not_sign_the_chain_fails(world: base.World) -> None:
    domain, mx, _, _ = base.publish(world)
    leaf = trustme.CA().create_child_ca().issue_cert(mx)
    stranger = trustme.CA().create_child_ca()  # sent in the chain, signed nothing of it
    pem = leaf.cert_chain_pems[0].bytes() + stranger.cert_pem.bytes()
    stranger_der = ssl.PEM_cert_to_DER_cert(stranger.cert_pem.bytes().decode())
    base.add_tlsa(world, mx, DANE_TA, 1, 1, record_for(stranger_der, DANE_TA, 1, 1).data)
    with serving(_server_context(pem, leaf.private_key_pem.bytes())) as server:
        status, detail, _ = rows(check(world, domain, server.port), mx)[1]
    assert status is Status.FAIL and "not signed by it" in detail, detail


@pytest.mark.usefixtures("chain_known")
def test_without_cryptography_dane_ta_of_a_chain_read_without_trust_is_not_checked(
    world: base.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = trustme.CA().create_child_ca()
    domain, mx, _, _ = base.publish(world)
    tls, _, chain = issued(private, mx)
    base.add_tlsa(world, mx, DANE_TA, 0, 1, record_for(chain[1], DANE_TA, 0, 1).data)
    monkeypatch.setitem(sys.modules, "cryptography", None)  # the base install has no cryptography
    with serving(tls) as server:
        status, detail, hint = rows(check(world, domain, server.port), mx)[1]
    assert status is Status.WARN and "2 0 1" in detail and "not checked" in detail and "pulumi-mta-sts[dane]" in hint, (
        detail
    )


label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(labels=st.lists(label, min_size=2, max_size=5), upper=st.booleans(), dot=st.booleans())
def test_a_dane_ta_leaf_names_the_mx_host_exactly_or_by_a_wildcard_of_one_leftmost_label(
    labels: list[str], upper: bool, dot: bool
) -> None:
    host = ".".join(labels)
    shown = (host.upper() if upper else host) + ("." if dot else "")
    assert names_host([shown], host) and names_host(["*." + ".".join(labels[1:])], host)
    assert not names_host(["*." + host], host)  # a wildcard stands for one label, not two
    assert not names_host(["x" + host], host) and not names_host([], host)
    if len(labels) > 2:
        assert not names_host(["*." + ".".join(labels[2:])], host)
