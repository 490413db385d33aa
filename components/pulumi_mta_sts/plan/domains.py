"""A stack's domains and which of them each DNS record of a plan belongs to, by its name. No Pulumi:
``mta-sts onboard`` reads it without.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pulumi_mta_sts.change.model import STATUSES, ChangeSet, PolicyChange, Status
from pulumi_mta_sts.config.sections import Deployment
from pulumi_mta_sts.config.stack import find_stack_file, load_deployment_file, read_stack_file

#: Record name prefixes of a domain's own records, longest first.
_PREFIXES: Final = ("_smtp._tls.", "_mta-sts.", "mta-sts.")


def load_stack(stack: str, stacks_dir: Path | None) -> tuple[Path, dict[str, Any], Deployment]:
    path = find_stack_file(stack, stacks_dir)
    entries = read_stack_file(path)
    return path, entries, load_deployment_file(path, entries)


class DomainIndex(frozenset[str]):
    """Lower case: one look-up per label, not per domain."""

    def __new__(cls, domains: Iterable[str]) -> DomainIndex:
        return super().__new__(cls, (d.rstrip(".").lower() for d in domains))


def domain_of_record(name: str, domains: Iterable[str]) -> str | None:
    """The longest domain the record ``name`` is ``[prefix.]<domain>[.<zone>]`` of, or is under;
    ``<domain>.<zone>`` first, so a provider zone under another planned domain names the right one."""
    index = domains if isinstance(domains, DomainIndex) else DomainIndex(domains)
    labels = name.rstrip(".").lower().split(".")
    prefix = next((p for p in _PREFIXES if ".".join(labels).startswith(p)), "")
    rest = labels[prefix.count(".") :]
    leading = (".".join(rest[:cut]) for cut in range(len(rest), 0, -1))  # <domain>.<zone>
    trailing = (".".join(labels[start:]) for start in range(1, len(labels)))  # ….<domain>
    return next((part for part in (*leading, *trailing) if part in index), None)


@dataclass
class DomainStatus:
    domain: str
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    policy: PolicyChange | None = None
    notes: int = 0


def domain_statuses(change: ChangeSet, domains: Sequence[str]) -> tuple[list[DomainStatus], int]:
    """Per domain its part of ``change``, and the number of record sets of none."""
    by_domain = {d.lower(): DomainStatus(d) for d in domains}
    index = DomainIndex(domains)
    unattributed = 0
    for record in change.records:
        owner = domain_of_record(record.name, index)
        if owner is None:
            unattributed += 1
        elif record.status is not None:
            by_domain[owner].counts[record.status] += 1
    for policy in change.policies:
        status = by_domain.get((policy.domain or "").lower())
        if status is not None:
            status.policy = policy
            status.notes += len(policy.notes)
    return [by_domain[d.lower()] for d in domains], unattributed
