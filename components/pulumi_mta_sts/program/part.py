"""An optional part of a one-domain stack: :class:`StackPart`, and what it hands the later steps
once built: :class:`BuiltPart`.

A part is deployed on top of the domain's :class:`~pulumi_mta_sts.mtasts.component.MtaSts` when its
config asks for it (today the TLS-RPT receiver, :mod:`.receiver_part`). Parts are listed once,
:data:`pulumi_mta_sts.program.pipeline.PARTS`; each step asks every enabled part for its share, so a
new part is one class and one entry there, and no step changes:

1. ``enabled(cfg)``: does this stack's config turn the part on?
2. ``adjust(cfg)``: the config ``MtaSts`` is built from while the part is on (e.g. without the
   ``rua`` the receiver publishes itself);
3. ``build(cfg, mtasts)``: register the part's resources (its DNS records through
   ``mtasts.dns``, the stack's one DNS backend) and return a :class:`BuiltPart`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import dns.resolver
import pulumi

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.mtasts.component import MtaSts

__all__ = ["BuiltPart", "LiveCheck", "StackPart", "resource_name"]

#: A look-up in live DNS a part wants made after it is built: ``resolver -> warnings`` (it logs them).
LiveCheck = Callable[[dns.resolver.Resolver], list[str]]


def resource_name(cfg: DomainConfig) -> str:
    """The stack's ``MtaSts`` resource name, which the parts prefix theirs with: the domain with
    dots as dashes (``example.com`` → ``example-com``)."""
    return cfg.domain.replace(".", "-")


@dataclass(frozen=True)
class BuiltPart:
    """What a built part contributes to the later steps of the program."""

    records: tuple[pulumi.Output[dict[str, str]], ...] = ()
    """DNS records it publishes itself (``{"name", "type", "value"}``), added to the ``records`` output."""
    exports: Mapping[str, Any] = field(default_factory=dict)
    """Stack outputs of its own (``pulumi.export`` name → value)."""
    live_checks: tuple[LiveCheck, ...] = ()
    """Live DNS look-ups for the program's live step (records by hand that it would not own)."""


class StackPart(Protocol):
    """An optional part of the stack program (see the module docs)."""

    def enabled(self, cfg: DomainConfig) -> bool:
        """True when the stack's config turns this part on."""
        ...

    def adjust(self, cfg: DomainConfig) -> DomainConfig:
        """The config ``MtaSts`` is built from while this part is on (``cfg`` when it changes nothing)."""
        ...

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        """Register the part's resources; :class:`~pulumi_mta_sts.core.errors.InputError` for a
        user mistake, with fields named as in the stack config."""
        ...
