"""``dane:<mx>`` rows end to end on loopback: the fixture's DNS, HTTPS and STARTTLS servers (aiosmtpd,
certificates from a trustme intermediate CA), and a second DNS server over the same zone that sets the
AD bit for the names marked signed (``AD_SETTING``: it plays a validating resolver, validating nothing;
``test_dane_unbound.py`` has real DNSSEC). TLSA records are made from the certificates served."""

from __future__ import annotations

import _ssl
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import trustme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check import DomainReport, Status, check_domain
from pulumi_mta_sts.cli import EXIT_UNREACHABLE, main
from pulumi_mta_sts.core.tlsa import DANE_TA, record_for
from tests.livefixture import LiveFixture, live_fixture
from tests.livefixture.dns_server import DnsFixture
from tests.livefixture.silent_dns import closed_port

#: Whether this Python gives the server's chain (3.13+): DANE-TA is matched only then.
CHAIN_KNOWN = hasattr(ssl.SSLSocket, "get_unverified_chain")


@dataclass
class World:
    live: LiveFixture
    ad_setting: DnsFixture  # answers like live.dns, with AD on names in live.zone.signed
    intermediate: trustme.CA
    names: Iterator[int]
    lock: threading.Lock


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with live_fixture() as live:
        ad_setting = DnsFixture(live.zone, sets_ad=True)
        try:
            yield World(live, ad_setting, live.pki.ca.create_child_ca(), iter(range(10**6)), threading.Lock())
        finally:
            ad_setting.stop()


def _der(pem: bytes) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.decode())


def serve_new_key(world: World, mx: str) -> tuple[bytes, bytes]:
    """Serve a new certificate (a new key) for ``mx`` over STARTTLS; its DER and its issuer's."""
    cert = world.intermediate.issue_cert(mx)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    world.live.smtp.certificate(mx, context)
    leaf, issuer = cert.cert_chain_pems[:2]
    return _der(leaf.bytes()), _der(issuer.bytes())


def publish(world: World, *, signed: str = "zone") -> tuple[str, str, bytes, bytes]:
    """A correct MTA-STS domain with one MX host serving a fresh certificate; ``signed``: ``zone`` (the
    TLSA name and the address are vouched for), ``tlsa`` (only the TLSA name), ``none``."""
    with world.lock:
        domain = f"d{next(world.names)}.dane.test"
    mx = f"mx.{domain}"
    world.live.publish(domain, mx_hosts=(mx,))
    leaf, issuer = serve_new_key(world, mx)
    if signed != "none":
        world.live.zone.signed.add(mx if signed == "zone" else f"_25._tcp.{mx}")
    return domain, mx, leaf, issuer


def add_tlsa(world: World, mx: str, usage: int, selector: int, mtype: int, data: bytes) -> None:
    world.live.zone.add(f"_25._tcp.{mx}", "TLSA", (usage, selector, mtype, data))


def check(
    world: World, domain: str, *, smtp: bool = True, validating: bool = True, resolver: str | None = None
) -> DomainReport:
    """``mta-sts check`` of ``domain``; DANE asks ``resolver``, else the AD-setting server (``validating``)
    or the fixture's plain one."""
    live = world.live
    options = live.check_options(
        smtp=smtp, dnssec_resolver=resolver or (world.ad_setting.nameserver if validating else "")
    )
    return check_domain(domain, options)


def row(report: DomainReport, mx: str) -> tuple[Status, str, str]:
    found = report.get(f"dane:{mx}")
    assert found is not None, [c.id for c in report.checks]
    return found.status, found.detail, found.hint


# ---- generated: every usage, selector and matching type, corrupted or not ----------------------
record_spec = st.tuples(
    st.sampled_from([0, 1, 2, 3, 4]), st.sampled_from([0, 1, 2]), st.sampled_from([0, 1, 2, 3]), st.booleans()
)


def _expected(specs: list[tuple[int, int, int, bool]], chain_known: bool) -> Status:
    """The verdict RFC 7672 gives, for a validated zone: which records a sender can use, and whether one of
    them names the certificate served (DANE-EE: the leaf; DANE-TA: its issuer, in the chain presented)."""
    usable = [(u, s, m, bad) for u, s, m, bad in specs if u in (2, 3) and s in (0, 1) and m in (0, 1, 2)]
    if not usable:
        return Status.WARN  # every record unusable
    ee_match = [spec for spec in usable if spec[0] == 3 and not spec[3]]
    if ee_match:  # a set naming only the current key warns (a renewal with a new key would break it)
        return Status.WARN if len(ee_match) == len(usable) else Status.PASS
    ta = [spec for spec in usable if spec[0] == 2]
    if ta and chain_known and any(not bad for *_, bad in ta):
        return Status.PASS
    if ta and (not chain_known or any(s == 1 and m == 0 for _, s, m, _ in ta)):
        return Status.WARN  # DANE-TA not checked (no chain, or a bare key)
    return Status.FAIL


@pytest.mark.parametrize("chain_known", sorted({CHAIN_KNOWN, True}))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(record_spec, min_size=1, max_size=4, unique=True))
def test_every_record_shape_gets_the_verdict_rfc_7672_gives(
    world: World, monkeypatch: pytest.MonkeyPatch, chain_known: bool, specs: list[tuple[int, int, int, bool]]
) -> None:
    if chain_known and not CHAIN_KNOWN:
        monkeypatch.setattr(ssl.SSLSocket, "get_unverified_chain", _chain_as_python_3_13_gives_it, raising=False)
    domain, mx, leaf, issuer = publish(world)
    for usage, selector, mtype, bad in specs:
        named = issuer if usage == DANE_TA else leaf
        data = record_for(named, 3, min(selector, 1), min(mtype, 2)).data if mtype < 3 else bytes(32)
        add_tlsa(world, mx, usage, selector, mtype, bytes([data[0] ^ 1]) + data[1:] if bad else data)
    status, detail, hint = row(check(world, domain), mx)
    assert status is _expected(specs, chain_known), detail
    assert "validating senders" in detail or "DANE senders" in detail
    if status is not Status.PASS:
        assert hint


# ---- one scenario each --------------------------------------------------------------------------
def test_a_two_record_rollover_keeps_dane_valid_through_a_renewal_and_one_record_breaks(world: World) -> None:
    domain, mx, current, _ = publish(world)
    add_tlsa(world, mx, 3, 1, 1, record_for(current, 3, 1, 1).data)
    status, detail, hint = row(check(world, domain), mx)
    assert status is Status.WARN and "only the current key" in detail and "RFC 7671 §8.1" in hint
    renewed, _ = serve_new_key(world, mx)  # renewed with a new key, the TLSA record left as it was
    status, detail, hint = row(check(world, domain), mx)
    assert status is Status.FAIL and "validating senders will not deliver" in detail and "RFC 8461 §2" in detail
    add_tlsa(world, mx, 3, 1, 1, record_for(renewed, 3, 1, 1).data)  # current + next: the fix
    assert row(check(world, domain), mx)[0] is Status.PASS
    serve_new_key(world, mx)  # a key neither record names
    assert row(check(world, domain), mx)[0] is Status.FAIL


def test_without_ad_tlsa_is_not_validated_and_never_a_failure(world: World) -> None:
    domain, mx, _leaf, _ = publish(world, signed="none")
    add_tlsa(world, mx, 3, 1, 1, bytes(32))  # would be a mismatch if validated
    for report in (check(world, domain), check(world, domain, validating=False)):
        status, detail, hint = row(report, mx)
        assert status is Status.WARN, detail
        assert "not validated (the zone is unsigned or the resolver does not validate)" in detail
        assert "every sender applies MTA-STS" in detail and "--dnssec-resolver" in hint
    assert check(world, domain).ok


def test_a_validated_tlsa_answer_beside_an_unvalidated_address_warns(world: World) -> None:
    domain, mx, leaf, _ = publish(world, signed="tlsa")
    add_tlsa(world, mx, 3, 1, 1, record_for(leaf, 3, 1, 1).data)
    status, detail, hint = row(check(world, domain), mx)
    assert status is Status.WARN and f"the address of {mx} is not" in detail and "RFC 7672 §2.2.2" in hint
    world.live.zone.signed.add(mx)
    assert "DANE valid" in row(check(world, domain), mx)[1]


def test_every_record_unusable_warns_that_senders_fall_back_to_unauthenticated_tls(world: World) -> None:
    domain, mx, leaf, issuer = publish(world)
    add_tlsa(world, mx, 1, 1, 1, record_for(leaf, 3, 1, 1).data)  # PKIX-EE: not used for SMTP
    add_tlsa(world, mx, 0, 0, 1, record_for(issuer, 3, 0, 1).data)  # PKIX-TA
    status, detail, _ = row(check(world, domain), mx)
    assert status is Status.WARN and "every record is unusable" in detail and "RFC 7672 §3.1.3" in detail


def test_with_no_smtp_tlsa_is_still_judged_and_the_match_is_not_checked(world: World) -> None:
    domain, mx, _leaf, _ = publish(world)
    add_tlsa(world, mx, 3, 1, 1, bytes(32))  # a mismatch nobody sees without STARTTLS
    status, detail, _ = row(check(world, domain, smtp=False), mx)
    assert status is Status.PASS and "not checked (--no-smtp)" in detail
    unsigned, mx2, _, _ = publish(world, signed="none")
    add_tlsa(world, mx2, 3, 1, 1, bytes(32))
    assert row(check(world, unsigned, smtp=False), mx2)[0] is Status.WARN


def test_dane_ta_is_matched_where_python_gives_the_chain_and_not_checked_elsewhere(world: World) -> None:
    domain, mx, _, issuer = publish(world)
    add_tlsa(world, mx, DANE_TA, 0, 1, record_for(issuer, DANE_TA, 0, 1).data)
    status, detail, hint = row(check(world, domain), mx)
    if CHAIN_KNOWN:
        assert status is Status.PASS and "match" in detail
    else:
        assert status is Status.WARN and "not checked" in detail and "3.13" in hint


def test_no_tlsa_is_no_dane_and_the_per_mx_tlsrpt_record_is_reported_for_dane_hosts_in_the_zone(world: World) -> None:
    domain, mx, leaf, _ = publish(world)
    status, detail, _ = row(check(world, domain), mx)
    assert status is Status.PASS and detail.startswith("no DANE") and "_smtp._tls" not in detail
    add_tlsa(world, mx, 3, 1, 1, record_for(leaf, 3, 1, 1).data)
    add_tlsa(world, mx, 3, 1, 1, bytes(32))  # a second record: no rollover warning to hide the note
    assert f"_smtp._tls.{mx} has no valid TLS-RPT record" in row(check(world, domain), mx)[1]
    world.live.zone.add(f"_smtp._tls.{mx}", "TXT", f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}")
    status, detail, _ = row(check(world, domain), mx)
    assert status is Status.PASS and f"_smtp._tls.{mx} has a TLS-RPT record" in detail


def test_a_tlsa_lookup_that_times_out_warns_that_validating_senders_defer(world: World) -> None:
    domain, mx, _, _ = publish(world)
    world.live.zone.blackhole(f"_25._tcp.{mx}")
    status, detail, hint = row(check(world, domain), mx)
    assert status is Status.WARN and "defers mail" in detail and "RFC 7672 §2.2" in hint


def test_the_cli_prints_dane_rows_in_json_and_exits_1_on_a_mismatch(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    domain, mx, _, _ = publish(world)
    add_tlsa(world, mx, 3, 1, 1, bytes(32))
    args = ["check", domain, *world.live.cli_args(), "--dnssec-resolver", world.ad_setting.nameserver, "--json"]
    assert main(args) == 1
    rows = {c["id"]: c for c in json.loads(capsys.readouterr().out)["domains"][0]["checks"]}
    assert rows[f"dane:{mx}"]["status"] == "fail" and set(rows[f"dane:{mx}"]) == {"id", "status", "detail", "hint"}
    ids = list(rows)
    assert ids.index(f"starttls:{mx}") < ids.index(f"dane:{mx}") < ids.index("tlsrpt-record")


@pytest.mark.parametrize("value", ["resolver.example", "127.0.0.1:0", "[::1", ""])
def test_a_wrong_dnssec_resolver_is_one_line_naming_the_flag_and_exit_2(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "mail.example", "--dnssec-resolver", value]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--dnssec-resolver" in lines[0], lines


def _chain_as_python_3_13_gives_it(sock: ssl.SSLSocket) -> list[bytes]:
    """``SSLSocket.get_unverified_chain()`` of Python 3.13 (DER bytes, leaf first), built from the private
    method Python 3.10-3.12 already have, so the 3.13 path runs here too."""
    chain = sock._sslobj.get_unverified_chain() or []  # type: ignore[attr-defined]
    return [cert.public_bytes(_ssl.ENCODING_DER) for cert in chain]


@pytest.mark.skipif(CHAIN_KNOWN, reason="this Python gives the chain itself (tested above)")
def test_with_the_chain_dane_ta_matches_the_issuer_and_fails_for_another_ca(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ssl.SSLSocket, "get_unverified_chain", _chain_as_python_3_13_gives_it, raising=False)
    domain, mx, _, issuer = publish(world)
    add_tlsa(world, mx, DANE_TA, 1, 1, record_for(issuer, DANE_TA, 1, 1).data)
    add_tlsa(world, mx, DANE_TA, 1, 2, record_for(issuer, DANE_TA, 1, 2).data)
    status, detail, _ = row(check(world, domain), mx)
    assert status is Status.PASS and "2 1 1" in detail and "not checked" not in detail, detail
    other, mx2, _, _ = publish(world)
    another_ca = ssl.PEM_cert_to_DER_cert(trustme.CA().cert_pem.bytes().decode())
    add_tlsa(world, mx2, DANE_TA, 0, 1, record_for(another_ca, DANE_TA, 0, 1).data)
    status, detail, _ = row(check(world, other), mx2)
    assert status is Status.FAIL and "DANE mismatch" in detail


def test_a_hostile_rrset_of_many_records_is_listed_in_a_bounded_row(world: World) -> None:
    domain, mx, leaf, _ = publish(world)
    for n in range(40):
        add_tlsa(world, mx, 3, 1, 1, n.to_bytes(32, "big"))
    add_tlsa(world, mx, 3, 1, 1, record_for(leaf, 3, 1, 1).data)
    status, detail, _ = row(check(world, domain), mx)
    assert status is Status.PASS and "and 33 more" in detail and len(detail) < 2000, detail


def test_a_dnssec_resolver_that_does_not_answer_is_said_once_and_nothing_is_judged(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    domain, _, _, _ = publish(world)
    port = closed_port()
    args = ["check", domain, *world.live.cli_args(), "--dnssec-resolver", f"127.0.0.1:{port}"]
    assert main(args) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert (
        len(lines) == 1
        and f"127.0.0.1:{port}: nothing answers DNS there" in lines[0]
        and "--dnssec-resolver" in lines[0]
    )
