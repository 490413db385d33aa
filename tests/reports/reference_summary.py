"""``reports summary``'s counting as it was before the speed work of issue 25 (commit 734ce0c:
reports/summary.py, with the sessions.py and tlsa_sts.py it used), kept as the reference the fast
one must agree with on every generated set of reports (tests/reports/test_summary_reference.py).
Not used by the package; do not "fix" it: a change in behaviour belongs in the package AND here, on purpose."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pulumi_mta_sts.reports.normalise import normal_domain
from pulumi_mta_sts.reports.parse import report_key

# --- reports/sessions.py ------------------------------------------------------------------------

#: The domain label of a policy entry that has no ``policy-domain`` (``no-policy-found``).
NO_DOMAIN = "(no domain)"
#: The result type of failures a sender counted in its total but did not detail.
NOT_DETAILED = "(not detailed)"
#: The MX host of a failure whose receiving host and policy MX hosts are both unknown.
NOT_REPORTED = "(not reported)"


def mx_label(policy: Mapping[str, Any]) -> str | None:
    """Where a policy's successful sessions count: its MX hosts, joined with ``", "``."""
    hosts = policy.get("mx_hosts") or ()
    return ", ".join(hosts) if hosts else None


def receiving_host(name: str | None) -> str | None:
    """A failure's receiving MX host: lowercase, without the final dot (``None`` when not given)."""
    return (name.rstrip(".").lower() or None) if name else None


def sessions_once(counts: Iterable[tuple[str, int]]) -> int:
    """One policy domain's sessions in one report from its policies' ``(policy type, count)``."""
    sts = tlsa = other = 0
    for policy_type, count in counts:
        if policy_type == "sts":
            sts += count
        elif policy_type == "tlsa":
            tlsa += count
        else:
            other += count
    return max(sts, tlsa) + other


def domain_sessions(policies: Sequence[Mapping[str, Any]]) -> dict[str | None, tuple[int, int]]:
    """Each policy domain (``None``: none given) of ONE report -> its ``(successful, failed)``."""
    if len(policies) == 1:
        only = policies[0]
        return {only["policy_domain"]: (only["successful"], only["failed"])}
    grouped: dict[str | None, list[Mapping[str, Any]]] = {}
    for policy in policies:
        grouped.setdefault(policy["policy_domain"], []).append(policy)
    return {
        domain: (
            sessions_once((p["policy_type"], p["successful"]) for p in group),
            sessions_once((p["policy_type"], p["failed"]) for p in group),
        )
        for domain, group in grouped.items()
    }


# --- reports/tlsa_sts.py ------------------------------------------------------------------------

#: The policy types shown side by side.
SIDE_TYPES = ("sts", "tlsa")
#: The ``mx_host`` of a domain's own row (every MX host together).
ALL_MX = "(all MX hosts)"
#: What the output says of the numbers (text, Markdown and HTML show it; docs/reports.md).
SAME_SESSIONS = (
    "where a sender reports both, tlsa and sts are the same sessions judged twice: "
    "a domain's 'once' counts them once (the larger of the two), never their sum"
)

#: (domain, mx host) -> [successful, failed] per type, and (the domain's row only) counted once.
_Cells = defaultdict[tuple[str, str], dict[str, list[int]]]


def _cells() -> dict[str, list[int]]:
    return {"sts": [0, 0], "tlsa": [0, 0], "once": [0, 0]}


class TlsaSts:
    """The side-by-side counts; memory grows with domains, MX hosts and result types, not reports."""

    def __init__(self) -> None:
        self._cells: _Cells = defaultdict(_cells)
        #: (domain, mx host, policy type, result type) -> failed sessions.
        self._failures: defaultdict[tuple[str, str, str, str], int] = defaultdict(int)
        self._reports: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])  # [with either, with both]
        self._with_tlsa: set[str] = set()

    def add(self, policies: Sequence[Mapping[str, Any]], failures: Iterable[tuple[str, str, str, str, int]]) -> None:
        """One counted report: its policies and failure rows ``(domain, type, result type, MX host, sessions)``.
        Every summarised report passes here (``reports summary`` is measured against parsing alone,
        bench/bench_summary.py): one pass over the policies, one over the failures."""
        if len(policies) == 1:
            self._add_one(policies[0])
        else:
            self._add_many(policies)
        for domain, kind, result_type, host, count in failures:
            if kind in SIDE_TYPES:
                self._cells[(domain, host)][kind][1] += count
                self._failures[(domain, host, kind, result_type)] += count

    def _add_one(self, policy: Mapping[str, Any]) -> None:
        """A report of one policy (nearly every report): its counts are its domain's ``once``, as
        :meth:`_count_once` has it for one policy, without the grouping."""
        kind = policy["policy_type"]
        if kind not in SIDE_TYPES:
            return
        domain, successful, failed = policy["policy_domain"] or NO_DOMAIN, policy["successful"], policy["failed"]
        row = self._cells[(domain, ALL_MX)]
        whole, once = row[kind], row["once"]
        whole[0] += successful
        whole[1] += failed
        once[0] += successful
        once[1] += failed
        self._cells[(domain, mx_label(policy) or NOT_REPORTED)][kind][0] += successful
        self._reports[domain][0] += 1
        if kind == "tlsa":
            self._with_tlsa.add(domain)

    def _add_many(self, policies: Sequence[Mapping[str, Any]]) -> None:
        cells, totals = self._cells, dict[str, list[tuple[str, int, int]]]()
        for policy in policies:
            kind = policy["policy_type"]
            if kind not in SIDE_TYPES:
                continue
            domain, successful, failed = policy["policy_domain"] or NO_DOMAIN, policy["successful"], policy["failed"]
            totals.setdefault(domain, []).append((kind, successful, failed))
            whole = cells[(domain, ALL_MX)][kind]
            whole[0] += successful
            whole[1] += failed
            cells[(domain, mx_label(policy) or NOT_REPORTED)][kind][0] += successful
        for domain, counts in totals.items():
            self._count_once(domain, counts)

    def _count_once(self, domain: str, counts: list[tuple[str, int, int]]) -> None:
        """The rule of the domain views over these two types (one policy: its own counts), and the report."""
        once, reports = self._cells[(domain, ALL_MX)]["once"], self._reports[domain]
        if len(counts) == 1:
            once[0], once[1] = once[0] + counts[0][1], once[1] + counts[0][2]
        else:
            once[0] += sessions_once((kind, successful) for kind, successful, _ in counts)
            once[1] += sessions_once((kind, failed) for kind, _, failed in counts)
        kinds = {kind for kind, _, _ in counts}
        reports[0] += 1
        reports[1] += len(kinds) == 2
        if "tlsa" in kinds:
            self._with_tlsa.add(domain)

    def as_json(self) -> list[dict[str, Any]]:
        """The rows of ``tlsa_sts`` (docs/reports.md): each domain's own row, then its MX hosts by name."""
        keys = sorted((k for k in self._cells if k[0] in self._with_tlsa), key=lambda k: (k[0], k[1] != ALL_MX, k[1]))
        return [self._row(domain, host) for domain, host in keys]

    def _row(self, domain: str, host: str) -> dict[str, Any]:
        cells = self._cells[(domain, host)]
        row: dict[str, Any] = {"domain": domain, "mx_host": host}
        for kind in SIDE_TYPES:
            types = _failure_types(self._failures, domain, None if host == ALL_MX else host, kind)
            row[kind] = {"successful": cells[kind][0], "failed": cells[kind][1], "result_types": types}
        if host == ALL_MX:
            row["once"] = {"successful": cells["once"][0], "failed": cells["once"][1]}
            row["reports"], row["reports_with_both"] = self._reports[domain]
        return row


def _failure_types(
    failures: Mapping[tuple[str, str, str, str], int], domain: str, host: str | None, kind: str
) -> list[dict[str, Any]]:
    """The failed sessions per result type of one policy type at ``host`` (``None``: every host)."""
    total: defaultdict[str, int] = defaultdict(int)
    for (d, h, k, result_type), count in failures.items():
        if (d, k) == (domain, kind) and host in (None, h) and count:
            total[result_type] += count
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))
    return [{"result_type": result_type, "failed": count} for result_type, count in ranked]


def result_types_text(side: Mapping[str, Any]) -> str:
    """``tlsa-invalid x3, certificate-expired x1`` (``-`` when none); the caller escapes it."""
    return ", ".join(f"{item['result_type']} x{item['failed']}" for item in side.get("result_types") or []) or "-"


# --- reports/summary.py -------------------------------------------------------------------------

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
    """The identities seen in one ``bytearray`` (open addressing, at most half full): 32-64 bytes a
    report where a ``set`` takes about 100. Zeros mark a free slot; the zero identity is kept apart."""

    _EMPTY = bytes(IDENTITY_BYTES)

    def __init__(self, slots: int = 1024) -> None:
        self._table = bytearray(IDENTITY_BYTES * slots)
        self._mask = slots - 1
        self._count = 0
        self._zero = False

    def __len__(self) -> int:
        return self._count + self._zero

    def add(self, identity: bytes) -> bool:
        if identity == self._EMPTY:
            seen, self._zero = self._zero, True
            return not seen
        table, size = self._table, IDENTITY_BYTES
        slot = int.from_bytes(identity[:8], "little") & self._mask
        while (current := table[slot * size : slot * size + size]) != self._EMPTY:
            if current == identity:
                return False
            slot = (slot + 1) & self._mask
        table[slot * size : slot * size + size] = identity
        self._count += 1
        if 2 * self._count > self._mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old, size = self._table, IDENTITY_BYTES
        self._table = bytearray(2 * len(old))
        self._mask = 2 * self._mask + 1
        self._count = 0
        for start in range(0, len(old), size):
            if old[start : start + size] != self._EMPTY:
                self.add(bytes(old[start : start + size]))


@dataclass
class _Sessions:
    successful: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        total = self.successful + self.failed
        rate = round(self.successful / total, 6) if total else None
        return {"successful": self.successful, "failed": self.failed, "success_rate": rate}


@dataclass
class _Day(_Sessions):
    organizations: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class _Org(_Sessions):
    reports: int = 0
    domains: set[str] = field(default_factory=set)


@dataclass
class _Mx(_Sessions):
    ips: set[str] = field(default_factory=set)
    source: str | None = None

    def saw_source(self, source: str | None) -> None:
        """Keep the most direct source seen (``mx-host`` before ``policy-string``)."""
        if source is not None and _SOURCE_RANK.get(source, 9) < (
            _SOURCE_RANK.get(self.source, 9) if self.source else 10
        ):
            self.source = source


@dataclass
class _Policy(_Sessions):
    first_day: str = "9999-99-99"
    last_day: str = ""
    organizations: set[str] = field(default_factory=set)


@dataclass
class _Context:
    domain: str
    policy_type: str
    label: str | None  # its MX hosts, joined
    seen: _Policy
    mx: _Mx | None


class Summary:
    def __init__(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        domain: str | None = None,
        policy_id: PolicyIdFunction | None = None,
    ) -> None:
        self.since, self.until = since, until
        self.domain = normal_domain(domain) if domain else None
        self._since = since.isoformat() if since else None
        self._until = until.isoformat() if until else None
        self._policy_id = policy_id
        self._seen = IdentitySet()
        self.read = self.counted = self.duplicates = self.outside = self.unreadable = 0
        self.unreadable_named: list[tuple[str, str]] = []
        self.first_day: str | None = None
        self.last_day: str | None = None
        self._days: defaultdict[tuple[str, str], _Day] = defaultdict(_Day)
        self._orgs: defaultdict[str, _Org] = defaultdict(_Org)
        self._mx: defaultdict[str, _Mx] = defaultdict(_Mx)
        self._policies: defaultdict[tuple[str, str, tuple[str, ...]], _Policy] = defaultdict(_Policy)
        self._contexts: dict[tuple[Any, ...], _Context] = {}
        #: (domain, policy type, result type, MX host, organisation, day) -> failed sessions.
        self._failures: defaultdict[tuple[str, str, str, str, str, str], int] = defaultdict(int)
        #: (domain, result type, MX host, organisation, day) -> failed sessions, by :mod:`.sessions`.
        self._domain_failures: defaultdict[tuple[str, str, str, str, str], int] = defaultdict(int)
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
        key = report_key(report if isinstance(report, dict) else dict(report))  # the receiver's: exact
        if not self._seen.add(bytes.fromhex(key[: 2 * IDENTITY_BYTES])):
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
        self.first_day, self.last_day = min(self.first_day or day, day), max(self.last_day or day, day)
        org = self._orgs[organization]
        org.reports += 1
        failures: list[_Failure] = []
        for policy in policies:
            self._count_policy(organization, day, policy, failures)
        for policy_domain, (successful, failed) in domain_sessions(policies).items():
            domain = policy_domain or NO_DOMAIN
            org.successful += successful
            org.failed += failed
            org.domains.add(domain)
            cell = self._days[(domain, day)]
            cell.successful += successful
            cell.failed += failed
        self.tlsa_sts.add(policies, failures)
        if failures:
            self._count_failures(organization, day, failures)

    def _count_failures(self, organization: str, day: str, failures: list[_Failure]) -> None:
        """One report's failure rows, as sent and per domain by the rule of :mod:`.sessions`."""
        grouped: defaultdict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
        for domain, policy_type, result_type, host, count in failures:
            self._failures[(domain, policy_type, result_type, host, organization, day)] += count
            self._mx[host].failed += count
            grouped[(domain, result_type, host)].append((policy_type, count))
        for (domain, result_type, host), counts in grouped.items():
            self._domain_failures[(domain, result_type, host, organization, day)] += sessions_once(counts)

    def _context(self, policy: Mapping[str, Any]) -> _Context:
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
            context = self._contexts[key] = _Context(
                domain, key[1], label, self._policies[(domain, key[1], key[2])], mx
            )
        return context

    def _count_policy(self, organization: str, day: str, policy: Mapping[str, Any], failures: list[_Failure]) -> None:
        context = self._context(policy)
        successful: int = policy["successful"]
        failed: int = policy["failed"]
        self._days[(context.domain, day)].organizations[context.policy_type].add(organization)
        if context.mx is not None:
            context.mx.successful += successful
        if failed or policy["failure_details"]:
            failures += self._failure_rows(context, policy)
        seen = context.seen
        seen.successful += successful
        seen.failed += failed
        seen.first_day, seen.last_day = min(seen.first_day, day), max(seen.last_day, day)
        seen.organizations.add(organization)

    def _failure_rows(self, context: _Context, policy: Mapping[str, Any]) -> list[_Failure]:
        """One row per detail and one for failures counted without detail."""
        rows: list[_Failure] = []
        for detail in policy["failure_details"]:
            host = receiving_host(detail.get("receiving_mx_hostname")) or context.label or NOT_REPORTED
            rows.append(
                (context.domain, context.policy_type, detail["result_type"], host, detail["failed_session_count"])
            )
            if detail.get("receiving_ip"):
                self._mx[host].ips.add(detail["receiving_ip"])
        rest = policy["failed"] - sum(row[4] for row in rows)
        if rest > 0:
            rows.append((context.domain, context.policy_type, NOT_DETAILED, context.label or NOT_REPORTED, rest))
        return rows

    def organizations_on(self, domain: str, day: str, policy_type: str = "sts") -> frozenset[str]:
        cell = self._days.get((domain, day))
        return frozenset(cell.organizations.get(policy_type, ())) if cell is not None else frozenset()

    def failure_rows(self) -> Iterator[FailureRow]:
        for (domain, policy_type, result_type, host, organization, day), failed in self._failures.items():
            yield FailureRow(domain, policy_type, result_type, host, organization, day, failed)

    def domain_failure_rows(self) -> Iterator[FailureRow]:
        """Failed sessions across policy types (:mod:`.sessions`), as :data:`ANY_POLICY_TYPE`."""
        for (domain, result_type, host, organization, day), failed in self._domain_failures.items():
            yield FailureRow(domain, ANY_POLICY_TYPE, result_type, host, organization, day, failed)

    def as_json(self) -> dict[str, Any]:
        """The ``reports summary --format json`` object (docs/reports.md)."""
        period = {"since": self._since, "until": self._until, "first_day": self.first_day, "last_day": self.last_day}
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
            "tlsa_sts": self.tlsa_sts.as_json(),
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


def _ranked(name: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["failed"], -r["successful"], r[name]))
