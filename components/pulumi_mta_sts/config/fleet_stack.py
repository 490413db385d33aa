"""A fleet stack (``mta-sts:domains``, docs/fleets.md): each entry merged over ``mta-sts:defaults`` and
read by the single-domain loaders, every problem named where it was written (``mta-sts:domains[12].
policy.mx``, or once ``mta-sts:defaults.policy.max_age`` when inherited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import MAX_NAME_LENGTH
from pulumi_mta_sts.core.shards import shard_problems
from pulumi_mta_sts.spec.deployment import DelegationArgs, DnsConfig, delegated_names
from pulumi_mta_sts.spec.rules import not_one_of, store_keys_problems, whole_number, zone_problems

from .sections import SECTIONS, Collector, Deployment, DomainConfig, load_domain, load_sections
from .watch import WATCH_SECTION, load_watch

FLEET_KEYS = ("defaults", "domains", "delegation", WATCH_SECTION)
ENTRY_KEYS = ("domain", *SECTIONS, "delegated", "offboard", "shard")
DEFAULTS_KEYS = (*SECTIONS, "delegated")
#: Keys of ``mta-sts:defaults.host`` that are settings of the whole fleet, not of one domain.
FLEET_HOST_KEYS = ("domains_per_certificate", "store_keys")
_DELEGATION_KEYS = ("provider", "zone_name", "zone_id")


def merge_settings(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: objects merge, anything else replaces, ``None`` keeps ``base``'s."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = merge_settings(below, value)
        elif value is not None:
            merged[key] = value
    return merged


def load_fleet_config(values: Mapping[str, Any]) -> Deployment:
    values = {k: (None if v == "" else v) for k, v in values.items()}
    c = Collector()
    _single_domain_keys(c, values)
    load_watch(c, values)
    base, per_certificate, store_keys = _defaults(c, values)
    delegation = _delegation(c, values)
    raw = values.get("domains")
    if not (isinstance(raw, list) and raw):
        reason = "must be a non-empty list of objects, each with domain and any key overriding mta-sts:defaults"
        c.add("domains", raw, reason)
    entries = [_entry(c, index, entry, base) for index, entry in enumerate(raw if isinstance(raw, list) else [])]
    first: dict[str, int] = {}
    for index, (domain, _) in enumerate(entries):
        if domain is not None and first.setdefault(domain, index) != index:
            reason = f"{domain!r} is also mta-sts:domains[{first[domain]}]; list each domain once"
            c.add(f"domains[{index}].domain", domain, reason)
    loaded = [d for _, d in entries if d is not None]
    _delegation_problems(c, loaded, delegation, values.get("delegation") is not None)
    _shard_problems(c, loaded, per_certificate)
    c.check()
    return Deployment("fleet", tuple(loaded), per_certificate, delegation, store_keys)


def _single_domain_keys(c: Collector, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if name == "domain":
            reason = "is a single-domain key; in a fleet stack list each domain in mta-sts:domains ({domain: ...})"
            c.add(name, value, reason)
        elif name in SECTIONS:
            reason = (
                f"is a single-domain key; in a fleet stack (mta-sts:domains) put it under "
                f"mta-sts:defaults.{name} (every domain) or in a domain's entry"
            )
            c.add(name, value, reason)
    c.unknown("", {k: v for k, v in values.items() if k != "domain" and k not in SECTIONS}, FLEET_KEYS)


def _defaults(c: Collector, values: Mapping[str, Any]) -> tuple[dict[str, Any], int, str]:
    raw = dict(c.mapping("defaults", values.get("defaults"), DEFAULTS_KEYS) or {})
    per_certificate, layout = defaults.DOMAINS_PER_CERTIFICATE, defaults.STORE_KEYS
    host = raw.get("host")
    if not isinstance(host, Mapping):
        return raw, per_certificate, layout
    if host.get("domains_per_certificate") is not None:
        given = host["domains_per_certificate"]
        path = "defaults.host.domains_per_certificate"
        per_certificate = c.integer(path, given, per_certificate, 1, defaults.DOMAINS_PER_CERTIFICATE_MAX)
    if host.get("store_keys") is not None:
        found = store_keys_problems(host["store_keys"], c.key("defaults.host.store_keys"))
        c.extend(found)
        layout = layout if found else str(host["store_keys"])
    raw["host"] = {k: v for k, v in host.items() if k not in FLEET_HOST_KEYS}
    return raw, per_certificate, layout


def _delegation(c: Collector, values: Mapping[str, Any]) -> DelegationArgs | None:
    before = len(c.problems)
    raw = c.mapping("delegation", values.get("delegation"), _DELEGATION_KEYS)
    if not raw:
        return None
    provider = raw.get("provider")
    if provider not in defaults.DNS_PROVIDERS:
        c.extend([not_one_of(c.key("delegation.provider"), provider, defaults.DNS_PROVIDERS)])
    zone, found = zone_problems(raw.get("zone_id"), raw.get("zone_name"), required=False)
    c.extend(found, "delegation")
    if raw.get("zone_name") is None:
        reason = "is required: the delegated domains' records are named under it (e.g. mta-sts.provider.example)"
        c.add("delegation.zone_name", None, reason)
    if len(c.problems) > before or zone is None or not isinstance(provider, str):
        return None
    zone_id = raw.get("zone_id")
    return DelegationArgs(zone, DnsConfig(provider, zone_id.strip() if isinstance(zone_id, str) else None, zone))


def _entry(c: Collector, index: int, raw: object, base: Mapping[str, Any]) -> tuple[str | None, DomainConfig | None]:
    key, before = f"domains[{index}]", len(c.problems)
    entry = c.mapping(key, None if raw == "" else raw, ENTRY_KEYS)
    if entry is None:
        return None, None
    domain = load_domain(c, f"{key}.domain", entry.get("domain"))
    flags = _entry_flags(c, key, entry, base)
    _entry_settings(c, key, entry, flags["delegated"])
    own = {name: entry[name] for name in SECTIONS if name in entry and not (flags["delegated"] and name == "dns")}
    merged = merge_settings(base, own)
    if flags["delegated"]:
        merged.pop("dns", None)
        host = merged.get("host") or {}
        if isinstance(host, Mapping):  # anything else is reported by the host section's loader
            merged["host"] = merge_settings({"kind": "cloudfront"}, host)
    sections = Collector(c.key(f"{key}."))
    loaded = load_sections(sections, merged, domain, fleet=True, **flags)
    c.extend([_attribute(p, c.key(key), entry, base) for p in sections.problems])
    return domain, loaded if len(c.problems) == before else None


def _entry_flags(c: Collector, key: str, entry: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    delegated_key = f"{key}.delegated" if "delegated" in entry else "defaults.delegated"
    delegated = c.boolean(delegated_key, entry.get("delegated", base.get("delegated")), False)
    given, since = entry.get("offboard"), None
    if isinstance(given, str) and given.strip().lower() not in ("true", "false"):
        try:  # the day mode none was first deployed
            since = dt.date.fromisoformat(given.strip())
        except ValueError:
            reason = "must be true, false or the day mode none was first deployed as 'YYYY-MM-DD' (quoted)"
            c.add(f"{key}.offboard", given, reason)
        given = since is not None
    offboard = c.boolean(f"{key}.offboard", given, False)
    shard = None
    if entry.get("shard") is not None:
        shard, found = whole_number(c.key(f"{key}.shard"), entry["shard"], 0, defaults.SHARD_LIMIT - 1)
        c.extend(found)
    return {"delegated": delegated, "offboard": offboard, "offboard_since": since, "shard": shard}


def _entry_settings(c: Collector, key: str, entry: Mapping[str, Any], delegated: bool) -> None:
    host = entry.get("host")
    for name in FLEET_HOST_KEYS:
        if isinstance(host, Mapping) and name in host:
            reason = f"is a setting of the whole fleet; set it once in mta-sts:defaults.host.{name}"
            c.add(f"{key}.host.{name}", host[name], reason)
    if delegated and entry.get("dns") is not None:
        reason = "a delegated domain's DNS is the customer's (records go under mta-sts:delegation); remove dns here"
        c.add(f"{key}.dns", entry["dns"], reason)


def _given(settings: Mapping[str, Any], path: Sequence[str]) -> bool:
    node: Any = settings
    for name in path:
        if not isinstance(node, Mapping) or node.get(name) is None:
            return False
        node = node[name]
    return True


def _attribute(problem: Problem, key: str, entry: Mapping[str, Any], base: Mapping[str, Any]) -> Problem:
    """Name the key where the wrong value was written: the entry's, else the default it inherited."""
    if not problem.field.startswith(f"{key}."):
        return problem
    relative = problem.field[len(key) + 1 :]
    path = [part.split("[", 1)[0] for part in relative.split(".")]
    if _given(entry, path) or not _given(base, path):
        return problem
    return Problem(f"mta-sts:defaults.{relative}", problem.value, problem.reason)


def _delegation_problems(
    c: Collector, domains: Sequence[DomainConfig], delegation: DelegationArgs | None, given: bool
) -> None:
    delegated = [d for d in domains if d.delegated]
    if not delegated or (delegation is None and given):  # a delegation given wrong: its own problems say so
        return
    if delegation is None:
        reason = (
            f"is required while a domain is delegated ({delegated[0].key}); "
            "e.g. {provider: route53, zone_name: mta-sts.provider.example}"
        )
        c.add("delegation", None, reason)
        return
    for d in delegated:
        names = delegated_names(d.domain, delegation.zone)
        longest = max((names.sts, names.tlsrpt if d.reporting.rua else ""), key=len)
        if len(longest) > MAX_NAME_LENGTH:
            reason = (
                f"is too long for the delegation zone {delegation.zone!r}: {longest} would be {len(longest)} "
                f"characters, over DNS's {MAX_NAME_LENGTH}; use a shorter mta-sts:delegation.zone_name"
            )
            c.extend([Problem(f"{d.key}.domain", d.domain, reason)])


def _shard_problems(c: Collector, domains: Sequence[DomainConfig], per_certificate: int) -> None:
    hosted = [d for d in domains if d.delegated or d.host.kind == "cloudfront"]
    for d in domains:
        if d.shard is not None and not (d.delegated or d.host.kind == "cloudfront"):
            reason = "applies only to domains served by the shared CloudFront hosting; remove it"
            c.extend([Problem(f"{d.key}.shard", d.shard, reason)])
    pins = {d.domain: d.shard for d in hosted if d.shard is not None}
    listed = list(dict.fromkeys(d.domain for d in hosted))  # a domain listed twice is reported by entry
    named = {"domains_per_certificate": "defaults.host.domains_per_certificate", "domains": "domains"}
    for problem in shard_problems(listed, pins, per_certificate):
        c.add(named.get(problem.field, f"domains.{problem.field}"), problem.value, problem.reason)
