"""Route53 (``mta-sts:dns:Route53Dns``): records in a public hosted zone, given by id or looked
up by name. TXT values are split into 255-byte character-strings (the provider adds the quotes);
aliases are ``A`` + ``AAAA`` alias records to the target's hosted zone (free queries to
CloudFront)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.txt_values import route53_txt

from .base import DnsBackend, RecordImport, checked_zone, slug

__all__ = ["Route53Dns", "Route53DnsArgs"]

RECORD_TYPE_TOKEN = "aws:route53/record:Record"
ALIAS_RECORD_TYPES = ("A", "AAAA")


@dataclass(frozen=True)
class Route53DnsArgs:
    """Arguments of :class:`Route53Dns`."""

    zone_id: str | None = None
    """The hosted zone id (``Z...``). When given, no look-up is made."""
    zone_name: str | None = None
    """The hosted zone's domain (public zone), looked up when ``zone_id`` is not given."""


def _overwrite(allow: bool) -> bool | None:
    """``allow_overwrite`` as sent: absent unless asked, so records that never asked for it keep
    their inputs (no update of existing stacks)."""
    return True if allow else None


class Route53Dns(DnsBackend):
    """Records in a Route53 public hosted zone."""

    provider_name: ClassVar[str] = "route53"

    def __init__(self, name: str, args: Route53DnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        zone_name = checked_zone(args.zone_id, args.zone_name)  # before anything is registered
        super().__init__("mta-sts:dns:Route53Dns", name, opts)
        self.zone_name = zone_name
        if args.zone_id:
            self.zone_id = pulumi.Output.from_input(args.zone_id.strip())
        else:
            with provider_sdk("Route53Dns"):
                import pulumi_aws as aws

            zone = aws.route53.get_zone_output(
                name=zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self.zone_id = zone.zone_id
        self.register_outputs({"zone_id": self.zone_id})

    @property
    def alias_record_types(self) -> tuple[str, ...]:
        return ALIAS_RECORD_TYPES

    def txt_import(self, record_name: str) -> RecordImport:
        return RecordImport(RECORD_TYPE_TOKEN, f"<ZONE_ID>_{record_name}_TXT")

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
        return self._record(name, type, values, ttl=ttl, resource_name=resource_name, opts=opts)

    def _record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        ttl: int = defaults.DNS_TTL,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        allow_overwrite: bool = False,
    ) -> list[pulumi.CustomResource]:
        with provider_sdk("Route53Dns"):
            import pulumi_aws as aws

        rtype = self._check_type(type)
        written: list[pulumi.Input[str]] = [
            pulumi.Output.from_input(v).apply(route53_txt) if rtype == "TXT" else v for v in values
        ]
        resource = self._name_for(name, rtype, resource_name)
        self._claim(name, rtype, resource)
        record = aws.route53.Record(
            resource,
            zone_id=self.zone_id,
            name=name,
            type=rtype,
            ttl=ttl,
            records=written,
            allow_overwrite=_overwrite(allow_overwrite),
            opts=self._opts(opts),
        )
        return [record]

    def alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        return self._alias(name, target, target_zone_id, resource_name=resource_name, opts=opts)

    def _alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        allow_overwrite: bool = False,
    ) -> list[pulumi.CustomResource]:
        with provider_sdk("Route53Dns"):
            import pulumi_aws as aws

        if target_zone_id is None:
            raise InputError([Problem("target_zone_id", None, "a Route53 alias needs the target's hosted zone id")])
        base = resource_name or f"{self.resource_prefix}-{slug(name)}"
        for rtype in ALIAS_RECORD_TYPES:
            self._claim(name, rtype, f"{base}-{rtype.lower()}")
        target_alias = aws.route53.RecordAliasArgs(name=target, zone_id=target_zone_id, evaluate_target_health=False)
        return [
            aws.route53.Record(
                f"{base}-{rtype.lower()}",
                zone_id=self.zone_id,
                name=name,
                type=rtype,
                aliases=[target_alias],
                allow_overwrite=_overwrite(allow_overwrite),
                opts=self._opts(opts),
            )
            for rtype in ALIAS_RECORD_TYPES
        ]

    def takeover_record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        if self.__class__.record is not Route53Dns.record:  # a subclass's own records: no overwrite known
            return super().takeover_record(name, type, values, resource_name=resource_name, opts=opts)
        return self._record(name, type, values, resource_name=resource_name, opts=opts, allow_overwrite=True)

    def takeover_alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        if self.__class__.alias is not Route53Dns.alias:  # a subclass's own aliases: no overwrite known
            return super().takeover_alias(name, target, target_zone_id, resource_name=resource_name, opts=opts)
        return self._alias(name, target, target_zone_id, resource_name=resource_name, opts=opts, allow_overwrite=True)

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        return [r.fqdn for r in resources]  # type: ignore[attr-defined]
