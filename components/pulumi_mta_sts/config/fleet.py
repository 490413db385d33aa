"""Fleet stack configuration: many mail domains in one stack (``mta-sts:domains``).

A fleet stack lists its domains in ``mta-sts:domains``; each entry is an object with ``domain``
and any per-domain key (``dns``, ``host``, ``policy``, ``reporting``, ``preflight``) overriding
``mta-sts:defaults``, merged key by key (an entry that gives only ``policy.mx`` keeps the default
``policy.mode`` and ``policy.max_age``; objects merge, lists and plain values replace). Each merged
entry is loaded by the same section loaders as a single-domain stack (:func:`~.stack.load_sections`),
so one mistake gives one message, named where it was written::

    mta-sts:domains[12].policy.mx: ...          # the entry gave the wrong value
    mta-sts:defaults.policy.max_age: ...        # the entry inherited it (reported once)

Every problem of every entry is reported at once. Hosted mode (docs/fleets.md): an entry with
``delegated: true`` has its DNS elsewhere (the customer's); the fleet serves its policy and keeps
its ``_mta-sts`` / ``_smtp._tls`` TXT records under ``mta-sts:delegation.zone_name``, and the
customer points CNAMEs at them. ``offboard: true`` (or the date the ``mode: none`` policy was first
deployed) serves ``mode: none`` and keeps every record, the safe first step of removing a domain.
Pure: no Pulumi, no network.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import MAX_NAME_LENGTH, normalize_hostname
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.core.shards import shard_problems

from .stack import (
    DNS_PROVIDERS,
    NAMESPACE,
    SECTIONS,
    DnsConfig,
    DomainSections,
    HostConfig,
    PreflightConfig,
    ReportingConfig,
    StackConfig,
    digit_string,
    load_sections,
    load_stack_config,
    not_one_of,
    zone_problems,
)

__all__ = [
    "DEFAULTS_KEYS",
    "ENTRY_KEYS",
    "FLEET_KEYS",
    "DelegationConfig",
    "FleetConfig",
    "FleetDomain",
    "delegated_names",
    "is_fleet",
    "load_any_config",
    "load_fleet_config",
    "merge_settings",
    "store_keys_problems",
]

#: The top-level keys of a fleet stack.
FLEET_KEYS = ("defaults", "domains", "delegation")
#: The keys of one ``mta-sts:domains`` entry.
ENTRY_KEYS = ("domain", *SECTIONS, "delegated", "offboard", "shard")
#: The keys of ``mta-sts:defaults``.
DEFAULTS_KEYS = (*SECTIONS, "delegated")
#: Keys of ``mta-sts:defaults.host`` that are settings of the whole fleet, not of one domain.
FLEET_HOST_KEYS = ("domains_per_certificate", "store_keys")
_DELEGATION_KEYS = ("provider", "zone_name", "zone_id")
_DOMAINS = f"{NAMESPACE}:domains"
_DEFAULTS = f"{NAMESPACE}:defaults"
_DELEGATION = f"{NAMESPACE}:delegation"


@dataclass(frozen=True)
class DelegationConfig:
    """Hosted mode: the provider zone (``mta-sts:delegation``) that holds the delegated domains'
    TXT records and stable host names; the customers' CNAMEs point into it."""

    dns: DnsConfig
    zone: str
    """The zone's name (records are named under it: ``_mta-sts.<domain>.<zone>``)."""


@dataclass(frozen=True)
class DelegatedNames:
    """Where a delegated domain's TXT records live in the provider zone (its owner's CNAME
    targets; its host name's target is the shared hosting's business)."""

    sts: str
    tlsrpt: str


def delegated_names(domain: str, zone: str) -> DelegatedNames:
    """``_mta-sts.<domain>.<zone>`` and ``_smtp._tls.<domain>.<zone>``: one name per domain and
    record, stable whatever shard serves the domain."""
    inside = f"{domain}.{zone}"
    return DelegatedNames(sts_record_name(inside), tlsrpt_record_name(inside))


@dataclass(frozen=True)
class FleetDomain:
    """One validated ``mta-sts:domains`` entry, merged with the defaults."""

    index: int
    domain: str
    dns: DnsConfig | None
    """The domain's zone; ``None`` for a delegated domain (its DNS is the customer's)."""
    host: HostConfig
    policy: Policy
    """The configured policy (while offboarding: the one senders may still have cached)."""
    reporting: ReportingConfig = field(default_factory=ReportingConfig)
    preflight: PreflightConfig = field(default_factory=PreflightConfig)
    offboard: bool = False
    offboard_since: dt.date | None = None
    """The day the ``mode: none`` policy was first deployed (``offboard: 'YYYY-MM-DD'``)."""
    shard: int | None = None
    """The pinned shard (shared CloudFront distribution) of a CloudFront-hosted domain."""

    @property
    def delegated(self) -> bool:
        return self.dns is None

    @property
    def key(self) -> str:
        """``mta-sts:domains[<index>]``: where this entry is in the stack file."""
        return f"{_DOMAINS}[{self.index}]"

    @property
    def served_policy(self) -> Policy:
        """What is served: the configured policy, or while offboarding ``mode: none`` with the
        same ``max_age`` (RFC 8461 §8.3: a new id tells senders to stop applying the old policy)."""
        if not self.offboard:
            return self.policy
        return Policy("none", (), self.policy.max_age)

    @property
    def removable_on(self) -> dt.date | None:
        """The first day the entry may be removed: ``offboard_since`` + the old ``max_age``."""
        if self.offboard_since is None:
            return None
        return self.offboard_since + dt.timedelta(seconds=self.policy.max_age) + dt.timedelta(days=1)

    def stack_config(self, dns: DnsConfig | None = None) -> StackConfig:
        """The single-domain config of this entry (for the preflight); ``dns`` for a delegated one."""
        zone = self.dns or dns
        if zone is None:
            raise ValueError(f"{self.domain} is delegated: give the provider zone")
        return StackConfig(self.domain, zone, self.host, self.served_policy, self.reporting, self.preflight)


@dataclass(frozen=True)
class FleetConfig:
    """A validated fleet stack."""

    domains: tuple[FleetDomain, ...]
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    delegation: DelegationConfig | None = None
    store_keys: str = defaults.STORE_KEYS

    def pinned_shards(self) -> dict[str, int]:
        """Domain → shard for every entry that pins one (``shard``)."""
        return {d.domain: d.shard for d in self.domains if d.shard is not None}


def is_fleet(values: Mapping[str, Any]) -> bool:
    """True for the ``mta-sts:`` values of a fleet stack (it has ``mta-sts:domains``)."""
    return "domains" in values


def merge_settings(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``, key by key: objects merge, anything else replaces; a key left
    empty (``None``) in ``over`` keeps the value of ``base``."""
    merged = dict(base)
    for key, value in over.items():
        if value is None:
            continue
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = merge_settings(below, value)
        else:
            merged[key] = value
    return merged


# ---- loading ---------------------------------------------------------------------------------------
class _Problems:
    """Every problem of a fleet, in order, each reported once."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Problem] = {}

    def add(self, problem: Problem) -> None:
        self._seen.setdefault((problem.field, problem.reason), problem)

    def extend(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return bool(self._seen)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._seen.values())


def _unknown(prefix: str, value: Mapping[str, Any], known: Sequence[str], hint: str = "") -> list[Problem]:
    problems = []
    for name in value:
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            advice = hint or (f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}")
            problems.append(Problem(f"{prefix}{name}", value[name], f"is not a known setting; {advice}"))
    return problems


def _mapping(key: str, value: object) -> tuple[Mapping[str, Any] | None, list[Problem]]:
    if value is None or value == "":
        return {}, []
    if isinstance(value, Mapping):
        return value, []
    return None, [Problem(key, value, f"must be an object (YAML mapping), got {type(value).__name__}")]


def _single_domain_keys(values: Mapping[str, Any]) -> list[Problem]:
    """A fleet stack has no single-domain keys: say where each belongs instead."""
    problems = []
    for name in values:
        if name == "domain":
            reason = "is a single-domain key; in a fleet stack list each domain in mta-sts:domains ({domain: ...})"
        elif name in SECTIONS:
            reason = (
                f"is a single-domain key; in a fleet stack (mta-sts:domains) put it under "
                f"mta-sts:defaults.{name} (every domain) or in a domain's entry"
            )
        elif name not in FLEET_KEYS:
            close = difflib.get_close_matches(str(name), FLEET_KEYS, n=1)
            reason = f"is not a known setting; {f'did you mean {close[0]!r}?' if close else 'known keys: '}" + (
                "" if close else ", ".join(FLEET_KEYS)
            )
        else:
            continue
        problems.append(Problem(f"{NAMESPACE}:{name}", values[name], reason))
    return problems


def _boolean(key: str, value: object, default: bool = False) -> tuple[bool, list[Problem]]:
    if value is None:
        return default, []
    if isinstance(value, bool):
        return value, []
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", []
    return default, [Problem(key, value, f"must be true or false, got {value!r}")]


def _whole(key: str, value: object, low: int, high: int) -> tuple[int | None, list[Problem]]:
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str):
        number = digit_string(value)
    if number is None or not low <= number <= high:
        return None, [Problem(key, value, f"must be a whole number from {low} to {high}, got {value!r}")]
    return number, []


def _offboard(key: str, value: object) -> tuple[bool, dt.date | None, list[Problem]]:
    """``offboard``: true/false, or the date (``'YYYY-MM-DD'``) mode none was first deployed."""
    if isinstance(value, str) and value.strip().lower() not in ("true", "false"):
        try:
            return True, dt.date.fromisoformat(value.strip()), []
        except ValueError:
            pass
        reason = "must be true, false or the day mode none was first deployed as 'YYYY-MM-DD' (quoted)"
        return False, None, [Problem(key, value, reason)]
    flag, problems = _boolean(key, value)
    return flag, None, problems


def _delegation(values: Mapping[str, Any]) -> tuple[DelegationConfig | None, list[Problem]]:
    """``mta-sts:delegation``: ``provider`` and ``zone_name`` (the zone the records go under)."""
    raw, problems = _mapping(_DELEGATION, values.get("delegation"))
    if not raw:
        return None, problems
    problems += _unknown(f"{_DELEGATION}.", raw, _DELEGATION_KEYS)
    provider = raw.get("provider")
    if provider not in DNS_PROVIDERS:
        problems.append(not_one_of(f"{_DELEGATION}.provider", provider, DNS_PROVIDERS))
    zone, zone_found = zone_problems(raw.get("zone_id"), raw.get("zone_name"), required=False)
    problems += [p.under(_DELEGATION) for p in zone_found]
    if raw.get("zone_name") is None:
        reason = "is required: the delegated domains' records are named under it (e.g. mta-sts.provider.example)"
        problems.append(Problem(f"{_DELEGATION}.zone_name", None, reason))
    if problems or zone is None or not isinstance(provider, str):
        return None, problems
    zone_id = raw.get("zone_id")
    dns = DnsConfig(provider, zone_id.strip() if isinstance(zone_id, str) else None, zone)
    return DelegationConfig(dns, zone), []


@dataclass(frozen=True)
class _Defaults:
    """``mta-sts:defaults`` without the fleet-wide keys, and those keys."""

    values: Mapping[str, Any]
    domains_per_certificate: int
    store_keys: str = defaults.STORE_KEYS


def store_keys_problems(layout: object, field: str = "store_keys") -> list[Problem]:
    """``layout`` when it is not one of :data:`~pulumi_mta_sts.core.defaults.STORE_KEYS_LAYOUTS`
    (``mta-sts:defaults.host.store_keys``, ``MtaStsFleetArgs.store_keys``: one rule, one message)."""
    if isinstance(layout, str) and layout in defaults.STORE_KEYS_LAYOUTS:
        return []
    reason = (
        f"must be one of {', '.join(defaults.STORE_KEYS_LAYOUTS)}: migrating for a fleet deployed with an earlier "
        "version (then exclusive once an update with this version has succeeded), exclusive for a new one "
        "(docs/fleets.md, 'The store's keys')"
    )
    return [Problem(field, layout, reason)]


def _defaults(values: Mapping[str, Any]) -> tuple[_Defaults, list[Problem]]:
    raw, problems = _mapping(_DEFAULTS, values.get("defaults"))
    raw = dict(raw or {})
    problems += _unknown(f"{_DEFAULTS}.", raw, DEFAULTS_KEYS)
    per_certificate = defaults.DOMAINS_PER_CERTIFICATE
    host = raw.get("host")
    if isinstance(host, Mapping) and host.get("domains_per_certificate") is not None:
        key = f"{_DEFAULTS}.host.domains_per_certificate"
        number, found = _whole(key, host["domains_per_certificate"], 1, defaults.DOMAINS_PER_CERTIFICATE_MAX)
        problems += found
        per_certificate = number or per_certificate
    layout = defaults.STORE_KEYS
    if isinstance(host, Mapping) and host.get("store_keys") is not None:
        found = store_keys_problems(host["store_keys"], f"{_DEFAULTS}.host.store_keys")
        problems += found
        layout = layout if found else str(host["store_keys"])
    if isinstance(host, Mapping):
        raw["host"] = {k: v for k, v in host.items() if k not in FLEET_HOST_KEYS}
    return _Defaults(raw, per_certificate, layout), problems


def _given(settings: Mapping[str, Any], path: Sequence[str]) -> bool:
    """Whether ``settings`` holds a value at ``path`` (``("policy", "mx")``)."""
    node: Any = settings
    for name in path:
        if not isinstance(node, Mapping) or node.get(name) is None:
            return False
        node = node[name]
    return True


def _attribute(problem: Problem, key: str, entry: Mapping[str, Any], base: Mapping[str, Any]) -> Problem:
    """Name the key where the wrong value was written: the entry's, else the default it inherited
    (``mta-sts:defaults.<path>``, reported once however many entries inherit it)."""
    prefix = f"{key}."
    if not problem.field.startswith(prefix):
        return problem
    relative = problem.field[len(prefix) :]
    path = [part.split("[", 1)[0] for part in relative.split(".")]
    if _given(entry, path) or not _given(base, path):
        return problem
    return Problem(f"{_DEFAULTS}.{relative}", problem.value, problem.reason)


@dataclass(frozen=True)
class _Entry:
    """What one entry's loading found: the domain as far as it is valid, the entry if valid."""

    domain: str | None
    loaded: FleetDomain | None
    problems: list[Problem]


def _entry_flags(key: str, entry: Mapping[str, Any], base: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """``delegated``, ``offboard``, ``offboard_since`` and ``shard`` of one entry."""
    delegated_key = f"{key}.delegated" if "delegated" in entry else f"{_DEFAULTS}.delegated"
    delegated, problems = _boolean(delegated_key, entry.get("delegated", base.get("delegated")))
    offboard, since, found = _offboard(f"{key}.offboard", entry.get("offboard"))
    problems += found
    shard: int | None = None
    if entry.get("shard") is not None:
        shard, found = _whole(f"{key}.shard", entry["shard"], 0, defaults.SHARD_LIMIT - 1)
        problems += found
    return {"delegated": delegated, "offboard": offboard, "offboard_since": since, "shard": shard}, problems


def _entry_settings(key: str, entry: Mapping[str, Any], base: Mapping[str, Any], delegated: bool) -> list[Problem]:
    """Problems of keys an entry may not set: fleet-wide ones, and DNS on a delegated domain."""
    problems = []
    host = entry.get("host")
    for name in FLEET_HOST_KEYS:
        if isinstance(host, Mapping) and name in host:
            reason = f"is a setting of the whole fleet; set it once in {_DEFAULTS}.host.{name}"
            problems.append(Problem(f"{key}.host.{name}", host[name], reason))
    if delegated and entry.get("dns") is not None:
        reason = "a delegated domain's DNS is the customer's (records go under mta-sts:delegation); remove dns here"
        problems.append(Problem(f"{key}.dns", entry["dns"], reason))
    return problems


def _section_problems(key: str, sections: DomainSections, delegated: bool) -> list[Problem]:
    """What the fleet cannot do for one domain yet, though a single-domain stack can."""
    problems = []
    if delegated and sections.host is not None and sections.host.kind != "cloudfront":
        reason = (
            "a delegated domain is served by the fleet's CloudFront hosting (a Worker serves only names in a "
            "Cloudflare zone of this account); use kind cloudfront or leave it out"
        )
        problems.append(Problem(f"{key}.host.kind", sections.host.kind, reason))
    if sections.reporting.receiver.enabled:
        reason = "the TLS-RPT receiver is not available in a fleet stack; give reporting.rua (e.g. its mailbox)"
        problems.append(Problem(f"{key}.reporting.receiver", True, reason))
    return problems


def _entry(index: int, raw: object, base: _Defaults) -> _Entry:
    key = f"{_DOMAINS}[{index}]"
    entry, problems = _mapping(key, raw)
    if entry is None:
        return _Entry(None, None, problems)
    problems += _unknown(f"{key}.", entry, ENTRY_KEYS)
    domain: str | None = None
    if entry.get("domain") is None:
        problems.append(Problem(f"{key}.domain", None, "is required; set it to the mail domain, e.g. example.com"))
    else:
        domain, found = normalize_hostname(entry["domain"], f"{key}.domain")
        problems += found
    flags, found = _entry_flags(key, entry, base.values)
    delegated = bool(flags.pop("delegated"))
    problems += found + _entry_settings(key, entry, base.values, delegated)
    own = {name: entry[name] for name in SECTIONS if name in entry and not (delegated and name == "dns")}
    merged = merge_settings(base.values, own)
    if delegated:
        merged.pop("dns", None)
        merged["host"] = merge_settings({"kind": "cloudfront"}, merged.get("host") or {})
    sections, found = load_sections(merged, domain, f"{key}.", with_dns=not delegated)
    found += _section_problems(key, sections, delegated)
    problems += [_attribute(p, key, entry, base.values) for p in found]
    if problems or domain is None or sections.host is None or sections.policy is None:
        return _Entry(domain, None, problems)
    loaded = FleetDomain(
        index, domain, sections.dns, sections.host, sections.policy, sections.reporting, sections.preflight, **flags
    )
    return _Entry(domain, loaded, [])


# ---- the fleet as a whole -------------------------------------------------------------------------
def _duplicates(found: Sequence[_Entry]) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(found):
        if entry.domain is None:
            continue
        if entry.domain in first:
            reason = f"{entry.domain!r} is also {_DOMAINS}[{first[entry.domain]}]; list each domain once"
            problems.append(Problem(f"{_DOMAINS}[{index}].domain", entry.domain, reason))
        else:
            first[entry.domain] = index
    return problems


def _delegation_problems(
    domains: Sequence[FleetDomain], delegation: DelegationConfig | None, given: bool
) -> list[Problem]:
    """Delegated domains need ``mta-sts:delegation``, and room for their names under its zone."""
    delegated = [d for d in domains if d.delegated]
    if not delegated:
        return []
    if delegation is None:
        if given:
            return []  # its own problems are reported
        reason = (
            f"is required while a domain is delegated ({delegated[0].key}); "
            "e.g. {provider: route53, zone_name: mta-sts.provider.example}"
        )
        return [Problem(_DELEGATION, None, reason)]
    problems = []
    for d in delegated:
        names = delegated_names(d.domain, delegation.zone)
        longest = max((names.sts, names.tlsrpt if d.reporting.rua else ""), key=len)
        if len(longest) > MAX_NAME_LENGTH:
            reason = (
                f"is too long for the delegation zone {delegation.zone!r}: {longest} would be {len(longest)} "
                f"characters, over DNS's {MAX_NAME_LENGTH}; use a shorter mta-sts:delegation.zone_name"
            )
            problems.append(Problem(f"{d.key}.domain", d.domain, reason))
    return problems


def _cloudfront_hosted(d: FleetDomain) -> bool:
    return d.delegated or d.host.kind == "cloudfront"


def _shard_problems(domains: Sequence[FleetDomain], per_certificate: int) -> list[Problem]:
    """Pinned shards: only on CloudFront-hosted domains, and an assignment that can keep them."""
    problems = [
        Problem(f"{d.key}.shard", d.shard, "applies only to domains served by the shared CloudFront hosting; remove it")
        for d in domains
        if d.shard is not None and not _cloudfront_hosted(d)
    ]
    hosted = [d for d in domains if _cloudfront_hosted(d)]
    pins = {d.domain: d.shard for d in hosted if d.shard is not None}
    fields = {"domains_per_certificate": f"{_DEFAULTS}.host.domains_per_certificate", "domains": _DOMAINS}
    listed = list(dict.fromkeys(d.domain for d in hosted))  # a domain listed twice is reported by entry
    for problem in shard_problems(listed, pins, per_certificate):
        problems.append(
            Problem(fields.get(problem.field, f"{_DOMAINS}.{problem.field}"), problem.value, problem.reason)
        )
    return problems


def _entries(values: Mapping[str, Any]) -> tuple[list[object], list[Problem]]:
    raw = values.get("domains")
    if isinstance(raw, list) and raw:
        return list(raw), []
    reason = "must be a non-empty list of objects, each with domain and any key overriding mta-sts:defaults"
    return [], [Problem(_DOMAINS, raw, reason)]


def load_fleet_config(values: Mapping[str, Any]) -> FleetConfig:
    """Validate a fleet stack's ``mta-sts:`` values (keys without the namespace). Raises
    :class:`InputError` listing every problem of every entry, each named where it was written."""
    values = {k: (None if v == "" else v) for k, v in values.items()}
    problems = _Problems()
    problems.extend(_single_domain_keys(values))
    base, found = _defaults(values)
    problems.extend(found)
    delegation, found = _delegation(values)
    problems.extend(found)
    raw_entries, found = _entries(values)
    problems.extend(found)
    entries = [_entry(index, raw, base) for index, raw in enumerate(raw_entries)]
    for entry in entries:
        problems.extend(entry.problems)
    problems.extend(_duplicates(entries))
    loaded = [e.loaded for e in entries if e.loaded is not None]
    problems.extend(_delegation_problems(loaded, delegation, values.get("delegation") is not None))
    problems.extend(_shard_problems(loaded, base.domains_per_certificate))
    if problems or len(loaded) != len(entries):
        raise InputError(problems)
    return FleetConfig(tuple(loaded), base.domains_per_certificate, delegation, base.store_keys)


def load_any_config(values: Mapping[str, Any]) -> StackConfig | FleetConfig:
    """A stack's ``mta-sts:`` values validated as what they are: a fleet (``mta-sts:domains``,
    :func:`load_fleet_config`) or one domain (:func:`~.stack.load_stack_config`)."""
    if is_fleet(values):
        return load_fleet_config(values)
    return load_stack_config(values)
