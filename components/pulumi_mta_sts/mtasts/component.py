"""``MtaSts`` (``mta-sts:index:MtaSts``): MTA-STS + TLS-RPT for one mail domain on its own host;
``MtaStsFleet`` (``mta-sts:index:MtaStsFleet``): many domains on shared hosting, and hosted mode for
domains whose DNS is elsewhere (RFC 8461 §8.2). Both check their arguments before anything registers
and give each domain the same gate and records (:func:`publish_domain`) on the host they inject. Use::

    from pulumi_mta_sts import DnsConfig, MtaSts, MtaStsArgs, Policy

    MtaSts("example-com", MtaStsArgs(
        domain="example.com",
        policy=Policy.build("testing", ["mx1.example.com"], 86401),
        dns=DnsConfig("route53", zone_name="example.com"),   # host: cloudfront (worker on Cloudflare)
        rua=["mailto:tlsrpt@example.com"],
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.resolver
import pulumi

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import DnsRecord, policy_url, records_for, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.dns.base import slug
from pulumi_mta_sts.hosting.base import PolicyHost
from pulumi_mta_sts.hosting.shared import FleetSite, SharedHosting, SiteHosting
from pulumi_mta_sts.net.existing_records import ADOPT_SECTION, unmanaged_record_warnings
from pulumi_mta_sts.spec.deployment import (
    CheckedDomain,
    DelegationArgs,
    DnsConfig,
    FleetDomainArgs,
    MtaStsArgs,
    MtaStsFleetArgs,
    ZoneBackend,
    check_fleet,
    check_mtasts,
    delegated_names,
)

from .policy_live import PolicyLive, PolicyLiveArgs

__all__ = ["DelegationArgs", "FleetDomainArgs", "MtaSts", "MtaStsArgs", "MtaStsFleet", "MtaStsFleetArgs"]


def make_dns(name: str, cfg: DnsConfig | ZoneBackend | None, opts: pulumi.ResourceOptions) -> DnsBackend:
    """``cfg``'s backend: a given one as it is, else ``name`` made for the zone ``cfg`` names."""
    if not isinstance(cfg, DnsConfig):
        assert isinstance(cfg, DnsBackend)  # checked: a backend or a DnsConfig
        return cfg
    if cfg.provider == "cloudflare":
        return CloudflareDns(name, CloudflareDnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
    return Route53Dns(name, Route53DnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)


def first_and_more(items: Sequence[str], shown: int, separator: str = ", ", before_and: str = " ") -> str:
    """The first ``shown`` of ``items`` and how many more: a warning names a few, an output has them all."""
    more = f"{before_and}and {len(items) - shown} more" if len(items) > shown else ""
    return separator.join(items[:shown]) + more


def record_label(record: DnsRecord) -> str:
    return "mta-sts" if record.name.startswith("_mta-sts.") else "tlsrpt"


def publish_domain(
    name: str,
    parent: pulumi.Resource,
    checked: CheckedDomain,
    url: str,
    serving: Sequence[pulumi.Resource],
    dns: DnsBackend,
    records: Sequence[DnsRecord],
) -> None:
    """What every domain gets, whoever serves it: the gate ``<name>-policy-live`` (child of ``parent``,
    after ``serving``) and ``records`` through ``dns``, ``<name>-mta-sts-txt`` after the gate (RFC 8461
    §3.3: a new id is never published before its body; ``verify_live`` off: after ``serving``)."""
    args = checked.args
    after = list(serving)
    if args.verify_live:
        gate = PolicyLiveArgs(url=url, policy_text=args.policy.render(), timeout=args.verify_timeout)
        after = [PolicyLive(f"{name}-policy-live", gate, pulumi.ResourceOptions(parent=parent, depends_on=after))]
    for record in records:
        label = record_label(record)
        opts = pulumi.ResourceOptions(depends_on=after) if label == "mta-sts" else None
        dns.record(record.name, "TXT", [record.value], resource_name=f"{name}-{label}-txt", opts=opts)


def _with_alias(opts: pulumi.ResourceOptions | None, former: str) -> pulumi.ResourceOptions:
    """``opts`` and the type token used before the package's: a stack made with it keeps its resources."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=former)]))


class MtaSts(pulumi.ComponentResource):
    """One domain; outputs ``policy_id``, ``policy_text``, ``policy_url``, ``records`` (every record it
    manages) and ``host``. It makes no look-up: :meth:`warn_unmanaged_records` does, when asked."""

    policy_id: pulumi.Output[str]
    policy_text: pulumi.Output[str]
    policy_url: pulumi.Output[str]
    records: pulumi.Output[list[dict[str, Any]]]
    host: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: MtaStsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = check_mtasts(args)  # before anything is registered
        self.domain, self._resource_name = checked.domain, name
        self.txt_records = records_for(self.domain, args.policy, list(args.rua))
        super().__init__("mta-sts:index:MtaSts", name, None, _with_alias(opts, "mta-sts:mtasts:MtaSts"))
        child = pulumi.ResourceOptions(parent=self)
        self.dns = make_dns(f"{name}-dns", args.dns, child)
        self.policy_host: PolicyHost[Any]
        if checked.kind == "worker":  # imported here: a Cloudflare-only program needs no pulumi_aws
            from pulumi_mta_sts.hosting.worker import WorkerHost, WorkerHostArgs

            worker_args = WorkerHostArgs(checked.domain, args.policy, self.dns)  # type: ignore[arg-type]
            self.policy_host = WorkerHost(f"{name}-host", worker_args, child)
        else:
            from pulumi_mta_sts.hosting.cloudfront import CloudFrontHost, CloudFrontHostArgs

            host_args = CloudFrontHostArgs(checked.domain, args.policy, self.dns, args.price_class, dict(args.tags))
            self.policy_host = CloudFrontHost(f"{name}-host", host_args, child)
        url = policy_url(self.domain)
        if not args.verify_live:
            pulumi.log.warn(
                f"{self.domain}: verify_live is off, so the new _mta-sts id is published without checking that "
                f"{url} serves the new policy. Turn it back on (mta-sts:host.verify_live: true) "
                "once DNS for the domain is delegated.",
                resource=self,
            )
        publish_domain(name, self, checked, url, self.policy_host.serving, self.dns, self.txt_records)
        listed: list[Any] = [r.as_dict() for r in self.txt_records]
        listed += [{"name": r.name, "type": r.type, "value": r.value} for r in self.policy_host.host_records]
        outputs = {
            "policy_id": args.policy.id,
            "policy_text": args.policy.render(),
            "policy_url": url,
            "records": listed,
            "host": self.policy_host.details,
        }
        for key, value in outputs.items():
            setattr(self, key, pulumi.Output.from_input(value))
        self.register_outputs({key: getattr(self, key) for key in outputs})

    def warn_unmanaged_records(
        self,
        resolver: dns.resolver.Resolver,
        records: Sequence[DnsRecord] | None = None,
        *,
        is_ours: Callable[[str], bool] | None = None,
    ) -> list[str]:
        """Warn (never fail) about live TXT records at the names of ``records`` (default: its own) that
        the stack would not own, with the ``pulumi import`` adopting each."""
        checked = self.txt_records if records is None else records
        prefix = self.dns.resource_prefix
        hints = [
            f"`pulumi import {target.type_token} {self._resource_name}-{record_label(r)}-txt '{target.import_id}' "
            f"--parent '{prefix}=<URN of {prefix}>'`"
            for r in checked
            for target in [self.dns.txt_import(r.name)]
        ]
        hint = f"{ADOPT_SECTION}; e.g. " + " / ".join(hints)
        warnings = unmanaged_record_warnings(self.domain, checked, resolver=resolver, import_hint=hint, is_ours=is_ours)
        for message in warnings:
            pulumi.log.warn(message, resource=self)
        return warnings


@dataclass(frozen=True)
class FleetMember:
    """What the fleet built for one domain (delegated: the ``customer_records`` its owner publishes)."""

    domain: str
    policy: Policy
    delegated: bool
    hosting: SiteHosting
    records: tuple[DnsRecord, ...]
    customer_records: pulumi.Output[list[dict[str, str]]]

    def summary(self) -> dict[str, Any]:
        """The domain's entry in :attr:`MtaStsFleet.domains`."""
        return {
            "policy_id": self.policy.id,
            "policy_text": self.policy.render(),
            "policy_url": self.hosting.policy_url,
            "mode": self.policy.mode,
            "delegated": self.delegated,
            "shard": self.hosting.shard,
            "records": [r.as_dict() for r in self.records],
            "customer_records": self.customer_records,
        }


class MtaStsFleet(pulumi.ComponentResource):
    """Many domains on shared hosting; output ``domains``: per domain its :meth:`FleetMember.summary`."""

    domains: pulumi.Output[dict[str, dict[str, Any]]]

    def __init__(self, name: str, args: MtaStsFleetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked, zone = check_fleet(args)  # before anything is registered
        super().__init__("mta-sts:index:MtaStsFleet", name, None, _with_alias(opts, "mta-sts:mtasts:MtaStsFleet"))
        self._name, self.zone = name, zone
        self._backends: dict[DnsConfig, DnsBackend] = {}
        self.delegation_dns = self._backend(args.delegation.dns) if args.delegation and zone else None
        hosts = self._hosting(checked, args)
        self.members = {c.domain: self._member(c, hosts[c.domain].site(c.domain)) for c in checked}
        unverified = [c.domain for c in checked if not c.args.verify_live]
        if unverified:
            shown = first_and_more(unverified, 5)
            pulumi.log.warn(
                f"verify_live is off for {shown}: their new _mta-sts ids are published without checking that the "
                "new policy is served. Turn it back on (host.verify_live: true) once their DNS points at the fleet.",
                resource=self,
            )
        self.domains = pulumi.Output.from_input({d: m.summary() for d, m in self.members.items()})
        self.register_outputs({"domains": self.domains})

    def _backend(self, dns: DnsConfig | ZoneBackend | None) -> DnsBackend:
        """The zone's backend, made once (domains of one zone share it)."""
        if not isinstance(dns, DnsConfig):
            assert isinstance(dns, DnsBackend)  # checked: a backend or a DnsConfig
            return dns
        if dns not in self._backends:
            label = slug(dns.zone_name or dns.zone_id or "zone")
            opts = pulumi.ResourceOptions(parent=self)
            self._backends[dns] = make_dns(f"{self._name}-dns-{dns.provider}-{label}", dns, opts)
        return self._backends[dns]

    def _hosting(self, checked: Sequence[CheckedDomain], args: MtaStsFleetArgs) -> dict[str, SharedHosting]:
        """One shared host per kind; domain → its host."""
        by_kind: dict[str, list[FleetSite]] = {}
        for c in checked:
            dns = None if c.args.delegated else self._backend(c.args.dns)
            by_kind.setdefault(c.kind, []).append(FleetSite(c.domain, c.args.policy.render(), dns))
        hosts = {kind: self._shared_host(kind, sites, args) for kind, sites in by_kind.items()}
        return {site.domain: hosts[kind] for kind, sites in by_kind.items() for site in sites}

    def _shared_host(self, kind: str, sites: list[FleetSite], args: MtaStsFleetArgs) -> SharedHosting:
        """Imported here: a Cloudflare-only fleet needs no pulumi_aws."""
        opts = pulumi.ResourceOptions(parent=self)
        if kind == "worker":
            from pulumi_mta_sts.hosting.worker import SharedWorkerHosting, SharedWorkerHostingArgs

            return SharedWorkerHosting(f"{self._name}-worker", SharedWorkerHostingArgs(sites=sites), opts)
        from pulumi_mta_sts.hosting.shared_cloudfront import SharedCloudFrontHosting, SharedCloudFrontHostingArgs

        host_args = SharedCloudFrontHostingArgs(
            sites=sites,
            domains_per_certificate=args.domains_per_certificate,
            assignment=dict(args.assignment),
            price_class=args.price_class,
            tags=dict(args.tags),
            delegation_dns=self.delegation_dns,
            delegation_zone=self.zone,
            store_keys=args.store_keys,
        )
        return SharedCloudFrontHosting(f"{self._name}-cloudfront", host_args, opts)

    def _member(self, c: CheckedDomain, site: SiteHosting) -> FleetMember:
        records = records_for(c.domain, c.args.policy, list(c.args.rua))
        customer: pulumi.Output[list[dict[str, str]]] = pulumi.Output.from_input([])
        if c.args.delegated:  # its records live under the provider zone, its owner points CNAMEs there
            names = delegated_names(c.domain, self.zone or "")
            records = [
                DnsRecord(names.sts if record_label(r) == "mta-sts" else names.tlsrpt, "TXT", r.value) for r in records
            ]
            last = [{"name": sts_record_name(c.domain), "type": "CNAME", "value": names.sts}]
            if c.args.rua:
                last.insert(0, {"name": tlsrpt_record_name(c.domain), "type": "CNAME", "value": names.tlsrpt})
            # the hosting's records first (its host name, the certificate's validation), _mta-sts last:
            # its id should only be found once the policy is served
            customer = site.customer_records.apply(lambda hosting: [*hosting, *last])
        dns = self.delegation_dns if c.args.delegated else self._backend(c.args.dns)
        assert dns is not None  # checked: delegated domains have a delegation zone
        base = f"{self._name}-{c.domain.replace('.', '-')}"
        publish_domain(base, self, c, site.policy_url, site.served, dns, records)
        return FleetMember(c.domain, c.args.policy, c.args.delegated, site, tuple(records), customer)
