"""``tlsa`` (DANE) beside ``sts`` (MTA-STS) per policy domain and per MX host (issue 27): what each
policy type's successful and failed sessions and failure types were, and the domain's sessions once.

A sender that validates both (Microsoft) judges the SAME sessions under the domain's ``tlsa`` and
its ``sts`` policy, so the two columns are never added: the domain's ``once`` is
:func:`.sessions.sessions_once` over the two types, report by report (the rule of the domain views).
Per MX host the columns are as senders filed them, with no ``once``: a policy's successful sessions
count under its MX hosts (``tlsa`` policies name none: ``(not reported)``, so the two types'
successes rarely share a row) and a failure under the MX host the summary files it at. Only domains
with a ``tlsa`` policy are shown (for the others the domain views already say it all). The
:class:`~.summary.Summary` feeds :class:`TlsaSts` the policies of each report (:meth:`TlsaSts.add_one`
with the cells :meth:`TlsaSts.cells` gave its policy context, or :meth:`TlsaSts.add_many`) and, when
asked for the rows, its failure rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .sessions import NO_DOMAIN, NOT_REPORTED, mx_label, sessions_once

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


#: A one-policy report's cells: its type's and the ``once`` [successful, failed] of its domain's own row,
#: its type's at its MX hosts, and the domain's [reports, reports with both types].
TlsaCells = tuple[list[int], list[int], list[int], list[int]]


def _cells() -> dict[str, list[int]]:
    return {"sts": [0, 0], "tlsa": [0, 0], "once": [0, 0]}


class TlsaSts:
    """The side-by-side counts; memory grows with domains, MX hosts and result types, not reports."""

    def __init__(self) -> None:
        self._cells: _Cells = defaultdict(_cells)
        self._reports: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])  # [with either, with both]
        self._with_tlsa: set[str] = set()

    def cells(self, domain: str, kind: str, label: str | None) -> TlsaCells | None:
        """Where a report of one policy of this domain, type and MX hosts (its :func:`.sessions.mx_label`)
        counts: the domain's type and ``once`` cells, its MX hosts' cell and its report counts (``None``
        for a type not shown). The summary asks once per policy context; :meth:`add_one` then counts a
        report with no look-up (every summarised report passes here: ``reports summary`` is measured
        against parsing alone, bench/bench_summary.py)."""
        if kind not in SIDE_TYPES:
            return None
        if kind == "tlsa":
            self._with_tlsa.add(domain)
        row = self._cells[(domain, ALL_MX)]
        return row[kind], row["once"], self._cells[(domain, label or NOT_REPORTED)][kind], self._reports[domain]

    @staticmethod
    def add_one(cells: TlsaCells, successful: int, failed: int) -> None:
        """A report of one policy (nearly every report): its counts are its domain's ``once``, as
        :meth:`_count_once` has it for one policy, without the grouping."""
        whole, once, at_mx, reports = cells
        whole[0] += successful
        whole[1] += failed
        once[0] += successful
        once[1] += failed
        at_mx[0] += successful
        reports[0] += 1

    def add_many(self, policies: Sequence[Mapping[str, Any]]) -> None:
        """A report of several policies: each type's counts as sent, the domain's ``once`` by the rule."""
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

    def as_json(self, failures: Mapping[tuple[str, str, str, str, str, str], int]) -> list[dict[str, Any]]:
        """The rows of ``tlsa_sts`` (docs/reports.md): each domain's own row, then its MX hosts by name.
        ``failures`` are the summary's failed sessions per (domain, policy type, result type, MX host,
        organisation, day): each row's failures are theirs at its MX host (read here, not per report)."""
        at_host: defaultdict[tuple[str, str, str, str], int] = defaultdict(int)  # (domain, host, type, result type)
        for (domain, kind, result_type, host, _, _), count in failures.items():
            if kind in SIDE_TYPES and domain in self._with_tlsa:
                at_host[(domain, host, kind, result_type)] += count
        hosts = {*self._cells, *((domain, host) for domain, host, _, _ in at_host)}
        keys = sorted((k for k in hosts if k[0] in self._with_tlsa), key=lambda k: (k[0], k[1] != ALL_MX, k[1]))
        return [self._row(domain, host, at_host) for domain, host in keys]

    def _row(self, domain: str, host: str, at_host: Mapping[tuple[str, str, str, str], int]) -> dict[str, Any]:
        cells = self._cells.get((domain, host)) or _cells()  # a host only failures name has no cells
        row: dict[str, Any] = {"domain": domain, "mx_host": host}
        for kind in SIDE_TYPES:
            failed = cells[kind][1] + sum(n for (d, h, k, _), n in at_host.items() if (d, h, k) == (domain, host, kind))
            types = _failure_types(at_host, domain, None if host == ALL_MX else host, kind)
            row[kind] = {"successful": cells[kind][0], "failed": failed, "result_types": types}
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
