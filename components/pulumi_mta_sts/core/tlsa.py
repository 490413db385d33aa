"""DANE for SMTP, the pure part: which TLSA records a DANE sender can use (RFC 7672 §3.1) and whether the
certificate an MX host presents matches one (RFC 6698 §2.1, RFC 7671 §5). Bytes in, verdicts out: no
network and no X.509 library (the one field needed, the SubjectPublicKeyInfo, is found by walking the DER)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

#: Certificate usages (RFC 6698 §2.1.1) and the two a DANE SMTP sender uses (RFC 7672 §3.1).
PKIX_TA, PKIX_EE, DANE_TA, DANE_EE = 0, 1, 2, 3
#: Selectors (RFC 6698 §2.1.2): the whole certificate or its SubjectPublicKeyInfo.
FULL_CERTIFICATE, SUBJECT_PUBLIC_KEY_INFO = 0, 1
#: Matching types (RFC 6698 §2.1.3): the data itself (0) or its digest, with the digest's length.
DIGESTS: dict[int, tuple[Callable[[bytes], bytes], int]] = {
    1: (lambda data: hashlib.sha256(data).digest(), 32),
    2: (lambda data: hashlib.sha512(data).digest(), 64),
}
_USAGE_NAMES = {PKIX_TA: "PKIX-TA", PKIX_EE: "PKIX-EE", DANE_TA: "DANE-TA", DANE_EE: "DANE-EE"}


class Match(StrEnum):
    MATCH = "match"
    MISMATCH = "mismatch"
    UNUSABLE = "unusable"  # a DANE sender ignores the record (RFC 7672 §2.2, §3.1.3)
    NOT_CHECKED = "not checked"  # DANE-TA without the server's chain (Python < 3.13)
    # DANE-TA matched a certificate of a chain no CA store verified (check/dane_presented.py), but:
    NOT_ISSUED = "mismatch (the chain below that CA is not signed by it)"
    WRONG_NAME = "mismatch (the CA matches; the certificate does not name the MX host, RFC 7672 §3.1.2)"


@dataclass(frozen=True)
class Tlsa:
    """One TLSA record: ``usage selector mtype data`` (RFC 6698 §2.1)."""

    usage: int
    selector: int
    mtype: int
    data: bytes

    def __str__(self) -> str:
        shown = self.data.hex()
        return f"{self.usage} {self.selector} {self.mtype} {shown[:16]}{'…' if len(shown) > 16 else ''}"

    @property
    def unusable(self) -> str:
        """Why a DANE SMTP sender cannot use this record, or ``""`` when it can."""
        if self.usage in (PKIX_TA, PKIX_EE):
            return f"usage {self.usage} ({_USAGE_NAMES[self.usage]}) is not used for SMTP (RFC 7672 §3.1.3)"
        if self.usage not in (DANE_TA, DANE_EE):
            return f"usage {self.usage} is not defined"
        if self.selector not in (FULL_CERTIFICATE, SUBJECT_PUBLIC_KEY_INFO):
            return f"selector {self.selector} is not defined"
        if self.mtype == 0:
            return "" if self.data else "matching type 0 with no data"
        if self.mtype not in DIGESTS:
            return f"matching type {self.mtype} is not defined"
        length = DIGESTS[self.mtype][1]
        return "" if len(self.data) == length else f"matching type {self.mtype} needs {length} bytes of data"


class DerError(ValueError):
    """The bytes are not the DER certificate they should be."""


def _element(der: bytes, at: int) -> tuple[int, int, int]:
    """The DER element at ``at``: ``(tag, content start, end)`` (definite lengths only, as DER has)."""
    if at + 2 > len(der):
        raise DerError("truncated element")
    tag, length, at = der[at], der[at + 1], at + 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 4 or at + size > len(der):
            raise DerError("bad length")
        length, at = int.from_bytes(der[at : at + size], "big"), at + size
    if tag & 0x1F == 0x1F or at + length > len(der):
        raise DerError("bad tag or length")
    return tag, at, at + length


_SEQUENCE, _INTEGER, _VERSION = 0x30, 0x02, 0xA0
#: The fields of a TBSCertificate before the SubjectPublicKeyInfo (RFC 5280 §4.1): serial number,
#: signature algorithm, issuer, validity, subject (the optional version comes first).
_BEFORE_SPKI = (_INTEGER, _SEQUENCE, _SEQUENCE, _SEQUENCE, _SEQUENCE)


def subject_public_key_info(certificate: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of a DER certificate (RFC 5280 §4.1), what selector 1 hashes."""
    tag, start, _ = _element(certificate, 0)
    tbs_tag, at, _ = _element(certificate, start) if tag == _SEQUENCE else (0, 0, 0)
    if tbs_tag != _SEQUENCE:
        raise DerError("not a certificate")
    if _element(certificate, at)[0] == _VERSION:
        at = _element(certificate, at)[2]
    for expected in _BEFORE_SPKI:
        tag, _, at = _element(certificate, at)
        if tag != expected:
            raise DerError("not a certificate")
    tag, _, end = _element(certificate, at)
    if tag != _SEQUENCE:
        raise DerError("no SubjectPublicKeyInfo")
    return certificate[at:end]


def association(certificate: bytes, selector: int, mtype: int) -> bytes:
    """The data a TLSA record with ``selector`` and ``mtype`` has for ``certificate`` (DER)."""
    content = certificate if selector == FULL_CERTIFICATE else subject_public_key_info(certificate)
    return content if mtype == 0 else DIGESTS[mtype][0](content)


def record_for(certificate: bytes, usage: int, selector: int, mtype: int) -> Tlsa:
    """The TLSA record that names ``certificate`` so (what an operator publishes)."""
    return Tlsa(usage, selector, mtype, association(certificate, selector, mtype))


def match(record: Tlsa, leaf: bytes, chain: Sequence[bytes] | None) -> Match:
    """Whether ``record`` matches what the server presented: DANE-EE the leaf certificate, DANE-TA a
    certificate of ``chain`` above the leaf (``chain[0]`` is the leaf; ``None``: the chain is unknown)."""
    if record.unusable:
        return Match.UNUSABLE
    if record.usage == DANE_TA and chain is None:
        return Match.NOT_CHECKED
    candidates = [leaf] if record.usage == DANE_EE else list(chain or ())[1:]
    try:
        if any(association(c, record.selector, record.mtype) == record.data for c in candidates):
            return Match.MATCH
    except DerError:
        return Match.NOT_CHECKED
    # A DANE-TA key published whole (2 1 0) need not be in the chain (RFC 7671 §5.2.3): not judged here.
    bare_key = record.usage == DANE_TA and (record.selector, record.mtype) == (SUBJECT_PUBLIC_KEY_INFO, 0)
    return Match.NOT_CHECKED if bare_key else Match.MISMATCH


def names_only_the_current_key(records: Sequence[Tlsa], leaf: bytes) -> bool:
    """True when every usable record is DANE-EE and matches the certificate served now: no record names a
    next key or a trust anchor, so a renewal with a new key breaks DANE senders (RFC 7671 §8.1)."""
    usable = [r for r in records if not r.unusable]
    return bool(usable) and all(r.usage == DANE_EE and match(r, leaf, None) is Match.MATCH for r in usable)
