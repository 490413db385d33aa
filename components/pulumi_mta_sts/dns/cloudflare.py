"""Cloudflare (``mta-sts:dns:CloudflareDns``): ``DnsRecord`` resources, one per value, in a zone given
by id or name. Aliases are CNAMEs, never proxied (Cloudflare's edge would answer, not the target).
``pulumi_cloudflare`` is imported only when needed: it costs seconds, and Route53 programs never need it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.record_resources import CLOUDFLARE_RECORD as RECORD_TYPE_TOKEN
from pulumi_mta_sts.core.txt_values import cloudflare_txt
from pulumi_mta_sts.spec.rules import id_problems

from .base import DnsBackend, Made, Name, Opts, RecordImport, Values, checked_zone


@dataclass(frozen=True)
class CloudflareDnsArgs:
    """Arguments of :class:`CloudflareDns`: the zone by id, else looked up by name; the account
    (for Workers) is looked up from the zone when not given."""

    zone_id: str | None = None
    zone_name: str | None = None
    account_id: str | None = None


class CloudflareDns(DnsBackend):
    """Records in a Cloudflare zone."""

    provider_name: ClassVar[str] = "cloudflare"

    def __init__(self, name: str, args: CloudflareDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        zone_name = checked_zone(args.zone_id, args.zone_name, *id_problems(args.account_id, "account_id", "account"))
        super().__init__("mta-sts:dns:CloudflareDns", name, opts)
        self._args = args
        self.zone_name = zone_name
        if args.zone_id:
            self.zone_id = pulumi.Output.from_input(args.zone_id.strip())
        else:
            self.zone_id = self._zone.apply(lambda z: str(z.zone_id or z.id))
        self.register_outputs({"zone_id": self.zone_id})

    @functools.cached_property
    def _zone(self) -> pulumi.Output[Any]:
        """The zone's one look-up: by name for its id, or by id for its account."""
        with provider_sdk("CloudflareDns"):
            import pulumi_cloudflare as cloudflare

        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        if self._args.zone_id:
            return cloudflare.get_zone_output(zone_id=self._args.zone_id.strip(), opts=invoke_opts)
        zone = cloudflare.GetZoneFilterArgs(name=str(self.zone_name), match="all")
        return cloudflare.get_zone_output(filter=zone, opts=invoke_opts)

    @property
    def account_id(self) -> pulumi.Output[str]:
        """The account that owns the zone (needed for Workers)."""
        if self._args.account_id:
            return pulumi.Output.from_input(self._args.account_id.strip())
        return self._zone.apply(lambda z: str(z.account.id))

    @property
    def alias_record_types(self) -> tuple[str, ...]:
        return ("CNAME",)

    def txt_import(self, record_name: str) -> RecordImport:
        return RecordImport(RECORD_TYPE_TOKEN, "<ZONE_ID>/<RECORD_ID>")

    def _records(self, name: Name, rtype: str, values: Values, ttl: int, resource: str, opts: Opts, over: bool) -> Made:
        with provider_sdk("CloudflareDns"):
            import pulumi_cloudflare as cloudflare

        created: Made = []
        for index, value in enumerate(values):
            content, priority = _content_and_priority(rtype, value)
            created.append(
                cloudflare.DnsRecord(
                    resource if len(values) == 1 else f"{resource}-{index}",
                    zone_id=self.zone_id,
                    name=name,
                    type=rtype,
                    ttl=ttl,
                    content=content,
                    priority=priority,
                    proxied=False if rtype in ("A", "AAAA", "CNAME") else None,  # the types it can proxy
                    opts=opts,
                )
            )
        return created

    def _alias(self, name: str, target: Name, zone: Name | None, resource: str | None, opts: Opts, over: bool) -> Made:
        return self.record(name, "CNAME", [target], resource_name=resource, opts=opts)

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        return [r.name for r in resources]  # type: ignore[attr-defined]


def _content_and_priority(rtype: str, value: pulumi.Input[str]) -> tuple[pulumi.Input[str], pulumi.Input[float] | None]:
    """What Cloudflare stores for one record value: TXT quoted and split; MX as host + priority."""
    if rtype == "TXT":
        return pulumi.Output.from_input(value).apply(cloudflare_txt), None
    if rtype == "MX":
        parsed = pulumi.Output.from_input(value).apply(_split_mx)
        return parsed.apply(lambda p: p[1]), parsed.apply(lambda p: float(p[0]))
    return value, None


def _split_mx(value: str) -> tuple[int, str]:
    parts = value.split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise InputError([Problem("MX", value, "must be '<preference> <host>', e.g. '10 mx.example.com'")])
    return int(parts[0]), parts[1].rstrip(".")
