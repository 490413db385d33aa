"""The fast ``reports summary`` counting (issue 25) answers exactly what the previous one answered
(tests/reports/reference_summary.py, the code before the speed work): the same ``as_json()`` (every
view, its order, the tlsa/sts rows, the period), the same failure rows in the same order, the same
organisations per day and type, the same answer to each ``add``, on generated reports that mix
one- and many-policy reports, ``sts``/``tlsa``/other policy types of one domain, MX hosts given or
not, failure details with and without a receiving host or IP, zero counts, duplicates and filters;
on the summary corpus and on every real sender's report."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.reports.parse import parse_input, report_key
from pulumi_mta_sts.reports.summary import Summary

from . import reference_summary
from .realworld_files import REALWORLD_FILES, needs_real_reports
from .summary_corpus import NEW_POLICY, OLD_POLICY, normalised_reports

MANY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"]
DOMAINS = ["example.com", "example.org", None]
TYPES = ["sts", "tlsa", "no-policy-found"]

_details = st.lists(
    st.fixed_dictionaries(
        {
            "result_type": st.sampled_from(["certificate-expired", "tlsa-invalid", "sts-policy-fetch-error"]),
            "failed_session_count": st.integers(0, 40),
        },
        optional={
            "receiving_mx_hostname": st.sampled_from([None, "", "mx1.example.com", "MX2.example.com.", "."]),
            "receiving_ip": st.sampled_from([None, "", "192.0.2.1", "2001:db8::1"]),
        },
    ),
    max_size=3,
)


@st.composite
def _policy(draw: st.DrawFn) -> dict[str, Any]:
    details: list[dict[str, Any]] = draw(_details)
    kind = draw(st.sampled_from(TYPES))
    policy: dict[str, Any] = {
        "policy_type": kind,
        "policy_domain": draw(st.sampled_from(DOMAINS)),
        "policy_strings": draw(st.sampled_from([[], OLD_POLICY, NEW_POLICY])) if kind == "sts" else [],
        "mx_hosts": draw(st.sampled_from([[], ["mx1.example.com"], ["mx1.example.com", "*.example.com"]])),
        "successful": draw(st.integers(0, 1000) | st.just(0)),
        # a total at, above or (as some senders send) below the details' sum
        "failed": max(0, sum(d["failed_session_count"] for d in details) + draw(st.sampled_from([0, 0, 1, 7, -3]))),
        "failure_details": details,
    }
    source = draw(st.sampled_from([None, "mx-host", "policy-string", "absent"]))
    if source != "absent":
        policy["mx_hosts_source"] = source
    return policy


_report = st.fixed_dictionaries(
    {
        "organization_name": st.sampled_from(["Google Inc.", "Microsoft Corporation", "Mail.ru", "Ünï | Org"]),
        "report_id": st.sampled_from(["1", "2", "3", "x"]) | st.text(max_size=4),
        "start": st.sampled_from(DAYS).map(lambda day: f"{day}T00:00:00Z"),
        "policies": st.lists(_policy(), min_size=0, max_size=4) | st.lists(_policy(), min_size=1, max_size=1),
    }
)
_reports = st.lists(_report, max_size=30).flatmap(
    lambda reports: (
        st.lists(st.sampled_from(reports), max_size=5).map(lambda again: reports + copy.deepcopy(again))
        if reports
        else st.just(reports)
    )
)
_filters = st.fixed_dictionaries(
    {},
    optional={
        "since": st.sampled_from([date(2024, 1, 2), date(2024, 1, 4)]),
        "until": st.sampled_from([date(2024, 1, 2), date(2024, 1, 3)]),
        "domain": st.sampled_from(["example.com", "Example.ORG."]),
    },
)


_POLICY = {
    "policy_type": "sts",
    "policy_domain": "example.com",
    "policy_strings": OLD_POLICY,
    "mx_hosts": ["mx1.example.com"],
    "successful": 1,
    "failed": 0,
    "failure_details": [],
}


def _policy_id(strings: Sequence[str]) -> str | None:
    return f"id-{len(strings)}" if len(strings) > 4 else None


def _both(reports: Iterable[Mapping[str, Any]], **filters: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every answer of the fast summary and of the reference on the same reports, side by side."""
    fast, old = Summary(policy_id=_policy_id, **filters), reference_summary.Summary(policy_id=_policy_id, **filters)
    fast_added, old_added = [], []
    for report in reports:
        fast_added.append(fast.add(report))
        old_added.append(old.add(report))
    fast.add_unreadable("bad.json", "not JSON")
    old.add_unreadable("bad.json", "not JSON")
    answers: list[dict[str, Any]] = []
    for summary in (fast, old):
        rows = [tuple(vars(row).values()) for row in summary.failure_rows()]
        domain_rows = [tuple(vars(row).values()) for row in summary.domain_failure_rows()]
        orgs = {
            (domain, day, kind): summary.organizations_on(domain, day, kind)
            for domain in ["example.com", "example.org", "(no domain)"]
            for day in DAYS
            for kind in TYPES
        }
        data, again = summary.as_json(), summary.as_json()
        answers.append({"json": data, "again": again, "rows": rows, "domain_rows": domain_rows, "orgs": orgs})
    answers[0]["added"], answers[1]["added"] = fast_added, old_added
    return answers[0], answers[1]


@MANY
@given(_reports, _filters)
def test_the_fast_summary_answers_as_the_previous_one(reports: list[dict[str, Any]], filters: dict[str, Any]) -> None:
    fast, old = _both(reports, **filters)
    assert fast == old


@MANY
@given(_reports, st.randoms(use_true_random=False))
def test_the_same_in_any_order(reports: list[dict[str, Any]], rnd: Any) -> None:
    rnd.shuffle(reports)
    fast, old = _both(reports)
    assert fast == old


def test_the_corpus_gives_the_same_summary() -> None:
    reports = normalised_reports()
    for filters in ({}, {"since": date(2024, 3, 8)}, {"domain": "example.org"}):
        fast, old = _both([*reports, *reports[:5]], **filters)
        assert fast == old


@needs_real_reports
def test_real_senders_reports_give_the_same_summary() -> None:
    reports = [
        report.report
        for path in sorted(REALWORLD_FILES.iterdir())
        for report in parse_input(path.read_bytes(), path.name).reports
    ]
    assert len(reports) > 30
    fast, old = _both(reports)
    assert fast == old


_names = st.sampled_from(["Google", "google", "Google ", "G\x00", "\x00", "\ud800", "?", "Ü", "U\u0308", "1"])


@MANY
@given(st.lists(st.tuples(_names, _names), min_size=1, max_size=12), _report)
def test_a_report_is_a_duplicate_exactly_when_the_receivers_key_is(
    identities: list[tuple[str, str]], report: dict[str, Any]
) -> None:
    """The summary's identity is the first bytes of ``report_key``'s digest: the receiver's, exactly
    (nothing folded, lone surrogates kept), so two reports are one exactly when their keys are."""
    summary, keys = Summary(), set[str]()
    for organization, report_id in identities:
        one = {**report, "organization_name": organization, "report_id": report_id, "policies": [_POLICY]}
        key = report_key(one)
        assert summary.add(one) == (key not in keys)
        keys.add(key)
