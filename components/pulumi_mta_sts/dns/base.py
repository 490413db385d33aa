"""The DNS-backend interface: all a component may ask of a zone, never which provider is behind it.

A backend quotes and splits TXT values, names an alias's record types and how ``pulumi import``
adopts a TXT record, and refuses a second record set of one type at one name or anything beside a
CNAME (Route53 would fail the deploy, Cloudflare would serve both).
"""

from __future__ import annotations

import re
from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.spec.rules import zone_problems

Name = pulumi.Input[str]
Values = Sequence[pulumi.Input[str]]
Opts = pulumi.ResourceOptions
Made = list[pulumi.CustomResource]
#: The record types :meth:`DnsBackend.record` publishes.
RECORD_TYPES = ("TXT", "CNAME", "MX", "A", "AAAA", "CAA")


@dataclass(frozen=True)
class RecordImport:
    """What ``pulumi import <type_token> <name> <import_id>`` needs (placeholders: ``<ZONE_ID>``)."""

    type_token: str
    import_id: str


def checked_zone(zone_id: object, zone_name: object, *more: Problem) -> str | None:
    """The zone name in normal form (``None``: only the id is given), or :class:`InputError` with
    its problems and ``more``: every problem before anything is registered."""
    normal, problems = zone_problems(zone_id, zone_name)
    if problems or more:
        raise InputError([*problems, *more])
    return normal


def slug(text: str) -> str:
    """``text`` as a piece of a Pulumi resource name (lowercase letters, digits, dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "apex"


class DnsBackend(pulumi.ComponentResource, metaclass=ABCMeta):
    """A DNS zone: implementations set ``zone_id``, ``zone_name`` and ``provider_name``."""

    provider_name: ClassVar[str]
    zone_id: pulumi.Output[str]
    zone_name: str | None
    resource_prefix: str

    def __init__(self, type_token: str, name: str, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(type_token, name, None, opts)
        self.resource_prefix = name
        #: Record types published so far per name (lower case, no trailing dot) -> resource name.
        self._published: dict[str, dict[str, str]] = {}

    @property
    @abstractmethod
    def alias_record_types(self) -> tuple[str, ...]:
        """The record types :meth:`alias` creates."""

    @abstractmethod
    def txt_import(self, record_name: str) -> RecordImport:
        """How to ``pulumi import`` the TXT record set at ``record_name`` of this zone."""

    @abstractmethod
    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        """The names of records this backend created (e.g. ACM's ``validation_record_fqdns``)."""

    @abstractmethod
    def _records(self, name: Name, rtype: str, values: Values, ttl: int, resource: str, opts: Opts, over: bool) -> Made:
        """Create the record set :meth:`record` checked and claimed; ``over``: take over one there."""

    @abstractmethod
    def _alias(self, name: str, target: Name, zone: Name | None, resource: str | None, opts: Opts, over: bool) -> Made:
        """Create what :meth:`alias` makes (``zone``: the target's hosted zone); ``over`` as above."""

    def record(
        self,
        name: Name,
        type: str,
        values: Values,
        *,
        ttl: int = defaults.DNS_TTL,
        resource_name: str | None = None,
        opts: Opts | None = None,
    ) -> Made:
        """Publish ``values`` as readers see them (TXT unquoted, MX ``"<preference> <host>"``) at
        ``name`` (fully qualified; an ``Output`` only with ``resource_name``), all in one call."""
        rtype, resource = self._checked(name, type, resource_name)
        return self._records(name, rtype, values, ttl, resource, self._opts(opts), False)

    def alias(
        self,
        name: str,
        target: Name,
        target_zone_id: Name | None = None,
        *,
        resource_name: str | None = None,
        opts: Opts | None = None,
    ) -> Made:
        """Point ``name`` at the host ``target`` (``target_zone_id``: its hosted zone, where needed)."""
        return self._alias(name, target, target_zone_id, resource_name, self._opts(opts), False)

    def takeover_record(
        self, name: Name, type: str, values: Values, *, resource_name: str, opts: Opts | None = None
    ) -> Made:
        """:meth:`record`, taking over a record set already there where the provider can (Route53: one
        UPSERT; Cloudflare's provider dropped ``allow_overwrite`` in version 5, docs/deploying.md). A
        subclass's own :meth:`record` is never sent an overwrite."""
        if self.__class__.record is not DnsBackend.record:
            return self.record(name, type, values, resource_name=resource_name, opts=opts)
        rtype, resource = self._checked(name, type, resource_name)
        return self._records(name, rtype, values, defaults.DNS_TTL, resource, self._opts(opts), True)

    def takeover_alias(
        self,
        name: str,
        target: Name,
        target_zone_id: Name | None = None,
        *,
        resource_name: str,
        opts: Opts | None = None,
    ) -> Made:
        """:meth:`alias`, taking over the records already there where the provider can."""
        if self.__class__.alias is not DnsBackend.alias:
            return self.alias(name, target, target_zone_id, resource_name=resource_name, opts=opts)
        return self._alias(name, target, target_zone_id, resource_name, self._opts(opts), True)

    def _checked(self, name: Name, type: str, resource_name: str | None) -> tuple[str, str]:
        """The record type and the resource name, claimed for that type."""
        rtype = type.upper()
        if rtype not in RECORD_TYPES:
            raise InputError([Problem("type", type, f"is not supported; use one of {', '.join(RECORD_TYPES)}")])
        if not resource_name and not isinstance(name, str):
            raise InputError([Problem("resource_name", None, "is required when the record name is an Output")])
        resource = resource_name or f"{self.resource_prefix}-{slug(str(name))}-{rtype.lower()}"
        self._claim(name, rtype, resource)
        return rtype, resource

    def _claim(self, name: pulumi.Input[str], rtype: str, resource_name: str) -> None:
        """Refuse a second record set of one type at one name: two ``v=STSv1`` or ``v=TLSRPTv1``
        TXT records make senders ignore MTA-STS or TLS-RPT altogether."""
        if not isinstance(name, str):
            return
        types = self._published.setdefault(name.rstrip(".").lower(), {})
        if rtype in types:
            reason = (
                f"already has a {rtype} record published through this DNS backend (resource {types[rtype]!r}); "
                "one name holds one record set per type: publish every value in one record "
                "(e.g. with the TLS-RPT receiver publishing _smtp._tls, give MtaSts no rua)"
            )
            raise InputError([Problem("name", name, reason)])
        if types and (rtype == "CNAME" or "CNAME" in types):
            other, resource = next(iter(types.items()))
            reason = (
                f"already has a {other} record (resource {resource!r}) published through this DNS backend; "
                "a CNAME cannot share its name"
            )
            raise InputError([Problem("name", name, reason)])
        types[rtype] = resource_name

    def _opts(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self), opts)
