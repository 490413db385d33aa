"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright
(tests/browser.py), opens the file offline, and nothing may go wrong: no console error or warning,
no request but the page itself, every chart drawn. The screenshot is kept as a test artifact
(build/test-artifacts/ or $MTA_STS_TEST_ARTIFACTS). Skipped only when Chromium is missing and
MTA_STS_REQUIRE_BROWSER is not 1 (.ci/run sets it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.reports.report_page import FAIL_COLOUR, NO_REPORTS, OK_COLOUR, render_html
from tests import browser
from tests.browser import PageLoad, artifact_dir, chromium_or_skip, colour_counts, load_page
from tests.reports.html_summaries import DAYS, HOSTILE, empty_summary, realistic_summary, with_names

#: What the page looks like to a reader, measured in the browser after it rendered.
FACTS = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  return {
    title: document.title,
    charts: [...document.querySelectorAll('svg.chart')].map(svg => ({
      id: svg.closest('figure').id, size: box(svg), bars: svg.querySelectorAll('rect').length,
      label: svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent),
    })),
    rows: Object.fromEntries([...document.querySelectorAll('table')].map(t => [t.id, t.tBodies[0].rows.length])),
    active: document.querySelectorAll('script, img, iframe, object, embed, link, base, form').length,
    stylesApplied: getComputedStyle(document.body).maxWidth,
    overflowing: [...document.querySelectorAll('div.scroll')].filter(d => d.scrollWidth > d.clientWidth)
      .map(d => d.firstElementChild.id),
    text: document.body.innerText,
  };
})()"""


def _open(tmp_path: Path, summary: dict[str, Any], name: str) -> PageLoad:
    chromium_or_skip()
    path = tmp_path / f"{name}.html"
    path.write_text(render_html(summary), encoding="utf-8")
    page = load_page(path, FACTS)
    (artifact_dir() / f"{name}.png").write_bytes(page.screenshot)
    return page


def _clean(page: PageLoad) -> None:
    assert page.console == [], page.console
    assert page.foreign_requests == [], page.foreign_requests
    assert page.facts["active"] == 0
    assert page.facts["stylesApplied"] == "1100px"  # the inline style passed the Content-Security-Policy


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_the_report_opens_offline_without_errors_and_draws_every_chart(tmp_path: Path) -> None:
    summary = realistic_summary()
    page = _open(tmp_path, summary, "report-html")
    _clean(page)
    charts = {chart["id"]: chart for chart in page.facts["charts"]}
    assert set(charts) == {
        "chart-sessions-per-day",
        "chart-failures-per-day",
        "chart-per-domain",
        "chart-per-organisation",
        "chart-per-result-type",
        "chart-per-mx-host",
    }
    for chart in charts.values():
        width, height = chart["size"]
        assert width > 900 and height > 40, chart  # laid out across the page
        assert chart["bars"] > 0 and all(chart["label"]), chart
    assert charts["chart-per-organisation"]["bars"] >= len(summary["organizations"])
    assert page.facts["rows"]["table-per-day"] == DAYS
    assert page.facts["overflowing"] == []  # every table fits the page at 1280 pixels
    assert page.facts["title"].startswith("SMTP TLS reports: example.com, example.org")


def test_the_screenshot_is_a_picture_of_the_charts(tmp_path: Path) -> None:
    page = _open(tmp_path, realistic_summary(), "report-html-screenshot")
    assert page.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    picture = page.picture()
    assert picture.width == 1280 and picture.height > 2500, picture.size
    background = picture.getpixel((0, 0))
    assert background == (255, 255, 255)
    colours = colour_counts(picture)
    area = picture.width * picture.height
    assert area - colours[background] > area // 20  # text, tables and charts
    blue, orange = colours.get(_rgb(OK_COLOUR), 0), colours.get(_rgb(FAIL_COLOUR), 0)
    assert blue > 32_000 and orange > 4_800, (blue, orange)  # the bars, in the colours of the legend


def test_hostile_names_stay_text_in_the_browser(tmp_path: Path) -> None:
    names = iter(HOSTILE * 40)
    page = _open(tmp_path, with_names(realistic_summary(), lambda: next(names)), "report-html-hostile")
    _clean(page)
    assert "</script><script>alert(1)</script>" in page.facts["text"]
    assert "⟨U+202E⟩gnp.exe" in page.facts["text"]
    assert len(page.facts["charts"]) == 6


def test_an_empty_report_says_so_in_the_browser(tmp_path: Path) -> None:
    page = _open(tmp_path, empty_summary(), "report-html-empty")
    _clean(page)
    assert page.facts["charts"] == [] and page.facts["text"].count(NO_REPORTS) == 6


@pytest.mark.parametrize(
    ("body", "seen"),
    [
        ('<img src="https://tracker.example/pixel.png" alt="">', "request"),
        (
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
            '<img src="https://tracker.example/pixel.png" alt="">',
            "console",
        ),
        ("<script>console.error('broken')</script>", "console"),
        ("<script>undefined_function()</script>", "console"),
    ],
)
def test_the_browser_harness_sees_what_it_must_catch(tmp_path: Path, body: str, seen: str) -> None:
    """The checks above mean something: a request, a blocked load and a script error are all caught."""
    chromium_or_skip()
    path = tmp_path / "bad.html"
    path.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>")
    page = load_page(path)
    if seen == "request":
        assert page.foreign_requests == ["https://tracker.example/pixel.png"]
    else:
        assert page.console, page


def test_a_missing_browser_skips_with_the_fix_and_fails_where_the_browser_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv(browser.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium chromium-driver"):
        browser.chromium_or_skip()
    monkeypatch.setenv(browser.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="MTA_STS_REQUIRE_BROWSER=1 but headless Chromium is not installed"):
        browser.chromium_or_skip()
