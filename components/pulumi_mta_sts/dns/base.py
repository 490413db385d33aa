"""The DNS-backend interface: everything a component may ask of the zone its records go into.

Components (the policy hosts, ``MtaSts``, the TLS-RPT receiver) talk to a zone only through
:class:`DnsBackend`; none of them looks at which provider is behind it. What differs between
providers is answered by the backend itself:

- :meth:`DnsBackend.record` / :meth:`DnsBackend.alias`: publish records (TXT quoting and
  255-byte splitting are the backend's business);
- :attr:`DnsBackend.alias_record_types`: which record types an alias makes (for the ``records``
  output and ``mta-sts plan``);
- :meth:`DnsBackend.txt_import`: what ``pulumi import`` needs to adopt a hand-made TXT record;
- :meth:`DnsBackend.record_names`: the names of created records (for ACM's validation).

A backend refuses a second record set of one type at one name, and anything beside a CNAME
(:meth:`DnsBackend._claim`): Route53 would fail the deploy and Cloudflare would serve both.
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

__all__ = ["RECORD_TYPES", "DnsBackend", "RecordImport"]

#: The record types :meth:`DnsBackend.record` publishes.
RECORD_TYPES = ("TXT", "CNAME", "MX", "A", "AAAA", "CAA")


@dataclass(frozen=True)
class RecordImport:
    """What ``pulumi import <type_token> <name> <import_id>`` needs to adopt a record that exists
    in the zone but not in the stack. ``import_id`` may hold placeholders the user fills in
    (``<ZONE_ID>``, ``<RECORD_ID>``)."""

    type_token: str
    import_id: str


def slug(text: str) -> str:
    """``text`` as a piece of a Pulumi resource name (lowercase letters, digits, dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "apex"


def checked_zone(zone_id: object, zone_name: object) -> str | None:
    """The zone name in normal form (``None`` when only the id is given); raises :class:`InputError`
    (fields ``zone_id`` / ``zone_name``) before the backend registers anything."""
    normal, problems = zone_problems(zone_id, zone_name)
    if problems:
        raise InputError(problems)
    return normal


class DnsBackend(pulumi.ComponentResource, metaclass=ABCMeta):
    """A DNS zone the toolkit writes records into (see the module docs).

    Implementations set ``zone_id`` (an ``Output``; looked up when only the name was given),
    ``zone_name`` (the zone's domain in normal form; ``None`` when only the id was given) and
    ``resource_prefix`` (default record resource names start with it), and name themselves in
    ``provider_name`` (the ``dns.provider`` of stack config: which host kind is the default,
    :func:`pulumi_mta_sts.core.defaults.default_host_kind`).
    """

    provider_name: ClassVar[str]
    zone_id: pulumi.Output[str]
    zone_name: str | None
    resource_prefix: str

    def __init__(self, type_token: str, name: str, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(type_token, name, None, opts)
        self.resource_prefix = name
        #: Record types published so far per name (lower case, no trailing dot) -> resource name.
        self._published: dict[str, dict[str, str]] = {}

    # -- what every backend answers ----------------------------------------------------------
    @property
    @abstractmethod
    def alias_record_types(self) -> tuple[str, ...]:
        """The record types :meth:`alias` creates at the alias name."""

    @abstractmethod
    def txt_import(self, record_name: str) -> RecordImport:
        """How to ``pulumi import`` the TXT record set at ``record_name`` of this zone."""

    @abstractmethod
    def record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        ttl: int = defaults.DNS_TTL,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """Publish ``values`` at ``name`` (fully qualified, no trailing dot) with ``type``.

        ``name`` may be an ``Output`` (then ``resource_name`` is required). ``values`` are the
        record values as DNS readers see them: a TXT value unquoted (it is quoted and split
        here), an MX value ``"<preference> <host>"``, a CNAME target name. ``resource_name``
        names the Pulumi resource (default: derived from this backend's name, ``name`` and
        ``type``); ``opts`` is merged over ``parent=self``. Returns the created resources (one
        per value on Cloudflare, one record set on Route53). Raises :class:`InputError` when
        this backend already published that type at ``name`` (or a CNAME beside anything else
        there): put every value in one call.
        """

    @abstractmethod
    def alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """Point ``name`` at the host name ``target`` (a CDN endpoint; ``target_zone_id`` is the
        target's hosted zone where the provider needs it), with :attr:`alias_record_types`."""

    # -- taking over what is already in the zone (a provider that cannot keeps these defaults) --
    def takeover_record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """:meth:`record`, taking over a record set of ``type`` that already exists at ``name``
        instead of failing, where the provider can (Route53 ``allow_overwrite``: one UPSERT, no
        moment without a record). This default is :meth:`record`: Cloudflare cannot (its
        provider's version 5 dropped ``allow_overwrite``), so a record in the way there must be
        imported or removed first (docs/deploying.md, "Migrating from a hand-made or hosted
        MTA-STS setup"; the program's live step finds it before anything is created)."""
        return self.record(name, type, values, resource_name=resource_name, opts=opts)

    def takeover_alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """:meth:`alias`, taking over the records of :attr:`alias_record_types` already at
        ``name`` where the provider can (see :meth:`takeover_record`)."""
        return self.alias(name, target, target_zone_id, resource_name=resource_name, opts=opts)

    @abstractmethod
    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        """The fully qualified names of records created by this backend (for dependencies such
        as ACM's ``validation_record_fqdns``)."""

    # -- shared by the implementations -------------------------------------------------------
    def _name_for(self, name: pulumi.Input[str], type: str, resource_name: str | None) -> str:
        if resource_name:
            return resource_name
        if not isinstance(name, str):
            raise InputError([Problem("resource_name", None, "is required when the record name is an Output")])
        return f"{self.resource_prefix}-{slug(name)}-{type.lower()}"

    def _claim(self, name: pulumi.Input[str], rtype: str, resource_name: str) -> None:
        """Refuse a second record set of one type at one name through this backend: Route53 would
        fail the deploy, and Cloudflare would serve both (two ``v=STSv1`` or ``v=TLSRPTv1`` TXT
        records make senders ignore MTA-STS or TLS-RPT altogether)."""
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

    @staticmethod
    def _check_type(type: str) -> str:
        upper = type.upper()
        if upper not in RECORD_TYPES:
            raise InputError([Problem("type", type, f"is not supported; use one of {', '.join(RECORD_TYPES)}")])
        return upper
