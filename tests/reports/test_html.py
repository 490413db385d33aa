"""The HTML report (reports/report_page.py) read back with the standard library's HTML parser: self-contained,
every chart and table there with the summary's rows, bounded, and no report text out of its element."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.escape.visible import shown as shown_text
from pulumi_mta_sts.reports.report_charts import CHART_BARS
from pulumi_mta_sts.reports.report_page import (
    MAX_DAYS,
    NO_REPORTS,
    TABLE_ROWS,
    render_html,
)
from tests.reports.html_page import Page
from tests.reports.html_summaries import (
    DAYS,
    FIRST_DAY,
    HOSTILE,
    NAME_OF_KEY,
    empty_summary,
    realistic_summary,
    with_names,
)

CHARTS = {
    "chart-sessions-per-day": "table-per-day",
    "chart-failures-per-day": "table-per-day",
    "chart-per-domain": "table-per-domain",
    "chart-per-organisation": "table-per-organisation",
    "chart-per-result-type": "table-per-result-type",
    "chart-per-mx-host": "table-per-mx-host",
}
TABLE_OF_KEY = {
    "domains": "table-per-domain",
    "organizations": "table-per-organisation",
    "result_types": "table-per-result-type",
    "mx_hosts": "table-per-mx-host",
    "policies": "table-per-policy",
}
START = date(2010, 1, 1)
#: Elements the page may contain; anything else (script, img, iframe, link, object...) is a breakout.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "dl", "div", "dt", "dd",
    "nav", "a", "section", "figure", "figcaption", "svg", "desc", "g", "rect", "line", "text", "table",
    "caption", "thead", "tbody", "tr", "th", "td", "bdi", "span", "ul", "li", "details", "summary",
}  # fmt: skip


def _page(summary: dict[str, Any]) -> Page:
    return Page(render_html(summary))


# ---- self-contained -----------------------------------------------------------------------------


def test_the_page_loads_nothing_from_anywhere() -> None:
    text = render_html(realistic_summary())
    page = Page(text)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    for tag, attributes in page.tags:
        assert "src" not in attributes and "srcset" not in attributes and "action" not in attributes, tag
        href = attributes.get("href")
        assert href is None or href.startswith("#"), f"<{tag} href={href!r}>"
        assert not any(name.startswith("on") for name in attributes), tag
        if tag == "svg":
            assert attributes.get("xmlns") in (None, "http://www.w3.org/2000/svg")
    without_namespace = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"url\(|@import|@font-face|https?:|//[a-z]", without_namespace, re.IGNORECASE)


def test_a_strict_content_security_policy_allows_only_the_pages_own_style() -> None:
    page = _page(realistic_summary())
    (policy,) = [
        a["content"] for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    digest = base64.b64encode(hashlib.sha256(page.style.encode()).digest()).decode()
    assert directives == {
        "default-src": "'none'",
        "style-src": f"'sha256-{digest}'",
        "img-src": "data:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert page.tags.index(("meta", {"charset": "utf-8"})) == 2  # before any other content of <head>
    assert not any(tag == "style" for tag, a in page.tags if "style" in a)
    assert not any("style" in attributes for _, attributes in page.tags)  # inline styles would need a hash each


# ---- charts and tables --------------------------------------------------------------------------


def test_every_chart_is_there_named_and_with_its_table() -> None:
    summary = realistic_summary()
    page = _page(summary)
    for chart, table in CHARTS.items():
        assert chart in page.ids and table in page.ids, chart
    svgs = [a for tag, a in page.tags if tag == "svg" and a.get("role") == "img"]
    assert len(svgs) == len(CHARTS)
    for svg in svgs:
        title, desc = str(svg["aria-labelledby"]).split()
        assert title in page.ids and desc in page.ids
    assert page.groups["chart-sessions-per-day"] == page.groups["chart-failures-per-day"] == DAYS
    assert page.groups["chart-per-organisation"] == len(summary["organizations"])
    assert page.groups["chart-per-result-type"] == len(summary["result_types"])
    assert page.groups["chart-per-mx-host"] == len(summary["mx_hosts"])


def test_every_table_has_a_row_for_each_row_of_the_summary() -> None:
    summary = realistic_summary()
    page = _page(summary)
    assert page.rows["table-per-day"] == DAYS  # the day without any report included, as zero
    for key, table in TABLE_OF_KEY.items():
        assert page.rows[table] == len(summary[key]), key


def test_large_numbers_have_thousands_separators_and_rates_never_round_up_to_100() -> None:
    summary = realistic_summary()
    summary["domains"][0]["successful"], summary["domains"][0]["failed"] = 123_456_789, 1
    text = _page(summary).text()
    assert "123,456,790" in text  # sessions
    assert "99.99 %" in text and "100.00 %" not in text.split("Per policy domain")[2].split("Per sending")[0]
    assert "1,400,007" in text  # Google's sessions in the organisations table


def test_absurd_numbers_are_shown_by_their_order_of_magnitude() -> None:
    summary = realistic_summary()
    summary["organizations"][0]["successful"] = 10**4000
    summary["mx_hosts"][0]["failed"] = 7 * 10**40
    text = _page(summary).text()
    assert "about 1.00×10^4000" in text and "about 7.00×10^40" in text


def test_an_empty_summary_says_there_were_no_reports() -> None:
    page = _page(empty_summary())
    assert not page.rows and not any(tag in ("svg", "table") for tag, _ in page.tags)
    assert page.text().count(NO_REPORTS) == 6  # each section
    assert "no reports" in page.text()


def test_sessions_without_failures_say_so_in_the_result_types_section() -> None:
    summary = realistic_summary()
    summary["result_types"] = []
    page = _page(summary)
    assert "No failed sessions in this period." in page.text()
    assert "chart-per-result-type" not in page.ids


def test_days_between_reports_are_shown_and_a_day_that_is_no_date_is_kept_as_it_is() -> None:
    summary = realistic_summary()
    summary["domains"][1]["days"].append({"day": "2027-01-31", "successful": 5, "failed": 0})
    assert _page(summary).rows["table-per-day"] == (date(2027, 1, 31) - FIRST_DAY).days + 1  # gaps filled
    summary["domains"][1]["days"].append({"day": "not a day", "successful": 5, "failed": 0})
    assert _page(summary).rows["table-per-day"] == DAYS - 1 + 2  # days with reports only


def test_a_summary_of_the_wrong_shape_is_refused_by_name() -> None:
    for key, value, message in (
        ("domains", {"a": 1}, "summary['domains'] must be a list of objects"),
        ("reports", [1], "summary['reports'] must be an object"),
    ):
        summary = realistic_summary()
        summary[key] = value
        with pytest.raises(ValueError, match=re.escape(message)):
            render_html(summary)
    for bad in (-1, True, "12", 1.5):
        summary = realistic_summary()
        summary["organizations"][0]["failed"] = bad
        with pytest.raises(ValueError, match="failed must be a whole number >= 0"):
            render_html(summary)


# ---- bounded ------------------------------------------------------------------------------------


def _huge_summary(rows: int, days: int, name_chars: int) -> dict[str, Any]:
    summary = realistic_summary()
    long = "x" * name_chars
    summary["domains"][0]["days"] = [
        {"day": (START + timedelta(days=n)).isoformat(), "successful": n, "failed": n % 3} for n in range(days)
    ]
    for key, name in NAME_OF_KEY.items():
        template = summary[key][0]
        summary[key] = [{**template, name: long if n < 3 else f"name {n}"} for n in range(rows)]
    for domain in summary["domains"][1:]:
        domain["days"] = []  # the days of the first domain only: 2,000, not 40 million day rows
    summary["policies"][0]["policy_string"] = [long] * 1000
    summary["organizations"][0]["domains"] = [long] * 1000
    return summary


def test_a_huge_summary_makes_a_bounded_page_and_says_how_many_rows_are_not_shown() -> None:
    summary = _huge_summary(rows=20_000, days=2_000, name_chars=100_000)
    text = render_html(summary)
    page = Page(text)
    assert len(text) < 2_500_000, len(text)
    assert page.rows["table-per-day"] == 2_000  # every day
    for key, table in TABLE_OF_KEY.items():
        assert page.rows[table] == TABLE_ROWS, key
        more = f"and {20_000 - TABLE_ROWS:,} more rows not shown"
        assert more in dict((a.get("id"), "") for _, a in page.tags) or more in page.text(), key
    for chart in ("chart-per-organisation", "chart-per-result-type", "chart-per-mx-host", "chart-per-domain"):
        assert page.groups[chart] == CHART_BARS
    assert f"the first {CHART_BARS} of 20,000 organisations" in page.text()


def test_only_the_most_recent_days_beyond_the_limit_are_shown_and_the_rest_counted() -> None:
    summary = realistic_summary()
    summary["domains"][0]["days"] = [
        {"day": (START + timedelta(days=n)).isoformat(), "successful": 1, "failed": 0} for n in range(MAX_DAYS + 40)
    ]
    summary["domains"][1]["days"] = []
    page = _page(summary)
    assert page.rows["table-per-day"] == MAX_DAYS
    assert "The 40 earliest days are not shown" in page.text()
    assert (START + timedelta(days=MAX_DAYS + 39)).isoformat() in page.text()


# ---- hostile text -------------------------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(min_size=0, max_size=60),
    st.lists(st.sampled_from([*HOSTILE, "<", ">", "&", '"', "'", "\u202e", "/"]), max_size=6).map("".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hostile_names_never_leave_their_element(data: st.DataObject) -> None:
    names: list[str] = []

    def draw() -> str:
        names.append(data.draw(hostile_text))
        return names[-1]

    summary = realistic_summary()
    hostile = with_names(summary, draw)
    page = _page(hostile)
    plain = _page(with_names(summary, lambda: "x"))
    assert page.structure() == plain.structure()  # same elements, same attributes: nothing broke out
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    texts = {data for _, data in page.texts}
    attributes = {value for _, a in page.tags for value in a.values()}
    for name in names:
        shown = shown_text(name, 10**6)
        needle = shown if len(shown) < 30 else shown[:29]  # what every cut (at 36 characters or more) keeps
        assert any(needle in text for text in texts), name  # inside one text node, in one piece
        assert not any(char in shown for char in "\u202e\u2066\u2028\x00\r\n")
        shown.encode("utf-8")  # no lone surrogate left: the page can be written as UTF-8
    assert all(value is None or "<" not in value for value in attributes if value not in texts)


def test_shown_text_marks_invisible_characters_and_bounds_the_length() -> None:
    assert shown_text("\u202eabc", 40) == "⟨U+202E⟩abc"
    assert shown_text("a\tb c", 40) == "a⟨U+0009⟩b c"
    assert shown_text("\ud800", 40) == "⟨U+D800⟩"
    assert shown_text("x" * 1000, 36) == "x" * 35 + "…"
    assert len(shown_text("\u202e" * 1000, 36)) == 36
    assert shown_text("مايكروسوفت", 40) == "مايكروسوفت"
