"""Issue 27: the HTML report's ``tlsa`` / ``sts`` section in headless Chromium (tests/browser.py, as
the other page tests): it opens offline with no console error and no request, its table holds a row
per domain and MX host with the numbers side by side, and hostile MX names and result types a
sender wrote show as text, never markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pulumi_mta_sts.reports.report_page import render_html
from tests.browser import artifact_dir, chromium_or_skip, load_page
from tests.reports.html_summaries import HOSTILE
from tests.reports.summary_corpus import summarise
from tests.reports.test_tlsa_sts import microsoft

FACTS = """(() => {
  const table = document.getElementById('table-tlsa-sts');
  return {
    section: !!document.getElementById('tlsa-sts'),
    rows: [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText)),
    headers: [...table.tHead.rows[0].cells].map(c => c.innerText),
    active: document.querySelectorAll('script, img, iframe, object, embed, link, base, form, svg[onload]').length,
    note: document.querySelector('#tlsa-sts p.meta').innerText,
  };
})()"""


def test_the_side_by_side_section_in_a_real_browser(tmp_path: Path) -> None:
    chromium_or_skip()
    host, result_type = HOSTILE[1], HOSTILE[2]  # an <img onerror> and a "><svg onload>
    report = microsoft(
        ("sts", "mx1.example.com", 8, [("tlsa-invalid", "mx1.example.com", 2)]),
        ("tlsa", None, 8, [("tlsa-invalid", "mx1.example.com", 2), (result_type, host, 1)]),
    )
    report["policies"][0]["failed"] = 2
    data: dict[str, Any] = summarise([report]).as_json()
    path = tmp_path / "tlsa-sts.html"
    path.write_text(render_html(data), encoding="utf-8")
    page = load_page(path, FACTS)
    (artifact_dir() / "tlsa-sts.png").write_bytes(page.screenshot)
    assert page.console == [] and page.foreign_requests == []
    facts = page.facts
    assert facts["section"] and facts["active"] == 0
    assert facts["headers"][:3] == ["Policy domain and MX host", "sts ok / failed", "sts failure types"]
    by_host = {row[0].rsplit(" · ", 1)[-1]: row for row in facts["rows"]}
    assert by_host["(all MX hosts)"][1] == "8 / 2" and by_host["(all MX hosts)"][3] == "8 / 3"
    assert by_host["(all MX hosts)"][5:7] == ["8 / 3", "1 of 1"]  # once: max(8, 8) and max(2, 3)
    assert host.lower() in by_host and result_type in by_host[host.lower()][4]  # shown as text
    assert "same sessions judged twice" in facts["note"]
