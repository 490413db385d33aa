"""TLSA matching (core/tlsa.py) against certificates from a real CA (trustme) and an independent reading of
them (``cryptography``, which trustme brings to the dev install): every usage, selector and matching type,
with and without corrupted data, and hostile bytes where a certificate should be."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.tlsa import (
    DANE_EE,
    DANE_TA,
    DIGESTS,
    DerError,
    Match,
    Tlsa,
    association,
    match,
    names_only_the_current_key,
    record_for,
    subject_public_key_info,
)


def _der(pem: bytes) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.decode())


def _issued(ca: trustme.CA, key_type: trustme.KeyType) -> tuple[bytes, bytes]:
    """A leaf certificate and the intermediate that issued it (DER), as a server presents them."""
    leaf, intermediate = ca.issue_cert("mx.dane.test", key_type=key_type).cert_chain_pems[:2]
    return _der(leaf.bytes()), _der(intermediate.bytes())


ROOT = trustme.CA()
INTERMEDIATE = ROOT.create_child_ca()
#: Two leaves of each key type (two keys: a renewal) and the intermediate, from one real CA.
LEAVES = [_issued(INTERMEDIATE, kind)[0] for kind in (trustme.KeyType.ECDSA, trustme.KeyType.RSA) for _ in range(2)]
ISSUER = _issued(INTERMEDIATE, trustme.KeyType.ECDSA)[1]
OTHER_CA = _der(trustme.CA().cert_pem.bytes())

DIGEST_OF: dict[int, Callable[[bytes], bytes]] = {0: lambda b: b, 1: lambda b: hashlib.sha256(b).digest()}
DIGEST_OF[2] = lambda b: hashlib.sha512(b).digest()

usages, selectors, mtypes = st.sampled_from([2, 3]), st.sampled_from([0, 1]), st.sampled_from([0, 1, 2])


def _flip(data: bytes, at: int) -> bytes:
    """``data`` with one byte changed (a corrupted or stale record)."""
    i = at % len(data)
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


@pytest.mark.parametrize("leaf", LEAVES, ids=["ec1", "ec2", "rsa1", "rsa2"])
def test_the_spki_is_the_one_an_x509_library_reads(leaf: bytes) -> None:
    expected = (
        x509.load_der_x509_certificate(leaf).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    assert subject_public_key_info(leaf) == expected


@given(leaf=st.sampled_from(LEAVES), selector=selectors, mtype=mtypes)
def test_association_data_is_the_selected_part_digested_independently(leaf: bytes, selector: int, mtype: int) -> None:
    cert = x509.load_der_x509_certificate(leaf)
    part = (
        cert.public_bytes(Encoding.DER)
        if selector == 0
        else cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    assert association(leaf, selector, mtype) == DIGEST_OF[mtype](part)


@given(leaf=st.sampled_from(LEAVES), selector=selectors, mtype=mtypes, at=st.integers(0, 10_000), corrupt=st.booleans())
def test_a_dane_ee_record_matches_its_certificate_and_nothing_else(
    leaf: bytes, selector: int, mtype: int, at: int, corrupt: bool
) -> None:
    record = record_for(leaf, DANE_EE, selector, mtype)
    if corrupt:
        record = Tlsa(DANE_EE, selector, mtype, _flip(record.data, at))
    assert match(record, leaf, None) is (Match.MISMATCH if corrupt else Match.MATCH)
    others = [other for other in LEAVES if other != leaf]
    assert all(match(record, other, None) is Match.MISMATCH for other in others)  # a renewal with a new key


@given(selector=selectors, mtype=mtypes, corrupt=st.booleans(), leaf=st.sampled_from(LEAVES))
def test_a_dane_ta_record_needs_the_chain_and_matches_an_issuer_in_it(
    selector: int, mtype: int, corrupt: bool, leaf: bytes
) -> None:
    record = record_for(ISSUER, DANE_TA, selector, mtype)
    if corrupt:
        record = Tlsa(DANE_TA, selector, mtype, _flip(record.data, 0))
    assert match(record, leaf, None) is Match.NOT_CHECKED  # Python < 3.13: the chain is not known
    expected = Match.MISMATCH if corrupt else Match.MATCH
    if corrupt and (selector, mtype) == (1, 0):
        expected = Match.NOT_CHECKED  # a bare trust-anchor key need not be in the chain (RFC 7671 §5.2.3)
    assert match(record, leaf, (leaf, ISSUER)) is expected
    # The leaf is no trust anchor for itself, and another CA's record does not match this chain.
    assert match(record_for(leaf, DANE_TA, selector, 1), leaf, (leaf, ISSUER)) is Match.MISMATCH
    assert match(record_for(OTHER_CA, DANE_TA, selector, 1), leaf, (leaf, ISSUER)) is Match.MISMATCH


@given(usage=st.integers(0, 255), selector=st.integers(0, 255), mtype=st.integers(0, 255), data=st.binary(max_size=80))
def test_a_record_is_usable_exactly_when_rfc_7672_says_so(usage: int, selector: int, mtype: int, data: bytes) -> None:
    record = Tlsa(usage, selector, mtype, data)
    length_ok = len(data) == DIGESTS[mtype][1] if mtype in DIGESTS else mtype == 0 and bool(data)
    usable = usage in (2, 3) and selector in (0, 1) and length_ok
    assert (record.unusable == "") is usable
    if usage in (0, 1):
        assert "RFC 7672 §3.1.3" in record.unusable
    if not usable:
        assert match(record, LEAVES[0], (LEAVES[0], ISSUER)) is Match.UNUSABLE


def test_a_set_that_names_only_the_current_key_is_told_apart_from_a_rollover() -> None:
    current, following = LEAVES[0], LEAVES[1]
    only_current = [record_for(current, DANE_EE, 1, 1)]
    assert names_only_the_current_key(only_current, current)
    assert names_only_the_current_key([*only_current, record_for(current, DANE_EE, 0, 1)], current)
    assert not names_only_the_current_key([*only_current, record_for(following, DANE_EE, 1, 1)], current)
    assert not names_only_the_current_key([*only_current, record_for(ISSUER, DANE_TA, 1, 1)], current)
    assert not names_only_the_current_key([Tlsa(1, 1, 1, only_current[0].data)], current)  # nothing usable
    # After the renewal, the two-record set still matches: the new key is named.
    rollover = [*only_current, record_for(following, DANE_EE, 1, 1)]
    assert Match.MATCH in {match(r, following, None) for r in rollover}


@given(data=st.binary(max_size=300), cut=st.integers(0, 2000))
def test_hostile_bytes_in_place_of_a_certificate_are_a_der_error_never_a_crash(data: bytes, cut: int) -> None:
    for candidate in (data, LEAVES[0][: cut % len(LEAVES[0])], LEAVES[0][:40] + data):
        try:
            found = subject_public_key_info(candidate)
        except DerError:
            continue
        assert found in candidate and found[:1] == b"\x30"  # a SEQUENCE inside the input, never more
    record = record_for(LEAVES[0], DANE_EE, 1, 1)
    assert match(record, data, None) in (Match.MISMATCH, Match.NOT_CHECKED)
