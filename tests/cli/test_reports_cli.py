"""``mta-sts reports parse``: one JSON line per report or failure, goes on after failures,
exit 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"


def run_json(capsys: pytest.CaptureFixture[str], *names: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["reports", "parse", "--json", *(str(CORPUS / n) for n in names)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return code, lines


def test_every_file_parsed_exits_0_with_one_normalised_report_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_json(capsys, "rfc_example.json", "google_style.json.gz", "email_two_reports.eml")
    assert code == 0
    assert [line["report_id"] for line in lines] == [
        "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
        "2024-03-01T00:00:00Z_example.com",
        "2024-03-01T00:00:00Z_example.com",
        "2024-03-02T00:00:00Z_example.org",
    ]
    assert lines[0]["source"] == str(CORPUS / "rfc_example.json")
    assert lines[3]["source"] == f"{CORPUS / 'email_two_reports.eml'}#b.json.gz"
    assert lines[0]["start"] == "2016-04-01T00:00:00Z" and lines[0]["policies"][0]["failed"] == 303  # type: ignore[index]


def test_a_bad_attachment_is_one_error_line_naming_file_and_attachment_and_the_command_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_json(capsys, "email_one_good_one_broken.eml", "broken_not_json.json", "rfc_example.json")
    assert code == 1
    assert lines[0]["organization_name"] == "Google Inc."
    assert lines[1] == {
        "source": f"{CORPUS / 'email_one_good_one_broken.eml'}#broken.json.gz",
        "error": "truncated gzip data (the stream ends before the gzip trailer)",
    }
    assert lines[2]["source"] == str(CORPUS / "broken_not_json.json")
    assert str(lines[2]["error"]).startswith("not valid JSON")
    assert lines[3]["organization_name"] == "Company-X"


def test_a_file_without_any_report_and_a_missing_file_are_failures(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_json(capsys, "email_no_report.eml", "does-not-exist.json")
    assert code == 1
    assert "no TLS-RPT report in this message" in str(lines[0]["error"])
    assert lines[1]["error"] == "cannot read the file: it does not exist"


def test_text_mode_summarises_reports_and_puts_errors_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["reports", "parse", str(CORPUS / "rfc_example.json"), str(CORPUS / "broken_truncated.json.gz")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "company-y.example: 5326 successful, 303 failed" in out
    assert "broken_truncated.json.gz: truncated gzip data" in err


@pytest.mark.parametrize("argv", [["reports"], ["reports", "parse"], ["reports", "parse", "--bogus", "x"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "pulumi_mta_sts", *argv], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
