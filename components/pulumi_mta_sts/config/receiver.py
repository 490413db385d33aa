"""Settings of the TLS-RPT receiver and their validation (pure: no Pulumi, no I/O).

Shared by the stack configuration loader (``mta-sts:reporting.receiver``) and the
:class:`~pulumi_mta_sts.receiver.component.TlsRptReceiver` component, so both refuse the same mistakes
with the same words. Problems name the setting relative to the receiver (``region``,
``subdomain``, ...); callers place them under their own prefix with :meth:`Problem.under`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import SES_RECEIPT_RULE, SES_RULE_SET, name_problem
from pulumi_mta_sts.core.records import validate_rua

__all__ = [
    "DEFAULT_MAILBOX",
    "DEFAULT_REGION",
    "DEFAULT_SUBDOMAIN_LABEL",
    "MAX_BODY_BYTES_LIMIT",
    "MAX_SILENCE_DAYS",
    "SES_RECEIVING_REGIONS",
    "ReceiverSettings",
    "alarm_email_problems",
    "check_receiver_settings",
    "inbound_mx_value",
    "mailbox_problems",
    "mailto_rua",
    "reports_subdomain",
    "settings_from_mapping",
]

#: Regions where SES receives mail (its ``inbound-smtp.<region>.amazonaws.com`` endpoints), as
#: listed in the SES endpoints documentation.
SES_RECEIVING_REGIONS: frozenset[str] = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "ap-northeast-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
    }
)
DEFAULT_REGION = defaults.RECEIVER_REGION
DEFAULT_SUBDOMAIN_LABEL = defaults.RECEIVER_SUBDOMAIN_LABEL
DEFAULT_MAILBOX = defaults.RECEIVER_MAILBOX
DEFAULT_RULE_SET = defaults.RECEIVER_RULE_SET
MAX_SILENCE_DAYS = defaults.RECEIVER_MAX_SILENCE_DAYS
MAX_BODY_BYTES_LIMIT = defaults.RECEIVER_MAX_BODY_BYTES_LIMIT

_MAILBOX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_+")


@dataclass(frozen=True)
class ReceiverSettings:
    """How the TLS-RPT receiver is deployed. Every field has a safe default except the rule set:
    either name the account's active rule set or ask for one to be created."""

    region: str = DEFAULT_REGION
    """AWS region of SES inbound, the bucket and the function; must receive mail (see
    :data:`SES_RECEIVING_REGIONS`)."""
    subdomain: str | None = None
    """The reports mailbox's domain; default ``tlsrpt.<domain>``; never the domain itself."""
    mailbox: str = DEFAULT_MAILBOX
    """Local part of the reports address (``reports`` → ``mailto:reports@tlsrpt.<domain>``)."""
    rule_set_name: str | None = None
    """The SES receipt rule set the rule is added to: by default the account's ACTIVE one, by
    name (only one rule set is active per account and region)."""
    create_rule_set: bool = False
    """Create a rule set (named ``rule_set_name`` or ``mta-sts-tlsrpt``) and make it the active
    one. This deactivates whatever rule set the account had in that region."""
    https: bool = True
    """Also accept reports by HTTPS POST (a Lambda function URL added to ``rua``)."""
    failed_sessions_threshold: int = defaults.RECEIVER_FAILED_SESSIONS_THRESHOLD
    """Alarm when a domain's failed sessions in one day reach this many."""
    silence_days: int = defaults.RECEIVER_SILENCE_DAYS
    """Alarm when no report at all arrived for a domain for this many days (1 to 7)."""
    raw_retention_days: int = defaults.RECEIVER_RAW_RETENTION_DAYS
    """Days ``raw/`` objects (messages and bodies as received) are kept."""
    quarantine_retention_days: int = defaults.RECEIVER_QUARANTINE_RETENTION_DAYS
    """Days ``quarantine/`` objects are kept."""
    max_body_bytes: int = defaults.RECEIVER_MAX_BODY_BYTES
    """Largest HTTPS report body accepted (413 above)."""
    https_rate_limit: int = defaults.RECEIVER_HTTPS_RATE_LIMIT
    """Requests a second the public HTTPS endpoint passes on to the function (API Gateway answers
    429 above it): what bounds the function's concurrency and the bill, whoever posts."""
    https_burst_limit: int = defaults.RECEIVER_HTTPS_BURST_LIMIT
    """Requests the endpoint passes on in one burst."""
    reserved_concurrency: int | None = None
    """Lambda instances reserved for the function; empty: none (Lambda refuses a reservation that
    leaves the account's unreserved pool under its minimum, so a new account can reserve none)."""
    rule_after: str | None = None
    """The receipt rule of the rule set the receiver's rule is placed after; empty: first."""
    analytics: bool = defaults.RECEIVER_ANALYTICS
    """Lay the reports out for SQL (JSON lines under ``tables/``) and create a Glue database and
    table and an Athena workgroup over them (docs/receiver.md, "SQL at scale")."""
    digest: str = defaults.RECEIVER_DIGEST_DAY
    """The weekday the weekly digest goes to the alarm topic (``monday`` ... ``sunday``), or ``off``."""
    force_destroy: bool = defaults.RECEIVER_FORCE_DESTROY
    """Let ``pulumi destroy`` delete the reports bucket with every report and version in it. Off:
    reports are data, and S3 refuses to delete a bucket that holds objects, so a destroy stops
    there. Turn it on, ``pulumi up`` (the provider reads it from the state at delete time), then
    destroy; download the reports first (docs/receiver.md, "Removing the receiver")."""

    @property
    def effective_rule_set_name(self) -> str:
        return self.rule_set_name or DEFAULT_RULE_SET


def reports_subdomain(domain: str, settings: ReceiverSettings) -> str:
    """The reports mailbox's domain (``tlsrpt.<domain>`` unless set)."""
    return (settings.subdomain or f"{DEFAULT_SUBDOMAIN_LABEL}.{domain}").rstrip(".").lower()


def mailto_rua(domain: str, settings: ReceiverSettings) -> str:
    """The ``mailto:`` URI for the ``rua`` list."""
    return f"mailto:{settings.mailbox}@{reports_subdomain(domain, settings)}"


def inbound_mx_value(region: str) -> str:
    """The MX value (``<preference> <host>``) that sends the subdomain's mail to SES inbound."""
    return f"10 inbound-smtp.{region}.amazonaws.com"


def _int_in(problems: list[Problem], name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(Problem(name, value, f"must be a whole number from {low} to {high}, got {value!r}"))


def settings_from_mapping(values: Mapping[str, object]) -> tuple[ReceiverSettings, list[Problem]]:
    """Read settings from a config mapping (the keys of :class:`ReceiverSettings`; other keys are
    ignored — the caller reports unknown keys). Only types are checked here: a value of the wrong
    type is reported and replaced by its default; ranges and names are checked by
    :func:`check_receiver_settings`. Numbers may be given as digit strings, booleans as
    ``"true"``/``"false"``."""
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


#: Settings whose default is "none" but whose value is a whole number.
_OPTIONAL_NUMBERS = frozenset({"reserved_concurrency"})


def _read_setting(name: str, value: object, default: object) -> tuple[object, Problem | None]:
    """``value`` converted to the type of ``default`` (bool, int or text), or the problem."""
    if name == "digest" and value is False:  # YAML 1.1 reads a bare `off` as false
        return "off", None
    if name in _OPTIONAL_NUMBERS:
        default = 0
    if isinstance(default, bool):
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            return None, Problem(name, value, f"must be true or false, got {value!r}")
        return value, None
    if isinstance(default, int):
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            return None, Problem(name, value, f"must be a whole number, got {value!r}")
        return value, None
    if not isinstance(value, str) or not value.strip():
        return None, Problem(name, value, f"must be a non-empty string, got {value!r}")
    return (value.strip().lower() if name in ("region", "digest") else value.strip()), None


def check_receiver_settings(domain: str, settings: ReceiverSettings, *, require_rule_set: bool = True) -> list[Problem]:
    """Every problem with ``settings`` for a receiver serving ``domain`` (already normalised).
    ``require_rule_set=False`` skips the "name a rule set or create one" rule (for a receiver
    that is configured but not enabled)."""
    problems: list[Problem] = []
    if settings.region not in SES_RECEIVING_REGIONS:
        problems.append(
            Problem(
                "region",
                settings.region,
                f"SES does not receive mail in {settings.region!r}; use one of "
                f"{', '.join(sorted(SES_RECEIVING_REGIONS))}",
            )
        )
    if settings.subdomain is not None:
        problems += _subdomain_problems(domain, settings.subdomain)
    problems += mailbox_problems(domain, settings, subdomain_ok=not any(p.field == "subdomain" for p in problems))
    problems += _rule_set_problems(settings, require_rule_set)
    _int_in(problems, "failed_sessions_threshold", settings.failed_sessions_threshold, 1, 10**9)
    _int_in(problems, "silence_days", settings.silence_days, 1, MAX_SILENCE_DAYS)
    _int_in(problems, "raw_retention_days", settings.raw_retention_days, 1, 36500)
    _int_in(problems, "quarantine_retention_days", settings.quarantine_retention_days, 1, 36500)
    _int_in(problems, "max_body_bytes", settings.max_body_bytes, 1024, MAX_BODY_BYTES_LIMIT)
    _int_in(problems, "https_rate_limit", settings.https_rate_limit, 1, defaults.RECEIVER_HTTPS_RATE_LIMIT_MAX)
    _int_in(problems, "https_burst_limit", settings.https_burst_limit, 1, defaults.RECEIVER_HTTPS_BURST_LIMIT_MAX)
    problems += _reserved_concurrency_problems(settings.reserved_concurrency)
    problems += _rule_after_problems(settings.rule_after)
    problems += _digest_problems(settings.digest)
    problems += _boolean_problems("analytics", settings.analytics)
    problems += _boolean_problems("force_destroy", settings.force_destroy)
    return problems


def _boolean_problems(name: str, value: object) -> list[Problem]:
    """A switch given as anything but ``true``/``false`` (the package passes values unconverted)."""
    return [] if isinstance(value, bool) else [Problem(name, value, f"must be true or false, got {value!r}")]


def _digest_problems(digest: object) -> list[Problem]:
    """The weekly digest's day: a weekday in English, or ``off``."""
    if isinstance(digest, str) and digest in defaults.RECEIVER_DIGEST_DAYS:
        return []
    days = ", ".join(defaults.RECEIVER_DIGEST_DAYS)
    reason = f"must be one of {days} (the day the weekly digest is sent), got {digest!r}"
    return [Problem("digest", digest, reason)]


def _reserved_concurrency_problems(reserved: object) -> list[Problem]:
    high = defaults.RECEIVER_RESERVED_CONCURRENCY_MAX
    if reserved is None or (not isinstance(reserved, bool) and isinstance(reserved, int) and 1 <= reserved <= high):
        return []
    reason = (
        f"must be empty (no reservation: the endpoint's throttle bounds the function) or a whole number "
        f"from 1 to {high}; Lambda refuses it unless the account keeps its minimum unreserved "
        "concurrency (100; a new account with a quota of 10 cannot reserve any)"
    )
    return [Problem("reserved_concurrency", reserved, reason)]


def _rule_after_problems(after: object) -> list[Problem]:
    """``rule_after`` names an existing receipt rule: an SES rule name, or nothing (first)."""
    if after is None or (isinstance(after, str) and name_problem(SES_RECEIPT_RULE, after) is None):
        return []
    reason = (
        "must be the name of a receipt rule in the rule set (letters, digits, '.', '_' or '-', at most 63, "
        "a letter or digit at both ends), or empty to put the receiver's rule first"
    )
    return [Problem("rule_after", after, reason)]


def mailbox_problems(domain: str, settings: ReceiverSettings, *, subdomain_ok: bool = True) -> list[Problem]:
    """The reports mailbox (``mailbox``): a local part of letters, digits, '.', '-', '_' or '+', and
    the ``mailto:`` it makes must pass the same rule as every ``rua`` (so a mistake is reported
    here, naming ``mailbox``, never later as an anonymous ``rua`` entry)."""
    mailbox = settings.mailbox
    reason = "must be a mail local part of letters, digits, '.', '-', '_' or '+' (no leading, trailing or double dot)"
    if not isinstance(mailbox, str) or not mailbox or not set(mailbox.lower()) <= _MAILBOX_CHARS or len(mailbox) > 64:
        return [Problem("mailbox", mailbox, reason)]
    if subdomain_ok and validate_rua(mailto_rua(domain, settings)):
        return [Problem("mailbox", mailbox, reason)]
    return []


def _subdomain_problems(domain: str, subdomain: str) -> list[Problem]:
    """The reports mailbox's domain must be a host name strictly below ``domain``: an SES MX on
    the domain itself would take the domain's real mail."""
    sub, problems = normalize_hostname(subdomain, "subdomain")
    if sub is not None and sub == domain:
        problems.append(
            Problem(
                "subdomain",
                subdomain,
                f"is the domain itself; an MX for SES on {domain} would take the domain's real mail. "
                f"Use a dedicated subdomain such as tlsrpt.{domain}",
            )
        )
    elif sub is not None and not sub.endswith("." + domain):
        problems.append(
            Problem(
                "subdomain",
                subdomain,
                f"must be a subdomain of {domain} (its MX and verification records go in that zone), "
                f"e.g. tlsrpt.{domain}",
            )
        )
    return problems


def _rule_set_problems(settings: ReceiverSettings, require_rule_set: bool) -> list[Problem]:
    """One SES receipt rule set is active per region: the user names it, or asks for one."""
    name = settings.rule_set_name
    if name is None and not settings.create_rule_set and require_rule_set:
        return [
            Problem(
                "rule_set_name",
                None,
                "is required: give the name of the account's ACTIVE SES receipt rule set in "
                f"{settings.region} (only one is active per region), or set create_rule_set: true to create "
                "and activate one (that deactivates any other rule set in the region)",
            )
        ]
    if name is not None and settings.create_rule_set and (why := name_problem(SES_RULE_SET, str(name))):
        # SES creates a rule set only under today's rule (core/names.py cites it)
        return [Problem("rule_set_name", name, f"{why} for a rule set to create (create_rule_set: true)")]
    if name is not None and not _is_rule_set_name(name):
        return [
            Problem(
                "rule_set_name",
                name,
                "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            )
        ]
    return []


def _is_rule_set_name(name: object) -> bool:
    """An existing rule set's name: older SES pages allowed '.' too, so a set made then is still
    named here; one this toolkit creates follows today's rule (:data:`SES_RULE_SET`)."""
    return (
        isinstance(name, str)
        and 1 <= len(name) <= 64
        and all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in name)
        and name[0].isalnum()
    )


def alarm_email_problems(alarm_email: object) -> list[Problem]:
    """The rule for the alarm address (``reporting.alarm_email``, ``TlsRptReceiverArgs.alarm_email``):
    none, or one valid mail address."""
    if alarm_email is None:
        return []
    if isinstance(alarm_email, str) and not validate_rua(f"mailto:{alarm_email}"):
        return []
    return [Problem("alarm_email", alarm_email, "must be a mail address such as ops@example.com")]
