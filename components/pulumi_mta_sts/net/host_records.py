"""What live DNS has at ``mta-sts.<domain>`` (A/AAAA or a CNAME a hand-made setup left) before
the stack deploys its host there, where its own record may not be creatable (Route53: no alias
beside a CNAME; Cloudflare errors 81053, 100117). The preflight decides; this module only looks.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.rdatatype
import dns.resolver

from .lookup import name_text

#: What a failed look-up raises (callers turn it into a warning).
LOOKUP_ERRORS: tuple[type[BaseException], ...] = (dns.exception.DNSException, OSError)


@dataclass(frozen=True)
class HostAnswer:
    """The records live DNS has at one name."""

    name: str
    cname: str | None = None
    """The CNAME's target (lower case, no trailing dot), ``None`` when the name has no CNAME."""
    addresses: tuple[str, ...] = ()
    """The A and AAAA addresses the name resolves to (through the CNAME, if any)."""

    @property
    def empty(self) -> bool:
        """Nothing at the name: the stack's record can be created."""
        return self.cname is None and not self.addresses


def _cname(name: str, resolver: dns.resolver.Resolver) -> str | None:
    try:
        answer = resolver.resolve(name, "CNAME", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return None
    if answer.rrset is None:
        return None
    return name_text(answer.rrset[0].target)


def _addresses(name: str, rtype: str, resolver: dns.resolver.Resolver) -> list[str]:
    try:
        answer = resolver.resolve(name, rtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    wanted = dns.rdatatype.from_text(rtype)
    return [rdata.to_text() for rrset in answer.response.answer if rrset.rdtype == wanted for rdata in rrset]


def live_host_records(name: str, resolver: dns.resolver.Resolver) -> HostAnswer:
    """The CNAME and the addresses at ``name`` (``mta-sts.<domain>``), asked of ``resolver``.
    Raises ``dns.exception.DNSException`` (or ``OSError``) when the name cannot be looked up;
    the caller turns that into a warning."""
    cname = _cname(name, resolver)
    addresses = [*_addresses(name, "A", resolver), *_addresses(name, "AAAA", resolver)]
    return HostAnswer(name, cname, tuple(addresses))
