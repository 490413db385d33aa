"""The certificate an MX host presents when the ``starttls:<mx>`` probe refused it (no public CA signed it,
or it names another host): read over ONE more STARTTLS connection, made only for MX hosts with usable TLSA
records, so that DANE can still judge it (RFC 7672 §3.1.1: DANE-EE ignores names, issuers and dates).

The standard library gives no peer certificate after a failed verification (``wrap_socket`` closes the
socket and ``SSLCertVerificationError`` carries only a code and a message), hence the second connection.
Its context verifies nothing and is used only to READ the certificate (and, from Python 3.13, the chain)
for matching against TLSA records; no PKIX verdict ever comes from it. The dialogue is the probe's own
(:func:`~.smtp_tls.probe_starttls`): same deadline, same reply limits."""

from __future__ import annotations

import itertools
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

from pulumi_mta_sts.core.tlsa import Match, Tlsa, association
from pulumi_mta_sts.net.lookup import Answers, Outcome, addresses

from .smtp_tls import probe_starttls


@dataclass(frozen=True)
class Peer:
    """What a STARTTLS handshake showed: the leaf certificate (DER), from Python 3.13 the chain presented
    (leaf first), and whether the probe's PKIX verification accepted it (``False``: read without trust)."""

    leaf: bytes
    chain: tuple[bytes, ...] | None
    verified: bool = True


def peer_of(sock: ssl.SSLSocket, *, verified: bool) -> Peer | None:
    leaf = sock.getpeercert(binary_form=True)
    presented = getattr(sock, "get_unverified_chain", None)  # Python 3.13+: DER bytes, leaf first
    chain = tuple(bytes(c) for c in presented() or ()) if presented is not None else None
    return Peer(leaf, chain, verified) if leaf else None


def _reading_context() -> ssl.SSLContext:
    """A context that accepts any certificate: for reading it, never for judging it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # as the probe's (net/https_fetch.make_tls_context)
    return context


def presented(answers: Answers, mx_host: str, port: int, timeout: float) -> Peer | str:
    """The certificate ``mx_host`` presents, read over one STARTTLS connection to the address the probe
    used (the run's answers are cached: nothing is asked again); else why it could not be read."""
    found = [x for x in addresses(answers, mx_host) if x.outcome is Outcome.OK]
    if not found:
        return f"{mx_host} has no address"
    seen: list[Peer] = []

    def keep(sock: ssl.SSLSocket | ssl.SSLError) -> None:
        peer = peer_of(sock, verified=False) if isinstance(sock, ssl.SSLSocket) else None
        seen.extend([peer] if peer else [])

    address = found[0].records[0].address
    result = probe_starttls(mx_host, address, port=port, context=_reading_context(), timeout=timeout, keep=keep)
    return seen[0] if seen else result.detail


def has_cryptography() -> bool:
    """Whether ``cryptography`` (which checks a chain's signatures) is installed: not in the base install."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


def unverified_ta(record: Tlsa, peer: Peer, mx_host: str) -> Match:
    """A DANE-TA record that matched a certificate of a chain nobody verified: the chain from the leaf up to
    that certificate must be signed link by link, and the leaf must name the MX host (RFC 7672 §3.1.2).
    Signatures need the ``cryptography`` package, an optional import (not in the base install): without
    it, "not checked"."""
    try:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
    except ImportError:
        return Match.NOT_CHECKED
    chain = list(peer.chain or ())
    at = next(i for i, c in enumerate(chain) if i and association(c, record.selector, record.mtype) == record.data)
    try:
        certs = [x509.load_der_x509_certificate(c) for c in chain[: at + 1]]
        for child, issuer in itertools.pairwise(certs):
            child.verify_directly_issued_by(issuer)
        try:
            san = certs[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = san.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:  # no subjectAltName: the subject's CN
            names = [str(a.value) for a in certs[0].subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    except (InvalidSignature, ValueError, TypeError):
        return Match.NOT_ISSUED
    return Match.MATCH if names_host(names, mx_host) else Match.WRONG_NAME


def names_host(names: Sequence[str], mx_host: str) -> bool:
    """Whether ``names`` (a certificate's DNS names) include ``mx_host``; a ``*`` is a whole leftmost label
    standing for one label (RFC 7672 §3.2.3)."""
    host = mx_host.lower().rstrip(".")
    parent = host.partition(".")[2]
    return any(n.lower().rstrip(".") in (host, f"*.{parent}" if parent else host) for n in names)
