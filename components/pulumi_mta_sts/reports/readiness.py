"""Is a domain ready for ``mode: enforce``? Yes when ``min_orgs`` organisations' reports cover every one of
``days`` days with no failed ``sts`` session (mail enforce would hold back); else each reason is a :class:`Blocker`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from pulumi_mta_sts.escape import terminal

from . import tlsa_ready  # issue 27's DANE notes (they use this module's Blocker and FIXES when called)
from .normalise import normal_domain
from .sessions import NOT_DETAILED
from .summary import FailureRow, Summary

#: What to fix for each RFC 8460 §4.3 result type (``{mx}``, ``{domain}`` filled in; DANE's: tlsa_ready.FIXES).
FIXES: dict[str, str] = {
    "starttls-not-supported": "make {mx} offer STARTTLS (senders that enforce will not deliver in clear text)",
    "certificate-host-mismatch": "give {mx} a certificate that names {mx} (a SAN entry for that host name)",
    "certificate-expired": "renew the certificate of {mx} and automate its renewal",
    "certificate-not-trusted": "give {mx} a certificate from a public CA and serve the whole chain",
    "validation-failure": "check the certificate chain {mx} serves (intermediates, CA, signature algorithms)",
    "sts-policy-fetch-error": (
        "senders could not fetch https://mta-sts.{domain}/.well-known/mta-sts.txt: run `mta-sts check {domain}`"
    ),
    "sts-policy-invalid": "the policy served for {domain} is refused by senders: run `mta-sts check {domain}`",
    "sts-webpki-invalid": "the certificate of mta-sts.{domain} is not valid for senders: run `mta-sts check {domain}`",
    NOT_DETAILED: (
        "the sender counted failed sessions at {mx} without saying why: run `mta-sts check {domain}` "
        "and ask the sender's contact (contact-info) for details"
    ),
}
DEFAULT_FIX = (
    "look the result type up in RFC 8460 §4.3 (or the sender's documentation) and fix {mx}; "
    "`mta-sts check {domain}` tests the MX hosts and the policy"
)


@dataclass(frozen=True)
class Blocker:
    """``failures`` (of one result type at one MX host, seen by one organisation), ``coverage`` (days
    with reports from fewer than ``min_orgs`` organisations) or ``no-reports``."""

    kind: str
    result_type: str | None = None
    mx_host: str | None = None
    organization: str | None = None
    first_day: str = ""
    last_day: str = ""
    sessions: int = 0
    organizations: int = 0
    message: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Verdict:
    """``coverage``: (day, organisations) for each day."""

    domain: str
    as_of: date
    days: int
    min_orgs: int
    first_day: str
    last_day: str
    blockers: tuple[Blocker, ...]
    coverage: tuple[tuple[str, int], ...]
    organizations: tuple[str, ...]
    dane: tuple[Blocker, ...] = ()  # failures that are DANE's, not the policy's (reports/tlsa_ready.py)

    @property
    def ready(self) -> bool:
        return not self.blockers

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "ready": self.ready,
            "verdict": "ready to enforce" if self.ready else "not ready",
            "as_of": self.as_of.isoformat(),
            "days": self.days,
            "min_orgs": self.min_orgs,
            "window": {"first_day": self.first_day, "last_day": self.last_day},
            "organizations": list(self.organizations),
            "coverage": [{"day": day, "organizations": count} for day, count in self.coverage],
            "blockers": [asdict(b) for b in self.blockers],
            "dane": [asdict(b) for b in self.dane],
        }


def window(as_of: date, days: int) -> list[str]:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return [(as_of - timedelta(days=n)).isoformat() for n in range(days, 0, -1)]


def _blocking_rows(summary: Summary, domain: str, first: str, last: str) -> Iterator[FailureRow]:
    """The ``sts`` policy's own failures; ``sts-*`` under any type, counted once (:mod:`.sessions`)."""
    for row in summary.failure_rows():
        if row.policy_type == "sts" and tlsa_ready.policy_failure(row.result_type) and within(row, domain, first, last):
            yield row
    for row in summary.domain_failure_rows():
        if row.result_type.startswith("sts-") and within(row, domain, first, last):
            yield row


def within(row: FailureRow, domain: str, first: str, last: str) -> bool:
    return row.domain == domain and first <= row.day <= last and row.failed > 0


def _failure_blockers(summary: Summary, domain: str, first: str, last: str) -> list[Blocker]:
    grouped: defaultdict[tuple[str, str, str], list[FailureRow]] = defaultdict(list)
    for row in _blocking_rows(summary, domain, first, last):
        grouped[(row.result_type, row.mx_host, row.organization)].append(row)
    blockers = []
    for (result_type, mx_host, organization), rows in grouped.items():
        sessions, start, end = sum(r.failed for r in rows), min(r.day for r in rows), max(r.day for r in rows)
        message = (
            f"{organization} saw {sessions} failed session(s) of type {result_type} at {mx_host} from {start} to {end}"
        )
        fix = FIXES.get(result_type, DEFAULT_FIX).format(mx=mx_host, domain=domain)
        blockers.append(
            Blocker("failures", result_type, mx_host, organization, start, end, sessions, message=message, fix=fix)
        )
    return sorted(blockers, key=lambda b: (-b.sessions, b.result_type or "", b.mx_host or "", b.organization or ""))


def _coverage_fix(domain: str, min_orgs: int) -> str:
    return (
        f"reports from at least {min_orgs} organisation(s) a day are needed: keep mode testing and wait; check that "
        f"_smtp._tls.{domain} names your receiver (`mta-sts check {domain}`) and that the receiver stores reports"
    )


def _coverage_blockers(coverage: list[tuple[str, int]], domain: str, min_orgs: int) -> list[Blocker]:
    blockers: list[Blocker] = []
    run: list[tuple[str, int]] = []
    for day, count in [*coverage, ("", min_orgs)]:
        if run and (count >= min_orgs or count != run[0][1]):
            first, last, seen = run[0][0], run[-1][0], run[0][1]
            span = first if first == last else f"{first} to {last}"
            message = f"{span}: reports from {seen} organisation(s) a day, fewer than {min_orgs}"
            fix = _coverage_fix(domain, min_orgs)
            blockers.append(
                Blocker("coverage", first_day=first, last_day=last, organizations=seen, message=message, fix=fix)
            )
            run = []
        if count < min_orgs:
            run.append((day, count))
    return blockers


def readiness(summary: Summary, domain: str, *, days: int = 14, min_orgs: int = 2, as_of: date) -> Verdict:
    if min_orgs < 1:
        raise ValueError(f"min_orgs must be at least 1, got {min_orgs}")
    domain = normal_domain(domain)
    wanted = window(as_of, days)
    first, last = wanted[0], wanted[-1]
    orgs_per_day = [summary.organizations_on(domain, day) for day in wanted]
    coverage = [(day, len(orgs)) for day, orgs in zip(wanted, orgs_per_day, strict=True)]
    everyone = sorted(set().union(*orgs_per_day))
    blockers = _failure_blockers(summary, domain, first, last)
    if not everyone:
        message, fix = (
            f"no report of the sts policy of {domain} from {first} to {last}",
            _coverage_fix(domain, min_orgs),
        )
        blockers.append(Blocker("no-reports", first_day=first, last_day=last, message=message, fix=fix))
    else:
        blockers.extend(_coverage_blockers(coverage, domain, min_orgs))
    dane = tlsa_ready.dane_notes(summary, domain, first, last, blockers)
    return Verdict(domain, as_of, days, min_orgs, first, last, tuple(blockers), tuple(coverage), tuple(everyone), dane)


def render_verdict(verdict: Verdict) -> str:
    span = f"the {verdict.days} day(s) from {verdict.first_day} to {verdict.last_day}"
    orgs = len(verdict.organizations)
    if verdict.ready:
        lowest = min(count for _, count in verdict.coverage)
        return (
            f"{terminal.shown(verdict.domain)}: ready to enforce\n"
            f"  over {span}: reports from at least {lowest} organisation(s) every day "
            f"(need {verdict.min_orgs}; {orgs} in all), no failed session of the sts policy.\n"
            f"  Next: set mode enforce, keep reading reports (`mta-sts reports summary`).\n"
        ) + "".join(line + "\n" for line in tlsa_ready.render_dane(verdict.dane))
    lines = [
        f"{terminal.shown(verdict.domain)}: not ready ({len(verdict.blockers)} blocker(s))",
        f"  over {span} (need reports from {verdict.min_orgs} organisation(s) every day; {orgs} seen):",
    ]
    for blocker in verdict.blockers:
        lines.append(f"  - {blocker.kind}: {terminal.shown(blocker.message)}")
        lines.append(f"    fix: {terminal.shown(blocker.fix)}")
    return "\n".join(lines + tlsa_ready.render_dane(verdict.dane)) + "\n"
