"""Issue 27: ``tlsa`` beside ``sts`` per domain and MX host in ``reports summary`` (JSON, text,
Markdown, CSV) and ``reports html``, checked against a straightforward count written here (never
``reports/tlsa_sts.py``) on generated reports that mix both policy types for the same and for
different MX hosts; the domain's ``once`` never double counts (the same-sessions rule); what senders
wrote is escaped in every format; Microsoft's real reports are read in place (skipped without them)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.escape import csv as csv_escape
from pulumi_mta_sts.reports.report_page import render_html
from pulumi_mta_sts.reports.summary_render import render_summary_json
from tests.reports.html_summaries import HOSTILE
from tests.reports.realworld_files import needs_real_reports
from tests.reports.summary_corpus import summarise
from tests.reports.test_same_sessions import (
    NO_DOMAIN,
    NOT_REPORTED,
    _failure_rows,
    _real_reports,
    _reports,
    first_of_each,
    observed_domain_views,
)

ALL = "(all MX hosts)"
KINDS = ("sts", "tlsa")
Key = tuple[str, str]


def expected_side_by_side(reports: Iterable[Mapping[str, Any]]) -> dict[Key, dict[str, Any]]:
    """(domain, MX host) -> per type (successful, failed, {result type: failed}); the domain's row also
    ``once`` (per report the larger of the two types' sums) and (reports, reports with both)."""
    cells: defaultdict[Key, dict[str, Any]] = defaultdict(lambda: {k: [0, 0, Counter()] for k in KINDS})
    once: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    counted: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    with_tlsa: set[str] = set()
    for report in first_of_each(reports):
        sums: defaultdict[str, dict[str, list[int]]] = defaultdict(dict)
        for policy in report["policies"]:
            kind = policy["policy_type"]
            if kind not in KINDS:
                continue
            domain = policy["policy_domain"] or NO_DOMAIN
            mine = sums[domain].setdefault(kind, [0, 0])
            mine[0] += policy["successful"]
            mine[1] += policy["failed"]
            cells[(domain, ALL)][kind][0] += policy["successful"]
            cells[(domain, ALL)][kind][1] += policy["failed"]
            cells[(domain, ", ".join(policy["mx_hosts"]) or NOT_REPORTED)][kind][0] += policy["successful"]
            for result_type, host, count in _failure_rows(policy):
                cells[(domain, host)][kind][1] += count
                cells[(domain, host)][kind][2][result_type] += count
                cells[(domain, ALL)][kind][2][result_type] += count
        for domain, by_kind in sums.items():
            for index in (0, 1):
                once[domain][index] += max(counts[index] for counts in by_kind.values())
            counted[domain][0] += 1
            counted[domain][1] += len(by_kind) == 2
            with_tlsa |= {domain} if "tlsa" in by_kind else set()
    out: dict[Key, dict[str, Any]] = {}
    for (domain, host), kinds in cells.items():
        if domain in with_tlsa:
            row: dict[str, Any] = {k: (v[0], v[1], {t: n for t, n in v[2].items() if n}) for k, v in kinds.items()}
            if host == ALL:
                row |= {"once": tuple(once[domain]), "reports": tuple(counted[domain])}
            out[(domain, host)] = row
    return out


def observed_side_by_side(data: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    out: dict[Key, dict[str, Any]] = {}
    for row in data["tlsa_sts"]:
        got: dict[str, Any] = {
            k: (row[k]["successful"], row[k]["failed"], {t["result_type"]: t["failed"] for t in row[k]["result_types"]})
            for k in KINDS
        }
        if "once" in row:
            got |= {"once": (row["once"]["successful"], row["once"]["failed"])}
            got |= {"reports": (row["reports"], row["reports_with_both"])}
        out[(row["domain"], row["mx_host"])] = got
    return out


@settings(max_examples=150, deadline=None)
@given(_reports)
def test_side_by_side_numbers_match_a_straightforward_count(reports: list[dict[str, Any]]) -> None:
    data = summarise(reports).as_json()
    assert observed_side_by_side(data) == expected_side_by_side(reports)


@settings(max_examples=150, deadline=None)
@given(_reports)
def test_the_domains_once_is_the_domain_view_less_other_types_and_never_a_sum(reports: list[dict[str, Any]]) -> None:
    data = summarise(reports).as_json()
    domains = observed_domain_views(data)["domains"]
    other: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for report in first_of_each(reports):
        for policy in report["policies"]:
            if policy["policy_type"] not in KINDS:
                other[policy["policy_domain"] or NO_DOMAIN][0] += policy["successful"]
                other[policy["policy_domain"] or NO_DOMAIN][1] += policy["failed"]
    for row in data["tlsa_sts"]:
        if row["mx_host"] != ALL:
            assert "once" not in row  # per MX host the columns are as filed: no total to add up
            continue
        domain, once = row["domain"], row["once"]
        assert (once["successful"] + other[domain][0], once["failed"] + other[domain][1]) == domains[domain]
        for index, key in enumerate(("successful", "failed")):
            assert max(row["sts"][key], row["tlsa"][key]) <= once[key] <= row["sts"][key] + row["tlsa"][key]
            assert index in (0, 1)


def test_without_a_tlsa_policy_the_view_is_empty_and_not_shown() -> None:
    report = microsoft(("sts", "mx1.example.com", 5, []))
    data = summarise([report]).as_json()
    assert data["tlsa_sts"] == []
    for fmt in ("text", "markdown", "csv"):
        assert "tlsa" not in render_summary_json(data, fmt)  # type: ignore[arg-type]
    assert 'id="tlsa-sts"' not in render_html(data)


def microsoft(*policies: tuple[str, str | None, int, list[tuple[str, str, int]]]) -> dict[str, Any]:
    """A normalised report: (type, MX host of the policy, successful, [(result type, MX host, failed)])."""
    return {
        "organization_name": "Microsoft Corporation",
        "report_id": "r1",
        "start": "2026-12-01T00:00:00Z",
        "policies": [
            {
                "policy_type": kind,
                "policy_domain": "example.com",
                "policy_strings": [],
                "mx_hosts": [mx] if mx else [],
                "mx_hosts_source": "mx-host" if mx else None,
                "successful": successful,
                "failed": sum(n for _, _, n in details),
                "failure_details": [
                    {"result_type": rt, "failed_session_count": n, "receiving_mx_hostname": host, "receiving_ip": None}
                    for rt, host, n in details
                ],
            }
            for kind, mx, successful, details in policies
        ],
    }


def test_the_same_sessions_under_both_types_count_once_and_the_output_says_so() -> None:
    report = microsoft(
        ("sts", "mx1.example.com", 8, [("tlsa-invalid", "mx1.example.com", 2)]),
        ("tlsa", None, 8, [("tlsa-invalid", "mx1.example.com", 2)]),
    )
    data = summarise([report]).as_json()
    rows = observed_side_by_side(data)
    assert rows[("example.com", ALL)]["once"] == (8, 2)  # not (16, 4)
    assert rows[("example.com", ALL)]["reports"] == (1, 1)
    assert rows[("example.com", "mx1.example.com")]["tlsa"] == (0, 2, {"tlsa-invalid": 2})
    assert rows[("example.com", NOT_REPORTED)]["tlsa"] == (8, 0, {})
    text = render_summary_json(data, "text")
    assert "same sessions judged twice" in text and "1 of 1" in text
    assert "same sessions judged twice" in render_html(data)


_hostile = st.sampled_from([*HOSTILE, "mx\x1b[2J\x9b1.example.com", "=cmd|' /C calc'!A0", "+1", "@SUM(1)"])


def _controls(text: str) -> set[str]:
    return {ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") and ch not in "\n\r"}


@settings(max_examples=40, deadline=None)
@given(_hostile, _hostile)
def test_what_senders_wrote_is_escaped_in_every_format(host: str, result_type: str) -> None:
    report = microsoft(
        ("sts", "mx1.example.com", 3, [(result_type, host, 1)]),
        ("tlsa", None, 3, [(result_type, host, 1), ("dane-required", host, 2)]),
    )
    data = summarise([report]).as_json()
    assert data["tlsa_sts"]
    for fmt in ("text", "markdown"):
        shown = render_summary_json(data, fmt)  # type: ignore[arg-type]
        assert not _controls(shown) - {"\u2060"}, fmt  # Markdown's word joiner is the escaping's own
    rows = list(csv.DictReader(io.StringIO(render_summary_json(data, "csv"))))
    side = [row for row in rows if row["view"].startswith("tlsa_sts")]
    hosts = {row["mx_host"] for row in side} - {ALL, NOT_REPORTED}
    assert hosts == {csv_escape.cell(r["mx_host"]) for r in data["tlsa_sts"]} - {ALL, NOT_REPORTED}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in side for cell in row.values() if cell)
    page = render_html(data)
    assert not _controls(page) and "<img" not in page and "<svg onload" not in page and "<script" not in page


def test_the_csv_has_a_row_per_type_and_one_per_result_type() -> None:
    report = microsoft(
        ("sts", "mx1.example.com", 8, [("certificate-expired", "mx1.example.com", 1)]),
        ("tlsa", None, 7, [("tlsa-invalid", "mx1.example.com", 2)]),
    )
    rows = list(csv.DictReader(io.StringIO(render_summary_json(summarise([report]).as_json(), "csv"))))
    counts = {(r["mx_host"], r["policy_type"]): (r["successful"], r["failed"]) for r in rows if r["view"] == "tlsa_sts"}
    assert counts[(ALL, "sts")] == ("8", "1") and counts[(ALL, "tlsa")] == ("7", "2")
    assert counts[(ALL, "(once)")] == ("8", "2")
    assert (NOT_REPORTED, "(once)") not in counts
    types = {
        (r["mx_host"], r["policy_type"], r["result_type"], r["failed"])
        for r in rows
        if r["view"] == "tlsa_sts_result_type"
    }
    assert ("mx1.example.com", "tlsa", "tlsa-invalid", "2") in types and (
        ALL,
        "sts",
        "certificate-expired",
        "1",
    ) in types


@needs_real_reports
def test_microsofts_real_reports_side_by_side() -> None:
    reports = [report for _, report in _real_reports()]
    data = summarise(reports).as_json()
    assert observed_side_by_side(data) == expected_side_by_side(reports)
    rows = observed_side_by_side(data)
    assert rows[("random.net", ALL)]["sts"][:2] == rows[("random.net", ALL)]["tlsa"][:2] == (2, 0)
    assert rows[("random.net", ALL)]["once"] == (2, 0)  # the same two sessions, judged twice
    for (_, host), row in rows.items():  # Microsoft files each session under both types: once is either
        if host == ALL and row["reports"][0] == row["reports"][1]:
            assert row["once"] == row["sts"][:2] == row["tlsa"][:2]
    assert {domain for domain, _ in rows} == {
        r["policies"][0]["policy_domain"] for r in reports if any(p["policy_type"] == "tlsa" for p in r["policies"])
    }
