"""DNS names that more than one stack of a project would own (``mta-sts plan --all``).

Two stacks that publish a record at one name do not share it: on Route53 the records the
toolkit takes over with ``allowOverwrite`` (the policy host's alias, the certificate's
validation CNAME) belong to whichever stack deployed last while both stacks' states hold them,
so destroying either stack, or removing the domain from it, deletes the record the other serves;
where there is no overwrite the second deploy fails ("already exists"), or on Cloudflare
publishes a second TXT record (two ``v=STSv1`` records mean no policy for senders). The plan
cannot see a deployed state, but it sees what each stack *would* publish, so ``plan --all``
compares them: every record set of every planned stack, by name in its one normal form
(:func:`~pulumi_mta_sts.core.hostnames.fold_hostname`: case, trailing dot, IDN), whatever the
type (a ``TXT`` beside a ``CNAME`` at one name is as much a conflict as two ``TXT``). Names only
known after the deploy (a certificate's validation record) cannot be compared and are left out.

It is a warning, never an error (the exit code does not change): the text and the pull-request
comment say it, ``--format json`` lists it under ``dns_overlaps``. docs/deploying.md says how to
give a domain to one stack.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.core.hostnames import fold_hostname

from .cloud import UNKNOWN

__all__ = ["CONSEQUENCE", "HEADING", "Owner", "SharedName", "published_names", "shared_names", "text_lines"]

HEADING: Final = "DNS names published by more than one stack"
#: What an overlap does, said once under the list (text and Markdown).
CONSEQUENCE: Final = (
    "Each such record belongs to the stack deployed last, or that stack's deploy fails on it; "
    "destroying either stack, or removing the domain from it, deletes the record the other serves. "
    'Give each domain to one stack: docs/deploying.md, "Moving a domain between stacks".'
)


@dataclass(frozen=True)
class Owner:
    """One stack that publishes the name, and the record types it publishes there."""

    stack: str
    types: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "types": list(self.types)}

    def text(self) -> str:
        return f"{', '.join(self.types)} in {self.stack}"


@dataclass(frozen=True)
class SharedName:
    """A DNS name (normal form) that two or more stacks publish records at."""

    name: str
    owners: tuple[Owner, ...]
    """Sorted by stack name; at least two."""

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(owner.stack for owner in self.owners)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "stacks": list(self.stacks), "owners": [o.as_json() for o in self.owners]}

    def text(self) -> str:
        """``mta-sts.example.com: A, AAAA in example-com; A, AAAA in example-fleet``."""
        return f"{self.name}: {'; '.join(owner.text() for owner in self.owners)}"


def published_names(rows: Iterable[Mapping[str, str]]) -> dict[str, frozenset[str]]:
    """The names one stack's plan publishes (``name``/``type`` rows, :meth:`Plan.dns_entries`), in
    normal form, each with its record types; names known only after the deploy are left out."""
    found: dict[str, set[str]] = {}
    for row in rows:
        raw, rtype = str(row.get("name", "")), str(row.get("type", ""))
        name = fold_hostname(raw)
        if not name or UNKNOWN in raw:
            continue
        found.setdefault(name, set()).add(rtype.strip().upper())
    return {name: frozenset(types) for name, types in found.items()}


def shared_names(published: Mapping[str, Mapping[str, Collection[str]]]) -> list[SharedName]:
    """``stack → name → types`` (names in normal form) to the names more than one stack
    publishes, sorted by name, each with its owners sorted by stack."""
    owners: dict[str, list[Owner]] = {}
    for stack in sorted(published):
        for name, types in published[stack].items():
            owners.setdefault(name, []).append(Owner(stack, tuple(sorted(types))))
    return [SharedName(name, tuple(found)) for name, found in sorted(owners.items()) if len(found) > 1]


def text_lines(shared: Collection[SharedName]) -> list[str]:
    """The warning for people (empty when no name is shared)."""
    if not shared:
        return []
    lines = [f"Warning: {HEADING} ({len(shared)})"]
    lines += [f"  {entry.text()}" for entry in shared]
    return [*lines, f"  {CONSEQUENCE}"]
