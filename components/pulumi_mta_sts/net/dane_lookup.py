"""The DNS side of DANE for one MX host: its TLSA records at ``_25._tcp.<mx>`` (RFC 7672 §2.2) and its
address, each with whether the resolver asked vouched for it. The toolkit does not validate DNSSEC: it
asks with the DO and AD bits set (RFC 6840 §5.7, §5.8) and reads the AD bit of the answer, which a
validating resolver sets only for data it validated (RFC 4035 §3.2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver

from pulumi_mta_sts.core.tlsa import Tlsa

from .lookup import Answers, Lookup, Outcome, lookup, name_text
from .resolver import make_resolver

#: The port of the TLSA name: senders look up ``_25._tcp.<mx>`` whatever port a test reaches the MX on.
SMTP_PORT = 25


def tlsa_name(mx_host: str) -> str:
    return f"_{SMTP_PORT}._tcp.{mx_host}"


class _Validating(dns.resolver.Resolver):
    """A resolver asking for validation, remembering for each question whether the answer carried AD."""

    origin: str = ""  # where its servers came from, for the messages about them (as resolver.py's)

    def __init__(self) -> None:
        super().__init__(configure=False)
        self.use_edns(0, dns.flags.DO, 1232)
        self.flags = dns.flags.RD | dns.flags.AD
        self.authenticated: dict[tuple[str, str], bool] = {}

    def resolve(self, qname: dns.name.Name | str, rdtype: Any = "A", *args: Any, **kwargs: Any) -> dns.resolver.Answer:
        key = (name_text(qname), dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype)))
        try:
            answer = super().resolve(qname, rdtype, *args, **kwargs)
        except dns.resolver.NXDOMAIN as exc:  # a validated NXDOMAIN is an authenticated denial
            responses: dict[Any, dns.message.Message] = exc.kwargs.get("responses") or {}
            self.authenticated[key] = any(_has_ad(r) for r in responses.values())
            raise
        self.authenticated[key] = _has_ad(answer.response)
        return answer


def _has_ad(response: dns.message.Message) -> bool:
    return bool(response.flags & dns.flags.AD)


class DnssecAnswers:
    """One run's DANE questions, each asked once (see :class:`~.lookup.Answers`), through ``nameservers``
    (else the environment's or the system's resolver, as :func:`~.resolver.make_resolver` picks)."""

    def __init__(self, nameservers: Sequence[str], timeout: float) -> None:
        plain = make_resolver(list(nameservers), timeout)
        self.resolver = _Validating()
        self.resolver.nameservers = plain.nameservers
        self.resolver.timeout, self.resolver.lifetime, self.resolver.cache = plain.timeout, plain.lifetime, None
        self.answers = Answers(self.resolver)

    def ask(self, name: str, rtype: str) -> tuple[Lookup, bool]:
        """The look-up and whether its answer (data or denial) was validated by the resolver."""
        found = lookup(self.answers, name, rtype)
        return found, self.resolver.authenticated.get((name_text(name), rtype), False)


@dataclass(frozen=True)
class DaneDns:
    """What DNS says about DANE for one MX host."""

    mx: str
    tlsa: Lookup
    tlsa_validated: bool
    address_validated: bool = False  # asked only when TLSA records exist

    @property
    def records(self) -> tuple[Tlsa, ...]:
        if self.tlsa.outcome is not Outcome.OK:
            return ()
        return tuple(Tlsa(r.usage, r.selector, r.mtype, bytes(r.cert)) for r in self.tlsa.records)


def dane_dns(answers: DnssecAnswers, mx_host: str) -> DaneDns:
    """The TLSA records of ``mx_host``, and whether they and (where there are some) its address (A, else
    AAAA) were validated. Without TLSA the address is not asked again: the STARTTLS probe asked it."""
    tlsa, tlsa_validated = answers.ask(tlsa_name(mx_host), "TLSA")
    if tlsa.outcome is not Outcome.OK:
        return DaneDns(mx_host, tlsa, tlsa_validated)
    address, address_validated = answers.ask(mx_host, "A")
    if address.outcome is not Outcome.OK:
        address, address_validated = answers.ask(mx_host, "AAAA")
    return DaneDns(mx_host, tlsa, tlsa_validated, address.outcome is Outcome.OK and address_validated)
