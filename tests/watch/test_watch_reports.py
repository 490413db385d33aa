"""``problems_from_reports``: the receiver's stored reports of the last day as problems, for rounds
that cannot reach port 25 (``--no-smtp``, the scheduled watchers). Generated reports, simulated clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.watch import problems_from_reports
from pulumi_mta_sts.watch.reports import REPORT_WINDOW, WATCHED_RESULTS

NOW = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
RESULTS = [*WATCHED_RESULTS, "validation-failure", "sts-policy-fetch-error"]
MX = ["mx1.a.example", "mx2.a.example"]


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


details = st.lists(
    st.fixed_dictionaries(
        {
            "result_type": st.sampled_from(RESULTS),
            "failed_session_count": st.integers(0, 10**6),
            "receiving_mx_hostname": st.sampled_from(MX),
        }
    ),
    max_size=4,
)
reports = st.lists(
    st.builds(
        lambda hours_ago, organisation, mode, failures: {
            "organization_name": organisation,
            "report_id": "r",
            "start": stamp(NOW - dt.timedelta(hours=hours_ago + 24)),
            "end": stamp(NOW - dt.timedelta(hours=hours_ago)),
            "policies": [
                {
                    "policy_type": "sts",
                    "policy_domain": "a.example",
                    "policy_strings": ["version: STSv1", f"mode: {mode}"],
                    "mx_hosts": MX,
                    "successful": 1,
                    "failed": 1,
                    "failure_details": failures,
                }
            ],
        },
        st.integers(-2, 72),
        st.sampled_from(["Sender A", "Sender B"]),
        st.sampled_from(["enforce", "testing"]),
        details,
    ),
    max_size=6,
)


def recent(report: dict[str, Any]) -> bool:
    end = dt.datetime.strptime(report["end"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return NOW - REPORT_WINDOW <= end <= NOW + REPORT_WINDOW


@given(reports)
def test_one_problem_per_mx_and_result_of_the_last_day(generated: list[dict[str, Any]]) -> None:
    found = problems_from_reports(generated, NOW)
    expected: dict[str, tuple[int, bool]] = {}
    for report in filter(recent, generated):
        policy = report["policies"][0]
        for detail in policy["failure_details"]:
            if detail["result_type"] in WATCHED_RESULTS:
                code = f"report-{detail['result_type']}:{detail['receiving_mx_hostname']}"
                count, enforced = expected.get(code, (0, False))
                expected[code] = (
                    count + detail["failed_session_count"],
                    enforced or "mode: enforce" in policy["policy_strings"],
                )
    problems = found.get("a.example", [])
    assert set(found) <= {"a.example"}
    assert {p.code: p.severity for p in problems} == {c: ("fail" if e else "warn") for c, (_, e) in expected.items()}
    for problem in problems:
        assert f"{expected[problem.code][0]} sessions" in problem.message
        assert problem.code.partition(":")[2] in problem.fix


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
KEYS = ["organization_name", "start", "end", "policies", "policy_domain", "policy_strings", "policy_type"]
KEYS += ["failure_details", "result_type", "failed_session_count", "receiving_mx_hostname", "receiving_ip"]
odd_values = st.recursive(
    anything,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)
#: A report of the last day (so it is read), every other part of any shape.
odd_reports = st.fixed_dictionaries({"end": st.just(stamp(NOW))}, optional={k: odd_values for k in KEYS if k != "end"})


@given(st.lists(odd_reports | anything, max_size=4))
def test_reports_of_any_shape_never_crash_it(odd: list[Any]) -> None:
    problems_from_reports(odd, NOW)
