"""`mta-sts reports ready`: the verdict both ways on the generated corpus, each blocker kind
named (failures with result type, MX host, organisation, first and last day; coverage; no
reports), exit codes 0/1/2, and golden outputs (MTA_STS_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.reports.readiness import Blocker, readiness, render_verdict
from pulumi_mta_sts.reports.sessions import NOT_DETAILED, NOT_REPORTED

from .summary_corpus import normalised_reports, summarise, write_corpus
from .test_summary import check_golden, run

AS_OF = date(2024, 3, 15)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def _failures(blockers: tuple[Blocker, ...]) -> dict[tuple[str | None, str | None, str | None], Blocker]:
    return {(b.result_type, b.mx_host, b.organization): b for b in blockers if b.kind == "failures"}


def test_not_ready_names_every_failure_with_its_days_and_fix() -> None:
    verdict = readiness(summarise(normalised_reports()), "example.com", as_of=AS_OF)
    assert not verdict.ready
    assert (verdict.first_day, verdict.last_day) == ("2024-03-01", "2024-03-14")
    found = _failures(verdict.blockers)
    assert set(found) == {
        ("certificate-expired", "mx2.example.com", "Google Inc."),
        ("starttls-not-supported", "mx2.example.com", "Microsoft Corporation"),
        (NOT_DETAILED, "mx1.example.com", "Mail.ru"),
        ("sts-policy-fetch-error", NOT_REPORTED, "Mail.ru"),  # reported as no-policy-found: still a blocker
    }
    expired = found[("certificate-expired", "mx2.example.com", "Google Inc.")]
    assert (expired.first_day, expired.last_day, expired.sessions) == ("2024-03-08", "2024-03-09", 25)
    assert "renew the certificate of mx2.example.com" in expired.fix
    assert "STARTTLS" in found[("starttls-not-supported", "mx2.example.com", "Microsoft Corporation")].fix
    assert not [b for b in verdict.blockers if b.kind != "failures"]  # 3 organisations every day


def test_ready_after_the_fix() -> None:
    verdict = readiness(summarise(normalised_reports()), "example.com", days=5, as_of=AS_OF)
    assert verdict.ready, render_verdict(verdict)
    assert verdict.coverage == (
        ("2024-03-10", 3),
        ("2024-03-11", 4),
        ("2024-03-12", 4),
        ("2024-03-13", 4),
        ("2024-03-14", 4),
    )
    assert render_verdict(verdict).startswith("example.com: ready to enforce\n")


def test_coverage_blockers_name_runs_of_days_with_too_few_organisations() -> None:
    verdict = readiness(summarise(normalised_reports()), "example.com", days=5, min_orgs=4, as_of=AS_OF)
    coverage = [b for b in verdict.blockers if b.kind == "coverage"]
    assert [(b.first_day, b.last_day, b.organizations) for b in coverage] == [("2024-03-10", "2024-03-10", 3)]
    verdict = readiness(summarise(normalised_reports()), "example.org", days=6, min_orgs=1, as_of=AS_OF)
    runs = [(b.first_day, b.last_day, b.organizations) for b in verdict.blockers]
    assert runs == [("2024-03-09", "2024-03-09", 0), ("2024-03-11", "2024-03-12", 0), ("2024-03-14", "2024-03-14", 0)]


def test_no_reports_in_the_window_is_one_blocker() -> None:
    verdict = readiness(summarise(normalised_reports()), "example.com", as_of=date(2025, 1, 1))
    assert [b.kind for b in verdict.blockers] == ["no-reports"]
    assert "_smtp._tls.example.com" in verdict.blockers[0].fix


def test_failures_outside_the_window_or_of_another_domain_do_not_block() -> None:
    verdict = readiness(summarise(normalised_reports()), "example.org", days=14, min_orgs=1, as_of=AS_OF)
    assert not _failures(verdict.blockers)


@settings(max_examples=60)
@given(st.integers(1, 20), st.integers(1, 5), st.dates(date(2024, 3, 1), date(2024, 3, 20)))
def test_ready_exactly_when_every_day_is_covered_without_failures(days: int, min_orgs: int, as_of: date) -> None:
    """The verdict against a direct count over the corpus for generated windows and thresholds."""
    reports = normalised_reports()
    verdict = readiness(summarise(reports), "example.com", days=days, min_orgs=min_orgs, as_of=as_of)
    wanted = {day for day, _ in verdict.coverage}
    orgs: dict[str, set[str]] = {day: set() for day in wanted}
    failed = 0
    for report in reports:
        day = report["start"][:10]
        for p in report["policies"]:
            if day in wanted and p["policy_domain"] == "example.com":
                if p["policy_type"] == "sts":
                    orgs[day].add(report["organization_name"])
                    failed += p["failed"]
                failed += sum(
                    d["failed_session_count"]
                    for d in p["failure_details"]
                    if d["result_type"].startswith("sts-") and p["policy_type"] != "sts"
                )
    expected = failed == 0 and all(len(o) >= min_orgs for o in orgs.values())
    assert verdict.ready == expected


def test_cli_exit_codes_and_golden_outputs(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["reports", "ready", "example.com", "--source", str(corpus), "--as-of", "2024-03-15"]
    code, out, err = run(capsys, *base)
    assert (code, err) == (1, "")
    check_golden("ready_not_ready.txt", out)
    code, out, _ = run(capsys, *base, "--days", "5")
    assert code == 0
    check_golden("ready_ready.txt", out)
    code, out, _ = run(capsys, *base, "--days", "5", "--min-orgs", "4", "--format", "json")
    assert code == 1
    check_golden("ready_coverage.json", out)
    assert json.loads(out)["blockers"][0]["kind"] == "coverage"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--days", "0"], "--days"),
        (["--days", "367"], "--days"),
        (["--as-of", "0001-01-02"], "--as-of"),
        (["--min-orgs", "-1"], "--min-orgs"),
        (["--as-of", "15.03.2024"], "--as-of"),
        (["--source", "/does/not/exist"], "/does/not/exist: does not exist"),
    ],
)
def test_cli_usage_errors_exit_2(corpus: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str) -> None:
    try:
        code = main(["reports", "ready", "example.com", "--source", str(corpus), *extra])
    except SystemExit as exc:
        code = int(str(exc.code))
    assert code == 2
    assert says in capsys.readouterr().err


def test_default_as_of_is_today_utc(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi_mta_sts.cli.reports as cli_reports

    monkeypatch.setattr(cli_reports, "today_utc", lambda: date(2024, 3, 15))
    code, out, _ = run(
        capsys, "reports", "ready", "example.com", "--source", str(corpus), "--days", "5", "--format", "json"
    )
    assert code == 0 and json.loads(out)["as_of"] == "2024-03-15"
