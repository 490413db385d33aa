"""AWS shared policy host of a fleet: one CloudFront Function + KeyValueStore, sharded certificates.

What :class:`SharedCloudFrontHosting` (``mta-sts:hosting:SharedCloudFrontHosting``) creates:

- once: a CloudFront KeyValueStore holding every policy keyed by host name (large policies in
  chunks, :mod:`.shared_cloudfront_function`) and the resources that write it
  (:mod:`.shared_cloudfront_store`: one ``KeyvaluestoreKeysExclusive``), the viewer-request
  CloudFront Function (``cloudfront-js-2.0``) that answers every request from it (one more per
  block of 100 shard numbers beyond 100 shards: a function may serve at most 100 distributions,
  :func:`~pulumi_mta_sts.core.shards.function_groups`), and a private, empty S3 bucket as the
  distributions' origin (CloudFront needs one; the function answers every request itself, so
  nothing reaches it, and if anything did, S3 would refuse it: no access is granted);
- per shard (:mod:`pulumi_mta_sts.core.shards`: at most ``domains_per_certificate`` domains,
  a domain never changes shard): one ACM certificate in ``us-east-1`` naming the shard's
  ``mta-sts.<domain>`` hosts, its validation (naming every name's validation record, or none:
  :func:`_validation_names`), and one distribution with those aliases, the toolkit's one
  CloudFront set-up (HTTPS only, TLS 1.2 or later, SNI, IPv6, nothing cached: shared with
  :mod:`.cloudfront`). The certificate's first name is a host of at most 64 characters; a shard
  whose hosts are all longer takes a member's domain or zone apex (:func:`_first_name`);
- per domain: the chunks of a policy over 1 KB, and through its DNS backend its validation CNAME
  and its alias (``A`` + ``AAAA`` on Route53, a ``CNAME`` on Cloudflare). A delegated domain
  (``dns=None``) gets an alias in the provider zone instead (``delegation_dns``), at
  :func:`delegated_target`, and its owner publishes the CNAMEs of
  :attr:`SiteHosting.customer_records`.

A shard's certificate changes only when one of its domains is added or removed; Pulumi then
creates the new certificate, waits for its validation, moves the distribution to it and only
then deletes the old one (its default replacement order: nothing here asks to delete first).
The shard's other domains keep their records and their distribution: their validation CNAMEs
are the same for the new certificate (ACM gives one name in one account one record).
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
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.core.shards import assign_shards, function_groups, shard_members, shard_problems
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.spec.rules import price_class_problems, store_keys_problems, tags_problems

with provider_sdk("SharedCloudFrontHosting"):
    import pulumi_aws as aws

from .base import dns_backend_problems
from .cloudfront import (
    ACM_REGION,
    cache_behaviour,
    caching_disabled_policy_id,
    no_restrictions,
    validation_option,
    validation_record,
    viewer_certificate,
)
from .private_bucket import BucketNames, private_bucket
from .shared import FleetSite, SharedHosting, SiteHosting, as_records, checked_sites, no_records, site_problems
from .shared_cloudfront_function import KVS_TOTAL_LIMIT, RUNTIME, fleet_function_code, kvs_entries, kvs_size
from .shared_cloudfront_store import StoreKeys, store_keys

__all__ = ["SharedCloudFrontHosting", "SharedCloudFrontHostingArgs", "delegated_target"]

ORIGIN_ID = "never-read"


@dataclass(frozen=True)
class SharedCloudFrontHostingArgs:
    """Arguments of :class:`SharedCloudFrontHosting`."""

    sites: Sequence[FleetSite]
    """Every domain served (any order)."""
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    """Host names per ACM certificate and distribution (ACM's default quota is 10; up to 100)."""
    assignment: Mapping[str, int] | None = None
    """The shard of each domain as deployed before (domain -> shard): those domains stay put.
    ``None`` or missing domains: placed by :func:`pulumi_mta_sts.core.shards.assign_shards`."""
    price_class: str = defaults.PRICE_CLASS
    tags: dict[str, str] = field(default_factory=dict)
    delegation_dns: DnsBackend | None = None
    """The provider zone where delegated domains' targets are published (required when a site
    has ``dns=None``)."""
    delegation_zone: str | None = None
    """The provider zone's name (default: ``delegation_dns.zone_name``)."""
    store_keys: str = defaults.STORE_KEYS
    """How the KeyValueStore is written (:mod:`.shared_cloudfront_store`): ``migrating`` (safe for
    a stack deployed with an earlier version) or ``exclusive`` (no per-key resource but for chunks)."""


def delegated_target(domain: str, zone: str) -> str:
    """The provider host name a delegated domain's ``mta-sts.<domain>`` is a CNAME to:
    ``<domain>.<zone>``, or ``<hash>.<zone>`` when that would be longer than a DNS name may be.
    It is per domain, so it never changes, whatever shard serves the domain."""
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


def _store_problems(sites: Sequence[FleetSite]) -> list[Problem]:
    entries = [e for s in sites for e in kvs_entries(policy_host(s.domain), s.policy_text)]
    size = kvs_size(entries)
    if size > KVS_TOTAL_LIMIT:
        reason = f"need {size} bytes in the KeyValueStore, more than its {KVS_TOTAL_LIMIT}: split the fleet"
        return [Problem("sites", len(sites), reason)]
    return []


def _problems(args: SharedCloudFrontHostingArgs) -> list[Problem]:
    problems = site_problems(args.sites)
    problems += price_class_problems(args.price_class) + tags_problems(args.tags) + _delegation_problems(args)
    problems += store_keys_problems(args.store_keys)
    if problems:
        return problems
    domains = [s.domain for s in args.sites]
    return _store_problems(args.sites) + shard_problems(
        domains, dict(args.assignment or {}), args.domains_per_certificate
    )


class SharedCloudFrontHosting(SharedHosting):
    """Serves every site's policy from CloudFront (see the module docs)."""

    type_token: ClassVar[str] = "mta-sts:hosting:SharedCloudFrontHosting"

    assignment: dict[str, int]
    store: aws.cloudfront.KeyValueStore
    function: aws.cloudfront.Function
    functions: dict[int, aws.cloudfront.Function]
    keys: StoreKeys
    certificates: dict[int, aws.acm.Certificate]
    distributions: dict[int, aws.cloudfront.Distribution]

    def __init__(self, name: str, args: SharedCloudFrontHostingArgs, opts: pulumi.ResourceOptions | None = None):
        problems = _problems(args)
        if problems:
            raise InputError(problems)  # before anything is registered
        sites = checked_sites(args.sites)
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
        self._warn_migrating(len(sites))
        self.register_outputs(self._outputs())

    # -- once ---------------------------------------------------------------------------------
    def _edge(self, groups: set[int]) -> None:
        """The store, the functions reading it (one per block of shards, :func:`function_groups`)
        and the never-read origin."""
        child = pulumi.ResourceOptions(parent=self)
        # Autonamed (so a replacement is created before the old one goes), from logical names cut
        # to fit 64 characters with the suffix (a store name has the function name's rule).
        self.store = aws.cloudfront.KeyValueStore(
            autoname_base(CLOUDFRONT_FUNCTION, f"{self._name}-policies"),
            comment="MTA-STS policies by host name (pulumi-mta-sts)",
            opts=child,
        )
        self.functions = {group: self._function(group) for group in sorted(groups)}
        self.function = self.functions[min(self.functions)]
        n = self._name
        self.origin = private_bucket(
            BucketNames(
                autoname_base(S3_BUCKET, f"{n}-origin"),
                f"{n}-origin-ownership",
                f"{n}-origin-public-access",
                f"{n}-origin-encryption",
            ),
            parent=self,
            tags=self._tags,
        ).bucket
        self._cache_policy_id = caching_disabled_policy_id(self)

    def _function(self, group: int) -> aws.cloudfront.Function:
        """Function ``group``: the same code, reading the one store (a store may be associated with
        several functions; a function with one store). Group 0 keeps the name it always had."""
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

    def _warn_migrating(self, count: int) -> None:
        if self._args.store_keys != "migrating" or not count:
            return
        pulumi.log.warn(
            f"store_keys is migrating: the {count} per-domain KeyValueStore key resources of earlier versions are "
            "kept, retained (their deletion would delete the live keys). Once a pulumi up with this version has "
            "succeeded, or now for a stack never deployed, set store_keys: exclusive (docs/fleets.md, "
            "'The store's keys').",
            resource=self,
        )

    # -- per shard ----------------------------------------------------------------------------
    def _shard(self, shard: int, members: list[FleetSite]) -> None:
        hosts = [policy_host(s.domain) for s in members]
        prefix = f"{self._name}-shard-{shard}"
        first = self._first_names[shard]
        certificate = aws.acm.Certificate(
            f"{prefix}-certificate",
            domain_name=first.name,
            subject_alternative_names=[h for h in hosts if h != first.name] or None,
            validation_method="DNS",
            region=ACM_REGION,
            tags={**self._tags, "mta-sts:shard": str(shard)},
            opts=pulumi.ResourceOptions(parent=self),
        )
        records = {s.domain: self._validation(certificate, s) for s in members}
        extra = self._first_name_record(certificate, first)
        extra_names = first.dns.record_names(extra) if first.dns is not None else []
        validation = aws.acm.CertificateValidation(
            f"{prefix}-certificate-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=_validation_names(certificate, members, records, extra_names),
            region=ACM_REGION,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[r for rs in records.values() for r in rs] + extra),
        )
        distribution = self._distribution(prefix, shard, hosts, validation.certificate_arn)
        self.certificates[shard], self.distributions[shard] = certificate, distribution
        for site in members:
            self.hosted[site.domain] = self._site(site, shard, certificate, distribution)

    def _validation(self, certificate: aws.acm.Certificate, site: FleetSite) -> list[pulumi.CustomResource]:
        if site.dns is None:
            return []
        return validation_record(
            site.dns, validation_option(certificate, policy_host(site.domain)), f"{self._name}-{site.domain}-validation"
        )

    def _first_name_record(self, certificate: aws.acm.Certificate, first: _FirstName) -> list[pulumi.CustomResource]:
        """The validation record of a first name that is none of the shard's hosts (a member's
        domain or a zone apex), made once per name: ACM gives a name one record per account, so two
        shards certifying one apex share it."""
        if first.dns is None:
            return []
        if first.name not in self._first_name_records:
            option = validation_option(certificate, first.name)
            resource_name = f"{self._name}-{first.name}-first-name-validation"
            self._first_name_records[first.name] = validation_record(first.dns, option, resource_name)
        return self._first_name_records[first.name]

    def _distribution(
        self, prefix: str, shard: int, hosts: list[str], certificate_arn: pulumi.Output[str]
    ) -> aws.cloudfront.Distribution:
        return aws.cloudfront.Distribution(
            f"{prefix}-cdn",
            enabled=True,
            comment=f"MTA-STS policies of {self._name}, shard {shard}",
            aliases=hosts,
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=self._args.price_class,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID, domain_name=self.origin.bucket_regional_domain_name
                )
            ],
            default_cache_behavior=cache_behaviour(
                self._cache_policy_id, self.functions[self._groups[shard]].arn, ORIGIN_ID
            ),
            restrictions=no_restrictions(),
            viewer_certificate=viewer_certificate(certificate_arn),
            wait_for_deployment=True,
            tags={**self._tags, "mta-sts:shard": str(shard)},
            opts=pulumi.ResourceOptions(parent=self),
        )

    # -- per domain ---------------------------------------------------------------------------
    def _site(
        self, site: FleetSite, shard: int, certificate: aws.acm.Certificate, distribution: aws.cloudfront.Distribution
    ) -> SiteHosting:
        host = policy_host(site.domain)
        backend, alias_name = (site.dns, host) if site.dns is not None else (self._args.delegation_dns, None)
        if alias_name is None:
            alias_name = delegated_target(site.domain, str(self._zone))
        assert backend is not None  # checked: delegated sites need delegation_dns
        aliases = backend.takeover_alias(
            alias_name,
            distribution.domain_name,
            distribution.hosted_zone_id,
            resource_name=f"{self._name}-{site.domain}-alias",
        )
        customer = no_records()
        if site.dns is None:
            option = validation_option(certificate, host)
            customer = as_records(
                [
                    (host, "CNAME", alias_name),
                    (
                        option.apply(lambda o: str(o.resource_record_name).rstrip(".")),
                        "CNAME",
                        option.apply(lambda o: str(o.resource_record_value).rstrip(".")),
                    ),
                ]
            )
        function = self.functions[self._groups[shard]]
        served = (*self.keys.served(site.domain), function, distribution, *aliases)
        return SiteHosting(site.domain, self._url_of(site), served, customer, shard)

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
    certificate: aws.acm.Certificate,
    members: Sequence[FleetSite],
    records: Mapping[str, list[pulumi.CustomResource]],
    extra: Sequence[pulumi.Output[str]],
) -> list[pulumi.Input[str]]:
    """A shard validation's ``validation_record_fqdns``: every name's record, or none. Given, the AWS
    provider fails at once when one of the certificate's names lacks its record; empty, it only
    waits (up to 75 minutes) for the certificate to be issued. A shard with a record in our DNS
    names them all: ours by the record's name, a delegated host's (its owner's CNAME) by the name
    ACM gave it (``domain_validation_options``); a shard of delegated domains only names none."""
    if all(s.dns is None for s in members):
        return []
    names: list[pulumi.Input[str]] = []
    for site in members:
        if site.dns is not None:
            names += site.dns.record_names(records[site.domain])
        else:
            option = validation_option(certificate, policy_host(site.domain))
            names.append(option.apply(lambda o: str(o.resource_record_name).rstrip(".")))
    return [*names, *extra]


@dataclass(frozen=True)
class _FirstName:
    """A shard certificate's first name (ACM's domain name, at most 64 characters)."""

    name: str
    dns: DnsBackend | None
    """``None``: one of the shard's hosts (validated by its domain's record, or by its owner);
    else where the record of this extra name goes (the member's zone)."""


def _first_name(members: Sequence[FleetSite]) -> _FirstName | None:
    """The one-domain rule (:func:`certificate_common_name`) for a shard: a host that fits (the
    first, as always: existing certificates keep their names), else the domain of a member whose
    DNS is ours, else such a member's zone apex; ``None`` when nothing fits."""
    hosts = [policy_host(s.domain) for s in members]
    host = next((h for h in hosts if len(h) <= ACM_COMMON_NAME_LIMIT), None)
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
    """Each shard's first name, or a problem naming the shard: no name fits, or the extra name
    would put more names on the certificate than ``domains_per_certificate``."""
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
