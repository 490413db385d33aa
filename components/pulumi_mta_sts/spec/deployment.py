"""The arguments of ``MtaSts`` and ``MtaStsFleet`` as plain data, and their checks. One domain is a
fleet of one: :func:`check_domain` checks a domain for both, naming the field where it was given
(``policy``, ``domains[3].policy``). Stack config and the multi-language package build these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.core.shards import shard_problems

from .rules import (
    host_kind_problems,
    name_length_problems,
    not_one_of,
    policy_problems,
    price_class_problems,
    rua_problems,
    store_keys_problems,
    tags_problems,
    whole_number_problems,
    zone_problems,
)


class ZoneBackend(Protocol):
    """A DNS backend the program made (``Route53Dns``, ...): a spec asks only its provider."""

    @property
    def provider_name(self) -> str: ...


@dataclass(frozen=True)
class DnsConfig:
    """A zone to make a DNS backend for: by id, or by name (looked up at deploy time)."""

    provider: str
    zone_id: str | None = None
    zone_name: str | None = None


@dataclass(frozen=True)
class FleetDomainArgs:
    """One mail domain (of a fleet; ``MtaStsArgs`` adds its own host's settings)."""

    domain: str
    """The mail domain; its policy is served at ``mta-sts.<domain>``."""
    policy: Policy
    dns: DnsConfig | ZoneBackend | None
    """A backend you created or a :class:`DnsConfig` to create one; in a fleet ``None`` delegates it."""
    host: str | None = None
    """``cloudfront`` or ``worker`` (Cloudflare DNS only); default: the DNS provider's, as in stack config."""
    rua: Sequence[str] = ()
    """TLS-RPT report destinations (``mailto:`` / ``https:``); empty: no ``_smtp._tls`` record."""
    verify_live: bool = True
    """Publish a new id only once the policy URL serves the new body (``PolicyLive``)."""
    verify_timeout: int = defaults.VERIFY_TIMEOUT

    @property
    def delegated(self) -> bool:
        return self.dns is None


@dataclass(frozen=True)
class MtaStsArgs(FleetDomainArgs):
    """``MtaSts``: one domain (never delegated) and the settings of its own host."""

    price_class: str = defaults.PRICE_CLASS
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DelegationArgs:
    """Hosted mode: the provider zone holding delegated domains' TXT records and host names."""

    zone: str
    dns: DnsConfig | ZoneBackend


@dataclass(frozen=True)
class MtaStsFleetArgs:
    """``MtaStsFleet``: the domains and the shared hosting's settings."""

    domains: Sequence[FleetDomainArgs]
    delegation: DelegationArgs | None = None
    """Required when a domain is delegated (``dns=None``)."""
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    assignment: Mapping[str, int] = field(default_factory=dict)
    """Domain → shard it was deployed on (pinned, so no domain ever moves; :mod:`core.shards`)."""
    price_class: str = defaults.PRICE_CLASS
    tags: dict[str, str] = field(default_factory=dict)
    store_keys: str = defaults.STORE_KEYS
    """docs/fleets.md, "The store's keys"."""


@dataclass(frozen=True)
class DelegatedNames:
    """Where a delegated domain's TXT records are in the provider zone (its owner's CNAME targets)."""

    sts: str
    tlsrpt: str


def delegated_names(domain: str, zone: str) -> DelegatedNames:
    inside = f"{domain}.{zone}"
    return DelegatedNames(sts_record_name(inside), tlsrpt_record_name(inside))


@dataclass(frozen=True)
class CheckedDomain:
    """A domain's valid arguments, its normal name, its host kind, its fields' prefix (``domains[3].``)."""

    args: FleetDomainArgs
    domain: str
    kind: str
    where: str = ""


def dns_config_problems(dns: DnsConfig, field_name: str = "dns") -> list[Problem]:
    problems = zone_problems(dns.zone_id, dns.zone_name)[1]
    if dns.provider not in defaults.DNS_PROVIDERS:
        problems.insert(0, not_one_of("provider", dns.provider, defaults.DNS_PROVIDERS))
    return [p.under(field_name) for p in problems]


def dns_provider(dns: object, field_name: str = "dns") -> tuple[str | None, list[Problem]]:
    name = getattr(type(dns), "provider_name", None)  # a backend names it on its class
    if isinstance(name, str):
        return name, []
    if isinstance(dns, DnsConfig):
        problems = dns_config_problems(dns, field_name)
        return (None if problems else dns.provider), problems
    reason = "must be a DNS backend (Route53Dns, CloudflareDns) or a DnsConfig(provider, zone_id=..., zone_name=...)"
    return None, [Problem(field_name, dns, reason)]


def check_domain(
    args: FleetDomainArgs, where: str = "", *, fleet: bool = False
) -> tuple[CheckedDomain | None, list[Problem]]:
    """One domain checked, fields named ``<where><field>``; only in a ``fleet`` may it be delegated."""
    domain, problems = normalize_hostname(args.domain, f"{where}domain")
    problems += name_length_problems(domain, args.rua, f"{where}domain")
    delegated = fleet and args.delegated
    provider, found = (None, []) if delegated else dns_provider(args.dns, f"{where}dns")
    default = "cloudfront" if delegated else defaults.default_host_kind(provider or "")
    kind = default if args.host is None else args.host
    problems += found + host_kind_problems(kind, provider, f"{where}host")
    if delegated and kind != "cloudfront":
        reason = "a delegated domain is served by the shared CloudFront hosting; use host cloudfront"
        problems.append(Problem(f"{where}host", kind, reason))
    problems += policy_problems(args.policy, f"{where}policy") + rua_problems(args.rua, f"{where}rua")
    problems += whole_number_problems(f"{where}verify_timeout", args.verify_timeout, *defaults.VERIFY_TIMEOUT_RANGE)
    if problems or domain is None:
        return None, problems
    return CheckedDomain(args, domain, kind, where), []


def check_mtasts(args: MtaStsArgs) -> CheckedDomain:
    checked, problems = check_domain(args)
    problems += price_class_problems(args.price_class) + tags_problems(args.tags)
    if problems or checked is None:
        raise InputError(problems)
    return checked


def check_fleet(args: MtaStsFleetArgs) -> tuple[list[CheckedDomain], str | None]:
    if isinstance(args.domains, str) or not isinstance(args.domains, Sequence) or not args.domains:
        raise InputError([Problem("domains", args.domains, "must be a non-empty list of FleetDomainArgs")])
    checked: list[CheckedDomain] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, one in enumerate(args.domains):
        if not isinstance(one, FleetDomainArgs):
            problems.append(Problem(f"domains[{index}]", one, "must be a FleetDomainArgs(domain, policy, dns)"))
            continue
        c, found = check_domain(one, f"domains[{index}].", fleet=True)
        problems += found
        if c is not None and c.domain in seen:
            problems.append(Problem(f"{c.where}domain", c.domain, f"is also {seen[c.domain]}; list each domain once"))
        elif c is not None:
            checked.append(c)
            seen[c.domain] = f"domains[{index}]"
    zone, found = _delegation_problems(args, checked)
    shared = [c.domain for c in checked if c.kind == "cloudfront"]
    problems += found + shard_problems(shared, args.assignment, args.domains_per_certificate)
    problems += price_class_problems(args.price_class) + tags_problems(args.tags) + store_keys_problems(args.store_keys)
    if problems:
        raise InputError(problems)
    return checked, zone


def _delegation_problems(args: MtaStsFleetArgs, checked: Sequence[CheckedDomain]) -> tuple[str | None, list[Problem]]:
    if args.delegation is None:
        given = [d for d in args.domains if isinstance(d, FleetDomainArgs) and d.delegated]
        if not given:
            return None, []
        reason = f"is required: {given[0].domain} is delegated (dns=None); give DelegationArgs(zone, dns)"
        return None, [Problem("delegation", None, reason)]
    zone, problems = normalize_hostname(args.delegation.zone, "delegation.zone", min_labels=1)
    problems += dns_provider(args.delegation.dns, "delegation.dns")[1]
    for c in checked if zone else ():  # its names under the zone: _smtp._tls.<domain>.<zone> ...
        if c.args.delegated:
            problems += name_length_problems(f"{c.domain}.{zone}", c.args.rua, f"{c.where}domain")
    return zone, problems
