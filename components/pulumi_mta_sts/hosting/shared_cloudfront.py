"""AWS shared policy host of a fleet (``mta-sts:hosting:SharedCloudFrontHosting``; docs/fleets.md,
"Shared hosting" and "The store's keys").

Once: a KeyValueStore of every policy, the CloudFront Functions reading it (a function serves at
most 100 distributions) and a private, empty origin bucket. Per shard (a domain never moves): a
validated ACM certificate and a distribution. Per domain: its validation CNAME and alias, or for a
delegated domain an alias in the provider zone and the CNAMEs its owner publishes.

One ``KeyvaluestoreKeysExclusive`` holds every key; a policy over 1 KB also has one
``KeyvaluestoreKey`` per chunk, written first (the exclusive batches come in no order). ``migrating``
also declares each domain's head-key resource of earlier versions with ``retain_on_delete``: Pulumi
deletes what left the program with its *old* options, so it would delete every head key just written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import (
    ACM_COMMON_NAME_LIMIT,
    CLOUDFRONT_FUNCTION,
    S3_BUCKET,
    autoname_base,
    zone_apex_for,
)
from pulumi_mta_sts.core.records import policy_host, policy_url
from pulumi_mta_sts.core.shards import assign_shards, function_groups, shard_members, shard_problems
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.spec.rules import price_class_problems, store_keys_problems, tags_problems

with provider_sdk("SharedCloudFrontHosting"):
    import pulumi_aws as aws

from .base import dns_backend_problems
from .cloudfront import (
    cache_behaviour,
    caching_disabled_policy_id,
    certificate,
    distribution,
    validated_arn,
    validation_cname,
    validation_record,
)
from .edge_code import CHUNK_SEPARATOR, KVS_TOTAL_LIMIT, RUNTIME, fleet_function_code, kvs_entries, kvs_size
from .private_bucket import BucketNames, private_bucket
from .shared import FleetSite, SharedHosting, SiteHosting, as_records, site_problems

ORIGIN_ID = "never-read"


@dataclass(frozen=True)
class SharedCloudFrontHostingArgs:
    """Arguments of :class:`SharedCloudFrontHosting`: ``assignment`` is each domain's shard as
    deployed (the others are placed by :func:`~pulumi_mta_sts.core.shards.assign_shards`);
    ``delegation_dns`` is the provider zone of delegated sites (``dns=None``), named
    ``delegation_zone`` (default: its ``zone_name``)."""

    sites: Sequence[FleetSite]
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    assignment: Mapping[str, int] | None = None
    price_class: str = defaults.PRICE_CLASS
    tags: dict[str, str] = field(default_factory=dict)
    delegation_dns: DnsBackend | None = None
    delegation_zone: str | None = None
    store_keys: str = defaults.STORE_KEYS


def delegated_target(domain: str, zone: str) -> str:
    """A delegated ``mta-sts.<domain>``'s CNAME target, whatever its shard: ``<domain>.<zone>``, or
    ``<hash>.<zone>`` when that is too long for a DNS name."""
    name = f"{domain}.{zone}"
    if len(name) <= 253:
        return name
    return f"d{hashlib.sha256(domain.encode()).hexdigest()[:20]}.{zone}"


def _delegation_problems(args: SharedCloudFrontHostingArgs) -> list[Problem]:
    delegated = [s for s in args.sites if isinstance(s, FleetSite) and s.dns is None]
    if not delegated:
        return []
    if args.delegation_dns is None:
        reason = f"is required: {delegated[0].domain} is delegated (dns=None); give the provider zone's backend"
        return [Problem("delegation_dns", None, reason)]
    problems = dns_backend_problems(args.delegation_dns, "delegation_dns")
    zone = args.delegation_zone or getattr(args.delegation_dns, "zone_name", None)
    normal, zone_problems = normalize_hostname(zone, "delegation_zone")
    if normal is not None and len(delegated_target("x" * 253, normal)) > 253:
        reason = (
            "is too long: a delegated domain's target (<hash>.<zone>) must fit 253 characters; "
            f"use a zone of at most {253 - 22}"
        )
        zone_problems.append(Problem("delegation_zone", zone, reason))
    return problems + zone_problems


def _problems(args: SharedCloudFrontHostingArgs) -> list[Problem]:
    problems = site_problems(args.sites)
    problems += price_class_problems(args.price_class) + tags_problems(args.tags) + _delegation_problems(args)
    problems += store_keys_problems(args.store_keys)
    if problems:
        return problems
    size = kvs_size([e for s in args.sites for e in kvs_entries(policy_host(s.domain), s.policy_text)])
    if size > KVS_TOTAL_LIMIT:
        reason = f"need {size} bytes in the KeyValueStore, more than its {KVS_TOTAL_LIMIT}: split the fleet"
        problems.append(Problem("sites", len(args.sites), reason))
    domains = [s.domain for s in args.sites]
    return problems + shard_problems(domains, dict(args.assignment or {}), args.domains_per_certificate)


class SharedCloudFrontHosting(SharedHosting):
    """Serves every site's policy from CloudFront (module docs)."""

    type_token: ClassVar[str] = "mta-sts:hosting:SharedCloudFrontHosting"

    assignment: dict[str, int]
    store: aws.cloudfront.KeyValueStore
    functions: dict[int, aws.cloudfront.Function]
    keys: dict[str, tuple[pulumi.Resource, ...]]
    certificates: dict[int, aws.acm.Certificate]
    distributions: dict[int, aws.cloudfront.Distribution]

    def __init__(self, name: str, args: SharedCloudFrontHostingArgs, opts: pulumi.ResourceOptions | None = None):
        problems = _problems(args)
        if problems:
            raise InputError(problems)  # before anything is registered
        sites = sorted(args.sites, key=lambda s: s.domain)
        self.assignment = assign_shards(
            [s.domain for s in sites], dict(args.assignment or {}), args.domains_per_certificate
        )
        by_domain = {s.domain: s for s in sites}
        members = {shard: [by_domain[d] for d in ds] for shard, ds in shard_members(self.assignment).items()}
        self._first_names, problems = _first_names(members, args.domains_per_certificate)
        if problems:
            raise InputError(problems)
        super().__init__(self.type_token, name, None, opts)
        self._name, self._args = name, args
        self._tags = {"mta-sts:fleet": name, **args.tags}
        self._zone = args.delegation_zone or (args.delegation_dns.zone_name if args.delegation_dns else None)
        self._groups = function_groups(members)
        self._edge(set(self._groups.values()) or {0})
        self.keys = store_keys(name, self.store, sites, args.store_keys, self)
        self.certificates, self.distributions, self.hosted = {}, {}, {}
        self._first_name_records: dict[str, list[pulumi.CustomResource]] = {}
        for shard, shard_sites in members.items():
            self._shard(shard, shard_sites)
        if args.store_keys == "migrating" and sites:
            pulumi.log.warn(
                f"store_keys is migrating: the {len(sites)} per-domain KeyValueStore key resources of earlier "
                "versions are kept, retained (their deletion would delete the live keys). Once a pulumi up with "
                "this version has succeeded, or now for a stack never deployed, set store_keys: exclusive "
                "(docs/fleets.md, 'The store's keys').",
                resource=self,
            )
        self.register_outputs(self._outputs())

    def _edge(self, groups: set[int]) -> None:
        """The store, one function per group of shards, and the never-read origin."""
        # Autonamed (a replacement is created before the old one goes); a store's name has a function's rule.
        self.store = aws.cloudfront.KeyValueStore(
            autoname_base(CLOUDFRONT_FUNCTION, f"{self._name}-policies"),
            comment="MTA-STS policies by host name (pulumi-mta-sts)",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.functions = {group: self._function(group) for group in sorted(groups)}
        origin = f"{self._name}-origin"
        names = BucketNames.around(autoname_base(S3_BUCKET, origin), origin)
        self.origin = private_bucket(names, parent=self, tags=self._tags).bucket
        self._cache_policy_id = caching_disabled_policy_id(self)

    def _function(self, group: int) -> aws.cloudfront.Function:
        """Function ``group``: the same code, reading the one store (group 0 keeps its first name)."""
        logical = f"{self._name}-function" if group == 0 else f"{self._name}-function-{group}"
        return aws.cloudfront.Function(
            autoname_base(CLOUDFRONT_FUNCTION, logical),
            runtime=RUNTIME,
            comment="MTA-STS: the policy of the requested host, from the KeyValueStore; else 404",
            code=fleet_function_code(),
            key_value_store_associations=[self.store.arn],
            publish=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _shard(self, shard: int, members: list[FleetSite]) -> None:
        hosts = [policy_host(s.domain) for s in members]
        prefix, first = f"{self._name}-shard-{shard}", self._first_names[shard]
        tags = {**self._tags, "mta-sts:shard": str(shard)}
        cert = certificate(f"{prefix}-certificate", first.name, [h for h in hosts if h != first.name], tags, self)
        records = {
            s.domain: validation_record(s.dns, cert, policy_host(s.domain), f"{self._name}-{s.domain}-validation")
            for s in members
            if s.dns is not None
        }
        extra = self._first_name_record(cert, first)
        fqdns = _validation_names(cert, members, records, first.dns.record_names(extra) if first.dns else [])
        depends = [r for rs in records.values() for r in rs] + extra
        certificate_arn = validated_arn(f"{prefix}-certificate-validation", cert, fqdns, depends, self)
        origin = aws.cloudfront.DistributionOriginArgs(
            origin_id=ORIGIN_ID, domain_name=self.origin.bucket_regional_domain_name
        )
        function_arn = self.functions[self._groups[shard]].arn
        cdn = distribution(
            f"{prefix}-cdn",
            origin,
            cache_behaviour(self._cache_policy_id, function_arn, ORIGIN_ID),
            certificate_arn,
            self,
            comment=f"MTA-STS policies of {self._name}, shard {shard}",
            aliases=hosts,
            price_class=self._args.price_class,
            tags=tags,
        )
        self.certificates[shard], self.distributions[shard] = cert, cdn
        for site in members:
            self.hosted[site.domain] = self._site(site, shard, cert, cdn)

    def _first_name_record(self, cert: aws.acm.Certificate, first: _FirstName) -> list[pulumi.CustomResource]:
        """The validation record of a first name that is no host of the shard, once per name (ACM
        gives a name one record per account)."""
        if first.dns is None:
            return []
        if first.name not in self._first_name_records:
            resource_name = f"{self._name}-{first.name}-first-name-validation"
            self._first_name_records[first.name] = validation_record(first.dns, cert, first.name, resource_name)
        return self._first_name_records[first.name]

    def _site(
        self, site: FleetSite, shard: int, cert: aws.acm.Certificate, cdn: aws.cloudfront.Distribution
    ) -> SiteHosting:
        host = policy_host(site.domain)
        alias_name = host if site.dns is not None else delegated_target(site.domain, str(self._zone))
        backend = site.dns if site.dns is not None else self._args.delegation_dns
        assert backend is not None  # checked: delegated sites need delegation_dns
        aliases = backend.takeover_alias(
            alias_name, cdn.domain_name, cdn.hosted_zone_id, resource_name=f"{self._name}-{site.domain}-alias"
        )
        customer = as_records([])
        if site.dns is None:
            name, target = validation_cname(cert, host)
            customer = as_records([(host, "CNAME", alias_name), (name, "CNAME", target)])
        served = (*self.keys[site.domain], self.functions[self._groups[shard]], cdn, *aliases)
        return SiteHosting(site.domain, policy_url(site.domain), served, customer, shard)

    def _outputs(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "key_value_store_arn": self.store.arn,
            "shards": {
                str(shard): {
                    "domains": list(members),
                    "distribution_id": self.distributions[shard].id,
                    "distribution_domain_name": self.distributions[shard].domain_name,
                    "certificate_arn": self.certificates[shard].arn,
                }
                for shard, members in shard_members(self.assignment).items()
            },
        }


def _validation_names(
    cert: aws.acm.Certificate,
    members: Sequence[FleetSite],
    records: Mapping[str, list[pulumi.CustomResource]],
    extra: Sequence[pulumi.Output[str]],
) -> list[pulumi.Input[str]]:
    """A shard validation's ``validation_record_fqdns``: every name's record, or none when all are
    delegated (given, the provider fails at once when a name lacks its record; empty, it waits)."""
    if all(s.dns is None for s in members):
        return []
    names: list[pulumi.Input[str]] = []
    for site in members:
        if site.dns is not None:
            names += site.dns.record_names(records[site.domain])
        else:
            names.append(validation_cname(cert, policy_host(site.domain))[0])
    return [*names, *extra]


@dataclass(frozen=True)
class _FirstName:
    """A shard certificate's first name (at most 64 characters) and, when it is no host of the
    shard, where its validation record goes."""

    name: str
    dns: DnsBackend | None


def _first_name(members: Sequence[FleetSite]) -> _FirstName | None:
    """A shard's first name: a host that fits, else a domain, else a zone apex whose DNS is ours."""
    host = next((h for h in (policy_host(s.domain) for s in members) if len(h) <= ACM_COMMON_NAME_LIMIT), None)
    if host is not None:
        return _FirstName(host, None)
    ours = [s for s in members if s.dns is not None]
    for site in ours:
        if len(site.domain) <= ACM_COMMON_NAME_LIMIT:
            return _FirstName(site.domain, site.dns)
    for site in ours:
        apex = zone_apex_for(site.domain, site.dns.zone_name if site.dns else None)
        if apex is not None and len(apex) <= ACM_COMMON_NAME_LIMIT:
            return _FirstName(apex, site.dns)
    return None


def _first_names(
    members: Mapping[int, Sequence[FleetSite]], per_certificate: int
) -> tuple[dict[int, _FirstName], list[Problem]]:
    """Each shard's first name, or a problem: none fits, or one name too many on its certificate."""
    found: dict[int, _FirstName] = {}
    problems = []
    for shard, sites in members.items():
        domains = [s.domain for s in sites]
        first = _first_name(sites)
        if first is None:
            reason = (
                f"puts only host names longer than {ACM_COMMON_NAME_LIMIT} characters in shard {shard}, and an ACM "
                "certificate's first name is at most 64: none of its domains, nor their zone apexes (a zone name of "
                "a domain whose DNS is the fleet's), fits either; pin a domain with a shorter mta-sts host name there"
            )
            problems.append(Problem("sites", domains, reason))
        elif first.dns is not None and len(sites) + 1 > per_certificate:
            reason = (
                f"fill shard {shard} with host names longer than {ACM_COMMON_NAME_LIMIT} characters: its certificate "
                f"needs one name more ({first.name}) as its first name, {len(sites) + 1} names, more than "
                f"domains_per_certificate ({per_certificate}); pin a domain with a shorter mta-sts host name there, "
                "or raise domains_per_certificate (after ACM's quota)"
            )
            problems.append(Problem("sites", domains, reason))
        else:
            found[shard] = first
    return found, problems


def _per_key(
    name: str, store: aws.cloudfront.KeyValueStore, site: FleetSite, layout: str, parent: pulumi.Resource
) -> list[aws.cloudfront.KeyvaluestoreKey]:
    """The site's own key resources: its chunks (named ``<tag>-<i>`` from ``<host>~<tag>~<i>``: a
    changed policy's chunks are new resources), and in ``migrating`` its head."""
    *chunks, (host, head) = kvs_entries(policy_host(site.domain), site.policy_text)
    made = [
        aws.cloudfront.KeyvaluestoreKey(
            f"{name}-{site.domain}-policy-{key.split(CHUNK_SEPARATOR, 1)[1].replace(CHUNK_SEPARATOR, '-')}",
            key_value_store_arn=store.arn,
            key=key,
            value=value,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for key, value in chunks
    ]
    if layout == "migrating":
        made.append(
            aws.cloudfront.KeyvaluestoreKey(
                f"{name}-{site.domain}-policy",
                key_value_store_arn=store.arn,
                key=host,
                value=head,
                opts=pulumi.ResourceOptions(parent=parent, depends_on=list(made), retain_on_delete=True),
            )
        )
    return made


def store_keys(
    name: str, store: aws.cloudfront.KeyValueStore, sites: Sequence[FleetSite], layout: str, parent: pulumi.Resource
) -> dict[str, tuple[pulumi.Resource, ...]]:
    """Every key of ``sites`` (module docs); per domain, what must be written before its policy is in
    the store: its own keys (chunks; ``migrating``: its retained head), then the exclusive resource."""
    per_domain = {site.domain: _per_key(name, store, site, layout, parent) for site in sites}
    entries = sorted(
        (key, value) for site in sites for key, value in kvs_entries(policy_host(site.domain), site.policy_text)
    )
    exclusive = aws.cloudfront.KeyvaluestoreKeysExclusive(
        f"{name}-policy-keys",
        key_value_store_arn=store.arn,
        resource_key_value_pairs=[
            aws.cloudfront.KeyvaluestoreKeysExclusiveResourceKeyValuePairArgs(key=key, value=value)
            for key, value in entries
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[r for rs in per_domain.values() for r in rs]),
    )
    return {domain: (*keys, exclusive) for domain, keys in per_domain.items()}
