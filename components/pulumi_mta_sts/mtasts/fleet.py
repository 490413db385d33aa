"""``MtaStsFleet`` (``mta-sts:index:MtaStsFleet``): MTA-STS + TLS-RPT for many mail domains on
shared hosting, and hosted mode for domains whose DNS is elsewhere (RFC 8461 §8.2).

One shared host per kind serves every domain's policy by host name
(:class:`~pulumi_mta_sts.hosting.shared_cloudfront.SharedCloudFrontHosting`: CloudFront
distributions and certificates shared by up to ``domains_per_certificate`` domains;
:class:`~pulumi_mta_sts.hosting.shared_worker.SharedWorkerHosting`: one Cloudflare Worker). Each
domain keeps what is its own, as with :class:`~pulumi_mta_sts.mtasts.component.MtaSts`:

- its policy and id (the hash of its own served bytes, :attr:`Policy.id`);
- its ``PolicyLive`` gate (the URL serves exactly its new bytes), and its ``_mta-sts`` TXT record
  published only after the gate; its ``_smtp._tls`` record when it has ``rua``.

A *delegated* domain (``dns=None``) is served the same way, but its DNS is its owner's: its TXT
records go under the provider zone (``delegation``: ``_mta-sts.<domain>.<zone>``,
``_smtp._tls.<domain>.<zone>``), its stable host name ``mta-sts.<domain>.<zone>`` points at the
shard that serves it (so a shard change never needs its owner), and :attr:`MtaStsFleet.domains`
lists the CNAMEs its owner publishes (``customer_records``).

Every argument is checked first (fields named ``domains[3].policy``); a mistake raises
:class:`~pulumi_mta_sts.core.errors.InputError` before anything is registered. Use::

    MtaStsFleet("mail", MtaStsFleetArgs(domains=[
        FleetDomainArgs("example.com", Policy.build("testing", ["mx.example.com"]), DnsConfig("route53")),
        FleetDomainArgs("example.org", Policy.build("enforce", ["mx.example.org"], 604800),
                        DnsConfig("cloudflare", zone_name="example.org")),
    ]))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from pulumi_mta_sts.config.fleet import FleetConfig, FleetDomain, delegated_names, store_keys_problems
from pulumi_mta_sts.config.stack import (
    DnsConfig,
    host_kind_problems,
    policy_problems,
    price_class_problems,
    tags_problems,
    verify_timeout_problems,
)
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import DnsRecord, records_for, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.core.shards import shard_problems
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.dns.base import slug
from pulumi_mta_sts.hosting.shared import FleetSite, SharedHosting, SiteHosting

from .domain_parts import dns_provider, make_dns, name_length_problems, policy_gate, rua_problems

__all__ = ["DelegationArgs", "FleetDomainArgs", "MtaStsFleet", "MtaStsFleetArgs"]

#: The package token (docs/packaging.md); :data:`FORMER_TYPE_TOKEN`, the one it registered under before,
#: is its alias, so a stack made with it keeps its resources.
TYPE_TOKEN = "mta-sts:index:MtaStsFleet"
FORMER_TYPE_TOKEN = "mta-sts:mtasts:MtaStsFleet"


@dataclass(frozen=True)
class FleetDomainArgs:
    """One mail domain of a fleet."""

    domain: str
    """The mail domain; its policy is served at ``mta-sts.<domain>``."""
    policy: Policy
    """Its policy (:meth:`Policy.build`); its id is the hash of these bytes."""
    dns: DnsBackend | DnsConfig | None
    """Its zone (a backend, or a :class:`DnsConfig` to create one; domains of one zone share it), or
    ``None``: delegated, its owner publishes CNAMEs to the fleet's delegation zone."""
    host: str | None = None
    """``cloudfront`` or ``worker`` (Cloudflare DNS only); default: by provider, ``cloudfront`` when delegated."""
    rua: Sequence[str] = ()
    """TLS-RPT destinations; empty = no ``_smtp._tls`` record."""
    verify_live: bool = True
    """Publish a new id only once the policy URL serves the new body (``PolicyLive``)."""
    verify_timeout: int = defaults.VERIFY_TIMEOUT
    """Seconds the gate keeps trying."""

    @property
    def delegated(self) -> bool:
        return self.dns is None


@dataclass(frozen=True)
class DelegationArgs:
    """Hosted mode: the provider zone holding delegated domains' TXT records and host names."""

    zone: str
    """The zone's name, e.g. ``mta-sts.provider.example``."""
    dns: DnsBackend | DnsConfig
    """Where its records go."""


@dataclass(frozen=True)
class MtaStsFleetArgs:
    """Arguments of :class:`MtaStsFleet`."""

    domains: Sequence[FleetDomainArgs]
    """The domains, at least one, each once."""
    delegation: DelegationArgs | None = None
    """Required when a domain is delegated (``dns=None``)."""
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    """Host names per shared certificate and distribution (1 to 100; ACM's default quota is 10)."""
    assignment: Mapping[str, int] = field(default_factory=dict)
    """Domain → shard it was deployed on (pinned, so no domain ever moves; :mod:`core.shards`)."""
    price_class: str = defaults.PRICE_CLASS
    """CloudFront price class of the shared distributions."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for taggable AWS resources."""
    store_keys: str = defaults.STORE_KEYS
    """How the shared CloudFront host writes its KeyValueStore: ``migrating`` (the default: safe for
    a fleet deployed with an earlier version) or ``exclusive`` (a new fleet, or once an update with
    this version has succeeded): docs/fleets.md, "The store's keys"."""

    @classmethod
    def from_config(cls, cfg: FleetConfig) -> MtaStsFleetArgs:
        """The arguments a validated fleet stack config asks for."""
        delegation = None
        if cfg.delegation is not None:
            delegation = DelegationArgs(cfg.delegation.zone, cfg.delegation.dns)
        return cls(
            domains=[_domain_args(d) for d in cfg.domains],
            delegation=delegation,
            domains_per_certificate=cfg.domains_per_certificate,
            assignment=cfg.pinned_shards(),
            store_keys=cfg.store_keys,
        )


def _domain_args(d: FleetDomain) -> FleetDomainArgs:
    return FleetDomainArgs(
        domain=d.domain,
        policy=d.served_policy,
        dns=d.dns,
        host=d.host.kind,
        rua=d.reporting.rua,
        verify_live=d.host.verify_live,
        verify_timeout=d.host.verify_timeout,
    )


# ---- checking the arguments ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Checked:
    """A domain's arguments, valid: its normal-form name and host kind."""

    index: int
    args: FleetDomainArgs
    domain: str
    kind: str


def _domain_problems(index: int, args: object) -> tuple[_Checked | None, list[Problem]]:
    where = f"domains[{index}]"
    if not isinstance(args, FleetDomainArgs):
        return None, [Problem(where, args, "must be a FleetDomainArgs(domain, policy, dns)")]
    domain, problems = normalize_hostname(args.domain, f"{where}.domain")
    problems += name_length_problems(domain, args.rua, f"{where}.domain")
    provider: str | None = None
    if not args.delegated:
        provider, found = dns_provider(args.dns, f"{where}.dns")
        problems += found
    kind = args.host or ("cloudfront" if args.delegated else defaults.default_host_kind(provider or ""))
    problems += host_kind_problems(kind, provider, f"{where}.host")
    if args.delegated and kind != "cloudfront":
        reason = "a delegated domain is served by the shared CloudFront hosting; use host cloudfront"
        problems.append(Problem(f"{where}.host", kind, reason))
    problems += policy_problems(args.policy, f"{where}.policy")
    problems += rua_problems(args.rua, f"{where}.rua")
    problems += verify_timeout_problems(args.verify_timeout, f"{where}.verify_timeout")
    if problems or domain is None:
        return None, problems
    return _Checked(index, args, domain, kind), []


def _delegation_problems(args: MtaStsFleetArgs, checked: Sequence[_Checked]) -> tuple[str | None, list[Problem]]:
    delegated = [c for c in checked if c.args.delegated]
    if args.delegation is None:
        given = [d for d in args.domains if isinstance(d, FleetDomainArgs) and d.delegated]
        if not given:
            return None, []
        reason = f"is required: {given[0].domain} is delegated (dns=None); give DelegationArgs(zone, dns)"
        return None, [Problem("delegation", None, reason)]
    zone, problems = normalize_hostname(args.delegation.zone, "delegation.zone", min_labels=1)
    problems += dns_provider(args.delegation.dns, "delegation.dns")[1]
    for c in delegated if zone else ():  # its names under the zone: _smtp._tls.<domain>.<zone> ...
        problems += name_length_problems(f"{c.domain}.{zone}", c.args.rua, f"domains[{c.index}].domain")
    return zone, problems


def _validate(args: MtaStsFleetArgs) -> tuple[list[_Checked], str | None]:
    """Every domain checked, and the delegation zone; :class:`InputError` with every problem."""
    if isinstance(args.domains, str) or not isinstance(args.domains, Sequence) or not args.domains:
        raise InputError([Problem("domains", args.domains, "must be a non-empty list of FleetDomainArgs")])
    checked: list[_Checked] = []
    problems: list[Problem] = []
    for index, domain_args in enumerate(args.domains):
        one, found = _domain_problems(index, domain_args)
        problems += found
        if one is not None:
            checked.append(one)
    seen: dict[str, int] = {}
    for c in checked:
        if c.domain in seen:
            reason = f"is also domains[{seen[c.domain]}]; list each domain once"
            problems.append(Problem(f"domains[{c.index}].domain", c.domain, reason))
        seen.setdefault(c.domain, c.index)
    zone, found = _delegation_problems(args, checked)
    problems += found
    shared = [c.domain for c in checked if c.kind == "cloudfront"]
    problems += shard_problems(shared, args.assignment, args.domains_per_certificate)
    problems += price_class_problems(args.price_class) + tags_problems(args.tags)
    problems += store_keys_problems(args.store_keys)
    if problems:
        raise InputError(problems)
    return checked, zone


# ---- the component ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FleetMember:
    """What the fleet built for one domain."""

    domain: str
    policy: Policy
    delegated: bool
    hosting: SiteHosting
    records: tuple[DnsRecord, ...]
    """The TXT records the fleet publishes for it (under the provider zone when delegated)."""
    customer_records: pulumi.Output[list[dict[str, str]]]
    """Delegated: the records its owner publishes, in the order to publish them; else empty."""

    def summary(self) -> dict[str, Any]:
        """The domain's entry in :attr:`MtaStsFleet.domains` (and the stack's ``domains`` output)."""
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


def _resource_label(domain: str) -> str:
    """A domain as a piece of resource names (``example.com`` → ``example-com``)."""
    return domain.replace(".", "-")


class MtaStsFleet(pulumi.ComponentResource):
    """MTA-STS and TLS-RPT for many domains on shared hosting (see the module docs)."""

    domains: pulumi.Output[dict[str, dict[str, Any]]]

    def __init__(self, name: str, args: MtaStsFleetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked, zone = _validate(args)  # before anything is registered
        former = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=FORMER_TYPE_TOKEN)])  # stacks made before it
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(opts, former))
        self._name = name
        self._backends: dict[DnsConfig, DnsBackend] = {}
        self.zone = zone
        self.delegation_dns = self._backend(args.delegation.dns) if args.delegation and zone else None
        hosts = self._hosting(checked, args)
        self.members = {c.domain: self._member(c, hosts[c.domain].site(c.domain)) for c in checked}
        self._warn_unverified([c.domain for c in checked if not c.args.verify_live])
        self.domains = pulumi.Output.from_input({d: m.summary() for d, m in self.members.items()})
        self.register_outputs({"domains": self.domains})

    # -- shared parts --------------------------------------------------------------------------
    def _backend(self, dns: DnsBackend | DnsConfig) -> DnsBackend:
        """The backend of a zone, made once per zone (domains of one zone share it)."""
        if isinstance(dns, DnsBackend):
            return dns
        if dns not in self._backends:
            label = slug(dns.zone_name or dns.zone_id or "zone")
            opts = pulumi.ResourceOptions(parent=self)
            self._backends[dns] = make_dns(f"{self._name}-dns-{dns.provider}-{label}", dns, opts)
        return self._backends[dns]

    def _site(self, c: _Checked) -> FleetSite:
        dns = None if c.args.dns is None else self._backend(c.args.dns)
        return FleetSite(c.domain, c.args.policy.render(), dns)

    def _hosting(self, checked: Sequence[_Checked], args: MtaStsFleetArgs) -> dict[str, SharedHosting]:
        """One shared host per kind that has domains; domain → its host."""
        by_kind: dict[str, list[FleetSite]] = {}
        for c in checked:
            by_kind.setdefault(c.kind, []).append(self._site(c))
        hosts: dict[str, SharedHosting] = {}
        for kind, sites in by_kind.items():
            host = self._shared_host(kind, sites, args)
            hosts.update((site.domain, host) for site in sites)
        return hosts

    def _shared_host(self, kind: str, sites: list[FleetSite], args: MtaStsFleetArgs) -> SharedHosting:
        """The shared host of ``kind`` (imported here: a Cloudflare-only fleet needs no pulumi_aws)."""
        opts = pulumi.ResourceOptions(parent=self)
        if kind == "worker":
            from pulumi_mta_sts.hosting.shared_worker import SharedWorkerHosting, SharedWorkerHostingArgs

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

    # -- each domain ---------------------------------------------------------------------------
    def _member(self, c: _Checked, site: SiteHosting) -> FleetMember:
        base = f"{self._name}-{_resource_label(c.domain)}"
        text = c.args.policy.render()
        if c.args.verify_live:
            after: list[pulumi.Resource] = [
                policy_gate(f"{base}-policy-live", site.policy_url, text, c.args.verify_timeout, site.served, self)
            ]
        else:
            after = list(site.served)
        records = self._placed(c)
        dns = self.delegation_dns if c.args.delegated else self._backend(c.args.dns)  # type: ignore[arg-type]
        assert dns is not None  # checked: delegated domains have a delegation zone
        for record in records:
            is_sts = record.name.startswith("_mta-sts.")
            label = "mta-sts" if is_sts else "tlsrpt"
            opts = pulumi.ResourceOptions(depends_on=after) if is_sts else None
            dns.record(record.name, "TXT", [record.value], resource_name=f"{base}-{label}-txt", opts=opts)
        customer = self._delegate(c, site) if c.args.delegated else pulumi.Output.from_input([])
        return FleetMember(c.domain, c.args.policy, c.args.delegated, site, records, customer)

    def _placed(self, c: _Checked) -> tuple[DnsRecord, ...]:
        """The domain's TXT records, named where the fleet publishes them."""
        records = records_for(c.domain, c.args.policy, list(c.args.rua))
        if not c.args.delegated:
            return tuple(records)
        names = delegated_names(c.domain, self.zone or "")
        sts = sts_record_name(c.domain)
        return tuple(DnsRecord(names.sts if r.name == sts else names.tlsrpt, "TXT", r.value) for r in records)

    def _delegate(self, c: _Checked, site: SiteHosting) -> pulumi.Output[list[dict[str, str]]]:
        """What a delegated domain's owner publishes, in order: what the hosting needs
        (``mta-sts.<domain>`` to the domain's stable provider host name, which the hosting points
        at its shard, and the certificate's validation), then ``_smtp._tls.<domain>``, and
        ``_mta-sts.<domain>`` last: its id should only be found once the policy is served."""
        names = delegated_names(c.domain, self.zone or "")
        last = [{"name": sts_record_name(c.domain), "type": "CNAME", "value": names.sts}]
        if c.args.rua:
            last.insert(0, {"name": tlsrpt_record_name(c.domain), "type": "CNAME", "value": names.tlsrpt})
        return site.customer_records.apply(lambda hosting: [*hosting, *last])

    def _warn_unverified(self, domains: list[str]) -> None:
        if not domains:
            return
        shown = ", ".join(domains[:5]) + (f" and {len(domains) - 5} more" if len(domains) > 5 else "")
        pulumi.log.warn(
            f"verify_live is off for {shown}: their new _mta-sts ids are published without checking that the "
            "new policy is served. Turn it back on (host.verify_live: true) once their DNS points at the fleet.",
            resource=self,
        )
