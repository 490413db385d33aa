"""DNS names that more than one stack of a project would own (``mta-sts plan --all``).

Two stacks that publish a record at one name do not share it: on Route53 a record taken over
with ``allowOverwrite`` (the policy host's alias, the certificate's validation CNAME) belongs to
whichever stack deployed last, so destroying either stack deletes the record the other serves;
elsewhere the second deploy fails, or on Cloudflare publishes a second TXT record (two
``v=STSv1`` records mean no policy). The plan cannot see deployed state, but it sees what each
stack *would* publish: every record set, by name in its one normal form
(:func:`~pulumi_mta_sts.core.hostnames.fold_hostname`), whatever the type. Names only known after
the deploy are left out. A warning, never an error: docs/deploying.md says how to give a domain
to one stack.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.change.model import KNOWN_AFTER_DEPLOY
from pulumi_mta_sts.core.hostnames import fold_hostname

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

    def text(self) -> str:
        return f"{', '.join(self.types)} in {self.stack}"


@dataclass(frozen=True)
class SharedName:
    """A DNS name (normal form) that two or more stacks (sorted) publish records at."""

    name: str
    owners: tuple[Owner, ...]

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(owner.stack for owner in self.owners)

    def as_json(self) -> dict[str, Any]:
        owners = [{"stack": o.stack, "types": list(o.types)} for o in self.owners]
        return {"name": self.name, "stacks": list(self.stacks), "owners": owners}

    def text(self) -> str:
        """``mta-sts.example.com: A, AAAA in example-com; A, AAAA in example-fleet``."""
        return f"{self.name}: {'; '.join(owner.text() for owner in self.owners)}"


def published_names(rows: Iterable[Mapping[str, str]]) -> dict[str, frozenset[str]]:
    """The names one stack's plan publishes (its DNS rows), in normal form, each with its record
    types; names known only after the deploy left out."""
    found: dict[str, set[str]] = {}
    for row in rows:
        raw, rtype = str(row.get("name", "")), str(row.get("type", ""))
        name = fold_hostname(raw)
        if name and KNOWN_AFTER_DEPLOY not in raw:
            found.setdefault(name, set()).add(rtype.strip().upper())
    return {name: frozenset(types) for name, types in found.items()}


def shared_names(published: Mapping[str, Mapping[str, Collection[str]]]) -> list[SharedName]:
    """``stack → name → types`` to the names more than one stack publishes, sorted by name."""
    owners: dict[str, list[Owner]] = {}
    for stack in sorted(published):
        for name, types in published[stack].items():
            owners.setdefault(name, []).append(Owner(stack, tuple(sorted(types))))
    return [SharedName(name, tuple(found)) for name, found in sorted(owners.items()) if len(found) > 1]


def text_lines(shared: Collection[SharedName]) -> list[str]:
    """The warning for people (empty when no name is shared)."""
    if not shared:
        return []
    return [f"Warning: {HEADING} ({len(shared)})", *(f"  {entry.text()}" for entry in shared), f"  {CONSEQUENCE}"]
