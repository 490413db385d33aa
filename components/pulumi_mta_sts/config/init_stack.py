"""The pure half of ``mta-sts init``: the DNS provider of the name servers, ``mx`` patterns for the
live MX hosts and the stack file's text. A pattern is a host's exact name, or ``*.<suffix>`` for a
suffix a mail provider documents and a host one label below it, never broader than its MX names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname, normalize_mx_pattern
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.core.records import validate_rua

from .init_project import extras_for
from .stack_edit import edit_config


@dataclass(frozen=True)
class MailProvider:
    """A mail provider whose MX names are ``<one label>.<suffix>``; ``wildcard`` False means the
    provider's names share no suffix narrow enough for ``*.``, so hosts stay exact."""

    name: str
    suffixes: tuple[str, ...]
    source: str
    wildcard: bool = True


#: Mail providers and the documentation each suffix comes from.
MAIL_PROVIDERS: tuple[MailProvider, ...] = (
    MailProvider(
        "Google Workspace",
        ("aspmx.l.google.com",),
        "https://support.google.com/a/answer/174125 (ALT1..ALT4.ASPMX.L.GOOGLE.COM)",
    ),
    MailProvider(
        "Microsoft 365",
        ("mail.protection.outlook.com",),
        "https://learn.microsoft.com/purview/enhancing-mail-flow-with-mta-sts (mx: *.mail.protection.outlook.com)",
    ),
    MailProvider(
        "Fastmail",
        ("messagingengine.com",),
        "https://www.fastmail.help/hc/en-us/articles/360060591153 (in1-smtp/in2-smtp.messagingengine.com)",
    ),
    MailProvider("Proton", ("protonmail.ch",), "https://proton.me/support/custom-domain (mail/mailsec.protonmail.ch)"),
    MailProvider(
        "Zoho",
        ("zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp"),
        "https://www.zoho.com/mail/help/adminconsole/configure-email-delivery.html (mx/mx2/mx3.zoho.<region>)",
    ),
    MailProvider(
        "Amazon SES inbound",
        ("amazonaws.com",),
        "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-mx-record.html "
        "(inbound-smtp.<region>.amazonaws.com; exact names: *.<region>.amazonaws.com is every AWS service)",
        wildcard=False,
    ),
)


@dataclass(frozen=True)
class PatternChoice:
    """The pattern chosen for one MX host, and the provider it came from (``None``: exact name)."""

    host: str
    pattern: str
    provider: str | None = None


def pattern_for(host: str) -> PatternChoice:
    """``*.<suffix>`` when ``host`` is one label below a documented provider suffix, else ``host``
    (a host that is not a host name, see :func:`unusable_hosts`, never gets a wildcard)."""
    if unusable_hosts([host]):
        return PatternChoice(host, host)
    for provider in MAIL_PROVIDERS:
        for suffix in provider.suffixes:
            if host.endswith("." + suffix):
                one_label = "." not in host[: -len(suffix) - 1]
                return PatternChoice(host, "*." + suffix if provider.wildcard and one_label else host, provider.name)
    return PatternChoice(host, host)


def mx_patterns(hosts: Sequence[str], existing: Sequence[str] = ()) -> list[str]:
    """``existing`` patterns, plus a pattern for each host they do not cover, in MX order."""
    patterns = list(existing)
    for host in uncovered(hosts, patterns):
        pattern = pattern_for(host).pattern
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


def _not_as_written(
    names: Sequence[str], normalize: Callable[[object, str], tuple[str | None, list[Problem]]], field: str, where: str
) -> list[Problem]:
    """Why each of ``names`` is not exactly what ``normalize`` makes of it (refused, or written otherwise)."""
    problems: list[Problem] = []
    for name in names:
        normal, found = normalize(name, field)
        if normal != name:
            problems += found or [Problem(field, name, f"is written {normal!r} {where}")]
    return problems


def unusable_hosts(hosts: Sequence[str]) -> list[Problem]:
    """Why a live MX name is not a host name as written (a ``*`` label, an IP address ...): made a
    pattern, an MX named ``*.example.net`` would cover every host one label below it."""
    return _not_as_written(hosts, normalize_hostname, "MX", "as a host name")


def unusable_patterns(patterns: Sequence[str]) -> list[Problem]:
    """Why a pattern found in DNS cannot go into a policy as it is (the same rule the stack's
    loader applies), so ``init`` never writes a file ``mta-sts plan`` would refuse."""
    return _not_as_written(patterns, normalize_mx_pattern, "mx", "in a policy")


def split_rua(ruas: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The live ``rua`` URIs the stack accepts as they are, and the problems of the others."""
    kept: list[str] = []
    problems: list[Problem] = []
    for uri in ruas:
        found = validate_rua(uri)
        problems += found
        if not found:
            kept.append(uri)
    return kept, problems


def dns_provider_of(nameservers: Sequence[str]) -> str | None:
    """``route53`` for ``awsdns-`` name servers, ``cloudflare`` for ``*.ns.cloudflare.com``,
    ``None`` for anything else (mixed sets included: the caller names them)."""
    kinds = {_provider_of_one(ns) for ns in nameservers}
    if len(kinds) == 1:
        return kinds.pop()
    return None


def _provider_of_one(nameserver: str) -> str | None:
    labels = nameserver.lower().rstrip(".").split(".")
    if any(label.startswith("awsdns-") for label in labels):
        return "route53"
    if len(labels) == 4 and labels[1:] == ["ns", "cloudflare", "com"]:
        return "cloudflare"
    return None


def stack_name_for(domain: str) -> str:
    """The default stack name: the domain with dots as dashes (``example.com`` -> ``example-com``)."""
    return domain.replace(".", "-")


@dataclass(frozen=True)
class ReceiverChoice:
    """``--receiver``: deploy the TLS-RPT receiver (``mta-sts:reporting.receiver``) in ``region``,
    its receipt rule in the account's active rule set ``rule_set_name`` or in a new one
    (``create_rule_set``); ``alarm_email`` gets its alarms and the weekly digest."""

    region: str
    rule_set_name: str | None = None
    create_rule_set: bool = False
    alarm_email: str | None = None


@dataclass(frozen=True)
class InitChoices:
    """Everything the written stack file says."""

    domain: str
    provider: str
    zone: str
    mode: str
    max_age: int
    mx: tuple[str, ...]
    rua: tuple[str, ...] = ()
    receiver: ReceiverChoice | None = None

    @property
    def host_kind(self) -> str:
        return defaults.DEFAULT_HOST_KIND[self.provider]

    @property
    def extras(self) -> tuple[str, ...]:
        """The package extras the stack's providers need."""
        return extras_for(self.provider, self.host_kind, self.receiver is not None)


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), so no value changes meaning."""
    return json.dumps(value, ensure_ascii=True)


#: The stack file's note when no report goes anywhere (inside ``mta-sts:reporting``, so that
#: ``init --force`` replaces it with the rest of the ``mta-sts:`` keys).
NO_REPORTS_LINES = (
    "  # No TLS-RPT reports: no _smtp._tls record is published, so nothing shows what senders fail on",
    "  # before mode enforce. List where reports go (mailto:/https: URIs) under rua, or turn on the",
    "  # receiver (receiver: {rule_set_name: ...}, docs/receiver.md); `mta-sts plan` warns until then.",
    "  rua: []",
)


def _receiver_lines(receiver: ReceiverChoice) -> list[str]:
    lines = ["  receiver:", f"    region: {_quoted(receiver.region)}"]
    if receiver.rule_set_name is not None:
        lines.append(f"    rule_set_name: {_quoted(receiver.rule_set_name)}   # the account's active SES rule set")
    if receiver.create_rule_set:
        lines.append("    create_rule_set: true   # makes a new rule set the active one (docs/receiver.md)")
    return lines


def _reporting_lines(choices: InitChoices) -> list[str]:
    lines = ["mta-sts:reporting:"]
    if choices.rua:
        lines += ["  rua:", *(f"    - {_quoted(uri)}" for uri in choices.rua)]
    if choices.receiver is not None:
        if choices.receiver.alarm_email:
            lines.append(f"  alarm_email: {_quoted(choices.receiver.alarm_email)}")
        lines += _receiver_lines(choices.receiver)
    if not choices.rua and choices.receiver is None:
        lines += NO_REPORTS_LINES
    return lines


def stack_entries(choices: InitChoices) -> str:
    """The ``mta-sts:`` entries of the stack file (YAML at column 0, for :mod:`.stack_edit`): every
    value quoted, so YAML reads back exactly what DNS said; comments only inside entries."""
    lines = [
        f"mta-sts:domain: {_quoted(choices.domain)}   # from live DNS by `mta-sts init`; review, then `mta-sts plan`",
        "mta-sts:dns:",
        f"  provider: {choices.provider}",
        f"  zone_name: {_quoted(choices.zone)}",
        "mta-sts:host:",
        f"  kind: {choices.host_kind}",
        "mta-sts:policy:",
        f"  mode: {choices.mode}",
        f"  max_age: {choices.max_age}",
        "  mx:",
        *(f"    - {_quoted(pattern)}" for pattern in choices.mx),
        *_reporting_lines(choices),
    ]
    return "\n".join(lines) + "\n"


def region_entry(choices: InitChoices) -> str:
    """``aws:region`` for a stack with AWS resources (added only where the file has none)."""
    if "aws" not in choices.extras:
        return ""
    return f"aws:region: {defaults.INIT_AWS_REGION}   # the region of the stack's AWS resources; change it freely\n"


def header(choices: InitChoices) -> str:
    """The first line of a new stack file: where it came from."""
    return f"# Written by `mta-sts init {choices.domain}` from what live DNS said.\n"


def stack_text(choices: InitChoices) -> str:
    """A new stack file for ``choices``, as ``init`` writes it into an empty file."""
    return edit_config(header(choices), block=region_entry(choices) + stack_entries(choices))
