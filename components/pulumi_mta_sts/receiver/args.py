"""The receiver's arguments, checked in full before anything is registered: a component that fails
half-way leaves a partly registered graph (and a preview that deletes what it did not reach).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.names import SES_RECEIPT_RULE, physical_name
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.hosting.base import dns_backend_problems
from pulumi_mta_sts.receiver_lambda.contract import DEFAULT_NAMESPACE
from pulumi_mta_sts.spec.receiver_settings import (
    ReceiverSettings,
    alarm_email_problems,
    check_receiver_settings,
    reports_subdomain,
)

#: CloudWatch metric namespaces are at most 255 characters; ``AWS/`` is reserved for AWS's own.
NAMESPACE_MAX = 255
RESERVED_NAMESPACE_PREFIX = "AWS/"


@dataclass(frozen=True)
class TlsRptReceiverArgs:
    """Arguments of :class:`~pulumi_mta_sts.receiver.component.TlsRptReceiver`: the policy ``domain``
    (the reports subdomain goes under it, its MX and SES records through ``dns``), an ``alarm_email``
    to subscribe (confirmed by mail), ``extra_domains`` whose reports it also counts (all others are
    quarantined as foreign), and the CloudWatch ``metric_namespace``."""

    domain: str
    dns: DnsBackend
    settings: ReceiverSettings = field(default_factory=ReceiverSettings)
    alarm_email: str | None = None
    extra_domains: Sequence[str] = ()
    metric_namespace: str = DEFAULT_NAMESPACE


@dataclass(frozen=True)
class CheckedReceiverArgs:
    """Valid, normalised arguments each part builds from: ``served`` is ``domain`` then the extra
    domains; ``mailbox`` the full address, ``<mailbox>@<subdomain>``."""

    name: str
    domain: str
    served: tuple[str, ...]
    subdomain: str
    mailbox: str
    settings: ReceiverSettings
    dns: DnsBackend
    alarm_email: str | None
    metric_namespace: str

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def rule_set_name(self) -> str:
        return self.settings.effective_rule_set_name

    @property
    def rule_name(self) -> str:
        """``<component name>-tlsrpt``, cut to fit with a hash where SES needs it."""
        return physical_name(SES_RECEIPT_RULE, self.name, "tlsrpt")


def check_receiver_args(name: str, args: TlsRptReceiverArgs) -> CheckedReceiverArgs:
    """``args`` validated and normalised, or :class:`InputError` listing every problem."""
    domain, problems = normalize_hostname(args.domain, "domain")
    if not isinstance(args.settings, ReceiverSettings):
        problems.append(Problem("settings", args.settings, "must be a ReceiverSettings (see its fields)"))
    elif domain is not None:
        problems.extend(check_receiver_settings(domain, args.settings))
    served, served_problems = _served_domains(domain, args.extra_domains)
    problems.extend(served_problems)
    problems.extend(dns_backend_problems(args.dns))
    problems.extend(alarm_email_problems(args.alarm_email))
    problems.extend(_namespace_problems(args.metric_namespace))
    if isinstance(args.settings, ReceiverSettings) and domain is not None and args.settings.subdomain is None:
        problems.extend(_default_subdomain_problems(domain, args.settings))
    if problems or domain is None:
        raise InputError(problems or [Problem("domain", args.domain, "is required")])
    subdomain = reports_subdomain(domain, args.settings)
    return CheckedReceiverArgs(
        name=name,
        domain=domain,
        served=served,
        subdomain=subdomain,
        mailbox=f"{args.settings.mailbox}@{subdomain}",
        settings=args.settings,
        dns=args.dns,
        alarm_email=args.alarm_email,
        metric_namespace=args.metric_namespace,
    )


def _default_subdomain_problems(domain: str, settings: ReceiverSettings) -> list[Problem]:
    """``tlsrpt.<domain>`` must be a host name, else SES refuses the identity half-way through."""
    default = reports_subdomain(domain, settings)
    if not normalize_hostname(default, "subdomain")[1]:
        return []
    reason = f"the default reports subdomain {default[:40]}... is longer than 253 characters; set a shorter one"
    return [Problem("subdomain", None, reason)]


def _served_domains(domain: str | None, extra_domains: Sequence[str]) -> tuple[tuple[str, ...], list[Problem]]:
    """``domain`` and the normalised extra domains, each once (twice would name two alarms alike)."""
    if isinstance(extra_domains, str):
        reason = "must be a list of domains, e.g. ['example.org'], not one string"
        return (), [Problem("extra_domains", extra_domains, reason)]
    served: list[str] = [domain] if domain else []
    problems: list[Problem] = []
    for index, extra in enumerate(extra_domains):
        field_name = f"extra_domains[{index}]"
        normal, extra_problems = normalize_hostname(extra, field_name)
        problems.extend(extra_problems)
        if normal in served:
            problems.append(Problem(field_name, extra, f"{normal} is already served by this receiver; list it once"))
        elif normal:
            served.append(normal)
    return tuple(served), problems


def _namespace_problems(namespace: object) -> list[Problem]:
    if (
        isinstance(namespace, str)
        and namespace.strip()
        and len(namespace) <= NAMESPACE_MAX
        and not namespace.startswith(RESERVED_NAMESPACE_PREFIX)
    ):
        return []
    reason = (
        f"must be a CloudWatch namespace of 1 to {NAMESPACE_MAX} characters not starting with "
        f"{RESERVED_NAMESPACE_PREFIX!r} (reserved for AWS's own metrics), e.g. {DEFAULT_NAMESPACE}"
    )
    return [Problem("metric_namespace", namespace, reason)]
