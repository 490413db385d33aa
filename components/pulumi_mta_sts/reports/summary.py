"""What many TLS-RPT reports say together, read one at a time (about 23 bytes a report plus the names they hold);
a report counts once, on the day its range starts (docs/reports.md). ``policy_id`` needs the core's
parser, absent from the Lambda, so the caller passes it."""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .normalise import normal_domain
from .parse import report_digest
from .sessions import NO_DOMAIN, NOT_DETAILED, NOT_REPORTED, domain_sessions, mx_label, receiving_host, sessions_once
from .tlsa_sts import TlsaCells, TlsaSts

#: The ``policy_type`` of :meth:`Summary.domain_failure_rows`: every policy type of the domain.
ANY_POLICY_TYPE = "(any)"
#: How many unreadable inputs the summary names (all are counted).
UNREADABLE_NAMED = 20
#: Bytes of the identity digest kept per report (128 bits: no collision in any real archive).
IDENTITY_BYTES = 16

#: ``policy_strings -> id`` (or ``None`` when the text is no policy this toolkit would publish).
PolicyIdFunction = Callable[[Sequence[str]], str | None]

_SOURCE_RANK = {"mx-host": 0, "policy-string": 1}
_COUNTS = ("successful", "failed")
#: One failure row of the report being counted: (domain, policy type, result type, MX host, sessions).
_Failure = tuple[str, str, str, str, int]


@dataclass(frozen=True)
class FailureRow:
    domain: str
    policy_type: str
    result_type: str
    mx_host: str
    organization: str
    day: str
    failed: int


class IdentitySet:
    """The identities seen, 16 bytes each, in buckets (``bytearray``s) ``hash()`` picks (keyed per process: no
    sender can aim at one), 8-16 a bucket: about 23 bytes a report where a ``set`` takes about 100. A look-up
    is one search of one bucket in C; a hit counts only at a multiple of 16 bytes (none across two identities)."""

    def __init__(self, buckets: int = 64) -> None:
        self._buckets = [bytearray() for _ in range(buckets)]
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, identity: bytes) -> bool:
        bucket = self._buckets[hash(identity) & (len(self._buckets) - 1)]
        at = bucket.find(identity)
        while at % IDENTITY_BYTES and at != -1:
            at = bucket.find(identity, at + 1)
        if at != -1:
            return False
        bucket += identity
        self._count += 1
        if self._count > 16 * len(self._buckets):
            self._grow()
        return True

    def _grow(self) -> None:
        """Twice the buckets: each identity moves to the one its hash's next bit picks (read in C by ``struct``)."""
        old, self._buckets = self._buckets, [bytearray() for _ in range(2 * len(self._buckets))]
        for bucket in old:
            for (identity,) in struct.iter_unpack(f"{IDENTITY_BYTES}s", bucket):
                self._buckets[hash(identity) & (len(self._buckets) - 1)] += identity


@dataclass(slots=True)
class _Sessions:
    successful: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        total = self.successful + self.failed
        rate = round(self.successful / total, 6) if total else None
        return {"successful": self.successful, "failed": self.failed, "success_rate": rate}


@dataclass(slots=True)
class _Day(_Sessions):
    organizations: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(slots=True)
class _Org(_Sessions):
    reports: int = 0
    domains: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Mx(_Sessions):
    ips: set[str] = field(default_factory=set)
    source: str | None = None

    def saw_source(self, source: str | None) -> None:
        """Keep the most direct source seen (``mx-host`` before ``policy-string``)."""
        if source is not None and _SOURCE_RANK.get(source, 9) < (
            _SOURCE_RANK.get(self.source, 9) if self.source else 10
        ):
            self.source = source


@dataclass(slots=True)
class _Policy(_Sessions):
    first_day: str = "9999-99-99"
    last_day: str = ""
    organizations: set[str] = field(default_factory=set)


#: What one policy context (domain, type, strings, MX hosts and their source) counts into, found once a
#: context: (domain, policy type, MX hosts joined, its policy-seen row, its MX hosts' row, its tlsa/sts cells).
_Context = tuple[str, str, str | None, _Policy, _Mx | None, TlsaCells | None]


class Summary:
    def __init__(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        domain: str | None = None,
        policy_id: PolicyIdFunction | None = None,
    ) -> None:
        self.domain = normal_domain(domain) if domain else None
        self._since = since.isoformat() if since else None
        self._until = until.isoformat() if until else None
        self._policy_id = policy_id
        self._seen = IdentitySet()
        self.read = self.counted = self.duplicates = self.outside = self.unreadable = 0
        self.unreadable_named: list[tuple[str, str]] = []
        self._days: defaultdict[tuple[str, str], _Day] = defaultdict(_Day)
        self._orgs: defaultdict[str, _Org] = defaultdict(_Org)
        self._mx: defaultdict[str, _Mx] = defaultdict(_Mx)
        self._policies: defaultdict[tuple[str, str, tuple[str, ...]], _Policy] = defaultdict(_Policy)
        self._contexts: dict[tuple[Any, ...], _Context] = {}
        #: (domain, policy type, result type, MX host, organisation, day) -> failed sessions.
        self._failures: defaultdict[tuple[str, str, str, str, str, str], int] = defaultdict(int)
        #: (domain, result type, MX host, organisation, day) -> what reports' policy types repeated (:mod:`.sessions`).
        self._repeated: defaultdict[tuple[str, str, str, str, str], int] = defaultdict(int)
        self.tlsa_sts = TlsaSts()

    def add(self, report: Mapping[str, Any]) -> bool:
        """Count one normalised report; ``False`` when it is a duplicate or outside the filters."""
        self.read += 1
        day: str = report["start"][:10]
        if (self._since is not None and day < self._since) or (self._until is not None and day > self._until):
            self.outside += 1
            return False
        policies = report["policies"]
        if self.domain is not None:
            policies = [p for p in policies if p["policy_domain"] == self.domain]
        if not policies:
            self.outside += 1
            return False
        if not self._seen.add(report_digest(report)[:IDENTITY_BYTES]):  # report_key's digest: exact
            self.duplicates += 1
            return False
        self._count(report["organization_name"], day, policies)
        return True

    def add_unreadable(self, source: str, reason: str) -> None:
        self.unreadable += 1
        if len(self.unreadable_named) < UNREADABLE_NAMED:
            self.unreadable_named.append((source, reason))

    def _count(self, organization: str, day: str, policies: list[Mapping[str, Any]]) -> None:
        self.counted += 1
        org = self._orgs[organization]
        org.reports += 1
        if len(policies) == 1:  # nearly every report: its policy's counts are its domain's sessions
            policy = policies[0]
            (domain, _, _, _, _, tlsa), cell, _ = self._count_policy(organization, day, policy)
            successful, failed = policy["successful"], policy["failed"]
            _add_sessions(org, domain, cell, successful, failed)
            if tlsa is not None:
                self.tlsa_sts.add_one(tlsa, successful, failed)
        else:
            failures = [row for policy in policies for row in self._count_policy(organization, day, policy)[2]]
            for policy_domain, (successful, failed) in domain_sessions(policies).items():
                domain = policy_domain or NO_DOMAIN
                _add_sessions(org, domain, self._days[(domain, day)], successful, failed)
            self.tlsa_sts.add_many(policies)
            self._count_repeats(organization, day, failures)

    def _count_repeats(self, organization: str, day: str, failures: Sequence[_Failure]) -> None:
        """What the failure rows of a report of several policies repeat of each other (:mod:`.sessions`)."""
        grouped: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
        for domain, policy_type, result_type, host, count in failures:
            grouped.setdefault((domain, result_type, host), []).append((policy_type, count))
        for (domain, result_type, host), counts in grouped.items():
            repeated = sum(count for _, count in counts) - sessions_once(counts)
            self._repeated[(domain, result_type, host, organization, day)] += repeated

    def _count_policy(
        self, organization: str, day: str, policy: Mapping[str, Any]
    ) -> tuple[_Context, _Day, list[_Failure]]:
        """One policy's own counts and failure rows (one per detail, one for failures counted without
        detail: each counted as sent); its context (found once a context), its domain's day, the rows."""
        key = (
            policy["policy_domain"],
            policy["policy_type"],
            tuple(policy["policy_strings"]),
            tuple(policy["mx_hosts"]),
            policy.get("mx_hosts_source"),
        )
        context = self._contexts.get(key)
        if context is None:
            domain = policy["policy_domain"] or NO_DOMAIN
            label = mx_label(policy)
            mx = self._mx[label] if label is not None else None
            if mx is not None:
                mx.saw_source(key[4])
            seen = self._policies[(domain, key[1], key[2])]
            tlsa = self.tlsa_sts.cells(domain, key[1], label)
            context = self._contexts[key] = (domain, key[1], label, seen, mx, tlsa)
        domain, kind, label, seen, mx, _ = context
        successful: int = policy["successful"]
        failed: int = policy["failed"]
        cell = self._days[(domain, day)]
        cell.organizations[kind].add(organization)
        if mx is not None:
            mx.successful += successful
        seen.successful += successful
        seen.failed += failed
        seen.first_day, seen.last_day = min(seen.first_day, day), max(seen.last_day, day)
        seen.organizations.add(organization)
        rows: list[_Failure] = []
        rest = failed
        for detail in policy["failure_details"]:
            host = receiving_host(detail.get("receiving_mx_hostname")) or label or NOT_REPORTED
            rows.append((domain, kind, detail["result_type"], host, detail["failed_session_count"]))
            rest -= detail["failed_session_count"]
            if detail.get("receiving_ip"):
                self._mx[host].ips.add(detail["receiving_ip"])
        if rest > 0:
            rows.append((domain, kind, NOT_DETAILED, label or NOT_REPORTED, rest))
        for _, _, result_type, host, count in rows:
            self._failures[(domain, kind, result_type, host, organization, day)] += count
            self._mx[host].failed += count
        return context, cell, rows

    def organizations_on(self, domain: str, day: str, policy_type: str = "sts") -> frozenset[str]:
        cell = self._days.get((domain, day))
        return frozenset(cell.organizations.get(policy_type, ())) if cell is not None else frozenset()

    def failure_rows(self) -> Iterator[FailureRow]:
        for (domain, policy_type, result_type, host, organization, day), failed in self._failures.items():
            yield FailureRow(domain, policy_type, result_type, host, organization, day, failed)

    def domain_failure_rows(self) -> Iterator[FailureRow]:
        """Failed sessions across policy types (:mod:`.sessions`), as :data:`ANY_POLICY_TYPE`: the rows' sum
        less what a report's policy types repeated (its ``tlsa`` and ``sts`` rows of one MX host and result type)."""
        totals: defaultdict[tuple[str, str, str, str, str], int] = defaultdict(int)
        for (domain, _, result_type, host, organization, day), failed in self._failures.items():
            totals[(domain, result_type, host, organization, day)] += failed
        for (domain, result_type, host, organization, day), failed in totals.items():
            repeated = self._repeated.get((domain, result_type, host, organization, day), 0)
            yield FailureRow(domain, ANY_POLICY_TYPE, result_type, host, organization, day, failed - repeated)

    def as_json(self) -> dict[str, Any]:
        """The ``reports summary --format json`` object (docs/reports.md)."""
        days = [(seen.first_day, seen.last_day) for seen in self._policies.values()]  # every counted report's
        first, last = (min(d[0] for d in days), max(d[1] for d in days)) if days else (None, None)
        period = {"since": self._since, "until": self._until, "first_day": first, "last_day": last}
        return {
            "period": period,
            "filter": {"domain": self.domain},
            "reports": {
                "read": self.read,
                "counted": self.counted,
                "duplicates": self.duplicates,
                "outside_filter": self.outside,
                "unreadable": self.unreadable,
                "unreadable_named": [{"source": source, "error": error} for source, error in self.unreadable_named],
            },
            "domains": self._domains_json(),
            "organizations": _ranked(
                "organization",
                (
                    {"organization": name, "reports": org.reports, **org.as_json(), "domains": sorted(org.domains)}
                    for name, org in self._orgs.items()
                ),
            ),
            "result_types": self._result_types_json(),
            "mx_hosts": _ranked(
                "mx_host",
                (
                    {"mx_host": host, "ips": sorted(mx.ips), **mx.as_json(), "source": mx.source}
                    for host, mx in self._mx.items()
                ),
            ),
            "policies": self._policies_json(),
            "tlsa_sts": self.tlsa_sts.as_json(self._failures),
        }

    def _domains_json(self) -> list[dict[str, Any]]:
        by_domain: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for (domain, day), c in sorted(self._days.items(), key=lambda item: item[0]):
            orgs = len(set().union(*c.organizations.values()))
            by_domain[domain].append(
                {"day": day, "successful": c.successful, "failed": c.failed, "organizations": orgs}
            )
        return [
            {"domain": domain, **_Sessions(*(sum(d[k] for d in days) for k in _COUNTS)).as_json(), "days": days}
            for domain, days in by_domain.items()
        ]

    def _result_types_json(self) -> list[dict[str, Any]]:
        grouped: defaultdict[str, list[FailureRow]] = defaultdict(list)
        for row in self.failure_rows():
            grouped[row.result_type].append(row)
        rows = [
            {
                "result_type": name,
                "failed": sum(r.failed for r in group),
                "organizations": sorted({r.organization for r in group}),
                "mx_hosts": sorted({r.mx_host for r in group}),
                "domains": sorted({r.domain for r in group}),
                "first_day": min(r.day for r in group),
                "last_day": max(r.day for r in group),
            }
            for name, group in grouped.items()
        ]
        return sorted(rows, key=lambda r: (-r["failed"], r["result_type"]))

    def _policies_json(self) -> list[dict[str, Any]]:
        rows = [
            {
                "domain": domain,
                "policy_type": policy_type,
                "policy_string": list(strings),
                "policy_id": self._policy_id(strings) if self._policy_id and policy_type == "sts" and strings else None,
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


def _add_sessions(org: _Org, domain: str, cell: _Day, successful: int, failed: int) -> None:
    """One report's sessions of one policy domain (:mod:`.sessions`) under its organisation and its day."""
    org.successful += successful
    org.failed += failed
    org.domains.add(domain)
    cell.successful += successful
    cell.failed += failed


def _ranked(name: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["failed"], -r["successful"], r[name]))
