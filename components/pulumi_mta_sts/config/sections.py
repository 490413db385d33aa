"""What a stack file asks for: a :class:`Deployment` of one domain or a fleet (:mod:`.fleet_stack`),
each domain's settings read by the same section loaders, so one mistake gets one message, named by
the key where it was written (``mta-sts:policy``, ``mta-sts:domains[3].policy``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields, replace
from typing import Any, Literal

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import common_name_problem
from pulumi_mta_sts.core.policy import Policy, validate_policy
from pulumi_mta_sts.core.records import tlsrpt_record_value, validate_rua
from pulumi_mta_sts.spec.dane_reporting import PER_MX_KEYS, PerMxSetting, per_mx_hosts
from pulumi_mta_sts.spec.deployment import DelegationArgs, DnsConfig, FleetDomainArgs, MtaStsFleetArgs
from pulumi_mta_sts.spec.receiver_settings import (
    ReceiverSettings,
    alarm_email_problems,
    check_receiver_settings,
    mailto_rua,
    settings_from_mapping,
)
from pulumi_mta_sts.spec.rules import boolean, host_kind_problems, not_one_of, whole_number, zone_problems

NAMESPACE = "mta-sts"
#: The sections of one domain's settings (of a single-domain stack, a fleet entry, ``mta-sts:defaults``).
SECTIONS = ("dns", "host", "policy", "reporting", "preflight")


@dataclass(frozen=True)
class HostConfig:
    kind: str
    verify_live: bool = True
    verify_timeout: int = defaults.VERIFY_TIMEOUT


@dataclass(frozen=True)
class ReceiverConfig:
    enabled: bool = False
    settings: ReceiverSettings = field(default_factory=ReceiverSettings)


@dataclass(frozen=True)
class ReportingConfig:
    rua: tuple[str, ...] = ()
    receiver: ReceiverConfig = field(default_factory=ReceiverConfig)
    alarm_email: str | None = None
    per_mx: tuple[str, ...] = ()  # MX hosts that get _smtp._tls.<host> too (spec/dane_reporting.py)

    @property
    def publishes_record(self) -> bool:
        return bool(self.rua) or self.receiver.enabled


@dataclass(frozen=True)
class PreflightConfig:
    mx_coverage: bool = True


@dataclass(frozen=True)
class DomainConfig:
    domain: str
    dns: DnsConfig | None
    """``None`` for a fleet's delegated domain (its DNS is its owner's)."""
    host: HostConfig
    policy: Policy
    """The configured policy (while offboarding: the one senders may still have cached)."""
    reporting: ReportingConfig = field(default_factory=ReportingConfig)
    preflight: PreflightConfig = field(default_factory=PreflightConfig)
    prefix: str = f"{NAMESPACE}:"
    """``mta-sts:``, or ``mta-sts:domains[3].`` in a fleet."""
    offboard: bool = False
    offboard_since: dt.date | None = None
    """The day the ``mode: none`` policy was first deployed (``offboard: 'YYYY-MM-DD'``)."""
    shard: int | None = None

    @property
    def delegated(self) -> bool:
        return self.dns is None

    @property
    def key(self) -> str:
        """Its place in the stack file: ``mta-sts:domains[3]`` in a fleet, else ``mta-sts:domain``."""
        return self.prefix.removesuffix(".") if self.prefix != f"{NAMESPACE}:" else f"{NAMESPACE}:domain"

    @property
    def served_policy(self) -> Policy:
        """While offboarding ``mode: none`` with its ``max_age`` (RFC 8461 §8.3)."""
        return Policy("none", (), self.policy.max_age) if self.offboard else self.policy

    @property
    def removable_on(self) -> dt.date | None:
        """The first day an offboarded entry may go."""
        if self.offboard_since is None:
            return None
        return self.offboard_since + dt.timedelta(seconds=self.policy.max_age) + dt.timedelta(days=1)

    def args(self) -> FleetDomainArgs:
        kind, live, timeout = astuple(self.host)
        return FleetDomainArgs(self.domain, self.served_policy, self.dns, kind, self.reporting.rua, live, timeout)


@dataclass(frozen=True)
class Deployment:
    """Its domains; ``layout``: one domain's stack or a fleet (only :mod:`pulumi_mta_sts.program.layouts` asks)."""

    layout: Literal["domain", "fleet"]
    domains: tuple[DomainConfig, ...]
    domains_per_certificate: int = defaults.DOMAINS_PER_CERTIFICATE
    delegation: DelegationArgs | None = None
    store_keys: str = defaults.STORE_KEYS

    def fleet_args(self) -> MtaStsFleetArgs:
        return MtaStsFleetArgs(
            domains=[d.args() for d in self.domains],
            delegation=self.delegation,
            domains_per_certificate=self.domains_per_certificate,
            assignment={d.domain: d.shard for d in self.domains if d.shard is not None},
            store_keys=self.store_keys,
        )


class Collector:
    """Every problem of one load; ``prefix`` goes before each key path (``mta-sts:domains[12].``)."""

    def __init__(self, prefix: str = f"{NAMESPACE}:") -> None:
        self.prefix = prefix
        self.problems: list[Problem] = []

    def key(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def add(self, path: str, value: object, reason: str) -> None:
        self.problems.append(Problem(self.key(path), value, reason))

    def extend(self, problems: Sequence[Problem], under: str | None = None) -> None:
        """``problems`` named relative to the path ``under``, or (``None``) by their whole key."""
        self.problems += [p if under is None else p.under(self.key(under)) for p in problems]

    def check(self) -> None:
        unique: dict[tuple[str, str], Problem] = {}
        for problem in self.problems:
            unique.setdefault((problem.field, problem.reason), problem)
        if unique:
            raise InputError(unique.values())

    def mapping(self, path: str, value: object, known: Sequence[str]) -> Mapping[str, Any] | None:
        """``value`` as a mapping (``None``: it is none), keys not in ``known`` reported."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(path, value, f"must be an object (YAML mapping), got {type(value).__name__}")
            return None
        self.unknown(path, value, known)
        return value

    def unknown(self, path: str, value: Mapping[str, Any], known: Sequence[str]) -> None:
        for name in value:
            if name not in known:
                close = difflib.get_close_matches(str(name), known, n=1)
                advice = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
                self.add(f"{path}.{name}" if path else str(name), value[name], f"is not a known setting; {advice}")

    def boolean(self, path: str, value: object, default: bool) -> bool:
        switch, problems = boolean(self.key(path), value, default)
        self.extend(problems)
        return switch

    def integer(self, path: str, value: object, default: int, low: int, high: int) -> int:
        number, problems = whole_number(self.key(path), value, low, high)
        self.extend(problems if value is not None else [])
        return default if number is None else number

    def choice(self, path: str, value: object, choices: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        self.problems.append(not_one_of(self.key(path), value, choices))
        return None

    def string_list(self, path: str, value: object) -> list[Any]:
        if value is None or isinstance(value, list | tuple):
            return list(value or [])
        if isinstance(value, str):
            return [value]
        self.add(path, value, "must be a list")
        return []


def load_domain(c: Collector, path: str, raw: object) -> str | None:
    if raw is None:
        c.add(path, None, "is required; set it to the mail domain, e.g. example.com")
        return None
    domain, found = normalize_hostname(raw, c.key(path))
    c.extend(found)
    return domain


def _load_dns(c: Collector, raw: object, domain: str | None) -> DnsConfig | None:
    value = c.mapping("dns", raw, ("provider", "zone_id", "zone_name"))
    if value is None:
        return None
    if "provider" not in value:
        c.add("dns.provider", None, f"is required; set it to {' or '.join(defaults.DNS_PROVIDERS)}")
        return None
    provider = c.choice("dns.provider", value["provider"], defaults.DNS_PROVIDERS)
    zone_id, zone_name = value.get("zone_id"), value.get("zone_name")
    normal_name, problems = zone_problems(zone_id, zone_name, required=False)
    c.extend(problems, "dns")
    if any(p.field == "zone_id" for p in problems):
        zone_id = None
    zone_name = normal_name or (domain if zone_id is None else None)
    if zone_name and domain and domain != zone_name and not domain.endswith("." + zone_name):
        c.add("dns.zone_name", zone_name, f"zone {zone_name!r} does not contain the domain {domain!r}")
    if provider is None:
        return None
    return DnsConfig(provider, zone_id.strip() if isinstance(zone_id, str) else None, zone_name)


def _load_host(c: Collector, raw: object, provider: str | None) -> HostConfig | None:
    value = c.mapping("host", raw, ("kind", "verify_live", "verify_timeout"))
    if value is None:
        return None
    if value.get("kind") is None:  # unknown provider: no kind, but the other keys are still checked
        kind: str | None = defaults.default_host_kind(provider) if provider is not None else None
    else:
        kind = c.choice("host.kind", value["kind"], defaults.HOST_KINDS)
    if kind is not None:
        c.extend(host_kind_problems(kind, provider, c.key("host.kind")))
    verify_live = c.boolean("host.verify_live", value.get("verify_live"), True)
    timeout = c.integer(
        "host.verify_timeout", value.get("verify_timeout"), defaults.VERIFY_TIMEOUT, *defaults.VERIFY_TIMEOUT_RANGE
    )
    return HostConfig(kind, verify_live, timeout) if kind else None


def _load_policy(c: Collector, raw: object) -> Policy | None:
    value = c.mapping("policy", raw, ("mode", "mx", "max_age", "extensions"))
    if value is None:
        return None
    mode = value.get("mode", defaults.DEFAULT_MODE)
    extensions = value.get("extensions")
    if extensions is not None and not isinstance(extensions, Mapping):
        c.add("policy.extensions", extensions, "must be an object of name: value pairs")
        extensions = None
    mode = mode.strip().lower() if isinstance(mode, str) else mode
    policy, problems = validate_policy(
        mode, value.get("mx"), value.get("max_age", defaults.DEFAULT_MAX_AGE), extensions
    )
    key = c.key("policy")  # a problem of the whole policy (its rendered size) names mta-sts:policy itself
    c.extend([Problem(key, p.value, p.reason) if p.field == "policy" else p.under(key) for p in problems])
    return policy


_RECEIVER_KEYS = ("enabled", *(f.name for f in fields(ReceiverSettings)))


def _load_receiver(c: Collector, raw: object, domain: str | None) -> ReceiverConfig:
    path = "reporting.receiver"
    if isinstance(raw, str) and raw.strip().lower() not in ("true", "false"):  # `receiver: true` arrives as "true"
        c.add(path, raw, "must be true, false or an object of receiver settings (e.g. {rule_set_name: ...})")
        return ReceiverConfig()
    if isinstance(raw, bool | str) or raw is None:
        value: Mapping[str, Any] | None = {"enabled": boolean(path, raw, False)[0]}
    else:
        value = c.mapping(path, raw, _RECEIVER_KEYS)
    if value is None:
        return ReceiverConfig()
    enabled = c.boolean(f"{path}.enabled", value.get("enabled"), True)
    settings, problems = settings_from_mapping(value)
    if domain is not None and not problems:
        problems = check_receiver_settings(domain, settings, require_rule_set=enabled)
    c.extend(problems, path)
    return ReceiverConfig(enabled=enabled, settings=settings)


def _load_reporting(c: Collector, raw: object, domain: str | None) -> ReportingConfig:
    value = c.mapping("reporting", raw, ("rua", "receiver", "alarm_email", *PER_MX_KEYS))
    if value is None:
        return ReportingConfig()
    ruas = c.string_list("reporting.rua", value.get("rua"))
    for index, uri in enumerate(ruas):
        c.extend(validate_rua(uri, f"rua[{index}]"), "reporting")
    receiver = _load_receiver(c, value.get("receiver"), domain)
    if (ruas or receiver.enabled) and domain is not None and not c.problems:
        try:  # the record as published, its size too: named here, before anything registers
            tlsrpt_record_from_config(ruas, domain, receiver.settings if receiver.enabled else None, c.prefix)
        except InputError as exc:
            c.extend(exc.problems)
    alarm = value.get("alarm_email")
    for problem in alarm_email_problems(alarm):
        c.add("reporting.alarm_email", problem.value, problem.reason)
        alarm = None
    clean = tuple(dict.fromkeys(u.strip() for u in ruas if isinstance(u, str)))
    return ReportingConfig(clean, receiver, alarm)


def tlsrpt_record_from_config(
    ruas: Sequence[str], domain: str, settings: ReceiverSettings | None, prefix: str = "mta-sts:"
) -> str:
    """The ``_smtp._tls`` value published (these URIs, then the receiver's mailbox unless ``settings`` is
    ``None``: no receiver), checked as a whole; problems name config keys, never a list position."""
    try:
        return tlsrpt_record_value([*ruas, *([] if settings is None else [mailto_rua(domain, settings)])])
    except InputError as exc:
        raise InputError(_rua_problem_key(p, len(ruas), prefix) for p in exc.problems) from None


def _rua_problem_key(problem: Problem, configured: int, prefix: str) -> Problem:
    name, _, rest = problem.field.partition("]")
    index = name.removeprefix("rua[")
    if not (name.startswith("rua[") and index.isdigit()):
        return Problem(f"{prefix}reporting.{problem.field}", problem.value, problem.reason)
    key = f"reporting.rua[{index}]{rest}" if int(index) < configured else f"reporting.receiver.mailbox{rest}"
    return Problem(f"{prefix}{key}", problem.value, problem.reason)


_DELEGATED_HOST = (
    "a delegated domain is served by the fleet's CloudFront hosting (a Worker serves only names in a "
    "Cloudflare zone of this account); use kind cloudfront or leave it out"
)
_NO_RECEIVER = "the TLS-RPT receiver is not available in a fleet stack; give reporting.rua (e.g. its mailbox)"


def load_sections(c: Collector, values: Mapping[str, Any], domain: str | None, **flags: Any) -> DomainConfig | None:
    """One domain's sections (``None``: one could not be read). ``flags``: a fleet entry's
    :class:`DomainConfig` fields, ``fleet`` and ``delegated`` (no ``dns``)."""
    fleet, delegated = bool(flags.pop("fleet", False)), bool(flags.pop("delegated", False))
    dns: DnsConfig | None = None
    if not delegated and "dns" in values:
        dns = _load_dns(c, values.get("dns"), domain)
    elif not delegated:
        c.add("dns", None, "is required; e.g. {provider: route53} or {provider: cloudflare}")
    host = _load_host(c, values.get("host"), dns.provider if dns else None)
    policy = _load_policy(c, values.get("policy"))
    reporting = _load_reporting(c, values.get("reporting"), domain)
    hosts, found = per_mx_hosts(values.get("reporting"), PerMxSetting(domain, dns, policy, reporting, fleet))
    c.extend(found, "reporting")
    reporting = replace(reporting, per_mx=hosts)
    checks = c.mapping("preflight", values.get("preflight"), ("mx_coverage",)) or {}
    preflight = PreflightConfig(c.boolean("preflight.mx_coverage", checks.get("mx_coverage"), True))
    if delegated and host is not None and host.kind != "cloudfront":
        c.add("host.kind", host.kind, _DELEGATED_HOST)
    if fleet and reporting.receiver.enabled:
        c.add("reporting.receiver", True, _NO_RECEIVER)
    if not fleet and domain is not None and host is not None and host.kind == "cloudfront":  # its own certificate
        zone = dns.zone_name if dns else None
        c.extend([p for p in [common_name_problem(domain, c.key("domain"), zone, c.key("dns.zone_name"))] if p])
    if domain is None or host is None or policy is None or (dns is None and not delegated):
        return None
    return DomainConfig(domain, dns, host, policy, reporting, preflight, c.prefix, **flags)
