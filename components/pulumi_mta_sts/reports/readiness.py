"""Is a domain ready to go from ``mode: testing`` to ``mode: enforce``? (``mta-sts reports ready``)

Standard library and ``reports/`` only (the receiver's weekly digest uses it).

The rule (docs/reports.md): over the ``days`` whole UTC days before ``as_of`` (``as_of`` itself is
not included: its reports have not all arrived), the domain is ready when

1. every one of those days is covered by reports from at least ``min_orgs`` organisations that
   applied the domain's ``sts`` policy, and
2. those reports show no failed session of the ``sts`` policy (any MX host, any result type, and
   failures a sender counted without detail), nor any ``sts-*`` result type (the policy could not
   be fetched or was refused) under whatever policy type the sender reported (counted once per
   report where a sender files the same sessions under the domain's ``tlsa`` and ``sts``
   policies: the rule of :mod:`.sessions`).

Otherwise each reason is a :class:`Blocker` that names what was seen (result type, MX host,
organisation, first and last day, sessions) and what to fix. A failure in ``testing`` is mail
that a sender would have refused to deliver in ``enforce``; a day without enough reports is a
day on which nobody can say.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .summary import NOT_DETAILED, FailureRow, Summary, normal_domain
from .summary_render import printable

__all__ = ["Blocker", "Verdict", "fix_for", "readiness", "render_verdict"]

#: What to fix for each RFC 8460 §4.3 result type (``{mx}`` and ``{domain}`` are filled in).
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
    "tlsa-invalid": "the TLSA records of {mx} do not match its certificate: update them (DANE)",
    "dnssec-invalid": "the DNSSEC answers for {mx} do not validate: fix the zone's signatures (DANE)",
    "dane-required": "the sender requires DANE for {mx}: publish valid TLSA records or ask the sender",
    NOT_DETAILED: (
        "the sender counted failed sessions at {mx} without saying why: run `mta-sts check {domain}` "
        "and ask the sender's contact (contact-info) for details"
    ),
}
_DEFAULT_FIX = (
    "look the result type up in RFC 8460 §4.3 (or the sender's documentation) and fix {mx}; "
    "`mta-sts check {domain}` tests the MX hosts and the policy"
)


def fix_for(result_type: str, mx_host: str, domain: str) -> str:
    """What to do about failures of ``result_type`` at ``mx_host``, in one sentence."""
    return FIXES.get(result_type, _DEFAULT_FIX).format(mx=mx_host, domain=domain)


@dataclass(frozen=True)
class Blocker:
    """One reason the domain is not ready.

    ``kind``: ``"failures"`` (failed sessions of one result type at one MX host, seen by one
    organisation), ``"coverage"`` (a run of days with reports from fewer than ``min_orgs``
    organisations; ``organizations`` is how many there were each of those days) or
    ``"no-reports"`` (no report of the ``sts`` policy in the whole window).
    """

    kind: str
    message: str
    fix: str
    first_day: str
    last_day: str
    result_type: str | None = None
    mx_host: str | None = None
    organization: str | None = None
    sessions: int = 0
    organizations: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "result_type": self.result_type,
            "mx_host": self.mx_host,
            "organization": self.organization,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "sessions": self.sessions,
            "organizations": self.organizations,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Verdict:
    """``ready`` only when there is no blocker; ``coverage`` is (day, organisations) for each day."""

    domain: str
    as_of: date
    days: int
    min_orgs: int
    first_day: str
    last_day: str
    blockers: tuple[Blocker, ...]
    coverage: tuple[tuple[str, int], ...]
    organizations: tuple[str, ...]

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
            "blockers": [b.as_json() for b in self.blockers],
        }


def window(as_of: date, days: int) -> list[str]:
    """The ``days`` UTC days before ``as_of`` (oldest first), as ``YYYY-MM-DD``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return [(as_of - timedelta(days=n)).isoformat() for n in range(days, 0, -1)]


def _blocking_rows(summary: Summary, domain: str, first: str, last: str) -> Iterator[FailureRow]:
    """The failed sessions that block, in the window: the ``sts`` policy's of every result type
    but ``sts-*``, and the ``sts-*`` result types under whatever policy type the sender filed
    them, each report's ``tlsa`` and ``sts`` rows counted once (:mod:`.sessions`)."""
    for row in summary.failure_rows():
        if row.policy_type == "sts" and not row.result_type.startswith("sts-") and _within(row, domain, first, last):
            yield row
    for row in summary.domain_failure_rows():
        if row.result_type.startswith("sts-") and _within(row, domain, first, last):
            yield row


def _within(row: FailureRow, domain: str, first: str, last: str) -> bool:
    return row.domain == domain and first <= row.day <= last and row.failed > 0


def _failure_blockers(summary: Summary, domain: str, first: str, last: str) -> list[Blocker]:
    grouped: dict[tuple[str, str, str], list[Any]] = {}
    for row in _blocking_rows(summary, domain, first, last):
        entry = grouped.setdefault((row.result_type, row.mx_host, row.organization), [0, row.day, row.day])
        entry[0] += row.failed
        entry[1] = min(entry[1], row.day)
        entry[2] = max(entry[2], row.day)
    blockers = []
    for (result_type, mx_host, organization), (sessions, seen_first, seen_last) in grouped.items():
        fix = fix_for(result_type, mx_host, domain)
        message = (
            f"{organization} saw {sessions} failed session(s) of type {result_type} at {mx_host} "
            f"from {seen_first} to {seen_last}"
        )
        blockers.append(
            Blocker("failures", message, fix, seen_first, seen_last, result_type, mx_host, organization, sessions)
        )
    return sorted(blockers, key=lambda b: (-b.sessions, b.result_type or "", b.mx_host or "", b.organization or ""))


def _coverage_fix(domain: str, min_orgs: int) -> str:
    return (
        f"reports from at least {min_orgs} organisation(s) a day are needed: keep mode testing and wait; check that "
        f"_smtp._tls.{domain} names your receiver (`mta-sts check {domain}`) and that the receiver stores reports"
    )


def _coverage_blockers(coverage: list[tuple[str, int]], domain: str, min_orgs: int) -> list[Blocker]:
    """One blocker per run of consecutive days with the same too-small number of organisations."""
    blockers: list[Blocker] = []
    run: list[tuple[str, int]] = []
    for day, count in [*coverage, ("", min_orgs)]:
        if run and (count >= min_orgs or count != run[0][1]):
            first, last, seen = run[0][0], run[-1][0], run[0][1]
            span = first if first == last else f"{first} to {last}"
            message = f"{span}: reports from {seen} organisation(s) a day, fewer than {min_orgs}"
            blockers.append(
                Blocker("coverage", message, _coverage_fix(domain, min_orgs), first, last, organizations=seen)
            )
            run = []
        if count < min_orgs:
            run.append((day, count))
    return blockers


def readiness(summary: Summary, domain: str, *, days: int = 14, min_orgs: int = 2, as_of: date) -> Verdict:
    """The verdict for ``domain`` over the ``days`` UTC days before ``as_of`` (module docstring)."""
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
        message = f"no report of the sts policy of {domain} from {first} to {last}"
        blockers.append(Blocker("no-reports", message, _coverage_fix(domain, min_orgs), first, last))
    else:
        blockers.extend(_coverage_blockers(coverage, domain, min_orgs))
    return Verdict(domain, as_of, days, min_orgs, first, last, tuple(blockers), tuple(coverage), tuple(everyone))


def render_verdict(verdict: Verdict) -> str:
    """The verdict as text: the decision, the window, then each blocker and its fix."""
    span = f"the {verdict.days} day(s) from {verdict.first_day} to {verdict.last_day}"
    orgs = len(verdict.organizations)
    if verdict.ready:
        lowest = min(count for _, count in verdict.coverage)
        return (
            f"{verdict.domain}: ready to enforce\n"
            f"  over {span}: reports from at least {lowest} organisation(s) every day "
            f"(need {verdict.min_orgs}; {orgs} in all), no failed session of the sts policy.\n"
            f"  Next: set mode enforce, keep reading reports (`mta-sts reports summary`).\n"
        )
    lines = [
        f"{verdict.domain}: not ready ({len(verdict.blockers)} blocker(s))",
        f"  over {span} (need reports from {verdict.min_orgs} organisation(s) every day; {orgs} seen):",
    ]
    for blocker in verdict.blockers:
        lines.append(f"  - {blocker.kind}: {printable(blocker.message)}")
        lines.append(f"    fix: {printable(blocker.fix)}")
    return "\n".join(lines) + "\n"
