"""Stack configuration: the ``mta-sts:`` namespace of ``stacks/Pulumi.<stack>.yaml``.

One stack is one mail domain. Loading validates everything up front and reports every problem
with the config key and the fix (``mta-sts:policy.max_age: 40000000 is above ...``), so a
wrong config stops the program before any resource is registered.

Keys (all under ``mta-sts:``)::

    domain: example.com                  # required
    dns:                                 # where the records go
      provider: route53 | cloudflare     # required
      zone_id: Z123...                   # or zone_name (looked up); default zone_name = domain
      zone_name: example.com
    host:                                # who serves https://mta-sts.<domain>/...
      kind: cloudfront | worker          # default: cloudfront on route53, worker on cloudflare
      verify_live: true                  # wait until the new policy is served before the new id
      verify_timeout: 600                # seconds
    policy:
      mode: testing                      # enforce | testing | none (default testing)
      mx: [mx1.example.com, "*.mail.example.net"]
      max_age: 86401                     # default 86401 (one day + one second)
      extensions: {}                     # optional extension fields
    reporting:
      rua: [mailto:tlsrpt@example.com]   # TLS-RPT destinations
      receiver: false                    # or an object: deploy the TLS-RPT receiver
      #   enabled: true                    # default true when the object is given
      #   region: us-east-1                # SES receiving region of the receiver
      #   rule_set_name: my-active-set     # the account's ACTIVE SES receipt rule set, or:
      #   create_rule_set: false           # true: create and activate one (deactivates others)
      #   subdomain, mailbox, https, failed_sessions_threshold, silence_days,
      #   raw_retention_days, quarantine_retention_days, max_body_bytes (receiver_settings.py)
      alarm_email: ops@example.com       # optional
    preflight:
      mx_coverage: true                  # refuse enforce when live MX hosts are not covered
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import common_name_problem
from pulumi_mta_sts.core.policy import Policy, validate_policy
from pulumi_mta_sts.core.records import tlsrpt_record_value, validate_rua

from .files import file_kind
from .receiver import (
    ReceiverSettings,
    alarm_email_problems,
    check_receiver_settings,
    mailto_rua,
    settings_from_mapping,
)
from .stack_file import SECRET, decode_config_value, read_project_file, read_stack_config

__all__ = [
    "DNS_PROVIDERS",
    "HOST_KINDS",
    "NAMESPACE",
    "PRICE_CLASSES",
    "SECTIONS",
    "WORKER_NEEDS_CLOUDFLARE",
    "DnsConfig",
    "DomainSections",
    "HostConfig",
    "PreflightConfig",
    "ReceiverConfig",
    "ReportingConfig",
    "StackConfig",
    "decode_config_value",
    "digit_string",
    "dns_config_problems",
    "find_stack_file",
    "find_stacks_dir",
    "host_kind_problems",
    "id_problems",
    "load_sections",
    "load_stack_config",
    "load_stack_file",
    "no_reports_note",
    "not_one_of",
    "policy_problems",
    "price_class_problems",
    "project_name",
    "read_stack_file",
    "rua_problem_key",
    "stack_name_problems",
    "stack_values",
    "stacks_dir_problems",
    "tags_problems",
    "verify_timeout_problems",
    "whole_number_problems",
    "zone_problems",
]

NAMESPACE = "mta-sts"
DNS_PROVIDERS = defaults.DNS_PROVIDERS
HOST_KINDS = defaults.HOST_KINDS
DEFAULT_VERIFY_TIMEOUT = defaults.VERIFY_TIMEOUT
#: CloudFront's price classes (which edge locations serve the policy).
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
#: Why a Cloudflare Worker cannot serve the policy of a zone elsewhere (stack config and the hosts).
WORKER_NEEDS_CLOUDFLARE = (
    "a Cloudflare Worker needs dns.provider cloudflare (a CloudflareDns backend); use kind cloudfront"
)
#: AWS limits on tag names and values (characters).
TAG_KEY_LENGTH = 128
TAG_VALUE_LENGTH = 256


@dataclass(frozen=True)
class DnsConfig:
    """``provider``: ``route53`` or ``cloudflare``. ``zone_id`` if known, else ``zone_name``
    (looked up at deploy time)."""

    provider: str
    zone_id: str | None = None
    zone_name: str | None = None


@dataclass(frozen=True)
class HostConfig:
    """``kind``: ``cloudfront`` (S3 + CloudFront + ACM) or ``worker`` (Cloudflare Worker).
    ``verify_live``: before publishing a new id, wait (up to ``verify_timeout`` seconds) until
    the policy URL serves the new body."""

    kind: str
    verify_live: bool = True
    verify_timeout: int = DEFAULT_VERIFY_TIMEOUT


@dataclass(frozen=True)
class ReceiverConfig:
    """The TLS-RPT receiver (SES inbound + Lambda + HTTPS endpoint); off unless ``enabled``.
    ``settings``: how it is deployed (:class:`~pulumi_mta_sts.config.receiver.ReceiverSettings`)."""

    enabled: bool = False
    settings: ReceiverSettings = field(default_factory=ReceiverSettings)


@dataclass(frozen=True)
class ReportingConfig:
    """``rua``: where senders send TLS-RPT reports (mailto:/https: URIs)."""

    rua: tuple[str, ...] = ()
    receiver: ReceiverConfig = field(default_factory=ReceiverConfig)
    alarm_email: str | None = None

    @property
    def publishes_record(self) -> bool:
        """Whether the stack publishes a ``_smtp._tls`` record: only with a ``rua`` or the receiver."""
        return bool(self.rua) or self.receiver.enabled


def no_reports_note(domain: str, key: str = f"{NAMESPACE}:reporting", *, receiver: bool = True) -> str:
    """What ``mta-sts plan``, ``pulumi up`` and ``mta-sts init`` say when ``domain`` gets no
    ``_smtp._tls`` record (``key``: where its reporting settings are; ``receiver``: whether the
    receiver could be turned on there): without reports a policy that fails senders is invisible
    until mail is lost."""
    fix = f"set {key}.rua or turn on {key}.receiver" if receiver else f"set {key}.rua"
    return (
        f"no _smtp._tls record will be published for {domain} ({key} has no rua"
        f"{' and no receiver' if receiver else ''}): senders send no TLS-RPT reports, so there is no way to see "
        f"their failures before mode enforce; {fix} (docs/configuration.md)"
    )


@dataclass(frozen=True)
class PreflightConfig:
    """``mx_coverage``: in enforce mode, refuse to deploy when a live MX host of the domain is not
    covered by the policy's ``mx`` patterns (set false only while moving MX in the same change)."""

    mx_coverage: bool = True


@dataclass(frozen=True)
class StackConfig:
    """Everything one domain stack needs, validated."""

    domain: str
    dns: DnsConfig
    host: HostConfig
    policy: Policy
    reporting: ReportingConfig = field(default_factory=ReportingConfig)
    preflight: PreflightConfig = field(default_factory=PreflightConfig)


# --------------------------------------------------------------------------- shared rules
# Stack config and the components (MtaSts, the DNS backends, the policy hosts) check the same
# inputs with these, so a library user and a stack user get the same message for one mistake.
# Each takes the field name to report (``mta-sts:host.kind`` here, ``host`` in MtaStsArgs).


def not_one_of(field_name: str, value: object, choices: Sequence[str]) -> Problem:
    """``value`` is not one of ``choices``."""
    return Problem(field_name, value, f"{value!r} is not supported; use one of {', '.join(choices)}")


def whole_number_problems(field_name: str, value: object, low: int, high: int) -> list[Problem]:
    """``value`` must be an ``int`` (not a ``bool``) from ``low`` to ``high``."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return []
    return [Problem(field_name, value, _range_reason(value, low, high))]


#: The longest digit string read as a number (far beyond every range here; int() of thousands of
#: digits is slow and, past 4300, refused by Python).
MAX_DIGITS = 18


def digit_string(text: str) -> int | None:
    """The whole number an ASCII digit string stands for (``" 600 "`` → 600); ``None`` for anything
    else: signs, other scripts' digits (``'¹²³'``, ``'٣'``), more than :data:`MAX_DIGITS` digits."""
    text = text.strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def _range_reason(value: object, low: int, high: int) -> str:
    return f"must be a whole number from {low} to {high}, got {value!r}"


def verify_timeout_problems(value: object, field_name: str = "verify_timeout") -> list[Problem]:
    """Seconds ``PolicyLive`` keeps trying: :data:`~pulumi_mta_sts.core.defaults.VERIFY_TIMEOUT_RANGE`."""
    return whole_number_problems(field_name, value, *defaults.VERIFY_TIMEOUT_RANGE)


def price_class_problems(value: object, field_name: str = "price_class") -> list[Problem]:
    """One of CloudFront's three price classes (:data:`PRICE_CLASSES`, exact spelling)."""
    return [] if value in PRICE_CLASSES else [not_one_of(field_name, value, PRICE_CLASSES)]


def tags_problems(value: object, field_name: str = "tags") -> list[Problem]:
    """AWS tags: a mapping of text names (1 to 128 characters) to text values (at most 256)."""
    if not isinstance(value, Mapping):
        return [
            Problem(field_name, value, f"must be a mapping of tag names to text values, got {type(value).__name__}")
        ]
    problems: list[Problem] = []
    for key, text in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_LENGTH:
            problems.append(
                Problem(f"{field_name}.{key}", key, f"a tag name is text of 1 to {TAG_KEY_LENGTH} characters")
            )
        elif not isinstance(text, str) or len(text) > TAG_VALUE_LENGTH:
            problems.append(
                Problem(f"{field_name}.{key}", text, f"a tag value is text of at most {TAG_VALUE_LENGTH} characters")
            )
    return problems


def policy_problems(value: object, field_name: str = "policy") -> list[Problem]:
    """Components take a ready :class:`Policy` (valid by construction), never raw fields."""
    if isinstance(value, Policy):
        return []
    return [Problem(field_name, value, "must be a Policy (use Policy.build(mode, mx, max_age))")]


def host_kind_problems(kind: object, dns_provider: str | None, field_name: str = "host.kind") -> list[Problem]:
    """``kind`` is a host kind, and the DNS provider can carry it (``dns_provider`` ``None``: not
    known, not checked)."""
    if kind not in HOST_KINDS:
        return [not_one_of(field_name, kind, HOST_KINDS)]
    if kind == "worker" and dns_provider is not None and dns_provider != "cloudflare":
        return [Problem(field_name, "worker", WORKER_NEEDS_CLOUDFLARE)]
    return []


def id_problems(value: object, field_name: str, owner: str) -> list[Problem]:
    """An optional provider id (of a ``zone``, an ``account``): ``None``, or text without spaces."""
    if value is None or (isinstance(value, str) and value.strip() and " " not in value.strip()):
        return []
    return [Problem(field_name, value, f"must be the {owner}'s id as a string (no spaces)")]


def zone_problems(zone_id: object, zone_name: object, *, required: bool = True) -> tuple[str | None, list[Problem]]:
    """The zone name in normal form (``None`` when not given) and the problems of a zone given by
    ``zone_id`` and/or ``zone_name`` (fields ``zone_id`` / ``zone_name``); with ``required``, one
    of the two must be given."""
    problems = id_problems(zone_id, "zone_id", "zone")
    normal: str | None = None
    if zone_name is not None:
        normal, name_problems = normalize_hostname(zone_name, "zone_name", min_labels=1)
        problems += name_problems
    elif required and zone_id is None:
        problems.append(Problem("zone_id", None, "give the zone's id or its name (zone_name)"))
    return normal, problems


def dns_config_problems(dns: DnsConfig, field_name: str = "dns") -> list[Problem]:
    """A :class:`DnsConfig` given to a component directly (stack config is checked on loading)."""
    problems = [] if dns.provider in DNS_PROVIDERS else [not_one_of("provider", dns.provider, DNS_PROVIDERS)]
    problems += zone_problems(dns.zone_id, dns.zone_name)[1]
    return [p.under(field_name) for p in problems]


# --------------------------------------------------------------------------- helpers


class _Collector:
    """Gathers every problem of one load. ``prefix`` goes before each key path: ``mta-sts:`` for a
    single-domain stack, ``mta-sts:domains[12].`` for an entry of a fleet (config/fleet.py), so the
    same section loaders name the key where the user wrote it."""

    def __init__(self, prefix: str = f"{NAMESPACE}:") -> None:
        self.prefix = prefix
        self.problems: list[Problem] = []

    def key(self, path: str) -> str:
        """The config key of ``path`` (``policy.mx`` → ``mta-sts:policy.mx``)."""
        return f"{self.prefix}{path}"

    def add(self, path: str, value: object, reason: str) -> None:
        self.problems.append(Problem(self.key(path), value, reason))

    def mapping(self, path: str, value: object) -> Mapping[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(path, value, f"must be an object (YAML mapping), got {type(value).__name__}")
            return None
        return value

    def unknown(self, path: str, value: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for name in value:
            if name not in known:
                close = difflib.get_close_matches(str(name), known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
                where = f"{path}.{name}" if path else str(name)
                self.add(where, value[name], f"is not a known setting; {hint}")

    def boolean(self, path: str, value: object, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        self.add(path, value, f"must be true or false, got {value!r}")
        return default

    def integer(self, path: str, value: object, default: int, low: int, high: int) -> int:
        if value is None:
            return default
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            number = digit_string(value)
        if number is None or not low <= number <= high:
            self.add(path, value, _range_reason(value, low, high))
            return default
        return number

    def choice(self, path: str, value: object, choices: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        self.problems.append(not_one_of(self.key(path), value, choices))
        return None

    def string_list(self, path: str, value: object) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return list(value)
        self.add(path, value, "must be a list")
        return []


# --------------------------------------------------------------------------- sections


def _load_dns(c: _Collector, raw: object, domain: str | None) -> DnsConfig | None:
    value = c.mapping("dns", raw)
    if value is None:
        return None
    c.unknown("dns", value, ("provider", "zone_id", "zone_name"))
    if "provider" not in value:
        c.add("dns.provider", None, f"is required; set it to {' or '.join(DNS_PROVIDERS)}")
        return None
    provider = c.choice("dns.provider", value["provider"], DNS_PROVIDERS)
    zone_id, zone_name = value.get("zone_id"), value.get("zone_name")
    normal_name, problems = zone_problems(zone_id, zone_name, required=False)
    c.problems.extend(p.under(c.key("dns")) for p in problems)
    if any(p.field == "zone_id" for p in problems):
        zone_id = None
    zone_name = normal_name
    if zone_id is None and zone_name is None:
        zone_name = domain
    if zone_name and domain and domain != zone_name and not domain.endswith("." + zone_name):
        c.add("dns.zone_name", zone_name, f"zone {zone_name!r} does not contain the domain {domain!r}")
    if provider is None:
        return None
    return DnsConfig(provider, zone_id.strip() if isinstance(zone_id, str) else None, zone_name)


def _load_host(c: _Collector, raw: object, provider: str | None) -> HostConfig | None:
    value = c.mapping("host", raw)
    if value is None:
        return None
    c.unknown("host", value, ("kind", "verify_live", "verify_timeout"))
    if value.get("kind") is None:  # unknown provider: no kind, but the other keys are still checked
        kind: str | None = defaults.default_host_kind(provider) if provider is not None else None
    else:
        kind = c.choice("host.kind", value["kind"], HOST_KINDS)
    if kind is not None:
        c.problems.extend(host_kind_problems(kind, provider, c.key("host.kind")))
    verify_live = c.boolean("host.verify_live", value.get("verify_live"), True)
    timeout = c.integer(
        "host.verify_timeout", value.get("verify_timeout"), DEFAULT_VERIFY_TIMEOUT, *defaults.VERIFY_TIMEOUT_RANGE
    )
    return HostConfig(kind, verify_live, timeout) if kind else None


def _load_policy(c: _Collector, raw: object) -> Policy | None:
    value = c.mapping("policy", raw)
    if value is None:
        return None
    c.unknown("policy", value, ("mode", "mx", "max_age", "extensions"))
    mode = value.get("mode", defaults.DEFAULT_MODE)
    if isinstance(mode, str):
        mode = mode.strip().lower()
    extensions = value.get("extensions")
    if extensions is not None and not isinstance(extensions, Mapping):
        c.add("policy.extensions", extensions, "must be an object of name: value pairs")
        extensions = None
    max_age = value.get("max_age", defaults.DEFAULT_MAX_AGE)
    policy, problems = validate_policy(mode, value.get("mx"), max_age, extensions)
    # A problem of the whole policy (its rendered size) names mta-sts:policy itself.
    c.problems.extend(
        Problem(c.key("policy"), p.value, p.reason) if p.field == "policy" else p.under(c.key("policy"))
        for p in problems
    )
    return policy


_RECEIVER_KEYS = ("enabled", *(f.name for f in fields(ReceiverSettings)))


def _load_receiver(c: _Collector, raw: object, domain: str | None) -> ReceiverConfig:
    path = "reporting.receiver"
    if isinstance(raw, str):  # the engine passes `receiver: true` as "true"
        if raw.strip().lower() not in ("true", "false"):
            c.add(path, raw, "must be true, false or an object of receiver settings (e.g. {rule_set_name: ...})")
            return ReceiverConfig()
        raw = raw.strip().lower() == "true"
    if isinstance(raw, bool) or raw is None:
        value: Mapping[str, Any] | None = {"enabled": bool(raw)}
    else:
        value = c.mapping(path, raw)
    if value is None:
        return ReceiverConfig()
    c.unknown(path, value, _RECEIVER_KEYS)
    enabled = c.boolean(f"{path}.enabled", value.get("enabled"), True)
    settings, problems = settings_from_mapping(value)
    if domain is not None and not problems:
        problems = check_receiver_settings(domain, settings, require_rule_set=enabled)
    c.problems.extend(p.under(c.key(path)) for p in problems)
    return ReceiverConfig(enabled=enabled, settings=settings)


def _load_reporting(c: _Collector, raw: object, domain: str | None) -> ReportingConfig:
    value = c.mapping("reporting", raw)
    if value is None:
        return ReportingConfig()
    c.unknown("reporting", value, ("rua", "receiver", "alarm_email"))
    ruas = c.string_list("reporting.rua", value.get("rua"))
    for index, uri in enumerate(ruas):
        c.problems.extend(p.under(c.key("reporting")) for p in validate_rua(uri, f"rua[{index}]"))
    receiver = _load_receiver(c, value.get("receiver"), domain)
    if receiver.enabled and domain is not None and not c.problems:
        c.problems.extend(_with_receiver_problems(ruas, mailto_rua(domain, receiver.settings), c.prefix))
    alarm = value.get("alarm_email")
    for problem in alarm_email_problems(alarm):
        c.add("reporting.alarm_email", problem.value, problem.reason)
        alarm = None
    clean = tuple(dict.fromkeys(u.strip() for u in ruas if isinstance(u, str)))
    return ReportingConfig(clean, receiver, alarm)


def _with_receiver_problems(ruas: Sequence[str], mailbox: str, prefix: str) -> list[Problem]:
    """The ``_smtp._tls`` record the receiver publishes (the configured URIs plus its mailbox) must
    be valid as a whole, e.g. within what a TXT record can carry; problems name the config key
    (``reporting.rua[i]``, ``reporting.receiver.mailbox``), never the record's list position."""
    try:
        tlsrpt_record_value([*ruas, mailbox])
    except InputError as exc:
        return [rua_problem_key(p, len(ruas), prefix) for p in exc.problems]
    return []


def rua_problem_key(problem: Problem, configured: int, prefix: str = f"{NAMESPACE}:") -> Problem:
    """A problem of the combined ``rua`` list (configured URIs, then the receiver's mailbox) with
    the config key it comes from (``prefix``: where the keys sit, ``mta-sts:`` by default)."""
    match = re.fullmatch(r"rua\[(\d+)\](.*)", problem.field)
    if match is None:
        return Problem(f"{prefix}reporting.{problem.field}", problem.value, problem.reason)
    index, rest = int(match.group(1)), match.group(2)
    key = f"reporting.rua[{index}]{rest}" if index < configured else f"reporting.receiver.mailbox{rest}"
    return Problem(f"{prefix}{key}", problem.value, problem.reason)


def _load_preflight(c: _Collector, raw: object) -> PreflightConfig:
    value = c.mapping("preflight", raw)
    if value is None:
        return PreflightConfig()
    c.unknown("preflight", value, ("mx_coverage",))
    return PreflightConfig(mx_coverage=c.boolean("preflight.mx_coverage", value.get("mx_coverage"), True))


#: The sections of one domain's settings (the keys of a single-domain stack besides ``domain``,
#: and of each fleet entry and ``mta-sts:defaults``).
SECTIONS = ("dns", "host", "policy", "reporting", "preflight")
_TOP_LEVEL = ("domain", *SECTIONS)


@dataclass(frozen=True)
class DomainSections:
    """One domain's sections as loaded; a section is ``None`` where it had a problem (or, for
    ``dns``, where none was asked for)."""

    dns: DnsConfig | None
    host: HostConfig | None
    policy: Policy | None
    reporting: ReportingConfig
    preflight: PreflightConfig


def load_sections(
    values: Mapping[str, Any], domain: str | None, prefix: str, *, with_dns: bool = True
) -> tuple[DomainSections, list[Problem]]:
    """Load the sections of one domain (:data:`SECTIONS`; other keys of ``values`` are not looked
    at) with every problem named ``<prefix><section>.<key>``. ``with_dns`` false: the domain's
    DNS is not managed here (a fleet's delegated domain) and ``dns`` is neither required nor read."""
    c = _Collector(prefix)
    dns: DnsConfig | None = None
    if with_dns and "dns" in values:
        dns = _load_dns(c, values.get("dns"), domain)
    elif with_dns:
        c.add("dns", None, "is required; e.g. {provider: route53} or {provider: cloudflare}")
    host = _load_host(c, values.get("host"), dns.provider if dns else None)
    policy = _load_policy(c, values.get("policy"))
    reporting = _load_reporting(c, values.get("reporting"), domain)
    preflight = _load_preflight(c, values.get("preflight"))
    return DomainSections(dns, host, policy, reporting, preflight), c.problems


def load_stack_config(values: Mapping[str, Any]) -> StackConfig:
    """Validate the ``mta-sts:`` settings (keys without the namespace) into a :class:`StackConfig`.

    Raises :class:`InputError` listing every problem, fields named ``mta-sts:<path>``.
    """
    c = _Collector()
    values = {k: (None if v == "" else v) for k, v in values.items()}  # an empty value reaches the program as ""
    if "domains" in values:  # a fleet stack (config/fleet.py): say so rather than "not a known setting"
        reason = (
            "makes this a fleet stack (docs/fleets.md), which has no single domain to read here; "
            "a fleet's policies and records are in its plan and its 'domains' output"
        )
        raise InputError([Problem(c.key("domains"), "(a list of domains)", reason)])
    c.unknown("", values, _TOP_LEVEL)
    domain: str | None = None
    if values.get("domain") is None:
        c.add("domain", None, "is required; set it to the mail domain, e.g. example.com")
    else:
        domain, problems = normalize_hostname(values["domain"], c.key("domain"))
        c.problems.extend(problems)
    sections, problems = load_sections(values, domain, c.prefix)
    host_kind = sections.host.kind if sections.host else None
    zone = sections.dns.zone_name if sections.dns else None
    acm = common_name_problem(domain, c.key("domain"), zone, c.key("dns.zone_name")) if domain else None
    if host_kind == "cloudfront" and acm is not None:
        problems.append(acm)
    c.problems.extend(problems)
    dns, host, policy = sections.dns, sections.host, sections.policy
    if c.problems or domain is None or dns is None or host is None or policy is None:
        raise InputError(c.problems)
    return StackConfig(domain, dns, host, policy, sections.reporting, sections.preflight)


# --------------------------------------------------------------------------- stack files
# Read as the Pulumi CLI reads them (stack_file.py cites its source), so that `mta-sts plan` and
# `render --stack` see what `pulumi up` hands the program.

PROJECT_FILE = "Pulumi.yaml"
_STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _project_file(start: Path) -> Path | None:
    """The nearest ``Pulumi.yaml`` at or above ``start`` (a file of that name of any kind)."""
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE
        if os.path.lexists(candidate):
            return candidate
    return None


def find_stacks_dir(start: Path | None = None) -> Path:
    """The stack config directory: ``stackConfigDir`` of the nearest ``Pulumi.yaml`` at or above
    ``start`` (default: the working directory), else ``./stacks``. An unreadable or invalid
    ``Pulumi.yaml`` is an :class:`InputError` naming it (``pulumi`` refuses it too)."""
    here = (start or Path.cwd()).resolve()
    project = _project_file(here)
    if project is None:
        return here / "stacks"
    config_dir = read_project_file(project).get("stackConfigDir")
    return project.parent / (config_dir if isinstance(config_dir, str) else ".")


def project_name(folder: Path) -> str | None:
    """The ``name`` of the project whose ``Pulumi.yaml`` is at or above ``folder`` (None: none)."""
    project = _project_file(folder.resolve())
    name = read_project_file(project).get("name") if project is not None else None
    return name if isinstance(name, str) and name else None


def stack_name_problems(stack: str) -> list[Problem]:
    if isinstance(stack, str) and _STACK_NAME.fullmatch(stack):
        return []
    return [Problem("--stack", stack, "must be a stack name such as example-com (letters, digits, '-', '_', '.')")]


def _not_a_directory(folder: Path) -> str | None:
    """Why ``folder`` is no directory to read stack files from (``None``: it is one). A name the
    system refuses (too long, a NUL) is a reason too, not an error."""
    try:
        mode = os.stat(folder).st_mode
    except FileNotFoundError:
        return "does not exist"
    except (OSError, ValueError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    return None if stat.S_ISDIR(mode) else "is not a directory"


def stacks_dir_problems(folder: Path, given: bool) -> list[Problem]:
    what = _not_a_directory(folder)
    if what is None:
        return []
    if given:
        return [
            Problem("--stacks-dir", str(folder), f"{folder} {what}; give the folder of the Pulumi.<stack>.yaml files")
        ]
    return [
        Problem(
            "--stacks-dir",
            str(folder),
            f"the stacks folder {folder} {what}; run from the project (its {PROJECT_FILE} names the folder) "
            "or give --stacks-dir",
        )
    ]


def find_stack_file(stack: str, stacks_dir: Path | None = None) -> Path:
    """``<stacks_dir>/Pulumi.<stack>.yaml``; raises :class:`InputError` when the name is not a stack
    name, the folder is not a directory, or the file does not exist or is not a regular file."""
    problems = stack_name_problems(stack)
    if problems:
        raise InputError(problems)
    folder = stacks_dir or find_stacks_dir()
    problems = stacks_dir_problems(folder, stacks_dir is not None)
    if problems:
        raise InputError(problems)
    path = folder / f"Pulumi.{stack}.yaml"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
        hint = f"known stacks: {', '.join(known)}" if known else f"no stack files in {folder}"
        raise InputError([Problem("--stack", stack, f"{path} does not exist; {hint}")]) from None
    except OSError as exc:
        raise InputError([Problem("--stack", stack, f"{path} is not a readable file ({exc.strerror})")]) from None
    if not stat.S_ISREG(mode):
        raise InputError([Problem("--stack", stack, f"{path} is {file_kind(mode)}, not a readable file")])
    return path


def read_stack_file(path: Path, project: str | None = None) -> dict[str, Any]:
    """Every ``config:`` entry of a stack file as ``pulumi up`` hands it to the program:
    ``namespace:key`` → text (objects and lists as JSON; ``{"secure": ...}`` for a secret). Keys
    written without a namespace belong to ``project`` (default: the ``name`` in ``Pulumi.yaml``).
    Raises :class:`InputError` naming the file (and key and line) for anything ``pulumi`` would
    refuse, and for ``mta-sts:`` values whose meaning depends on the YAML version."""
    return read_stack_config(path, project or project_name(path.parent), NAMESPACE)


def stack_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``mta-sts:`` entries of :func:`read_stack_file`'s result as the program reads them
    (keys without the namespace; JSON decoded; a secret as ``(secret)``)."""
    prefix = f"{NAMESPACE}:"
    return {
        key[len(prefix) :]: decode_config_value(SECRET if isinstance(value, Mapping) else value)
        for key, value in config.items()
        if key.startswith(prefix)
    }


def load_stack_file(path: Path) -> StackConfig:
    """Load and validate the ``mta-sts:`` settings of a stack file."""
    values = stack_values(read_stack_file(path))
    try:
        return load_stack_config(values)
    except InputError as exc:
        raise InputError(Problem(f"{path.name}: {p.field}", p.value, p.reason) for p in exc.problems) from None
