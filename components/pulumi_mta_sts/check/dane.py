"""The ``dane:<mx>`` rows of ``mta-sts check``: per MX host, what a sender that validates DNSSEC and
implements DANE (RFC 7672) does beside one that applies MTA-STS only (RFC 8461 §2: where validated,
usable TLSA records exist, DANE decides, and MTA-STS never overrides a failing DANE check).
docs/dane.md explains the verdicts."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.tlsa import DANE_TA, Match, Tlsa, match, names_only_the_current_key
from pulumi_mta_sts.net.dane_lookup import DaneDns, DnssecAnswers, dane_dns, tlsa_name
from pulumi_mta_sts.net.lookup import Answers, MailHosts, Outcome
from pulumi_mta_sts.net.resolver import ensure_reachable, parse_nameserver

from .dane_presented import Peer, has_cryptography, peer_of, presented, unverified_ta
from .dns_checks import check_tlsrpt_record
from .model import CheckResult, Status, failed, passed, warned

if TYPE_CHECKING:
    from .runner import Session

FLAG = "--dnssec-resolver"
FLAG_HELP = (
    "IP address[:PORT] of a DNSSEC-validating resolver whose AD bit decides whether TLSA and MX address "
    "answers are validated (default: the --nameserver servers, else the system resolver)"
)
#: The most TLSA records a row lists.
SHOWN_RECORDS = 8
NOT_VALIDATED = "not validated (the zone is unsigned or the resolver does not validate)"
ROLLOVER = (
    "publish a second TLSA record for the next key before the renewal (3 1 1 of the current and of the next key), "
    "and drop the old one after the new certificate is served (RFC 7671 §8.1)"
)


def resolver_problems(spec: str | None) -> list[Problem]:
    """``--dnssec-resolver`` read as ``--nameserver`` is (an IP address, an optional port)."""
    try:
        if spec is not None:
            parse_nameserver(spec, FLAG)
    except InputError as exc:
        return list(exc.problems)
    return []


def dnssec_answers(dnssec_resolver: str, nameservers: Sequence[str], timeout: float) -> DnssecAnswers:
    """The run's DANE look-ups: through ``--dnssec-resolver`` when given, else the servers ``check`` asks.
    A named resolver that does not answer is said once (:class:`DnsUnreachable`, exit 3), not once per MX host."""
    answers = DnssecAnswers([dnssec_resolver] if dnssec_resolver else nameservers, timeout)
    if dnssec_resolver:
        answers.resolver.origin = FLAG
        ensure_reachable(answers.resolver, timeout)
    return answers


class Peers(dict[str, Peer]):
    """The certificates the STARTTLS probes saw, by MX host (handed over by the probe), and the MX hosts
    whose certificate the probe refused (:mod:`.dane_presented` reads it again where TLSA records exist)."""

    refused: set[str]

    def __init__(self) -> None:
        super().__init__()
        self.refused = set()

    def keeper(self, mx_host: str) -> Callable[[ssl.SSLSocket | ssl.SSLError], None]:
        def keep(sock: ssl.SSLSocket | ssl.SSLError) -> None:
            if isinstance(sock, ssl.SSLCertVerificationError):  # a certificate reason, not a network one
                self.refused.add(mx_host)
            elif isinstance(sock, ssl.SSLSocket) and (peer := peer_of(sock, verified=True)):
                self[mx_host] = peer

        return keep


@dataclass(frozen=True)
class DaneFacts:
    dns: DaneDns
    tlsrpt: CheckResult | None  # the per-MX TLS-RPT record, for MX hosts in the domain's zone with TLSA


def start(
    submit: Callable[..., Future[DaneFacts]], dnssec: DnssecAnswers, answers: Answers, mail: MailHosts
) -> list[Future[DaneFacts]]:
    """The DANE look-ups of every MX host, started in ``submit``'s pool (MX hosts known, as for STARTTLS)."""
    hosts = mail.hosts if mail.problem is None and not mail.null_mx else ()
    return [submit(_facts, dnssec, answers, mail.domain, mx) for mx in hosts]


def _facts(dnssec: DnssecAnswers, answers: Answers, domain: str, mx: str) -> DaneFacts:
    found = dane_dns(dnssec, mx)
    in_zone = mx == domain or mx.endswith("." + domain)
    tlsrpt = check_tlsrpt_record(answers, mx)[0] if in_zone and found.records else None
    return DaneFacts(found, tlsrpt)


def rows(jobs: Sequence[Future[DaneFacts]], peers: Peers, run: Session, has_policy: bool) -> list[CheckResult]:
    """One ``dane:<mx>`` row per MX host, in MX order. MX hosts with usable TLSA records whose certificate the
    probe refused are connected to once more, all at once, to read it (:func:`.dane_presented.presented`)."""
    found = [job.result() for job in jobs]
    again = [f.dns.mx for f in found if f.dns.mx in peers.refused and any(not r.unusable for r in f.dns.records)]
    opts = run.options
    reads = {mx: run.io.submit(presented, run.answers, mx, opts.smtp_port, opts.timeout) for mx in again}
    seen = {mx: job.result() for mx, job in reads.items()}
    return [dane_row(f, seen.get(f.dns.mx) or peers.get(f.dns.mx), opts.smtp, has_policy) for f in found]


def dane_row(facts: DaneFacts, peer: Peer | str | None, smtp: bool, has_policy: bool) -> CheckResult:
    """The verdict for one MX host, with what validating and other senders apply, and the TLS-RPT note."""
    found = _verdict(facts.dns, peer, smtp, has_policy)
    if facts.tlsrpt is None:
        return found
    name = f"_smtp._tls.{facts.dns.mx}"
    note = "has a TLS-RPT record" if facts.tlsrpt.status is not Status.FAIL else "has no valid TLS-RPT record"
    tail = f"; per-MX TLS-RPT (some DANE senders report there): {name} {note}"
    return CheckResult(found.id, found.status, found.detail + tail, found.hint)


def _verdict(found: DaneDns, peer: Peer | str | None, smtp: bool, has_policy: bool) -> CheckResult:
    cid, where, tlsa = f"dane:{found.mx}", tlsa_name(found.mx), found.tlsa
    sts = "MTA-STS" if has_policy else "opportunistic TLS (no MTA-STS policy)"
    if tlsa.failed:
        detail = f"{tlsa.describe_failure()}: a validating sender that reaches {found.mx} securely defers mail"
        return warned(cid, detail, f"check that the servers of {where} answer TLSA queries (RFC 7672 §2.2)")
    if tlsa.outcome is not Outcome.OK:
        return passed(cid, f"no DANE (no TLSA record at {where}): every sender applies {sts}")
    records = found.records
    shown = f"TLSA {where}: {_listed(map(str, records))}"
    matched = _matches(records, peer, smtp, found.mx)
    if not found.tlsa_validated:
        detail = f"{shown} — {NOT_VALIDATED}; {_described(matched)}: no sender uses it, every sender applies {sts}"
        fix = f"sign the zone of {where} with DNSSEC, or ask a validating resolver ({FLAG})"
        return warned(cid, detail, fix)
    if all(r.unusable for r in records):
        reasons = "; ".join(sorted({r.unusable for r in records}))
        detail = f"{shown} — every record is unusable ({reasons}): DANE senders use unauthenticated TLS (RFC 7672 §2.2)"
        return warned(cid, f"{detail}; others apply {sts}", "publish a 3 1 1 record of the served key")
    if not found.address_validated:
        detail = f"{shown} is validated, the address of {found.mx} is not: validating senders skip DANE for it"
        fix = f"sign the zone of {found.mx}'s A/AAAA records too (RFC 7672 §2.2.2)"
        return warned(cid, f"{detail} (RFC 7672 §2.2.2) and, like others, apply {sts}", fix)
    senders = f"validating senders apply DANE, others {sts}"
    if isinstance(matched, str) or not isinstance(peer, Peer):
        detail = f"{shown} — validated; {_described(matched)}: {senders}"
        return passed(cid, detail) if not smtp else warned(cid, detail, f"see the starttls:{found.mx} row")
    if not peer.verified:
        refused = "MTA-STS senders (non-DANE) refuse this certificate" if has_policy else f"others apply {sts}"
        senders = f"validating senders deliver under DANE; {refused}"
    return _matched_row(cid, shown, matched, peer, records, senders)


def _matches(records: Sequence[Tlsa], peer: Peer | str | None, smtp: bool, mx: str) -> dict[Tlsa, Match] | str:
    """Each record's match with the served certificate, or why the certificate was not matched. DANE-TA on a
    chain read without trust is checked further (:func:`.dane_presented.unverified_ta`)."""
    if not smtp:
        return "certificate match not checked (--no-smtp)"
    if peer is None:
        return "certificate match not checked (no certificate from the STARTTLS probe: see its row)"
    if isinstance(peer, str):
        return f"certificate match not checked (reading the certificate again failed: {peer})"
    found = {r: match(r, peer.leaf, peer.chain) for r in records}
    further = [r for r, m in found.items() if r.usage == DANE_TA and m is Match.MATCH and not peer.verified]
    return found | {r: unverified_ta(r, peer, mx) for r in further}


def _described(matched: dict[Tlsa, Match] | str) -> str:
    if isinstance(matched, str):
        return matched
    return _listed(f"{r}: {m.value}" for r, m in matched.items())


def _listed(items: Iterable[str]) -> str:
    """At most :data:`SHOWN_RECORDS` items: a hostile RRset of hundreds of records is not a page of text."""
    every = list(items)
    more = f" and {len(every) - SHOWN_RECORDS} more" if len(every) > SHOWN_RECORDS else ""
    return ", ".join(every[:SHOWN_RECORDS]) + more


def _matched_row(
    cid: str, shown: str, matched: dict[Tlsa, Match], peer: Peer, records: Sequence[Tlsa], senders: str
) -> CheckResult:
    """Validated, usable TLSA: the verdict is the certificate's match (validating senders apply DANE)."""
    verdicts = set(matched.values())
    if Match.MATCH in verdicts:
        detail = f"{shown} — DANE valid ({_described(matched)}): {senders}"
        if names_only_the_current_key(records, peer.leaf):
            return warned(cid, f"{detail}; the records name only the current key", ROLLOVER)
        return passed(cid, detail)
    if Match.NOT_CHECKED in verdicts:
        detail = f"{shown} — no record matched, some not checked ({_described(matched)}): {senders}"
        if peer.chain is None:  # DANE-TA needs the chain the server presented
            return warned(cid, detail, "run the check with Python 3.13 or later to match DANE-TA records")
        if not peer.verified and not has_cryptography():  # the chain's signatures are checked with it
            return warned(cid, detail, "pip install 'pulumi-mta-sts[dane]' to check DANE-TA on an unverified chain")
        return warned(cid, detail, "compare the DANE-TA key (2 1 0) with the key of the CA that issued the certificate")
    detail = f"{shown} — DANE mismatch ({_described(matched)}): validating senders will not deliver to this MX"
    fix = "publish TLSA records of the served certificate (3 1 1 of its key), or serve the certificate they name"
    return failed(cid, f"{detail} (MTA-STS does not override a failing DANE check, RFC 8461 §2); {senders}", fix)
