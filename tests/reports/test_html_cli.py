"""End to end: ``mta-sts reports html SOURCE... -o FILE`` on report files, then the file in headless
Chromium (tests/browser.py): the generated two-week corpus (tests/reports/summary_corpus.py) and,
when /work/shared is there, every real sender's report in tlsrpt-realworld/files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main
from tests.browser import artifact_dir, chromium_or_skip, load_page
from tests.reports.html_page import Page
from tests.reports.realworld_files import REALWORLD_FILES, needs_real_reports
from tests.reports.summary_corpus import DAYS, write_corpus

FACTS = """({
  charts: document.querySelectorAll('svg.chart').length,
  drawn: [...document.querySelectorAll('svg.chart')].every(s => s.getBoundingClientRect().width > 900),
  rows: Object.fromEntries([...document.querySelectorAll('table')].map(t => [t.id, t.tBodies[0].rows.length])),
})"""


def _html_of(sources: list[Path], out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["reports", "html", *map(str, sources), "-o", str(out)])
    assert f"wrote {out}" in capsys.readouterr().out
    return code, out.read_text(encoding="utf-8")


def _summary_json(sources: list[Path], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    main(["reports", "summary", *map(str, sources), "--format", "json"])
    summary: dict[str, object] = json.loads(capsys.readouterr().out)
    return summary


def test_the_command_writes_the_report_of_a_corpus_and_chromium_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    out = tmp_path / "report.html"
    code, text = _html_of([corpus], out, capsys)
    assert code == 0
    summary = _summary_json([corpus], capsys)
    page = Page(text)
    assert page.rows["table-per-day"] == DAYS
    for key, table in (("organizations", "table-per-organisation"), ("mx_hosts", "table-per-mx-host")):
        assert page.rows[table] == len(summary[key]), key  # type: ignore[arg-type]
    chromium_or_skip()
    loaded = load_page(out, FACTS)
    (artifact_dir() / "report-html-cli.png").write_bytes(loaded.screenshot)
    assert loaded.console == [] and loaded.foreign_requests == []
    assert loaded.facts["charts"] == 6 and loaded.facts["drawn"]
    assert loaded.facts["rows"] == page.rows


@needs_real_reports
def test_real_senders_reports_make_a_page_chromium_opens_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "real.html"
    _, text = _html_of([REALWORLD_FILES], out, capsys)  # exit 1 when some file is unreadable: still a page
    assert Page(text).rows.get("table-per-organisation", 0) >= 1
    chromium_or_skip()
    loaded = load_page(out, FACTS)
    (artifact_dir() / "report-html-realworld.png").write_bytes(loaded.screenshot)
    assert loaded.console == [] and loaded.foreign_requests == []
    assert loaded.facts["drawn"]
