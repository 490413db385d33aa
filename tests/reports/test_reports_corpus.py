"""The TLS-RPT parser against the written corpus (tests/data/tlsrpt/): every input gives exactly
the expected normalised reports and failures; parsedmarc agrees wherever it accepts a report."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.reports.parse import parse_input

CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix in {".json", ".gz", ".eml"})


def expected(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((CORPUS / "expected" / f"{name}.json").read_text())
    return result


def test_corpus_has_at_least_25_variants_and_every_input_has_an_expectation() -> None:
    assert len(CASES) >= 25
    assert {p.name[: -len(".json")] for p in (CORPUS / "expected").iterdir()} == set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_corpus_input_parses_to_the_expected_normalised_reports(name: str) -> None:
    result = parse_input((CORPUS / name).read_bytes(), name)
    want = expected(name)
    assert [r.report for r in result.reports] == want["reports"]
    assert len(result.failures) == len(want["failures"]), [f.as_dict() for f in result.failures]
    for got, wanted in zip(result.failures, want["failures"], strict=True):
        assert got.source == wanted["source"]
        assert wanted["error"] in got.error
    assert (not result.failures and bool(result.reports)) == (not want["failures"] and bool(want["reports"]))


def test_failures_name_the_json_path_at_fault() -> None:
    result = parse_input((CORPUS / "broken_negative_count.json").read_bytes(), "x.json")
    assert result.failures[0].error == (
        "policies[0].summary.total-successful-session-count must not be negative, got -5"
    )


def test_an_email_with_one_broken_attachment_still_yields_the_good_report() -> None:
    result = parse_input((CORPUS / "email_one_good_one_broken.eml").read_bytes(), "m.eml")
    assert len(result.reports) == 1
    assert result.reports[0].source == "m.eml#good.json.gz"
    assert result.failures[0].source == "m.eml#broken.json.gz"
    assert result.failures[0].data  # the broken bytes are kept for quarantine


# --- parsedmarc, an independent parser, agrees with ours -----------------------------------

#: Reports parsedmarc accepts that we deliberately refuse, with the reason.
STRICTER_THAN_PARSEDMARC = {
    "broken_negative_count.json": "a negative session count is not a count",
    "broken_count_not_a_number.json": "'lots' is not a count",
    "broken_bad_date.json": "'yesterday' is not a date-time",
}


def _json_cases() -> list[str]:
    return [n for n in CASES if not n.endswith(".eml")]


def _body(name: str) -> bytes:
    data = (CORPUS / name).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            return data
    return data


@pytest.mark.parametrize("name", _json_cases())
def test_parsedmarc_agrees_wherever_it_accepts_the_report(name: str) -> None:
    import parsedmarc

    if name == "broken_gzip_bomb.json.gz":
        pytest.skip("not decompressed for parsedmarc: it is a gzip bomb")
    try:
        theirs = parsedmarc.parse_smtp_tls_report_json(_body(name))
    except parsedmarc.InvalidSMTPTLSReport:
        return  # parsedmarc refuses it; nothing to compare
    result = parse_input((CORPUS / name).read_bytes(), name)
    if name in STRICTER_THAN_PARSEDMARC:
        assert not result.reports
        return
    assert len(result.reports) == 1, [f.as_dict() for f in result.failures]
    ours = result.reports[0].report
    assert ours["organization_name"] == theirs["organization_name"]
    assert ours["report_id"] == str(theirs["report_id"])
    assert len(ours["policies"]) == len(theirs["policies"])
    for mine, their in zip(ours["policies"], theirs["policies"], strict=True):
        assert mine["successful"] == int(their["successful_session_count"])
        assert mine["failed"] == int(their["failed_session_count"])
        assert [d["result_type"] for d in mine["failure_details"]] == [
            str(d["result_type"]).lower() for d in their.get("failure_details", [])
        ]


def test_parsedmarc_accepts_most_of_the_well_formed_corpus() -> None:
    """Guards the comparison above against silently comparing nothing."""
    import parsedmarc

    accepted = 0
    for name in _json_cases():
        if name.startswith("broken_"):
            continue
        try:
            parsedmarc.parse_smtp_tls_report_json(_body(name))
            accepted += 1
        except parsedmarc.InvalidSMTPTLSReport:
            pass
    assert accepted >= 15


#: Messages parsedmarc reads a report from that we deliberately do not, with the reason.
EMAILS_STRICTER_THAN_PARSEDMARC = {
    "email_application_tlsrpt_named_txt.eml": "a bare application/tlsrpt counts only when named *.json or *.json.gz",
    "email_deep_mime.eml": "MIME parts nesting 40 deep are refused (bounded work); a report nests 2 or 3 deep",
}


@pytest.mark.parametrize("name", [n for n in CASES if n.endswith(".eml")])
def test_parsedmarc_email_parser_agrees_wherever_it_accepts_the_message(name: str) -> None:
    import parsedmarc

    if name in EMAILS_STRICTER_THAN_PARSEDMARC:
        assert not parse_input((CORPUS / name).read_bytes(), name).reports
        return
    try:
        theirs = parsedmarc.parse_report_email((CORPUS / name).read_bytes(), offline=True)
    except (parsedmarc.ParserError, parsedmarc.InvalidSMTPTLSReport):
        return
    if theirs["report_type"] != "smtp_tls":
        return
    report = theirs["report"]
    ours = [r.report for r in parse_input((CORPUS / name).read_bytes(), name).reports]
    match = [r for r in ours if r["report_id"] == str(report["report_id"])]
    assert match, (name, report["report_id"])
    assert match[0]["organization_name"] == report["organization_name"]
    assert [(p["successful"], p["failed"]) for p in match[0]["policies"]] == [
        (int(p["successful_session_count"]), int(p["failed_session_count"])) for p in report["policies"]
    ]
