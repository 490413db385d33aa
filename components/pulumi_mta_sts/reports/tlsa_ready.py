"""``reports ready`` and DANE (issue 27): failures that come from DANE rather than the MTA-STS policy.

A sender that validates both must not let MTA-STS override a failing DANE check (RFC 8461 §2), so
DANE's failures happen whatever the policy's mode: they do not block ``mode: enforce`` (enforcing
changes none of them) but the verdict names them, with the fix, as ``dane`` notes. DANE's failures
are the DANE result types (``tlsa-invalid``, ``dnssec-invalid``, ``dane-required``; RFC 8460 §4.3.2)
under any policy type, counted once where a report files them under both (:mod:`.sessions`), and
the other failures filed under the ``tlsa`` policy only (the same result type at the same MX host
and organisation under ``sts`` is a blocker: those are the same sessions, and MTA-STS fails them too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from pulumi_mta_sts.escape import terminal

from . import readiness as base
from .summary import FailureRow, Summary

#: The result types only a DANE check gives (RFC 8460 §4.3.2).
DANE_RESULT_TYPES = frozenset({"tlsa-invalid", "dnssec-invalid", "dane-required"})
_WHAT = {
    "tlsa-invalid": "TLSA for {mx} does not match its certificate",
    "dnssec-invalid": "the DNSSEC answers for {mx} do not validate",
    "dane-required": "{organization} requires DANE for {mx} and found no usable TLSA record",
}
_OTHER = "a DANE-validating sender failed TLS at {mx} ({result_type})"
#: What to fix for DANE's result types (the others: :data:`.readiness.FIXES`).
FIXES = {
    "tlsa-invalid": "the TLSA records of {mx} do not match its certificate: update them (DANE)",
    "dnssec-invalid": "the DNSSEC answers for {mx} do not validate: fix the zone's signatures (DANE)",
    "dane-required": "the sender requires DANE for {mx}: publish valid TLSA records or ask the sender",
}


def is_dane(result_type: str) -> bool:
    return result_type in DANE_RESULT_TYPES


def policy_failure(result_type: str) -> bool:
    """Whether a failure filed under ``sts`` is the policy's own (neither ``sts-*`` nor DANE's)."""
    return not result_type.startswith("sts-") and not is_dane(result_type)


def _dane_rows(
    summary: Summary, domain: str, first: str, last: str, blockers: Sequence[base.Blocker]
) -> Iterator[FailureRow]:
    blocked = {(b.result_type, b.mx_host, b.organization) for b in blockers}
    for row in summary.domain_failure_rows():  # DANE's own types, counted once across policy types
        if is_dane(row.result_type) and base.within(row, domain, first, last):
            yield row
    for row in summary.failure_rows():  # the tlsa policy's other failures, unless sts has them too
        other = not is_dane(row.result_type) and not row.result_type.startswith("sts-")
        unblocked = (row.result_type, row.mx_host, row.organization) not in blocked
        if row.policy_type == "tlsa" and other and unblocked and base.within(row, domain, first, last):
            yield row


def dane_notes(
    summary: Summary, domain: str, first: str, last: str, blockers: Sequence[base.Blocker]
) -> tuple[base.Blocker, ...]:
    """One ``dane`` note per result type, MX host and organisation, most sessions first."""
    grouped: defaultdict[tuple[str, str, str], list[FailureRow]] = defaultdict(list)
    for row in _dane_rows(summary, domain, first, last, blockers):
        grouped[(row.result_type, row.mx_host, row.organization)].append(row)
    notes = [_note(domain, key, rows) for key, rows in grouped.items()]
    return tuple(sorted(notes, key=lambda b: (-b.sessions, b.result_type or "", b.mx_host or "", b.organization or "")))


def _note(domain: str, key: tuple[str, str, str], rows: Iterable[FailureRow]) -> base.Blocker:
    result_type, mx, organization = key
    listed = list(rows)
    sessions, start, end = sum(r.failed for r in listed), min(r.day for r in listed), max(r.day for r in listed)
    what = _WHAT.get(result_type, _OTHER).format(mx=mx, organization=organization, result_type=result_type)
    message = (
        f"the failures are DANE's: {what} ({organization} saw {sessions} failed session(s) of type {result_type} "
        f"from {start} to {end}); enforcing MTA-STS does not change them"
    )
    fix = (FIXES.get(result_type) or base.FIXES.get(result_type, base.DEFAULT_FIX)).format(mx=mx, domain=domain)
    if not is_dane(result_type):
        fix += f"; DANE-validating senders fail here whatever the policy's mode (`mta-sts check {domain}`)"
    return base.Blocker("dane", result_type, mx, organization, start, end, sessions, message=message, fix=fix)


def render_dane(notes: Sequence[base.Blocker]) -> list[str]:
    """The verdict's lines for the ``dane`` notes (none: no line)."""
    if not notes:
        return []
    lines = [
        f"  DANE ({len(notes)} note(s), not blockers: failures DANE-validating senders see whatever the policy's "
        "mode, filed under sts or tlsa):"
    ]
    for note in notes:
        lines += [f"  - dane: {terminal.shown(note.message)}", f"    fix: {terminal.shown(note.fix)}"]
    return lines
