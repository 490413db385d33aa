"""Which mail domain of a plan each DNS record belongs to, and what the comparison with live DNS
says per domain: how a fleet's plan (many domains in one stack, docs/fleets.md) is read domain
by domain.

A record belongs to a domain by its name: ``_mta-sts.<domain>``, ``_smtp._tls.<domain>``,
``mta-sts.<domain>`` and names under them, and, for a delegated domain whose records live in a
provider zone, ``[_mta-sts.|_smtp._tls.]<domain>.<zone>``. A name that fits no domain (a name
only known after the deploy, a shared record) belongs to none. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from .live_diff import STATUSES, LiveComparison, PolicyDiff, Status

__all__ = ["DomainIndex", "DomainStatus", "domain_of_record", "domain_statuses", "owner_of"]

#: Record name prefixes of a domain's own records, longest first.
_PREFIXES: Final = ("_smtp._tls.", "_mta-sts.", "mta-sts.")


def domain_of_record(name: str, domains: Iterable[str]) -> str | None:
    """The domain of ``domains`` the record ``name`` belongs to, or ``None``.

    A delegated name (``<domain>.<zone>`` once the prefix is stripped) is tried before a name
    under a domain (``….<domain>``), so that a provider zone under another planned domain
    (``customer.example.mta-sts.example.net`` with ``example.net`` planned) names the right one;
    among several fits the longest domain wins."""
    return owner_of(name, domains if isinstance(domains, DomainIndex) else DomainIndex(domains))


class DomainIndex(frozenset[str]):
    """A plan's domains in lower case, for :func:`owner_of` (a look-up per label, not per domain)."""

    def __new__(cls, domains: Iterable[str]) -> DomainIndex:
        return super().__new__(cls, (d.rstrip(".").lower() for d in domains))


def owner_of(name: str, index: DomainIndex) -> str | None:
    """:func:`domain_of_record` against an index: each rule looks up the name's label-boundary
    prefixes or suffixes, longest first."""
    labels = name.rstrip(".").lower().split(".")
    prefix = next((p for p in _PREFIXES if ".".join(labels).startswith(p)), "")
    rest = labels[prefix.count(".") :]
    if ".".join(rest) in index:
        return ".".join(rest)
    for cut in range(len(rest) - 1, 0, -1):  # <domain>.<zone>: the longest leading part
        if ".".join(rest[:cut]) in index:
            return ".".join(rest[:cut])
    for start in range(1, len(labels)):  # ….<domain>: the longest trailing part
        if ".".join(labels[start:]) in index:
            return ".".join(labels[start:])
    return None


@dataclass
class DomainStatus:
    """One domain's part of a comparison: its record sets by status, its policy diff, its notes."""

    domain: str
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    policy: PolicyDiff | None = None
    notes: int = 0


def domain_statuses(live: LiveComparison, domains: Sequence[str]) -> tuple[list[DomainStatus], int]:
    """Per domain (in the order given) its part of ``live``, and how many record sets belong to
    no domain."""
    by_domain = {d.lower(): DomainStatus(d) for d in domains}
    index = DomainIndex(domains)
    unattributed = 0
    for record in live.records:
        owner = owner_of(record.name, index)
        if owner is None:
            unattributed += 1
        elif record.status is not None:
            by_domain[owner].counts[record.status] += 1
    for diff in live.policies:
        status = by_domain.get(diff.domain.lower())
        if status is not None:
            status.policy = diff
            status.notes += len(diff.notes)
    return [by_domain[d.lower()] for d in domains], unattributed
