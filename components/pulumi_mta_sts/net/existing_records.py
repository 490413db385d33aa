"""Records in live DNS the stack does not manage. TXT: two ``v=STSv1`` records mean no policy (RFC
8461 §3.1), two ``v=TLSRPTv1`` no reports (RFC 8460 §3); Route53 refuses a second record set,
Cloudflare silently keeps both; a ``v=STSv1`` id of the toolkit's form is taken as this stack's;
warnings only. At ``mta-sts.<domain>`` (:func:`live_host_records`): A/AAAA or a CNAME a hand-made
setup left, where the stack's own record may not be creatable (Route53: no alias beside a CNAME;
Cloudflare errors 81053, 100117); the preflight decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dns.exception
import dns.rdatatype
import dns.resolver

from pulumi_mta_sts.core.policy import is_toolkit_id
from pulumi_mta_sts.core.records import STS_VERSION, TLSRPT_VERSION, DnsRecord, parse_sts_records, parse_tlsrpt_records

from .lookup import name_text

#: Where the adoption steps are documented (the README only links there now).
ADOPT_SECTION = "docs/deploying.md 'Adopting existing records'"
#: Where taking over what is already at ``mta-sts.<domain>`` is documented (the preflight and ``init`` name it).
MIGRATE_SECTION = "docs/deploying.md, 'Migrating from a hand-made or hosted MTA-STS setup'"


#: What a failed look-up raises (callers turn it into a warning).
LOOKUP_ERRORS: tuple[type[BaseException], ...] = (dns.exception.DNSException, OSError)


def _answer(name: str, rtype: str, resolver: dns.resolver.Resolver) -> dns.resolver.Answer | None:
    """``None`` for NXDOMAIN; :data:`LOOKUP_ERRORS` when ``name`` cannot be looked up."""
    try:
        return resolver.resolve(name, rtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return None


def live_txt(name: str, resolver: dns.resolver.Resolver) -> list[str]:
    """The TXT records at ``name``, each one's strings joined."""
    answer = _answer(name, "TXT", resolver)
    if answer is None or answer.rrset is None:
        return []
    return [b"".join(rdata.strings).decode("utf-8", errors="replace") for rdata in answer.rrset]


def _beside_ours(txts: Sequence[str], expected: str) -> str:
    """What senders make of the live records beside the stack's (:func:`parse_sts_records`): a lone
    ``v=STSv1 ;id=…`` counts alone but is discarded beside ours (RFC 8461 §3.1)."""
    if parse_sts_records(list(dict.fromkeys([*txts, expected]))).record is None:
        return (
            f"If the stack adds its own next to it, senders see two '{STS_VERSION}' records and treat the domain "
            "as having NO policy."
        )
    return "Senders discard it once the stack's record is beside it (RFC 8461 §3.1), but the stack does not own it."


def _sts_warnings(name: str, txts: Sequence[str], expected: str, import_hint: str) -> list[str]:
    candidates = parse_sts_records(txts).candidates
    warnings: list[str] = []
    foreign = []
    for text in candidates:
        if text == expected:
            continue
        record = parse_sts_records([text]).record
        if record is None or not is_toolkit_id(record.id):
            foreign.append(text)
    if foreign:
        listed = ", ".join(repr(t) for t in foreign)
        warnings.append(
            f"live DNS has a TXT record at {name} that this stack does not manage: {listed}. "
            f"{_beside_ours(txts, expected)} Adopt it before `pulumi up` ({import_hint}), or delete it by hand "
            "right before the deploy."
        )
    elif len(candidates) > 1:
        warnings.append(
            f"live DNS has {len(candidates)} '{STS_VERSION}' TXT records at {name}: senders treat the domain as "
            "having NO policy until only one is left; remove the extra ones."
        )
    return warnings


def _tlsrpt_warnings(
    name: str, txts: Sequence[str], expected: str | None, import_hint: str, is_ours: Callable[[str], bool] | None
) -> list[str]:
    candidates = parse_tlsrpt_records(txts).candidates
    others = [t for t in candidates if t != expected and not (is_ours and is_ours(t))]
    if expected is None or not others:
        return []
    listed = ", ".join(repr(t) for t in others)
    return [
        f"live DNS has a TXT record at {name} that differs from the one this stack publishes: {listed}. "
        f"If it was made by hand, adopt it before `pulumi up` ({import_hint}) so that only one "
        f"'{TLSRPT_VERSION}' record remains; if it is this stack's previous value, ignore this."
    ]


def unmanaged_record_warnings(
    domain: str,
    expected: Sequence[DnsRecord],
    *,
    resolver: dns.resolver.Resolver,
    import_hint: str,
    is_ours: Callable[[str], bool] | None = None,
) -> list[str]:
    """Warnings about live TXT records at ``expected``'s names the stack would not own; ``is_ours`` tells
    the stack's ``v=TLSRPTv1`` (endpoint known after deploy). Unreachable DNS: one warning per name."""
    warnings: list[str] = []
    for record in expected:
        if record.type != "TXT":
            continue
        try:
            txts = live_txt(record.name, resolver)
        except LOOKUP_ERRORS as exc:
            reason = str(exc) or type(exc).__name__
            warnings.append(f"could not check live DNS for existing records at {record.name} ({reason}); continuing")
            continue
        if record.value.startswith(STS_VERSION):
            warnings += _sts_warnings(record.name, txts, record.value, import_hint)
        elif record.value.startswith(TLSRPT_VERSION):
            warnings += _tlsrpt_warnings(record.name, txts, record.value, import_hint, is_ours)
    return warnings


@dataclass(frozen=True)
class HostAnswer:
    """The records live DNS has at one name."""

    name: str
    cname: str | None = None  # the CNAME's target as names are compared (None: no CNAME)
    addresses: tuple[str, ...] = ()  # A and AAAA, through the CNAME if any

    @property
    def empty(self) -> bool:
        """Nothing at the name: the stack's record can be created."""
        return self.cname is None and not self.addresses


def _addresses(name: str, rtype: str, resolver: dns.resolver.Resolver) -> list[str]:
    answer, wanted = _answer(name, rtype, resolver), dns.rdatatype.from_text(rtype)
    if answer is None:
        return []
    return [rdata.to_text() for rrset in answer.response.answer if rrset.rdtype == wanted for rdata in rrset]


def live_host_records(name: str, resolver: dns.resolver.Resolver) -> HostAnswer:
    """The CNAME and addresses at ``name``; :data:`LOOKUP_ERRORS` (a warning for the caller)."""
    answer = _answer(name, "CNAME", resolver)
    cname = None if answer is None or answer.rrset is None else name_text(answer.rrset[0].target)
    addresses = [*_addresses(name, "A", resolver), *_addresses(name, "AAAA", resolver)]
    return HostAnswer(name, cname, tuple(addresses))
