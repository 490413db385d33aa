"""An optional part of a one-domain stack (:class:`StackPart`), deployed on top of its ``MtaSts``
when its config asks for it (today the TLS-RPT receiver, :mod:`.receiver_part`). Parts are listed
once, :data:`pulumi_mta_sts.program.pipeline.PARTS`, and every step asks each enabled part for its
share, so a new part is one class and one entry there: ``enabled(cfg)``; ``adjust(cfg)``, the config
``MtaSts`` is built from (e.g. without the ``rua`` the receiver publishes itself); ``build(cfg,
mtasts)``, its resources (its records through ``mtasts.dns``) as a :class:`BuiltPart`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import dns.resolver
import pulumi

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.mtasts.component import MtaSts

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
    """An optional part (see the module docs)."""

    def enabled(self, cfg: DomainConfig) -> bool: ...

    def adjust(self, cfg: DomainConfig) -> DomainConfig: ...

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        """Its resources; an :class:`~pulumi_mta_sts.core.errors.InputError` names the stack config's keys."""
        ...
