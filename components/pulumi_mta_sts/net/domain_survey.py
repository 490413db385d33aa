"""What live DNS and the policy host say about a domain before ``mta-sts init`` writes its stack; DNS or
network trouble is a value the command reports, never an exception."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import dns.resolver

from pulumi_mta_sts.core.policy import Policy, parse_policy
from pulumi_mta_sts.core.records import (
    TlsRptRecord,
    parse_sts_records,
    parse_tlsrpt_records,
    policy_host,
    sts_record_name,
    tlsrpt_record_name,
)

from .existing_records import LOOKUP_ERRORS, HostAnswer, live_host_records
from .https_fetch import fetch_policy
from .lookup import Lookup, MailHosts, Outcome, lookup, mail_hosts, name_text


@dataclass(frozen=True)
class ExistingPolicy:
    """The live MTA-STS set-up: ``policy`` when usable, else ``problem``: what a sender stumbled on."""

    policy: Policy | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Survey:
    """Everything ``init`` learned; ``failure`` set means DNS gave no usable answer for the domain."""

    domain: str
    zone: str | None = None
    nameservers: tuple[str, ...] = ()
    mail: MailHosts | None = None
    existing: ExistingPolicy | None = None
    tlsrpt: TlsRptRecord | None = None
    tlsrpt_problems: tuple[str, ...] = ()
    host_records: HostAnswer | None = None
    host_records_error: str | None = None
    failure: str | None = None


def find_zone(resolver: dns.resolver.Resolver, domain: str) -> tuple[str | None, Lookup]:
    """The zone of ``domain`` (closest enclosing name with NS) and that look-up; ``None`` and the failure."""
    name = domain
    while True:
        found = lookup(resolver, name, "NS")
        if found.outcome is Outcome.OK:
            return name, found
        parent = name.partition(".")[2]
        if found.failed or found.outcome is Outcome.NXDOMAIN or "." not in parent:
            return None, found
        name = parent


def _existing_policy(
    resolver: dns.resolver.Resolver, domain: str, context: ssl.SSLContext, port: int, timeout: float
) -> ExistingPolicy | None:
    """The live policy, fetched only when the ``_mta-sts`` record says there is one (as a sender)."""
    txt = lookup(resolver, sts_record_name(domain), "TXT")
    if txt.outcome is not Outcome.OK:
        return None
    records = parse_sts_records(txt.texts())
    if records.record is None:
        return None if not records.candidates else ExistingPolicy(problem="the _mta-sts record is not usable")
    host = policy_host(domain)
    address = next((r.address for r in lookup(resolver, host, "A").records), None)
    if address is None:
        return ExistingPolicy(problem=f"{host} has no A record; the policy could not be fetched")
    fetched = fetch_policy(host, address, port=port, context=context, timeout=timeout)
    if fetched.error is not None or fetched.status != 200:
        return ExistingPolicy(problem=f"the policy could not be fetched: {fetched.error or fetched.status}")
    parsed = parse_policy(fetched.body)
    if parsed.policy is None:
        return ExistingPolicy(problem="the served policy is not valid: " + "; ".join(map(str, parsed.errors)))
    return ExistingPolicy(parsed.policy)


def _tlsrpt(resolver: dns.resolver.Resolver, domain: str) -> tuple[TlsRptRecord | None, tuple[str, ...]]:
    """The live ``_smtp._tls`` record as senders read it, and why it is unusable when it is."""
    txt = lookup(resolver, tlsrpt_record_name(domain), "TXT")
    if txt.outcome is not Outcome.OK:
        return None, ()
    parsed = parse_tlsrpt_records(txt.texts())
    return parsed.record, tuple(str(problem) for problem in parsed.problems)


def survey_domain(
    resolver: dns.resolver.Resolver, domain: str, *, context: ssl.SSLContext, https_port: int, timeout: float
) -> Survey:
    """Ask DNS (and the policy host) everything ``init`` needs about ``domain``."""
    zone, ns = find_zone(resolver, domain)
    if zone is None:
        return Survey(domain, failure=ns.describe_failure())
    nameservers = tuple(name_text(r.target) for r in ns.records)
    mail = mail_hosts(resolver, domain)
    if mail.problem is not None:
        return Survey(domain, zone, nameservers, mail, failure=mail.problem.describe_failure())
    try:
        host: dict[str, Any] = {"host_records": live_host_records(policy_host(domain), resolver)}
    except LOOKUP_ERRORS as exc:
        host = {"host_records_error": f"{policy_host(domain)} could not be looked up: {exc}"}
    tlsrpt, tlsrpt_problems = _tlsrpt(resolver, domain)
    existing = _existing_policy(resolver, domain, context, https_port, timeout)
    return Survey(domain, zone, nameservers, mail, existing, tlsrpt, tlsrpt_problems, **host)
