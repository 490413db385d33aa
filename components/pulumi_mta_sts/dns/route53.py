"""Route53 (``mta-sts:dns:Route53Dns``): records in a public hosted zone given by id or name; aliases
are ``A`` + ``AAAA`` alias records (queries to CloudFront are free)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.record_resources import ROUTE53_RECORD
from pulumi_mta_sts.core.txt_values import route53_txt

from .base import DnsBackend, Made, Name, Opts, RecordImport, Values, checked_zone, slug

ALIAS_RECORD_TYPES = ("A", "AAAA")


@dataclass(frozen=True)
class Route53DnsArgs:
    """Arguments of :class:`Route53Dns`: the hosted zone by id, else the public zone looked up by name."""

    zone_id: str | None = None
    zone_name: str | None = None


class Route53Dns(DnsBackend):
    """Records in a Route53 public hosted zone."""

    provider_name: ClassVar[str] = "route53"

    def __init__(self, name: str, args: Route53DnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        zone_name = checked_zone(args.zone_id, args.zone_name)
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
        return RecordImport(ROUTE53_RECORD, f"<ZONE_ID>_{record_name}_TXT")

    def _records(self, name: Name, rtype: str, values: Values, ttl: int, resource: str, opts: Opts, over: bool) -> Made:
        written = [pulumi.Output.from_input(v).apply(route53_txt) if rtype == "TXT" else v for v in values]
        return [self._record_set(resource, name, rtype, opts, over, ttl=ttl, records=written)]

    def _alias(self, name: str, target: Name, zone: Name | None, resource: str | None, opts: Opts, over: bool) -> Made:
        if zone is None:
            raise InputError([Problem("target_zone_id", None, "a Route53 alias needs the target's hosted zone id")])
        base = resource or f"{self.resource_prefix}-{slug(name)}"
        for rtype in ALIAS_RECORD_TYPES:
            self._claim(name, rtype, f"{base}-{rtype.lower()}")
        alias = {"name": target, "zone_id": zone, "evaluate_target_health": False}
        return [
            self._record_set(f"{base}-{rtype.lower()}", name, rtype, opts, over, aliases=[alias])
            for rtype in ALIAS_RECORD_TYPES
        ]

    def _record_set(
        self, resource: str, name: Name, rtype: str, opts: Opts, over: bool, **content: Any
    ) -> pulumi.CustomResource:
        with provider_sdk("Route53Dns"):
            import pulumi_aws as aws

        # allow_overwrite is sent only when asked: records that never asked keep their inputs.
        overwrite = True if over else None
        return aws.route53.Record(
            resource, zone_id=self.zone_id, name=name, type=rtype, allow_overwrite=overwrite, opts=opts, **content
        )

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        return [r.fqdn for r in resources]  # type: ignore[attr-defined]
