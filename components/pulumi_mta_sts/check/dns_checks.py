"""DNS look-ups for the checker and the verdicts that need only DNS.

:func:`lookup` turns every dnspython outcome (answer, no data, NXDOMAIN, timeout, server
failure) into a :class:`Lookup` value, so no DNS problem ever escapes as an exception; the
``check_*`` functions turn look-ups into :class:`~.model.CheckResult` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from ..matching import matching_pattern, uncovered, unused_patterns
from ..policy import Policy
from ..records import (
    StsRecord,
    TlsRptRecord,
    parse_sts_records,
    parse_tlsrpt_records,
    sts_record_name,
    tlsrpt_record_name,
)
from .model import CheckResult, failed, passed, skipped, warned

__all__ = [
    "Lookup",
    "MailHosts",
    "Outcome",
    "addresses",
    "check_mx_coverage",
    "check_sts_record",
    "check_tlsrpt_record",
    "lookup",
    "mail_hosts",
]


class Outcome(StrEnum):
    OK = "ok"  # at least one record
    NODATA = "nodata"  # the name exists, no record of this type
    NXDOMAIN = "nxdomain"
    TIMEOUT = "timeout"
    ERROR = "error"  # SERVFAIL, REFUSED, no reachable server, malformed answer


@dataclass(frozen=True)
class Lookup:
    """One DNS question and what came back. ``canonical`` is the name after CNAMEs."""

    name: str
    rtype: str
    outcome: Outcome
    records: tuple[Any, ...] = ()
    canonical: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        """True when the server did not give a usable answer (timeout or error)."""
        return self.outcome in (Outcome.TIMEOUT, Outcome.ERROR)

    def texts(self) -> list[str]:
        """TXT records, each record's character-strings joined (RFC 7208 §3.3 style)."""
        return [b"".join(r.strings).decode("utf-8", "replace") for r in self.records]

    def describe_failure(self) -> str:
        if self.outcome is Outcome.TIMEOUT:
            return f"DNS timeout looking up {self.rtype} {self.name}"
        if self.outcome is Outcome.NXDOMAIN:
            return f"{self.name} does not exist (NXDOMAIN)"
        if self.outcome is Outcome.NODATA:
            return f"{self.name} has no {self.rtype} record"
        return f"DNS error looking up {self.rtype} {self.name}: {self.error}"


def _text(name: dns.name.Name | str) -> str:
    return str(name).rstrip(".").lower()


def lookup(resolver: dns.resolver.Resolver, name: str, rtype: str) -> Lookup:
    """Ask ``resolver`` for ``rtype`` records of ``name``; never raises for DNS trouble."""
    try:
        answer = resolver.resolve(name, rtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return Lookup(name, rtype, Outcome.NXDOMAIN)
    except dns.exception.Timeout:
        return Lookup(name, rtype, Outcome.TIMEOUT, error="timeout")
    except dns.exception.DNSException as exc:  # SERVFAIL/REFUSED from every server, bad answers
        return Lookup(name, rtype, Outcome.ERROR, error=_short(exc))
    except OSError as exc:  # e.g. no route to the configured nameserver
        return Lookup(name, rtype, Outcome.ERROR, error=str(exc))
    if answer.rrset is None:
        return Lookup(name, rtype, Outcome.NODATA, canonical=_text(answer.canonical_name))
    return Lookup(name, rtype, Outcome.OK, tuple(answer.rrset), _text(answer.canonical_name))


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def addresses(resolver: dns.resolver.Resolver, host: str) -> tuple[Lookup, Lookup]:
    """The A and AAAA look-ups of ``host``."""
    return lookup(resolver, host, "A"), lookup(resolver, host, "AAAA")


# --------------------------------------------------------------------------- TXT records


def check_sts_record(resolver: dns.resolver.Resolver, domain: str) -> tuple[CheckResult, StsRecord | None]:
    """Check 1: exactly one valid ``v=STSv1`` TXT record at ``_mta-sts.<domain>`` (CNAME followed)."""
    name = sts_record_name(domain)
    found = lookup(resolver, name, "TXT")
    hint_publish = f"publish one TXT record at {name}: 'v=STSv1; id=<1-32 letters/digits>;'"
    if found.outcome is not Outcome.OK:
        hint = hint_publish if not found.failed else f"make the nameservers of {domain} answer for {name}"
        return failed("sts-record", found.describe_failure(), hint), None
    via = f" (via CNAME to {found.canonical})" if found.canonical and found.canonical != name else ""
    parsed = parse_sts_records(found.texts())
    if parsed.record is None:
        reasons = "; ".join(p.reason for p in parsed.problems)
        if len(parsed.candidates) > 1:
            hint = "delete all but one v=STSv1 record (senders ignore MTA-STS when there are several)"
        else:
            hint = hint_publish
        return failed("sts-record", f"{name}{via}: {reasons}", hint), None
    record = parsed.record
    return passed("sts-record", f"{name}{via}: v=STSv1 id={record.id}"), record


def check_tlsrpt_record(resolver: dns.resolver.Resolver, domain: str) -> tuple[CheckResult, TlsRptRecord | None]:
    """Check 7: exactly one valid ``v=TLSRPTv1`` record at ``_smtp._tls.<domain>`` with a valid rua."""
    name = tlsrpt_record_name(domain)
    found = lookup(resolver, name, "TXT")
    hint_publish = f"publish one TXT record at {name}: 'v=TLSRPTv1; rua=mailto:tlsrpt@{domain}'"
    if found.outcome is not Outcome.OK:
        hint = hint_publish if not found.failed else f"make the nameservers of {domain} answer for {name}"
        return failed("tlsrpt-record", found.describe_failure(), hint), None
    parsed = parse_tlsrpt_records(found.texts())
    if parsed.record is None:
        reasons = "; ".join(p.reason for p in parsed.problems)
        if len(parsed.candidates) > 1:
            hint = "delete all but one v=TLSRPTv1 record; put every address in its rua, comma separated"
        else:
            hint = hint_publish
        return failed("tlsrpt-record", f"{name}: {reasons}", hint), None
    rua = ",".join(parsed.record.rua)
    return passed("tlsrpt-record", f"{name}: v=TLSRPTv1 rua={rua}"), parsed.record


# --------------------------------------------------------------------------- MX


@dataclass(frozen=True)
class MailHosts:
    """The hosts mail for a domain goes to: its MX hosts by preference, or the domain itself when
    it has no MX but has an address (RFC 5321 §5.1 implicit MX)."""

    domain: str
    hosts: tuple[str, ...] = ()
    implicit: bool = False
    null_mx: bool = False
    problem: Lookup | None = None  # set when DNS did not give a usable answer


def mail_hosts(resolver: dns.resolver.Resolver, domain: str) -> MailHosts:
    """Resolve the MX hosts of ``domain`` (or its implicit MX)."""
    mx = lookup(resolver, domain, "MX")
    if mx.outcome is Outcome.OK:
        ordered = sorted(mx.records, key=lambda r: (r.preference, _text(r.exchange)))
        hosts = tuple(dict.fromkeys(_text(r.exchange) for r in ordered))
        if hosts in ((), ("",)):
            return MailHosts(domain, null_mx=True)
        return MailHosts(domain, tuple(h for h in hosts if h))
    if mx.outcome is not Outcome.NODATA:
        return MailHosts(domain, problem=mx)
    a, aaaa = addresses(resolver, domain)
    if a.outcome is Outcome.OK or aaaa.outcome is Outcome.OK:
        return MailHosts(domain, (domain,), implicit=True)
    failed_lookup = a if a.failed else aaaa if aaaa.failed else None
    return MailHosts(domain, problem=failed_lookup)


def check_mx_coverage(mail: MailHosts, policy: Policy | None) -> CheckResult:
    """Check 5: every MX host matches a policy ``mx`` pattern (RFC 8461 §4.1)."""
    cid = "mx-coverage"
    if policy is None:
        return skipped(cid, "no usable policy to compare the MX hosts with")
    if policy.mode == "none":
        return skipped(cid, "mode is none: senders do not apply the mx list")
    if mail.problem is not None:
        hint = f"make the nameservers of {mail.domain} answer MX queries" if mail.problem.failed else ""
        if mail.problem.outcome is Outcome.NXDOMAIN:
            hint = f"{mail.domain} does not exist in DNS; check the domain name"
        return failed(cid, f"cannot list the mail hosts: {mail.problem.describe_failure()}", hint)
    if mail.null_mx:
        return skipped(cid, f"{mail.domain} has a null MX (accepts no mail)")
    if not mail.hosts:
        return warned(
            cid,
            f"{mail.domain} has no MX and no A/AAAA record: it receives no mail",
            "publish the domain's MX records, or drop MTA-STS for a domain without mail",
        )
    patterns = list(policy.mx)
    missing = uncovered(mail.hosts, patterns)
    unused = unused_patterns(mail.hosts, patterns)
    kind = "implicit MX (no MX record)" if mail.implicit else "MX"
    shown_patterns = ", ".join(patterns) or "(none)"
    if missing:
        detail = (
            f"{kind} not covered by the policy: {', '.join(missing)} (patterns: {shown_patterns})"
        )
        hint = (
            "add an 'mx:' line for each uncovered host (a '*.' pattern covers exactly one label) "
            "and publish a new policy before relying on enforce"
        )
        if policy.mode == "enforce":
            return failed(cid, detail + " — senders will not deliver to them", hint)
        return warned(cid, detail + " — would lose mail in enforce", hint)
    pairs = ", ".join(f"{h}→{matching_pattern(h, patterns)}" for h in mail.hosts)
    if unused:
        return warned(
            cid,
            f"all {len(mail.hosts)} {kind} covered ({pairs}); patterns matching no MX: {', '.join(unused)}",
            "remove patterns for hosts that no longer receive mail (they allow delivery to them)",
        )
    return passed(cid, f"all {len(mail.hosts)} {kind} covered: {pairs}")
