"""How the TLS-RPT receiver is deployed and its rules, for stack config, ``mta-sts init`` and the
``TlsRptReceiver`` component alike. Problems name the setting; callers use :meth:`Problem.under`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import SES_RECEIPT_RULE, SES_RULE_SET, name_problem
from pulumi_mta_sts.core.records import validate_rua

from .rules import boolean, digit_string, whole_number_problems

#: Regions where SES receives mail (``inbound-smtp.<region>.amazonaws.com``, the SES endpoints documentation).
SES_RECEIVING_REGIONS: frozenset[str] = frozenset(
    {"us-east-1", "us-east-2", "us-west-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2"}
    | {"ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3"}
)
_MAILBOX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_+")
#: An existing rule set's name (older SES allowed '.'; one created here follows ``SES_RULE_SET``).
_RULE_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class ReceiverSettings:
    """Every field has a safe default except the rule set."""

    region: str = defaults.RECEIVER_REGION
    """AWS region of SES inbound, the bucket and the function (:data:`SES_RECEIVING_REGIONS`)."""
    subdomain: str | None = None
    """Default ``tlsrpt.<domain>``; never the domain itself."""
    mailbox: str = defaults.RECEIVER_MAILBOX
    rule_set_name: str | None = None
    """The account's ACTIVE SES receipt rule set (one is active per region)."""
    create_rule_set: bool = False
    """Create and activate a rule set (deactivating the current one)."""
    https: bool = True
    failed_sessions_threshold: int = defaults.RECEIVER_FAILED_SESSIONS_THRESHOLD
    silence_days: int = defaults.RECEIVER_SILENCE_DAYS
    raw_retention_days: int = defaults.RECEIVER_RAW_RETENTION_DAYS
    quarantine_retention_days: int = defaults.RECEIVER_QUARANTINE_RETENTION_DAYS
    max_body_bytes: int = defaults.RECEIVER_MAX_BODY_BYTES
    https_rate_limit: int = defaults.RECEIVER_HTTPS_RATE_LIMIT
    https_burst_limit: int = defaults.RECEIVER_HTTPS_BURST_LIMIT
    reserved_concurrency: int | None = None
    rule_after: str | None = None
    analytics: bool = defaults.RECEIVER_ANALYTICS
    digest: str = defaults.RECEIVER_DIGEST_DAY
    force_destroy: bool = defaults.RECEIVER_FORCE_DESTROY
    """Let ``pulumi destroy`` delete the reports bucket with every report (docs/receiver.md)."""

    @property
    def effective_rule_set_name(self) -> str:
        return self.rule_set_name or defaults.RECEIVER_RULE_SET


def reports_subdomain(domain: str, settings: ReceiverSettings) -> str:
    return (settings.subdomain or f"{defaults.RECEIVER_SUBDOMAIN_LABEL}.{domain}").rstrip(".").lower()


def mailto_rua(domain: str, settings: ReceiverSettings) -> str:
    return f"mailto:{settings.mailbox}@{reports_subdomain(domain, settings)}"


def inbound_mx_value(region: str) -> str:
    return f"10 inbound-smtp.{region}.amazonaws.com"


def settings_from_mapping(values: Mapping[str, object]) -> tuple[ReceiverSettings, list[Problem]]:
    """Settings from a config mapping; a wrong type is reported and left at its default."""
    problems: list[Problem] = []
    chosen: dict[str, object] = {}
    for spec in fields(ReceiverSettings):
        if values.get(spec.name) is None:
            continue
        value, problem = _read_setting(spec.name, values[spec.name], spec.default)
        if problem is not None:
            problems.append(problem)
        else:
            chosen[spec.name] = value
    return ReceiverSettings(**chosen), problems  # type: ignore[arg-type]


def _read_setting(name: str, value: object, default: object) -> tuple[object, Problem | None]:
    if name == "digest" and value is False:  # YAML 1.1 reads a bare `off` as false
        return "off", None
    if isinstance(default, bool):
        switch, problems = boolean(name, value, default)
        return switch, problems[0] if problems else None
    if isinstance(default, int) or name == "reserved_concurrency":  # its default is "none"
        number = digit_string(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int):
            return None, Problem(name, value, f"must be a whole number, got {value!r}")
        return number, None
    if not isinstance(value, str) or not value.strip():
        return None, Problem(name, value, f"must be a non-empty string, got {value!r}")
    return (value.strip().lower() if name in ("region", "digest") else value.strip()), None


_RANGES = {
    "failed_sessions_threshold": (1, 10**9),
    "silence_days": (1, defaults.RECEIVER_MAX_SILENCE_DAYS),
    "raw_retention_days": (1, 36500),
    "quarantine_retention_days": (1, 36500),
    "max_body_bytes": (1024, defaults.RECEIVER_MAX_BODY_BYTES_LIMIT),
    "https_rate_limit": (1, defaults.RECEIVER_HTTPS_RATE_LIMIT_MAX),
    "https_burst_limit": (1, defaults.RECEIVER_HTTPS_BURST_LIMIT_MAX),
}


def check_receiver_settings(domain: str, settings: ReceiverSettings, *, require_rule_set: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    if settings.region not in SES_RECEIVING_REGIONS:
        reason = (
            f"SES does not receive mail in {settings.region!r}; use one of {', '.join(sorted(SES_RECEIVING_REGIONS))}"
        )
        problems.append(Problem("region", settings.region, reason))
    if settings.subdomain is not None:
        problems += _subdomain_problems(domain, settings.subdomain)
    problems += mailbox_problems(domain, settings, subdomain_ok=not any(p.field == "subdomain" for p in problems))
    problems += _rule_set_problems(settings, require_rule_set)
    for name, (low, high) in _RANGES.items():
        problems += whole_number_problems(name, getattr(settings, name), low, high)
    problems += _reserved_concurrency_problems(settings.reserved_concurrency)
    problems += _rule_after_problems(settings.rule_after)
    if not (isinstance(settings.digest, str) and settings.digest in defaults.RECEIVER_DIGEST_DAYS):
        reason = f"must be one of {', '.join(defaults.RECEIVER_DIGEST_DAYS)} (the day the weekly digest is sent)"
        problems.append(Problem("digest", settings.digest, f"{reason}, got {settings.digest!r}"))
    for name in ("analytics", "force_destroy"):  # the package passes values unconverted
        value = getattr(settings, name)
        problems += [] if isinstance(value, bool) else [Problem(name, value, f"must be true or false, got {value!r}")]
    return problems


def _reserved_concurrency_problems(reserved: object) -> list[Problem]:
    high = defaults.RECEIVER_RESERVED_CONCURRENCY_MAX
    if reserved is None or not whole_number_problems("reserved_concurrency", reserved, 1, high):
        return []
    reason = (
        f"must be empty (no reservation: the endpoint's throttle bounds the function) or a whole number "
        f"from 1 to {high}; Lambda refuses it unless the account keeps its minimum unreserved "
        "concurrency (100; a new account with a quota of 10 cannot reserve any)"
    )
    return [Problem("reserved_concurrency", reserved, reason)]


def _rule_after_problems(after: object) -> list[Problem]:
    if after is None or (isinstance(after, str) and name_problem(SES_RECEIPT_RULE, after) is None):
        return []
    reason = (
        "must be the name of a receipt rule in the rule set (letters, digits, '.', '_' or '-', at most 63, "
        "a letter or digit at both ends), or empty to put the receiver's rule first"
    )
    return [Problem("rule_after", after, reason)]


def mailbox_problems(domain: str, settings: ReceiverSettings, *, subdomain_ok: bool = True) -> list[Problem]:
    """Its ``mailto:`` must pass the ``rua`` rule; a mistake names ``mailbox``, not a ``rua`` entry."""
    mailbox = settings.mailbox
    reason = "must be a mail local part of letters, digits, '.', '-', '_' or '+' (no leading, trailing or double dot)"
    bad = not isinstance(mailbox, str) or not mailbox or not set(mailbox.lower()) <= _MAILBOX_CHARS or len(mailbox) > 64
    if bad or (subdomain_ok and validate_rua(mailto_rua(domain, settings))):
        return [Problem("mailbox", mailbox, reason)]
    return []


def _subdomain_problems(domain: str, subdomain: str) -> list[Problem]:
    sub, problems = normalize_hostname(subdomain, "subdomain")
    if sub is not None and sub == domain:
        reason = (
            f"is the domain itself; an MX for SES on {domain} would take the domain's real mail. "
            f"Use a dedicated subdomain such as tlsrpt.{domain}"
        )
        problems.append(Problem("subdomain", subdomain, reason))
    elif sub is not None and not sub.endswith("." + domain):
        reason = (
            f"must be a subdomain of {domain} (its MX and verification records go in that zone), e.g. tlsrpt.{domain}"
        )
        problems.append(Problem("subdomain", subdomain, reason))
    return problems


def _rule_set_problems(settings: ReceiverSettings, require_rule_set: bool) -> list[Problem]:
    name = settings.rule_set_name
    if name is None and not settings.create_rule_set and require_rule_set:
        reason = (
            "is required: give the name of the account's ACTIVE SES receipt rule set in "
            f"{settings.region} (only one is active per region), or set create_rule_set: true to create "
            "and activate one (that deactivates any other rule set in the region)"
        )
        return [Problem("rule_set_name", None, reason)]
    if name is not None and settings.create_rule_set and (why := name_problem(SES_RULE_SET, str(name))):
        # SES creates a rule set only under today's rule (core/names.py cites it)
        return [Problem("rule_set_name", name, f"{why} for a rule set to create (create_rule_set: true)")]
    if name is not None and not (isinstance(name, str) and _RULE_SET_NAME.fullmatch(name)):
        reason = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        return [Problem("rule_set_name", name, reason)]
    return []


def alarm_email_problems(alarm_email: object) -> list[Problem]:
    if alarm_email is None or (isinstance(alarm_email, str) and not validate_rua(f"mailto:{alarm_email}")):
        return []
    return [Problem("alarm_email", alarm_email, "must be a mail address such as ops@example.com")]
