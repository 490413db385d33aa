"""DNS backends: one interface (:class:`DnsBackend`), two implementations.

- :class:`Route53Dns` (``mta-sts:dns:Route53Dns``): records in a Route53 hosted zone, given by
  id or looked up by name; aliases are ``A`` + ``AAAA`` alias records.
- :class:`CloudflareDns` (``mta-sts:dns:CloudflareDns``): records in a Cloudflare zone (pulumi-
  cloudflare 6 ``DnsRecord``), given by id or looked up by name; aliases are ``CNAME`` records,
  never proxied unless asked (a proxied name would be answered by Cloudflare's edge, not by
  the target).

Both take care of TXT quoting and splitting (strings over 255 bytes, see
:mod:`pulumi_mta_sts.core.txt_values`). Other components create records through the general
:meth:`DnsBackend.record` method, e.g. the TLS-RPT receiver's MX and TXT on a subdomain::

    dns.record("tlsrpt.example.com", "MX", ["10 inbound-smtp.eu-west-1.amazonaws.com"])
    dns.record("tlsrpt.example.com", "TXT", ["v=spf1 -all"], resource_name="tlsrpt-spf")

Records are children of the backend (or of ``opts.parent`` when given), so the user's
providers passed to the backend (``ResourceOptions(providers=...)``) apply to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.txt_values import cloudflare_txt, route53_txt

__all__ = [
    "DEFAULT_TTL",
    "CloudflareDns",
    "CloudflareDnsArgs",
    "DnsBackend",
    "Route53Dns",
    "Route53DnsArgs",
]

DEFAULT_TTL = 300
RECORD_TYPES = ("TXT", "CNAME", "MX", "A", "AAAA", "CAA")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "apex"


def _check_zone(zone_id: str | None, zone_name: str | None, where: str) -> None:
    if not zone_id and not zone_name:
        raise InputError([Problem(f"{where}.zone_id", None, "give the zone's id or its name (zone_name)")])


class DnsBackend(pulumi.ComponentResource):
    """A DNS zone the toolkit writes records into.

    Implementations expose ``zone_id`` (an ``Output``; looked up when only the name was
    given), ``zone_name`` (the zone's domain; ``None`` when only the id was given) and
    ``provider_name`` (``"route53"`` or ``"cloudflare"``), and implement :meth:`record` and
    :meth:`alias`.
    """

    provider_name: ClassVar[str] = ""
    zone_id: pulumi.Output[str]
    zone_name: str | None
    #: The backend's resource name; default record resource names start with it.
    resource_prefix: str

    def __init__(
        self, type_token: str, name: str, props: dict[str, object] | None, opts: pulumi.ResourceOptions | None
    ) -> None:
        super().__init__(type_token, name, props, opts)
        #: Record types published so far per name (lower case, no trailing dot) -> resource name.
        self._published: dict[str, dict[str, str]] = {}

    def record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        ttl: int = DEFAULT_TTL,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """Publish ``values`` at ``name`` (fully qualified, no trailing dot) with ``type``.

        ``name`` may be an ``Output`` (then ``resource_name`` is required). ``values`` are the
        record values as DNS readers see them: a TXT value unquoted (it is
        quoted and split here), an MX value ``"<preference> <host>"``, a CNAME target name.
        ``resource_name`` names the Pulumi resource (default: derived from this backend's name,
        ``name`` and ``type``); ``opts`` is merged over ``parent=self``. Returns the created
        resources (one per value on Cloudflare, one record set on Route53). Raises
        :class:`InputError` when this backend already published that type at ``name`` (or a
        CNAME beside anything else there): put every value in one call.
        """
        raise NotImplementedError

    def alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        """Point ``name`` at the host name ``target`` (a CDN endpoint): alias ``A`` + ``AAAA``
        on Route53 (``target_zone_id`` is the target's hosted zone), ``CNAME`` (not proxied) on
        Cloudflare."""
        raise NotImplementedError

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        """The fully qualified names of records created by this backend (for dependencies such
        as ACM's ``validation_record_fqdns``)."""
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------------
    def _name_for(self, name: pulumi.Input[str], type: str, resource_name: str | None) -> str:
        if resource_name:
            return resource_name
        if not isinstance(name, str):
            raise InputError([Problem("resource_name", None, "is required when the record name is an Output")])
        return f"{self.resource_prefix}-{_slug(name)}-{type.lower()}"

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

    def _check_type(self, type: str) -> str:
        upper = type.upper()
        if upper not in RECORD_TYPES:
            raise InputError([Problem("type", type, f"is not supported; use one of {', '.join(RECORD_TYPES)}")])
        return upper


@dataclass(frozen=True)
class Route53DnsArgs:
    """Arguments of :class:`Route53Dns`."""

    zone_id: str | None = None
    """The hosted zone id (``Z...``). When given, no look-up is made."""
    zone_name: str | None = None
    """The hosted zone's domain (public zone), looked up when ``zone_id`` is not given."""


class Route53Dns(DnsBackend):
    """Records in a Route53 public hosted zone."""

    provider_name: ClassVar[str] = "route53"

    def __init__(self, name: str, args: Route53DnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mta-sts:dns:Route53Dns", name, None, opts)
        _check_zone(args.zone_id, args.zone_name, "dns")
        self.resource_prefix = name
        self.zone_name = args.zone_name
        if args.zone_id:
            self.zone_id = pulumi.Output.from_input(args.zone_id)
        else:
            import pulumi_aws as aws

            zone = aws.route53.get_zone_output(
                name=args.zone_name, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self.zone_id = zone.zone_id
        self.register_outputs({"zone_id": self.zone_id})

    def record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        ttl: int = DEFAULT_TTL,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
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
        import pulumi_aws as aws

        if target_zone_id is None:
            raise InputError([Problem("target_zone_id", None, "a Route53 alias needs the target's hosted zone id")])
        base = resource_name or f"{self.resource_prefix}-{_slug(name)}"
        for rtype in ("A", "AAAA"):
            self._claim(name, rtype, f"{base}-{rtype.lower()}")
        return [
            aws.route53.Record(
                f"{base}-{rtype.lower()}",
                zone_id=self.zone_id,
                name=name,
                type=rtype,
                aliases=[
                    aws.route53.RecordAliasArgs(name=target, zone_id=target_zone_id, evaluate_target_health=False)
                ],
                opts=self._opts(opts),
            )
            for rtype in ("A", "AAAA")
        ]

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        return [r.fqdn for r in resources]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CloudflareDnsArgs:
    """Arguments of :class:`CloudflareDns`."""

    zone_id: str | None = None
    """The zone id (32 hex characters). When given, the zone is only looked up if
    :attr:`CloudflareDns.account_id` is needed (Workers) and ``account_id`` is not given."""
    zone_name: str | None = None
    """The zone's domain, looked up when ``zone_id`` is not given."""
    account_id: str | None = None
    """The Cloudflare account id; looked up from the zone when needed and not given."""


class CloudflareDns(DnsBackend):
    """Records in a Cloudflare zone (``cloudflare.DnsRecord``; TTL 300, never proxied unless asked)."""

    provider_name: ClassVar[str] = "cloudflare"

    def __init__(self, name: str, args: CloudflareDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mta-sts:dns:CloudflareDns", name, None, opts)
        _check_zone(args.zone_id, args.zone_name, "dns")
        self.resource_prefix = name
        self._args = args
        self.zone_name = args.zone_name
        self._zone: pulumi.Output[object] | None = None
        if args.zone_id:
            self.zone_id = pulumi.Output.from_input(args.zone_id)
        else:
            self.zone_id = self._lookup().apply(lambda z: str(z.zone_id or z.id))  # type: ignore[attr-defined]
        self.register_outputs({"zone_id": self.zone_id})

    def _lookup(self) -> pulumi.Output[object]:
        if self._zone is None:
            import pulumi_cloudflare as cloudflare

            invoke_opts = pulumi.InvokeOutputOptions(parent=self)
            if self._args.zone_id:
                self._zone = cloudflare.get_zone_output(zone_id=self._args.zone_id, opts=invoke_opts)
            else:
                self._zone = cloudflare.get_zone_output(
                    filter=cloudflare.GetZoneFilterArgs(name=str(self._args.zone_name), match="all"), opts=invoke_opts
                )
        return self._zone

    @property
    def account_id(self) -> pulumi.Output[str]:
        """The account that owns the zone (needed for Workers)."""
        if self._args.account_id:
            return pulumi.Output.from_input(self._args.account_id)
        return self._lookup().apply(lambda z: str(z.account.id))  # type: ignore[attr-defined]

    def record(
        self,
        name: pulumi.Input[str],
        type: str,
        values: Sequence[pulumi.Input[str]],
        *,
        ttl: int = DEFAULT_TTL,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        proxied: bool = False,
    ) -> list[pulumi.CustomResource]:
        import pulumi_cloudflare as cloudflare

        rtype = self._check_type(type)
        base = self._name_for(name, rtype, resource_name)
        self._claim(name, rtype, base)
        created: list[pulumi.CustomResource] = []
        for index, value in enumerate(values):
            priority: pulumi.Input[float] | None = None
            content: pulumi.Input[str] = value
            if rtype == "TXT":
                content = pulumi.Output.from_input(value).apply(cloudflare_txt)
            elif rtype == "MX":
                parsed = pulumi.Output.from_input(value).apply(_split_mx)
                priority = parsed.apply(lambda p: float(p[0]))
                content = parsed.apply(lambda p: p[1])
            created.append(
                cloudflare.DnsRecord(
                    base if len(values) == 1 else f"{base}-{index}",
                    zone_id=self.zone_id,
                    name=name,
                    type=rtype,
                    ttl=ttl,
                    content=content,
                    priority=priority,
                    proxied=proxied if rtype in ("A", "AAAA", "CNAME") else None,
                    opts=self._opts(opts),
                )
            )
        return created

    def alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        return self.record(name, "CNAME", [target], resource_name=resource_name, opts=opts, proxied=False)

    def record_names(self, resources: Sequence[pulumi.CustomResource]) -> list[pulumi.Output[str]]:
        return [r.name for r in resources]  # type: ignore[attr-defined]


def _split_mx(value: str) -> tuple[int, str]:
    parts = value.split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise InputError([Problem("MX", value, "must be '<preference> <host>', e.g. '10 mx.example.com'")])
    return int(parts[0]), parts[1].rstrip(".")
