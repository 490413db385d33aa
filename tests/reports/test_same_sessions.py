"""Issue 22 §7: Microsoft reports the same sessions under a domain's ``tlsa`` and its ``sts``
policy. Within one report and one policy domain, a domain's successful (and failed) sessions are
the larger of the ``tlsa`` and the ``sts`` policies' sums, not their total; policies of one type
and every other type (``no-policy-found``) add up. The domain views (domains, days,
organisations), the HTML totals, the digest and the readiness verdict count so; the per-policy
views (policies, result types, MX hosts) keep every count.

The expectations come from an oracle written here (all counts, less the smaller of the two sums
that repeat each other), never from ``reports/sessions.py``; they are checked on generated
reports, the two corpus files that hold both policy types, Microsoft's real reports (read in place
from the folder beside the checkout, skipped without it) and the digest under moto."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda import digest as dig
from pulumi_mta_sts.receiver_lambda.store import S3Store
from pulumi_mta_sts.reports.parse import parse_input
from pulumi_mta_sts.reports.readiness import readiness
from pulumi_mta_sts.reports.report_page import render_html
from pulumi_mta_sts.reports.sessions import sessions_once
from tests.reports.conftest import DIGEST_BUCKET, published_digest
from tests.reports.realworld_files import REALWORLD_FILES, needs_real_reports
from tests.reports.receiver_corpus import deliver
from tests.reports.summary_corpus import summarise

CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"
NO_DOMAIN, NOT_DETAILED, NOT_REPORTED = "(no domain)", "(not detailed)", "(not reported)"
DANE_TYPES = ("tlsa-invalid", "dnssec-invalid", "dane-required")  # RFC 8460 §4.3.2

# --- the oracle ---------------------------------------------------------------------------------


def once(by_type: Mapping[str, int]) -> int:
    """Sessions counted once: everything the policies say, less what the smaller of the ``tlsa``
    and ``sts`` sums repeats of the larger."""
    return sum(by_type.values()) - min(by_type.get("tlsa", 0), by_type.get("sts", 0))


def first_of_each(reports: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Each (organisation, report-id) once: the first read."""
    seen: set[tuple[str, str]] = set()
    for report in reports:
        identity = (report["organization_name"], report["report_id"])
        if identity not in seen:
            seen.add(identity)
            yield report


def by_domain_and_type(report: Mapping[str, Any], key: str) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for policy in report["policies"]:
        sums[policy["policy_domain"] or NO_DOMAIN][policy["policy_type"]] += policy[key]
    return sums


def expected_domain_views(reports: Iterable[Mapping[str, Any]]) -> dict[str, dict[Any, tuple[int, int]]]:
    """The oracle's domains, (domain, day) cells and organisations: (successful, failed)."""
    views: dict[str, dict[Any, list[int]]] = {"domains": {}, "days": {}, "organizations": {}}
    for report in first_of_each(reports):
        day = report["start"][:10]
        for index, key in enumerate(("successful", "failed")):
            for domain, by_type in by_domain_and_type(report, key).items():
                count = once(by_type)
                for view, name in (("domains", domain), ("days", (domain, day))):
                    views[view].setdefault(name, [0, 0])[index] += count
                views["organizations"].setdefault(report["organization_name"], [0, 0])[index] += count
    return {view: {name: (ok, failed) for name, (ok, failed) in rows.items()} for view, rows in views.items()}


def observed_domain_views(data: Mapping[str, Any]) -> dict[str, dict[Any, tuple[int, int]]]:
    return {
        "domains": {d["domain"]: (d["successful"], d["failed"]) for d in data["domains"]},
        "days": {
            (d["domain"], day["day"]): (day["successful"], day["failed"]) for d in data["domains"] for day in d["days"]
        },
        "organizations": {o["organization"]: (o["successful"], o["failed"]) for o in data["organizations"]},
    }


def _failure_rows(policy: Mapping[str, Any]) -> Iterator[tuple[str, str, int]]:
    """(result type, MX host, sessions) of a policy's failures, as ``reports summary`` files them."""
    label = ", ".join(policy["mx_hosts"]) or None
    detailed = 0
    for detail in policy["failure_details"]:
        named = (detail.get("receiving_mx_hostname") or "").rstrip(".").lower()
        detailed += detail["failed_session_count"]
        yield detail["result_type"], named or label or NOT_REPORTED, detail["failed_session_count"]
    if policy["failed"] > detailed:
        yield NOT_DETAILED, label or NOT_REPORTED, policy["failed"] - detailed


def expected_blockers(
    reports: Iterable[Mapping[str, Any]], domain: str, first: str, last: str
) -> dict[tuple[str, str, str], int]:
    """(result type, MX host, organisation) -> the failed sessions that block: the ``sts``
    policy's but DANE's own result types (issue 27: notes, not blockers), and ``sts-*`` results
    under any policy type counted once per report."""
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for report in first_of_each(reports):
        if not first <= report["start"][:10] <= last:
            continue
        organization = report["organization_name"]
        repeated: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for policy in report["policies"]:
            if (policy["policy_domain"] or NO_DOMAIN) != domain:
                continue
            for result_type, host, count in _failure_rows(policy):
                if result_type.startswith("sts-"):
                    repeated[(result_type, host)][policy["policy_type"]] += count
                elif policy["policy_type"] == "sts" and result_type not in DANE_TYPES:
                    out[(result_type, host, organization)] += count
        for (result_type, host), by_type in repeated.items():
            out[(result_type, host, organization)] += once(by_type)
    return {key: count for key, count in out.items() if count}


# --- generated reports ------------------------------------------------------------------------------

STS_LINES = ["version: STSv1", "mode: testing", "mx: mx1.a.example", "max_age: 86400"]
_details = st.lists(
    st.fixed_dictionaries(
        {
            "result_type": st.sampled_from(
                ["sts-policy-fetch-error", "sts-webpki-invalid", "tlsa-invalid", "certificate-expired"]
            ),
            "failed_session_count": st.integers(0, 40),
            "receiving_mx_hostname": st.sampled_from([None, "mx1.a.example", "MX2.a.example."]),
            "receiving_ip": st.none(),
        }
    ),
    max_size=3,
)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    details: list[dict[str, Any]] = draw(_details)
    policy_type = draw(st.sampled_from(["sts", "sts", "tlsa", "tlsa", "no-policy-found", "unknown-kind"]))
    return {
        "policy_type": policy_type,
        "policy_domain": draw(st.sampled_from(["a.example", "a.example", "b.example", None])),
        "policy_strings": STS_LINES if policy_type == "sts" else (["3 1 1 AB"] if policy_type == "tlsa" else []),
        "mx_hosts": draw(st.sampled_from([[], ["mx1.a.example"], ["mx1.a.example", "mx2.a.example"]])),
        "mx_hosts_source": "mx-host",
        "successful": draw(st.integers(0, 10**6) | st.integers(0, 2**63 - 1)),
        "failed": sum(d["failed_session_count"] for d in details) + draw(st.sampled_from([0, 0, 3])),
        "failure_details": details,
    }


_reports = st.lists(
    st.fixed_dictionaries(
        {
            "organization_name": st.sampled_from(["Microsoft Corporation", "Google Inc.", "Mail.ru"]),
            "report_id": st.text("0123456789abcdef", min_size=1, max_size=4),
            "start": st.dates(date(2026, 5, 1), date(2026, 5, 6)).map(lambda d: f"{d}T00:00:00Z"),
            "policies": st.lists(policies(), min_size=1, max_size=6),
        }
    ),
    max_size=20,
).flatmap(
    lambda reports: (
        st.lists(st.sampled_from(reports), max_size=3).map(lambda again: reports + again)
        if reports
        else st.just(reports)
    )
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["sts", "tlsa", "no-policy-found", "other"]), st.integers(0, 10**20))))
def test_the_rule_is_the_larger_of_tlsa_and_sts_plus_every_other_type(counts: list[tuple[str, int]]) -> None:
    by_type: dict[str, int] = defaultdict(int)
    for policy_type, count in counts:
        by_type[policy_type] += count
    assert sessions_once(counts) == once(by_type)


@pytest.mark.parametrize(
    ("counts", "sessions"),
    [
        ([("tlsa", 2), ("sts", 2)], 2),  # Microsoft: the same 2 sessions seen twice
        ([("sts", 10), ("tlsa", 4)], 10),
        ([("sts", 3), ("sts", 4)], 7),  # two sts policies after a change during the day
        ([("sts", 3), ("sts", 4), ("tlsa", 9)], 9),
        ([("tlsa", 5), ("no-policy-found", 4)], 9),
        ([("sts", 2), ("tlsa", 2), ("no-policy-found", 1)], 3),
        ([("no-policy-found", 1), ("no-policy-found", 1)], 2),
        ([], 0),
    ],
)
def test_the_issue_examples(counts: list[tuple[str, int]], sessions: int) -> None:
    assert sessions_once(counts) == sessions


@settings(max_examples=250, deadline=None)
@given(_reports)
def test_domains_days_and_organisations_count_the_same_sessions_once(reports: list[dict[str, Any]]) -> None:
    assert observed_domain_views(summarise(reports).as_json()) == expected_domain_views(reports)


@settings(max_examples=200, deadline=None)
@given(_reports)
def test_the_views_per_policy_keep_every_count(reports: list[dict[str, Any]]) -> None:
    data = summarise(reports).as_json()
    counted = [p for r in first_of_each(reports) for p in r["policies"]]
    assert sum(p["successful"] for p in data["policies"]) == sum(p["successful"] for p in counted)
    assert sum(p["failed"] for p in data["policies"]) == sum(p["failed"] for p in counted)
    assert sum(r["failed"] for r in data["result_types"]) == sum(
        max(p["failed"], sum(d["failed_session_count"] for d in p["failure_details"])) for p in counted
    )
    assert sum(m["successful"] for m in data["mx_hosts"]) == sum(p["successful"] for p in counted if p["mx_hosts"])
    by_type: dict[tuple[str, str], int] = defaultdict(int)
    for policy in data["policies"]:
        by_type[(policy["domain"], policy["policy_type"])] += policy["successful"]
    for policy in counted:
        by_type[(policy["policy_domain"] or NO_DOMAIN, policy["policy_type"])] -= policy["successful"]
    assert not any(by_type.values())


@settings(max_examples=200, deadline=None)
@given(_reports, st.integers(1, 6))
def test_readiness_counts_sts_failures_once(reports: list[dict[str, Any]], days: int) -> None:
    as_of = date(2026, 5, 7)
    verdict = readiness(summarise(reports), "a.example", days=days, as_of=as_of)
    got = {(b.result_type, b.mx_host, b.organization): b.sessions for b in verdict.blockers if b.kind == "failures"}
    first, last = str(as_of - timedelta(days=days)), str(as_of - timedelta(days=1))
    assert got == expected_blockers(reports, "a.example", first, last)


@settings(max_examples=40, deadline=None)
@given(_reports)
def test_the_html_totals_count_the_same_sessions_once(reports: list[dict[str, Any]]) -> None:
    expected = expected_domain_views(reports)["domains"].values()
    successful, failed = sum(ok for ok, _ in expected), sum(bad for _, bad in expected)
    page = render_html(summarise(reports).as_json())
    cards = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", page))
    sessions = successful + failed
    assert sessions < 10**30  # the page shows every digit below that
    assert cards["Sessions"] == f"{sessions:,}"
    assert cards["Failed sessions"] == f"{failed:,}"


# --- the corpus files that hold both policy types ----------------------------------------------------


def summary_of(*paths: Path) -> dict[str, Any]:
    reports = [parsed.report for path in paths for parsed in parse_input(path.read_bytes(), path.name).reports]
    assert len(reports) == len(paths)
    data: dict[str, Any] = summarise(reports).as_json()
    return data


def test_microsofts_tlsa_and_sts_sessions_count_once_in_the_corpus() -> None:
    data = summary_of(CORPUS / "microsoft_sts_and_tlsa_json_array.json")
    assert observed_domain_views(data)["domains"] == {"tide.example": (2, 0)}  # not 4
    assert observed_domain_views(data)["organizations"] == {"Microsoft Corporation": (2, 0)}
    assert sorted((p["policy_type"], p["successful"]) for p in data["policies"]) == [("sts", 2), ("tlsa", 2)]


def test_a_report_whose_tlsa_and_sts_policies_disagree_counts_the_larger_of_each() -> None:
    data = summary_of(CORPUS / "two_policies_sts_and_tlsa.json")
    assert observed_domain_views(data)["domains"] == {"example.com": (10, 2)}  # sts 10/1, tlsa 4/2
    assert sorted((p["policy_type"], p["successful"], p["failed"]) for p in data["policies"]) == [
        ("sts", 10, 1),
        ("tlsa", 4, 2),
    ]
    assert {r["result_type"]: r["failed"] for r in data["result_types"]} == {
        "sts-policy-fetch-error": 1,
        "tlsa-invalid": 2,
        "dnssec-invalid": 0,
    }


# --- Microsoft's real reports -----------------------------------------------------------------------


def _real_reports() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, parsed.report)
        for path in sorted(REALWORLD_FILES.iterdir())
        for parsed in parse_input(path.read_bytes(), path.name).reports
    ]


@needs_real_reports
def test_microsofts_real_reports_count_each_session_once() -> None:
    both = {
        name: report
        for name, report in _real_reports()
        if {"tlsa", "sts"} <= {p["policy_type"] for p in report["policies"]}
    }
    assert {r["organization_name"] for r in both.values()} == {"Microsoft Corporation"} and len(both) >= 3
    for name, report in both.items():
        [domain] = {p["policy_domain"] for p in report["policies"]}
        sts = sum(p["successful"] for p in report["policies"] if p["policy_type"] == "sts")
        data = summarise([report]).as_json()
        assert observed_domain_views(data)["domains"] == {domain: (sts, 0)}, name  # e.g. 2 sessions, not 4
        assert observed_domain_views(data) == expected_domain_views([report]), name
        assert sum(p["successful"] for p in data["policies"]) == 2 * sts  # each policy keeps its count


@needs_real_reports
def test_every_real_report_together_follows_the_rule() -> None:
    reports = [report for _, report in _real_reports()]
    data = summarise(reports).as_json()
    assert observed_domain_views(data) == expected_domain_views(reports)
    assert data["reports"]["counted"] == 33  # PROVENANCE.md: 33 distinct reports in 35 files


# --- the digest (moto S3 + SNS) ---------------------------------------------------------------------


def microsoft_style(day: date, report_id: str, sts: tuple[int, int], tlsa: tuple[int, int]) -> dict[str, Any]:
    """A report listing the same sessions under example.com's sts and tlsa policies."""

    def entry(policy: dict[str, Any], counts: tuple[int, int]) -> dict[str, Any]:
        details = [{"result-type": "sts-policy-fetch-error", "failed-session-count": counts[1]}] if counts[1] else []
        summary = {"total-successful-session-count": counts[0], "total-failure-session-count": counts[1]}
        return {"policy": policy, "summary": summary, "failure-details": details}

    sts_policy = {"policy-type": "sts", "policy-domain": "example.com", "policy-string": STS_LINES}
    tlsa_policy = {"policy-type": "tlsa", "policy-domain": "example.com", "policy-string": ['["3 1 1 AB"]']}
    return {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": report_id,
        "policies": [entry(sts_policy, sts), entry(tlsa_policy, tlsa)],
    }


def test_the_digest_counts_the_same_sessions_once(digest_aws: dict[str, Any]) -> None:
    as_of = date.today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    reports = [
        microsoft_style(as_of - timedelta(days=2), "ms-1", sts=(20, 3), tlsa=(20, 3)),
        microsoft_style(as_of - timedelta(days=3), "ms-2", sts=(7, 0), tlsa=(9, 1)),
    ]
    deliver(S3Store(DIGEST_BUCKET, digest_aws["s3"]), reports)
    dig.handler({}, None, s3=digest_aws["s3"], sns=digest_aws["sns"])
    body = published_digest(digest_aws)
    assert body["Subject"].endswith("example.com not ready, 4 failed")  # 3 + 1, not 3 + 3 + 0 + 1
    text = body["Message"]
    assert re.search(r"\n  example\.com +29 +4 ", text), text  # 20 + 9 successful, 3 + 1 failed
    assert "Microsoft Corporation saw 3 failed session(s) of type sts-policy-fetch-error" in text
    assert "saw 6 failed" not in text
