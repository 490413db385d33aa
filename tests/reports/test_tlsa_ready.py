"""Issue 27: ``reports ready`` says when failures are DANE's rather than the policy's. DANE's own
result types (under any policy type, counted once) and the ``tlsa`` policy's other failures are
``dane`` notes with the fix, never blockers (enforcing MTA-STS does not change them); the same
failure under ``sts`` still blocks. Checked on generated reports against an oracle written here."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.reports.readiness import readiness, render_verdict
from tests.reports.summary_corpus import summarise

AS_OF = date(2026, 12, 4)
DAYS = ("2026-12-01", "2026-12-02", "2026-12-03")
DANE_TYPES = ("tlsa-invalid", "dnssec-invalid", "dane-required")
Detail = tuple[str, str, int]  # result type, receiving MX host, failed sessions


def report(org: str, day: str, sts: list[Detail], tlsa: list[Detail] | None) -> dict[str, Any]:
    def policy(kind: str, details: list[Detail]) -> dict[str, Any]:
        return {
            "policy_type": kind,
            "policy_domain": "example.com",
            "policy_strings": [],
            "mx_hosts": ["mx1.example.com"] if kind == "sts" else [],
            "mx_hosts_source": "mx-host" if kind == "sts" else None,
            "successful": 10,
            "failed": sum(n for _, _, n in details),
            "failure_details": [
                {"result_type": rt, "failed_session_count": n, "receiving_mx_hostname": mx, "receiving_ip": None}
                for rt, mx, n in details
            ],
        }

    policies = [policy("sts", sts)] + ([policy("tlsa", tlsa)] if tlsa is not None else [])
    return {"organization_name": org, "report_id": f"{org}-{day}", "start": f"{day}T00:00:00Z", "policies": policies}


def clean_days(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [report(org, day, [], None) for day in DAYS for org in ("Comcast", "Yahoo")] + list(extra)


def test_a_tlsa_mismatch_reported_under_both_types_is_a_dane_note_not_a_blocker() -> None:
    details = [("tlsa-invalid", "mx1.example.com", 3)]
    verdict = readiness(
        summarise(clean_days(report("Microsoft", DAYS[0], details, details))), "example.com", days=3, as_of=AS_OF
    )
    assert verdict.ready and [(n.kind, n.result_type, n.mx_host, n.sessions) for n in verdict.dane] == [
        ("dane", "tlsa-invalid", "mx1.example.com", 3)  # the same 3 sessions, once
    ]
    text = render_verdict(verdict)
    assert "the failures are DANE's: TLSA for mx1.example.com does not match" in text
    assert "enforcing MTA-STS does not change them" in text and "fix: the TLSA records of mx1.example.com" in text


def test_a_certificate_failure_under_sts_blocks_and_is_not_called_danes() -> None:
    details = [("certificate-expired", "mx1.example.com", 2)]
    verdict = readiness(
        summarise(clean_days(report("Microsoft", DAYS[1], details, details))), "example.com", days=3, as_of=AS_OF
    )
    assert not verdict.ready and verdict.dane == ()
    assert [(b.kind, b.result_type) for b in verdict.blockers] == [("failures", "certificate-expired")]


def test_a_failure_only_under_tlsa_is_danes_with_the_fix() -> None:
    verdict = readiness(
        summarise(clean_days(report("Microsoft", DAYS[2], [], [("certificate-expired", "mx2.example.com", 4)]))),
        "example.com",
        days=3,
        as_of=AS_OF,
    )
    assert verdict.ready and len(verdict.dane) == 1
    note = verdict.dane[0]
    assert "DANE-validating sender failed TLS at mx2.example.com" in note.message
    assert "renew the certificate of mx2.example.com" in note.fix and "whatever the policy's mode" in note.fix


_detail = st.tuples(
    st.sampled_from([*DANE_TYPES, "certificate-expired", "sts-policy-fetch-error", "starttls-not-supported"]),
    st.sampled_from(["mx1.example.com", "mx2.example.com"]),
    st.integers(1, 9),
)
_day_reports = st.lists(
    st.tuples(
        st.sampled_from(["Microsoft", "Google"]),
        st.sampled_from(DAYS),
        st.lists(_detail, max_size=3),
        st.none() | st.lists(_detail, max_size=3),
    ),
    max_size=6,
)


def oracle(extra: list[tuple[str, str, list[Detail], list[Detail] | None]]) -> tuple[set[Any], set[Any]]:
    """(blocking (type, MX, org), DANE (type, MX, org)) straight from the definitions."""
    blocking: set[Any] = set()
    dane: set[Any] = set()
    seen: set[tuple[str, str]] = set()
    tlsa_other: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for org, day, sts, tlsa in extra:
        if (org, day) in seen:
            continue  # one report per organisation and day (the same report-id)
        seen.add((org, day))
        for rt, mx, _ in sts:
            (dane if rt in DANE_TYPES else blocking).add((rt, mx, org))
        for rt, mx, n in tlsa or []:
            if rt in DANE_TYPES or rt.startswith("sts-"):
                (dane if rt in DANE_TYPES else blocking).add((rt, mx, org))
            else:
                tlsa_other[(rt, mx, org)] += n
    return blocking, dane | {key for key in tlsa_other if key not in blocking}


@settings(max_examples=120, deadline=None)
@given(_day_reports)
def test_blockers_and_dane_notes_match_the_definitions(extra: list[Any]) -> None:
    reports = clean_days(*(report(org, day, sts, tlsa) for org, day, sts, tlsa in extra))
    verdict = readiness(summarise(reports), "example.com", days=3, as_of=AS_OF)
    blocking, dane = oracle(extra)
    assert {(b.result_type, b.mx_host, b.organization) for b in verdict.blockers if b.kind == "failures"} == blocking
    assert {(n.result_type, n.mx_host, n.organization) for n in verdict.dane} == dane
    assert verdict.ready == (not blocking)


def test_the_json_verdict_lists_the_dane_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = {
        "organization-name": "Microsoft\x1b[2J Corporation",
        "date-range": {"start-datetime": f"{DAYS[0]}T00:00:00Z", "end-datetime": f"{DAYS[0]}T23:59:59Z"},
        "contact-info": "x",
        "report-id": "1",
        "policies": [
            {
                "policy": {"policy-type": "tlsa", "policy-string": ['["3 1 1 AB"]'], "policy-domain": "example.com"},
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": 2},
                "failure-details": [
                    {
                        "result-type": "dnssec-invalid",
                        "receiving-mx-hostname": "mx\u202e1.example.com",
                        "failed-session-count": 2,
                    }
                ],
            }
        ],
    }
    (tmp_path / "r.json").write_text(json.dumps(raw))
    args = ["reports", "ready", "example.com", "--source", str(tmp_path), "--days", "1", "--as-of", DAYS[1]]
    assert main([*args, "--format", "json"]) == 1  # one organisation a day is too few: not ready anyway
    data = json.loads(capsys.readouterr().out)
    assert [(n["kind"], n["result_type"], n["sessions"]) for n in data["dane"]] == [("dane", "dnssec-invalid", 2)]
    main(args)
    text = capsys.readouterr().out
    assert "DNSSEC answers for mx" in text and "\x1b" not in text and "\u202e" not in text and "U+202E" in text
