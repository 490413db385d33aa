"""``mta-sts:index:MtaStsFleet`` for every Pulumi language: the Python fleet with inputs shaped like a
fleet stack's config, read by the stack config's own loader, a mistake named by the package input.
The typed output maps beside ``domains`` hold only values whose names need no mapping (the provider
maps an output object's key names, not those in lists and maps). The analyzer reads the annotations.
"""

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi

from pulumi_mta_sts.config.fleet_stack import load_fleet_config
from pulumi_mta_sts.config.sections import NAMESPACE
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.mtasts import component
from pulumi_mta_sts.spec import deployment

from .convert import plain
from .types import DnsProvider, DnsZone, HostKind, PolicySpec, PriceClass, Record


class FleetDefaults(TypedDict):
    """What every domain gets unless its entry says otherwise, merged key by key (e.g. policy.mx alone keeps mode)."""

    policy: NotRequired[PolicySpec]
    """The default policy fields (mode default: testing; maxAge default: 86401)."""
    dns: NotRequired[DnsZone]
    """The default zone; without zoneId or zoneName each domain's zone is the domain itself."""
    host: NotRequired[HostKind]
    """Who serves the policies: cloudfront (shared distributions) or worker (one Cloudflare Worker; Cloudflare DNS)."""
    rua: NotRequired[list[str]]
    """TLS-RPT report destinations (mailto: or https: URIs) of every domain; none: no _smtp._tls record."""
    verify_live: NotRequired[bool]
    """Publish a domain's new policy id only once its URL serves the new policy (default: true)."""
    verify_timeout: NotRequired[int]
    """Seconds to wait for a domain's URL to serve its new policy before the deploy fails (default: 600)."""
    delegated: NotRequired[bool]
    """Every domain is delegated (its DNS is its owner's) unless its entry says otherwise (default: false)."""


class FleetDomain(TypedDict):
    """One mail domain of the fleet: domain, and any key of defaults overriding it."""

    domain: str
    """The mail domain (example.com); its policy is served at https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    policy: NotRequired[PolicySpec]
    """Its policy fields, over defaults.policy (its id is the hash of its own served policy)."""
    dns: NotRequired[DnsZone]
    """Its zone, over defaults.dns (a delegated domain has none: its records go under the delegation zone)."""
    host: NotRequired[HostKind]
    """cloudfront or worker (Cloudflare DNS only; a delegated domain: cloudfront); default: by DNS provider."""
    rua: NotRequired[list[str]]
    """Its TLS-RPT report destinations, instead of defaults.rua."""
    verify_live: NotRequired[bool]
    """Publish its new policy id only once its URL serves the new policy (default: true)."""
    verify_timeout: NotRequired[int]
    """Seconds to wait for its URL to serve the new policy (default: 600)."""
    delegated: NotRequired[bool]
    """Hosted mode (RFC 8461 section 8.2): its DNS is its owner's, who publishes the customerRecords CNAMEs."""
    offboard: NotRequired[bool]
    """Serve mode none (same maxAge, new id) and keep every record: remove the entry only after the old maxAge."""
    shard: NotRequired[int]
    """The shard (shared certificate + distribution) it was deployed on, from the shards output: it never moves."""


class FleetDelegation(TypedDict):
    """Hosted mode: the provider zone that holds the delegated domains' TXT records and host names."""

    provider: DnsProvider
    """route53 or cloudflare."""
    zone_name: str
    """The zone the records are named under (mta-sts.provider.example): _mta-sts.<domain>.<zoneName>."""
    zone_id: NotRequired[str]
    """The id of the hosted zone holding those names (else zoneName itself is looked up)."""


class MtaStsFleetArgs(TypedDict):
    """The inputs of MtaStsFleet."""

    domains: list[FleetDomain]
    """The mail domains, at least one, each once."""
    defaults: NotRequired[FleetDefaults]
    """What every domain gets unless its entry says otherwise."""
    delegation: NotRequired[FleetDelegation]
    """The provider zone of delegated domains; required when a domain is delegated."""
    domains_per_certificate: NotRequired[int]
    """Host names per shared certificate and distribution: 1 to 100 (default: 10, ACM's default quota)."""
    price_class: NotRequired[PriceClass]
    """CloudFront price class of the shared distributions (default: PriceClass_100)."""
    tags: NotRequired[dict[str, str]]
    """Tags for the taggable AWS resources."""
    store_keys: NotRequired[str]
    """KeyValueStore writes: migrating (default, safe for a fleet deployed before) or exclusive (a new fleet)."""


# ---- package inputs → stack config values ----------------------------------------------------------
#: Flat package keys → the stack config's ``host`` keys.
_HOST_KEYS = {"host": "kind", "verify_live": "verify_live", "verify_timeout": "verify_timeout"}
_ENTRY_FLAGS = ("offboard", "shard")


def _given(value: Mapping[str, Any], key: str) -> bool:
    return value.get(key) is not None


def _sections(given: Mapping[str, Any]) -> dict[str, Any]:
    """The per-domain keys of a :class:`FleetDomain` or :class:`FleetDefaults` as stack config."""
    values = {key: plain(given[key]) for key in ("policy", "dns", "delegated") if _given(given, key)}
    host = {config: plain(given[key]) for key, config in _HOST_KEYS.items() if _given(given, key)}
    if host:
        values["host"] = host
    if _given(given, "rua"):
        values["reporting"] = {"rua": plain(given["rua"])}
    return values


def _entry(value: object) -> object:
    if not isinstance(value, Mapping):
        return value  # the loader names it: must be an object
    flags = {key: plain(value[key]) for key in _ENTRY_FLAGS if _given(value, key)}
    return {"domain": plain(value.get("domain")), **_sections(value), **flags}


def fleet_config_values(args: Mapping[str, Any]) -> dict[str, Any]:
    """The package inputs as a fleet stack's ``mta-sts:`` values (keys without the namespace)."""
    domains = args.get("domains")
    values: dict[str, Any] = {"domains": [_entry(d) for d in domains] if isinstance(domains, list) else domains}
    given_defaults = args.get("defaults") or {}
    base = _sections(given_defaults) if isinstance(given_defaults, Mapping) else given_defaults
    for key in ("domains_per_certificate", "store_keys"):
        if _given(args, key) and isinstance(base, dict):
            base.setdefault("host", {})[key] = plain(args[key])
    if base:
        values["defaults"] = base
    if _given(args, "delegation"):
        values["delegation"] = plain(args["delegation"])
    return values


# ---- stack config keys → package input names --------------------------------------------------------
#: Config key pieces → the package input they come from (after ``mta-sts:`` is dropped).
_RENAMED = (
    ("defaults.host.domains_per_certificate", "domains_per_certificate"),
    ("defaults.host.store_keys", "store_keys"),
    (".host.kind", ".host"),
    (".host.verify_live", ".verify_live"),
    (".host.verify_timeout", ".verify_timeout"),
    (".reporting.rua", ".rua"),
)
_CONFIG_KEY = re.compile(rf"{re.escape(NAMESPACE)}:([A-Za-z_][\w.\[\]]*)")


def package_key(key: str) -> str:
    """A fleet config key (``mta-sts:domains[2].host.kind``) as the package input (``domains[2].host``)."""
    key = key.removeprefix(f"{NAMESPACE}:")
    for config, package in _RENAMED:
        key = key.replace(config, package)
    return key


def package_problem(problem: Problem) -> Problem:
    """``problem`` of the fleet config loader, named (and its reason naming keys) as package inputs."""
    reason = _CONFIG_KEY.sub(lambda match: package_key(match.group(1)), problem.reason)
    return Problem(package_key(problem.field), problem.value, reason)


def _unknown_keys(value: object, known: type, where: str) -> list[Problem]:
    """Keys a Python caller gave that the input type does not have (the provider passes only schema keys)."""
    if not isinstance(value, Mapping):
        return []
    names = list(known.__annotations__)
    reason = f"is not an input of {known.__name__}; its inputs are {', '.join(names)}"
    return [Problem(f"{where}{key}", value[key], reason) for key in value if key not in names]


def _input_problems(args: Mapping[str, Any]) -> list[Problem]:
    problems = _unknown_keys(args, MtaStsFleetArgs, "")
    problems += _unknown_keys(args.get("defaults"), FleetDefaults, "defaults.")
    problems += _unknown_keys(args.get("delegation"), FleetDelegation, "delegation.")
    domains = args.get("domains")
    for index, entry in enumerate(domains if isinstance(domains, list) else []):
        problems += _unknown_keys(entry, FleetDomain, f"domains[{index}].")
    return problems


def rich_fleet_args(args: MtaStsFleetArgs) -> deployment.MtaStsFleetArgs:
    """The Python fleet's arguments for the package inputs ``args``, as the stack program makes them
    from the same config; raises :class:`InputError` naming every wrong input."""
    given: Mapping[str, Any] = args if isinstance(args, Mapping) else {}
    problems = _input_problems(given)
    try:
        cfg = load_fleet_config(fleet_config_values(given))
    except InputError as exc:
        raise InputError([*problems, *(package_problem(p) for p in exc.problems)]) from None
    if problems:
        raise InputError(problems)
    return dataclasses.replace(
        cfg.fleet_args(),
        price_class=plain(given.get("price_class", defaults.PRICE_CLASS)),
        tags=plain(given.get("tags", {})),
    )


class MtaStsFleet(component.MtaStsFleet):
    """MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for many mail domains on shared hosting, delegated ones too."""

    domains: pulumi.Output[dict[str, dict[str, Any]]]
    """Domain → its summary as a fleet stack exports it (snake_case keys: policy_id, mode, shard, records ...)."""
    policy_ids: pulumi.Output[dict[str, str]]
    """Domain → its policy's id (the id= of its _mta-sts record), derived from its exact served bytes."""
    policy_urls: pulumi.Output[dict[str, str]]
    """Domain → https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    policy_texts: pulumi.Output[dict[str, str]]
    """Domain → its policy file exactly as served."""
    records: pulumi.Output[dict[str, list[Record]]]
    """Domain → the TXT records the fleet publishes for it (under the delegation zone when delegated)."""
    shards: pulumi.Output[dict[str, int]]
    """Domain → the shard serving it, for the CloudFront-hosted domains: pin each as its entry's shard."""
    customer_records: pulumi.Output[dict[str, list[Record]]]
    """Delegated domain → the CNAMEs its owner publishes, in the order to publish them (_mta-sts last)."""

    def __init__(self, name: str, args: MtaStsFleetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, rich_fleet_args(args), opts)
        members = self.members.items()
        self.policy_ids = pulumi.Output.from_input({d: m.policy.id for d, m in members})
        self.policy_urls = pulumi.Output.from_input({d: m.hosting.policy_url for d, m in members})
        self.policy_texts = pulumi.Output.from_input({d: m.policy.render() for d, m in members})
        records = {d: [Record(name=r.name, type=r.type, value=r.value) for r in m.records] for d, m in members}
        self.records = pulumi.Output.from_input(records)
        self.shards = pulumi.Output.from_input({d: m.hosting.shard for d, m in members if m.hosting.shard is not None})
        delegated = {d: m.customer_records for d, m in members if m.delegated}
        self.customer_records = pulumi.Output.from_input(delegated)  # type: ignore[arg-type]
