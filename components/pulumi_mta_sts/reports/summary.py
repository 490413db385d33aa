"""What many TLS-RPT reports say together: the views of ``mta-sts reports summary``.

Standard library and ``reports/`` only: the receiver's Lambda builds the weekly digest with it.

Streaming: :func:`summarise` reads the reports one at a time and keeps only aggregates, whose
size depends on how many domains, days, organisations, result types, MX hosts and policies the
reports name, never on how many reports there are. The one thing kept per report is its
identity for duplicates: a 16-byte digest (:func:`report_identity`).

Rules (docs/reports.md explains them to owners):

- **Identity.** A report is counted once per (``organization_name``, ``report_id``) exactly as
  the parser normalised them (no case folding): the same rule as the receiver's storage key,
  :func:`pulumi_mta_sts.reports.report_key`, whose digest is reused here. When the same identity
  is read again (an e-mail and its attachment saved apart, a version the receiver kept), the
  first one read counts and the others are ``duplicates``.
- **Day.** A report counts on the UTC day its date range starts (``start[:10]``); ``since`` and
  ``until`` (inclusive) select reports by that day.
- **Domain.** A report's policies are counted under their ``policy_domain`` (``"(no domain)"``
  for a ``no-policy-found`` entry without one); ``domain`` keeps only that domain's policies.
- **Same sessions, counted once.** A domain's sessions in one report (the domains and their days,
  the organisations) follow :func:`.sessions.domain_sessions`: the sessions under its ``tlsa``
  and its ``sts`` policies are the same sessions seen twice, so the larger of the two sums counts,
  not their total; policies of one type and every other type add up. The per-policy views (MX
  hosts, result types, policies seen, :meth:`Summary.failure_rows`) keep every count as sent.
- **MX host.** A policy's successful sessions go to its MX host row: its ``mx_hosts`` (from
  ``mx-host``, or from the ``mx:`` lines of its policy string when the sender left that out)
  joined with ``", "``; senders do not say which MX each successful session reached. A failure
  row goes to its ``receiving_mx_hostname`` when the sender names it, else to the policy's row,
  else to ``"(not reported)"``.
- **Failures without detail.** When a policy's failure total exceeds the sum of its rows, the
  difference is counted under the result type ``"(not detailed)"``.
- **Policy id.** ``policies[].policy_id`` is the id this toolkit would publish for the policy
  the senders saw; computing it needs the core's policy parser, which the Lambda does not ship,
  so the caller passes it in (``policy_id=``); without it the id is ``null``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .normalise import _domain
from .parse import report_key
from .sessions import NO_DOMAIN, NOT_DETAILED, NOT_REPORTED, domain_sessions, mx_label, receiving_host, sessions_once

__all__ = [
    "ANY_POLICY_TYPE",
    "NOT_DETAILED",
    "NOT_REPORTED",
    "NO_DOMAIN",
    "FailureRow",
    "IdentitySet",
    "PolicyIdFunction",
    "Summary",
    "normal_domain",
    "report_day",
    "report_identity",
    "summarise",
]

#: How many unreadable inputs the summary names (all are counted).
UNREADABLE_NAMED = 20
#: Bytes of the identity digest kept per report (128 bits: no collision in any real archive).
IDENTITY_BYTES = 16
#: The ``policy_type`` of :meth:`Summary.domain_failure_rows`: every policy type of the domain.
ANY_POLICY_TYPE = "(any)"

#: ``policy_strings -> id`` (or ``None`` when the text is no policy this toolkit would publish).
PolicyIdFunction = Callable[[Sequence[str]], str | None]

_SOURCE_RANK = {"mx-host": 0, "policy-string": 1}

#: One failure row of the report being counted: (domain, policy type, result type, MX host, sessions).
_ReportFailure = tuple[str, str, str, str, int]


def report_identity(report: Mapping[str, Any]) -> bytes:
    """The 16-byte identity of a report: the receiver's key digest (same organisation name and
    report-id, compared exactly) cut to :data:`IDENTITY_BYTES`."""
    as_dict = report if isinstance(report, dict) else dict(report)
    return bytes.fromhex(report_key(as_dict)[: 2 * IDENTITY_BYTES])


def normal_domain(domain: str, name: str = "domain") -> str:
    """``domain`` as the parser normalises a report's policy domain (lowercase A-labels, no
    trailing dot), so a filter matches what the reports hold; :class:`ReportError` naming ``name``
    when it is no domain name."""
    normal = _domain(domain, name, required=True)
    assert normal is not None  # required=True
    return normal


def report_day(report: Mapping[str, Any]) -> str:
    """The UTC day (``YYYY-MM-DD``) a report counts on: the day its date range starts."""
    start: str = report["start"]
    return start[:10]


@dataclass(frozen=True)
class FailureRow:
    """Failed sessions of one kind: who saw which result at which MX host of which policy, on which day."""

    domain: str
    policy_type: str
    result_type: str
    mx_host: str
    organization: str
    day: str
    failed: int


class IdentitySet:
    """The identities seen, 16 bytes each in one ``bytearray`` (open addressing, linear probing,
    at most half full): about 32-64 bytes a report, where a ``set`` of ``bytes`` takes about 100.

    A slot of zeros is empty; the (practically impossible) all-zero identity is kept apart."""

    _EMPTY = bytes(IDENTITY_BYTES)

    def __init__(self, slots: int = 1024) -> None:
        self._table = bytearray(IDENTITY_BYTES * slots)
        self._mask = slots - 1
        self._count = 0
        self._zero = False

    def __len__(self) -> int:
        return self._count + self._zero

    def add(self, identity: bytes) -> bool:
        """Remember ``identity``; ``False`` when it was already there."""
        if identity == self._EMPTY:
            seen, self._zero = self._zero, True
            return not seen
        table, size = self._table, IDENTITY_BYTES
        slot = int.from_bytes(identity[:8], "little") & self._mask
        while True:
            start = slot * size
            current = table[start : start + size]
            if current == identity:
                return False
            if current == self._EMPTY:
                break
            slot = (slot + 1) & self._mask
        table[start : start + size] = identity
        self._count += 1
        if 2 * self._count > self._mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old, size = self._table, IDENTITY_BYTES
        self._table = bytearray(2 * len(old))
        self._mask = 2 * (self._mask + 1) - 1
        self._count = 0
        for start in range(0, len(old), size):
            identity = bytes(old[start : start + size])
            if identity != self._EMPTY:
                self.add(identity)


@dataclass
class _Day:
    """One policy domain on one day: its sessions, and who reported which policy type."""

    successful: int = 0
    failed: int = 0
    organizations: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class _Org:
    reports: int = 0
    successful: int = 0
    failed: int = 0
    domains: set[str] = field(default_factory=set)


@dataclass
class _Mx:
    successful: int = 0
    failed: int = 0
    ips: set[str] = field(default_factory=set)
    source: str | None = None

    def saw_source(self, source: str | None) -> None:
        """Keep the most direct source seen (``mx-host`` before ``policy-string``)."""
        if source is None or source == self.source:
            return
        if self.source is None or _SOURCE_RANK.get(source, 9) < _SOURCE_RANK.get(self.source, 9):
            self.source = source


@dataclass
class _Policy:
    successful: int = 0
    failed: int = 0
    first_day: str = "9999-99-99"
    last_day: str = ""
    organizations: set[str] = field(default_factory=set)


@dataclass
class _Context:
    """What every report of one policy shares (worked out once per distinct policy, not per report)."""

    domain: str
    policy_type: str
    label: str | None
    seen: _Policy
    mx: _Mx | None


class Summary:
    """The aggregates of the reports added so far; :meth:`as_json` is the ``--format json`` object.

    Build it with :func:`summarise`, or create one and :meth:`add` reports (and
    :meth:`add_unreadable` inputs that did not parse) as they are read.
    """

    def __init__(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        domain: str | None = None,
        policy_id: PolicyIdFunction | None = None,
    ) -> None:
        self.since = since
        self.until = until
        self.domain = normal_domain(domain) if domain else None
        self._since = since.isoformat() if since else None
        self._until = until.isoformat() if until else None
        self._policy_id = policy_id
        self._seen = IdentitySet()
        self.read = 0
        self.counted = 0
        self.duplicates = 0
        self.outside = 0
        self.unreadable = 0
        self.unreadable_named: list[tuple[str, str]] = []
        self.first_day: str | None = None
        self.last_day: str | None = None
        self._days: dict[tuple[str, str], _Day] = {}
        self._contexts: dict[tuple[Any, ...], _Context] = {}
        self._orgs: dict[str, _Org] = {}
        self._failures: dict[tuple[str, str, str, str, str, str], int] = {}
        self._domain_failures: dict[tuple[str, str, str, str, str], int] = {}
        self._mx: dict[str, _Mx] = {}
        self._policies: dict[tuple[str, str, tuple[str, ...]], _Policy] = {}

    # --- reading ----------------------------------------------------------------------------

    def add(self, report: Mapping[str, Any]) -> bool:
        """Count one normalised report; ``False`` when it is a duplicate or outside the filters."""
        self.read += 1
        day = report_day(report)
        if (self._since is not None and day < self._since) or (self._until is not None and day > self._until):
            self.outside += 1
            return False
        policies = report["policies"]
        if self.domain is not None:
            policies = [p for p in policies if p["policy_domain"] == self.domain]
        if not policies:
            self.outside += 1
            return False
        if not self._seen.add(report_identity(report)):
            self.duplicates += 1
            return False
        self._count(report["organization_name"], day, policies)
        return True

    def add_unreadable(self, source: str, reason: str) -> None:
        """Count an input that held no readable report; the first :data:`UNREADABLE_NAMED` are named."""
        self.unreadable += 1
        if len(self.unreadable_named) < UNREADABLE_NAMED:
            self.unreadable_named.append((source, reason))

    def _count(self, organization: str, day: str, policies: list[Mapping[str, Any]]) -> None:
        self.counted += 1
        if self.first_day is None or day < self.first_day:
            self.first_day = day
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        org = self._orgs.get(organization)
        if org is None:
            org = self._orgs[organization] = _Org()
        org.reports += 1
        failures: list[_ReportFailure] = []
        for policy in policies:
            self._count_policy(organization, day, policy, failures)
        self._count_domains(org, day, policies)
        if failures:
            self._count_domain_failures(organization, day, failures, one_type=len(policies) == 1)

    def _day_cell(self, domain: str, day: str) -> _Day:
        cell = self._days.get((domain, day))
        if cell is None:
            cell = self._days[(domain, day)] = _Day()
        return cell

    def _count_domains(self, org: _Org, day: str, policies: list[Mapping[str, Any]]) -> None:
        """The domain views (per domain and day, per organisation): one report's sessions per
        domain by the rule of :mod:`.sessions` (``tlsa`` and ``sts`` are the same sessions)."""
        for policy_domain, (successful, failed) in domain_sessions(policies).items():
            domain = policy_domain or NO_DOMAIN
            org.successful += successful
            org.failed += failed
            org.domains.add(domain)
            cell = self._day_cell(domain, day)
            cell.successful += successful
            cell.failed += failed

    def _count_domain_failures(
        self, organization: str, day: str, failures: list[_ReportFailure], *, one_type: bool
    ) -> None:
        """One report's failed sessions per domain, result type and MX host, by the rule of
        :mod:`.sessions` across its policy types (what :meth:`domain_failure_rows` gives); rows of
        ``one_type`` (a report of one policy: the common case) simply add up."""
        totals = self._domain_failures
        if one_type:
            for domain, _, result_type, host, count in failures:
                key = (domain, result_type, host, organization, day)
                totals[key] = totals.get(key, 0) + count
            return
        grouped: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
        for domain, policy_type, result_type, host, count in failures:
            grouped.setdefault((domain, result_type, host), []).append((policy_type, count))
        for (domain, result_type, host), counts in grouped.items():
            key = (domain, result_type, host, organization, day)
            totals[key] = totals.get(key, 0) + sessions_once(counts)

    def _context(self, policy: Mapping[str, Any]) -> _Context:
        """The shared part of ``policy`` (its domain, type, MX row and policy-seen row), cached."""
        key = (
            policy["policy_domain"],
            policy["policy_type"],
            tuple(policy["policy_strings"]),
            tuple(policy["mx_hosts"]),
            policy.get("mx_hosts_source"),
        )
        context = self._contexts.get(key)
        if context is not None:
            return context
        domain = policy["policy_domain"] or NO_DOMAIN
        seen_key = (domain, key[1], key[2])
        seen = self._policies.get(seen_key)
        if seen is None:
            seen = self._policies[seen_key] = _Policy()
        label = mx_label(policy)
        mx = self._mx_row(label) if label is not None else None
        if mx is not None:
            mx.saw_source(key[4])
        context = self._contexts[key] = _Context(domain, key[1], label, seen, mx)
        return context

    def _count_policy(
        self, organization: str, day: str, policy: Mapping[str, Any], failures: list[_ReportFailure]
    ) -> None:
        """The per-policy views (MX hosts, result types, policies seen): every count as sent."""
        context = self._context(policy)
        domain = context.domain
        successful: int = policy["successful"]
        failed: int = policy["failed"]
        cell = self._day_cell(domain, day)
        reporters = cell.organizations.get(context.policy_type)
        if reporters is None:
            reporters = cell.organizations[context.policy_type] = set()
        reporters.add(organization)
        if context.mx is not None:
            context.mx.successful += successful
        if failed or policy["failure_details"]:
            self._count_failures(domain, context.policy_type, organization, day, context.label, policy, failures)
        seen = context.seen
        seen.successful += successful
        seen.failed += failed
        if day < seen.first_day:
            seen.first_day = day
        if day > seen.last_day:
            seen.last_day = day
        seen.organizations.add(organization)

    def _mx_row(self, host: str) -> _Mx:
        row = self._mx.get(host)
        if row is None:
            row = self._mx[host] = _Mx()
        return row

    def _count_failures(
        self,
        domain: str,
        policy_type: str,
        organization: str,
        day: str,
        label: str | None,
        policy: Mapping[str, Any],
        failures: list[_ReportFailure],
    ) -> None:
        detailed = 0
        for detail in policy["failure_details"]:
            count: int = detail["failed_session_count"]
            detailed += count
            host = receiving_host(detail.get("receiving_mx_hostname")) or label or NOT_REPORTED
            self._add_failure(domain, policy_type, detail["result_type"], host, organization, day, count)
            failures.append((domain, policy_type, detail["result_type"], host, count))
            ip = detail.get("receiving_ip")
            if ip:
                self._mx[host].ips.add(ip)
        rest = policy["failed"] - detailed
        if rest > 0:
            host = label or NOT_REPORTED
            self._add_failure(domain, policy_type, NOT_DETAILED, host, organization, day, rest)
            failures.append((domain, policy_type, NOT_DETAILED, host, rest))

    def _add_failure(
        self, domain: str, policy_type: str, result_type: str, host: str, organization: str, day: str, count: int
    ) -> None:
        key = (domain, policy_type, result_type, host, organization, day)
        self._failures[key] = self._failures.get(key, 0) + count
        self._mx_row(host).failed += count

    # --- what readiness asks ----------------------------------------------------------------

    def organizations_on(self, domain: str, day: str, policy_type: str = "sts") -> frozenset[str]:
        """The organisations whose counted reports hold a ``policy_type`` policy for ``domain`` on ``day``."""
        cell = self._days.get((domain, day))
        return frozenset(cell.organizations.get(policy_type, ())) if cell is not None else frozenset()

    def failure_rows(self) -> Iterator[FailureRow]:
        """Every (domain, policy type, result type, MX host, organisation, day) with its failed
        sessions: per policy type, every count as the senders gave it."""
        for (domain, policy_type, result_type, host, organization, day), failed in self._failures.items():
            yield FailureRow(domain, policy_type, result_type, host, organization, day, failed)

    def domain_failure_rows(self) -> Iterator[FailureRow]:
        """Every (domain, result type, MX host, organisation, day) with its failed sessions across
        policy types, each report's ``tlsa`` and ``sts`` rows counted once by the rule of
        :mod:`.sessions`; ``policy_type`` is :data:`ANY_POLICY_TYPE`."""
        for (domain, result_type, host, organization, day), failed in self._domain_failures.items():
            yield FailureRow(domain, ANY_POLICY_TYPE, result_type, host, organization, day, failed)

    # --- output -------------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        """The ``reports summary --format json`` object (shape in docs/reports.md)."""
        return {
            "period": {
                "since": self._since,
                "until": self._until,
                "first_day": self.first_day,
                "last_day": self.last_day,
            },
            "filter": {"domain": self.domain},
            "reports": {
                "read": self.read,
                "counted": self.counted,
                "duplicates": self.duplicates,
                "outside_filter": self.outside,
                "unreadable": self.unreadable,
                "unreadable_named": [{"source": s, "error": e} for s, e in self.unreadable_named],
            },
            "domains": self._domains_json(),
            "organizations": self._orgs_json(),
            "result_types": self._result_types_json(),
            "mx_hosts": self._mx_json(),
            "policies": self._policies_json(),
        }

    def _domains_json(self) -> list[dict[str, Any]]:
        by_domain: dict[str, list[tuple[str, _Day]]] = {}
        for (domain, day), cell in self._days.items():
            by_domain.setdefault(domain, []).append((day, cell))
        out = []
        for domain in sorted(by_domain):
            days = sorted(by_domain[domain], key=lambda item: item[0])
            successful = sum(t.successful for _, t in days)
            failed = sum(t.failed for _, t in days)
            out.append(
                {
                    "domain": domain,
                    "successful": successful,
                    "failed": failed,
                    "success_rate": _rate(successful, failed),
                    "days": [
                        {
                            "day": day,
                            "successful": t.successful,
                            "failed": t.failed,
                            "organizations": len(set().union(*t.organizations.values())),
                        }
                        for day, t in days
                    ],
                }
            )
        return out

    def _orgs_json(self) -> list[dict[str, Any]]:
        rows = [
            {
                "organization": name,
                "reports": org.reports,
                "successful": org.successful,
                "failed": org.failed,
                "success_rate": _rate(org.successful, org.failed),
                "domains": sorted(org.domains),
            }
            for name, org in self._orgs.items()
        ]
        return sorted(rows, key=lambda r: (-r["failed"], -r["successful"], r["organization"]))

    def _result_types_json(self) -> list[dict[str, Any]]:
        grouped: dict[str, dict[str, Any]] = {}
        for row in self.failure_rows():
            entry = grouped.setdefault(
                row.result_type,
                {"failed": 0, "organizations": set(), "mx_hosts": set(), "domains": set(), "days": set()},
            )
            entry["failed"] += row.failed
            entry["organizations"].add(row.organization)
            entry["mx_hosts"].add(row.mx_host)
            entry["domains"].add(row.domain)
            entry["days"].add(row.day)
        rows = [
            {
                "result_type": name,
                "failed": entry["failed"],
                "organizations": sorted(entry["organizations"]),
                "mx_hosts": sorted(entry["mx_hosts"]),
                "domains": sorted(entry["domains"]),
                "first_day": min(entry["days"]),
                "last_day": max(entry["days"]),
            }
            for name, entry in grouped.items()
        ]
        return sorted(rows, key=lambda r: (-r["failed"], r["result_type"]))

    def _mx_json(self) -> list[dict[str, Any]]:
        rows = [
            {
                "mx_host": host,
                "ips": sorted(mx.ips),
                "successful": mx.successful,
                "failed": mx.failed,
                "success_rate": _rate(mx.successful, mx.failed),
                "source": mx.source,
            }
            for host, mx in self._mx.items()
        ]
        return sorted(rows, key=lambda r: (-r["failed"], -r["successful"], r["mx_host"]))

    def _policies_json(self) -> list[dict[str, Any]]:
        rows = [
            {
                "domain": domain,
                "policy_type": policy_type,
                "policy_string": list(strings),
                "policy_id": self._id_of(policy_type, strings),
                "organizations": sorted(seen.organizations),
                "first_day": seen.first_day,
                "last_day": seen.last_day,
                "successful": seen.successful,
                "failed": seen.failed,
            }
            for (domain, policy_type, strings), seen in self._policies.items()
        ]
        return sorted(
            rows, key=lambda r: (r["domain"], r["first_day"], r["last_day"], r["policy_type"], r["policy_string"])
        )

    def _id_of(self, policy_type: str, strings: tuple[str, ...]) -> str | None:
        if self._policy_id is None or policy_type != "sts" or not strings:
            return None
        return self._policy_id(strings)


def _rate(successful: int, failed: int) -> float | None:
    total = successful + failed
    return round(successful / total, 6) if total else None


def summarise(
    reports: Iterable[Mapping[str, Any]],
    *,
    since: date | None = None,
    until: date | None = None,
    domain: str | None = None,
    policy_id: PolicyIdFunction | None = None,
) -> Summary:
    """The summary of ``reports`` (normalised report dicts, as ``reports.parse`` yields them),
    read once, one at a time."""
    summary = Summary(since=since, until=until, domain=domain, policy_id=policy_id)
    for report in reports:
        summary.add(report)
    return summary
