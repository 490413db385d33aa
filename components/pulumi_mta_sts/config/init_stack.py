"""The pure half of ``mta-sts init``: the DNS provider, ``mx`` patterns for the live MX hosts (an exact
name, or ``*.<suffix>`` for a suffix a mail provider documents) and the stack file's text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname, normalize_mx_pattern
from pulumi_mta_sts.core.matching import matches
from pulumi_mta_sts.core.records import validate_rua

from .init_project import extras_for


@dataclass(frozen=True)
class MailProvider:
    """A mail provider whose MX names are ``depth`` labels below a suffix (``wildcard`` False: hosts stay exact)."""

    name: str
    suffixes: tuple[str, ...]
    source: str
    wildcard: bool = True
    depth: int = 1


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
    MailProvider("Microsoft 365", ("mx.microsoft",), "https://c7solutions.com/2024/02/what-is-mx-microsoft", depth=2),
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
    pattern: str
    provider: str | None = None


def pattern_for(host: str) -> PatternChoice:
    """``*.`` and the name above ``host``'s first label when ``host`` is as deep below a provider's suffix as
    its MX names are (``*.<suffix>``, ``*.<zone>.mx.microsoft``), else ``host``."""
    if unusable_hosts([host]):
        return PatternChoice(host)
    for provider in MAIL_PROVIDERS:
        for suffix in provider.suffixes:
            if host.endswith("." + suffix):
                fits = provider.wildcard and host[: -len(suffix) - 1].count(".") == provider.depth - 1
                return PatternChoice("*." + host.partition(".")[2] if fits else host, provider.name)
    return PatternChoice(host)


def mx_patterns(hosts: Sequence[str], existing: Sequence[str] = ()) -> list[str]:
    patterns = list(existing)
    for host in hosts:  # a pattern added for one host covers the next ones it matches
        if not matches(host, patterns):
            patterns.append(pattern_for(host).pattern)
    return patterns


def _not_as_written(
    names: Sequence[str], normalize: Callable[[object, str], tuple[str | None, list[Problem]]], field: str, where: str
) -> list[Problem]:
    problems: list[Problem] = []
    for name in names:
        normal, found = normalize(name, field)
        if normal != name:
            problems += found or [Problem(field, name, f"is written {normal!r} {where}")]
    return problems


def unusable_hosts(hosts: Sequence[str]) -> list[Problem]:
    """Why a live MX name is not a host name as written (``*.example.net`` would cover every host)."""
    return _not_as_written(hosts, normalize_hostname, "MX", "as a host name")


def unusable_patterns(patterns: Sequence[str]) -> list[Problem]:
    """Why a pattern found in DNS cannot go into a policy as it is (the stack loader's rule)."""
    return _not_as_written(patterns, normalize_mx_pattern, "mx", "in a policy")


def split_rua(ruas: Sequence[str]) -> tuple[list[str], list[Problem]]:
    found = [(uri, validate_rua(uri)) for uri in ruas]
    return [uri for uri, problems in found if not problems], [p for _, problems in found for p in problems]


def dns_provider_of(nameservers: Sequence[str]) -> str | None:
    """``route53``, ``cloudflare`` or ``None`` (anything else, mixed sets included)."""
    kinds = {_provider_of_one(ns) for ns in nameservers}
    return kinds.pop() if len(kinds) == 1 else None


def _provider_of_one(nameserver: str) -> str | None:
    labels = nameserver.lower().rstrip(".").split(".")
    if any(label.startswith("awsdns-") for label in labels):
        return "route53"
    return "cloudflare" if len(labels) == 4 and labels[1:] == ["ns", "cloudflare", "com"] else None


def stack_name_for(domain: str) -> str:
    return domain.replace(".", "-")


@dataclass(frozen=True)
class ReceiverChoice:
    region: str
    rule_set_name: str | None = None
    create_rule_set: bool = False
    alarm_email: str | None = None


@dataclass(frozen=True)
class InitChoices:
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
        return extras_for(self.provider, self.host_kind, self.receiver is not None)


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=True)


#: The note when no report goes anywhere (inside ``mta-sts:reporting``: ``init --force`` replaces it).
NO_REPORTS_LINES = (
    "  # No TLS-RPT reports: no _smtp._tls record is published, so nothing shows what senders fail on",
    "  # before mode enforce. List where reports go (mailto:/https: URIs) under rua, or turn on the",
    "  # receiver (receiver: {rule_set_name: ...}, docs/receiver.md); `mta-sts plan` warns until then.",
    "  rua: []",
)


def _reporting_lines(choices: InitChoices) -> list[str]:
    lines = ["mta-sts:reporting:"]
    if choices.rua:
        lines += ["  rua:", *(f"    - {_quoted(uri)}" for uri in choices.rua)]
    if (receiver := choices.receiver) is not None:
        if receiver.alarm_email:
            lines.append(f"  alarm_email: {_quoted(receiver.alarm_email)}")
        lines += ["  receiver:", f"    region: {_quoted(receiver.region)}"]
        if receiver.rule_set_name is not None:
            lines.append(f"    rule_set_name: {_quoted(receiver.rule_set_name)}   # the account's active SES rule set")
        if receiver.create_rule_set:
            lines.append("    create_rule_set: true   # makes a new rule set the active one (docs/receiver.md)")
    if not choices.rua and receiver is None:
        lines += NO_REPORTS_LINES
    return lines


def stack_entries(choices: InitChoices) -> str:
    """The ``mta-sts:`` entries (YAML at column 0): every value quoted, so YAML reads back what DNS said."""
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
    if "aws" not in choices.extras:
        return ""
    return f"aws:region: {defaults.INIT_AWS_REGION}   # the region of the stack's AWS resources; change it freely\n"


def header(choices: InitChoices) -> str:
    return f"# Written by `mta-sts init {choices.domain}` from what live DNS said.\n"
