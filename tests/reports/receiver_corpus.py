"""Generated TLS-RPT reports for the receiver's table, SQL and digest tests (RFC 8460 §4 JSON).

A corpus spans several organisations, days, result types, MX hosts given by ``mx-host`` or only by
the policy string, failures counted without detail, a policy change mid-period, receiving host
names as senders write them (upper case, final dot), a ``no-policy-found`` entry without a domain
and a foreign domain beside a served one, and a served domain's sessions also reported under a
``tlsa`` policy, a second ``sts`` policy or ``no-policy-found`` (the rule of ``reports/sessions.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda import store as lam_store
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore

__all__ = [
    "FIRST",
    "SERVED",
    "deliver",
    "raw_report",
    "report_lists",
    "sample_report",
    "write_tree",
]

SERVED = frozenset({"example.com", "example.org"})
FIRST = date(2026, 11, 1)
ORGANIZATIONS = ("google.com", "Microsoft Corporation", "Yahoo", "comcast.net")
RESULT_TYPES = ("certificate-expired", "starttls-not-supported", "validation-failure", "sts-policy-fetch-error")
POLICY_V1 = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "max_age: 86400"]
POLICY_V2 = ["version: STSv1", "mode: testing", "mx: mx1.example.com", "mx: *.mail.example.com", "max_age: 86400"]
RECEIVING_HOSTS = ("mx1.example.com", "MX1.example.com.", "a.mail.example.com", None)


@st.composite
def failure_detail(draw: st.DrawFn) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "result-type": draw(st.sampled_from(RESULT_TYPES)),
        "failed-session-count": draw(st.integers(0, 40)),
        "sending-mta-ip": "192.0.2.7",
    }
    host = draw(st.sampled_from(RECEIVING_HOSTS))
    if host is not None:
        detail["receiving-mx-hostname"] = host
    if draw(st.booleans()):
        detail["receiving-ip"] = draw(st.sampled_from(("198.51.100.1", "198.51.100.2", "2001:db8::25")))
    return detail


@st.composite
def sts_policy(draw: st.DrawFn, domain: str, day: int) -> dict[str, Any]:
    strings = POLICY_V1 if day < 5 else POLICY_V2  # the policy changed mid-period
    policy: dict[str, Any] = {"policy-type": "sts", "policy-string": strings, "policy-domain": domain}
    if draw(st.booleans()):  # Microsoft never sends mx-host: the MX hosts come from the policy string
        policy["mx-host"] = [line.split(": ", 1)[1] for line in strings if line.startswith("mx:")]
    details = draw(st.lists(failure_detail(), max_size=3))
    detailed = sum(d["failed-session-count"] for d in details)
    undetailed = draw(st.sampled_from((0, 0, 3)))  # a sender's total may exceed its rows
    return {
        "policy": policy,
        "summary": {
            "total-successful-session-count": draw(st.integers(0, 5000)),
            "total-failure-session-count": detailed + undetailed,
        },
        "failure-details": details,
    }


def _extra_policies(draw: st.DrawFn) -> list[dict[str, Any]]:
    extra: list[dict[str, Any]] = []
    if draw(st.integers(0, 5)) == 0:
        extra.append(
            {
                "policy": {"policy-type": "no-policy-found"},
                "summary": {"total-successful-session-count": 4, "total-failure-session-count": 0},
            }
        )
    if draw(st.integers(0, 5)) == 0:
        extra.append(
            {
                "policy": {"policy-type": "sts", "policy-string": POLICY_V1, "policy-domain": "example.net"},
                "summary": {"total-successful-session-count": 9, "total-failure-session-count": 1},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 1}],
            }
        )
    return extra


@st.composite
def same_sessions_policies(draw: st.DrawFn, domain: str, day: int) -> list[dict[str, Any]]:
    """What else a report may say about ``domain`` beside its ``sts`` policy: the same sessions
    under a ``tlsa`` policy (Microsoft), a second ``sts`` policy (a policy change during the day),
    ``no-policy-found`` sessions; each with its own counts."""
    extra: list[dict[str, Any]] = []
    kinds = draw(st.lists(st.sampled_from(("tlsa", "tlsa", "sts", "no-policy-found")), max_size=3))
    for kind in kinds:
        details = draw(st.lists(failure_detail(), max_size=2))
        if kind == "tlsa":
            for detail in details:
                detail["result-type"] = draw(
                    st.sampled_from(("tlsa-invalid", "sts-policy-fetch-error", "dane-required"))
                )
        policy: dict[str, Any] = {"policy-type": kind, "policy-domain": domain}
        if kind == "tlsa":
            policy["policy-string"] = ["3 1 1 " + "AB" * 32]
        elif kind == "sts":
            policy["policy-string"] = POLICY_V2 if day < 5 else POLICY_V1
        extra.append(
            {
                "policy": policy,
                "summary": {
                    "total-successful-session-count": draw(st.integers(0, 5000)),
                    "total-failure-session-count": sum(d["failed-session-count"] for d in details)
                    + draw(st.sampled_from((0, 0, 2))),
                },
                "failure-details": details,
            }
        )
    return extra


@st.composite
def raw_report(draw: st.DrawFn) -> dict[str, Any]:
    """One report about one or both served domains, on one of ten days."""
    day = draw(st.integers(0, 9))
    start = FIRST + timedelta(days=day)
    domains = draw(st.sets(st.sampled_from(sorted(SERVED)), min_size=1))
    organization = draw(st.sampled_from(ORGANIZATIONS))
    policies = [
        policy for d in sorted(domains) for policy in [draw(sts_policy(d, day)), *draw(same_sessions_policies(d, day))]
    ]
    return {
        "organization-name": organization,
        "date-range": {"start-datetime": f"{start}T00:00:00Z", "end-datetime": f"{start}T23:59:59Z"},
        "contact-info": "tlsrpt@example.net",
        "report-id": f"{organization}-{start}-{draw(st.integers(0, 10**6))}",
        "policies": policies + _extra_policies(draw),
    }


def sample_report(
    day: date = FIRST,
    organization: str = "google.com",
    report_id: str = "r-1",
    *,
    failed: int = 2,
    successful: int = 90,
) -> dict[str, Any]:
    """One fixed report about example.com on ``day``: ``failed`` sessions with ``certificate-expired``."""
    details = [{"result-type": "certificate-expired", "failed-session-count": failed, "receiving-ip": "198.51.100.1"}]
    return {
        "organization-name": organization,
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": "tlsrpt@example.net",
        "report-id": report_id,
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-string": POLICY_V1, "policy-domain": "example.com"},
                "summary": {"total-successful-session-count": successful, "total-failure-session-count": failed},
                "failure-details": details if failed else [],
            }
        ],
    }


def report_lists(max_size: int = 30) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Corpora of reports; some are delivered twice (e-mail and HTTPS), which must count once."""
    return st.lists(raw_report(), min_size=1, max_size=max_size).flatmap(
        lambda reports: st.lists(st.sampled_from(reports), max_size=5).map(lambda again: reports + again)
    )


def deliver(store: lam_store.Store, reports: Iterable[Mapping[str, Any]], *, write_table: bool = True) -> None:
    """Each report through the receiver's storage path, as the function stores it."""
    settings = lam.Settings(bucket="b", domains=SERVED, write_table=write_table)
    for index, report in enumerate(reports):
        data = json.dumps(report).encode()
        result = parse_body(data, f"https:{index}")
        lam.store_result(
            result, raw_key=f"raw/https/{index}", input_data=data, store=store, settings=settings, emit=_drop
        )


def _drop(_: dict[str, Any]) -> None:
    return None


def write_tree(store: MemoryStore, root: Path) -> None:
    """The store's objects as files under ``root`` (what ``aws s3 sync s3://bucket root`` gives)."""
    for key, (data, _, _) in store.objects.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
