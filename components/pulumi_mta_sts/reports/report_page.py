"""``mta-sts reports html``: one self-contained page that fetches nothing (``default-src 'none'``); report
text goes through :mod:`pulumi_mta_sts.escape.html`; days, rows and bars are bounded, saying how many more."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pulumi_mta_sts.escape.html import text

from . import tlsa_sts_page  # issue 27's tlsa/sts view, drawn with this module's tables when called
from .report_charts import CELL_CHARS, CHART_BARS, LABEL_CHARS, Bar, bar_chart, day_chart, day_span, number

#: Rows shown per table (days excepted); days shown (the most recent ones: ten years of reports).
TABLE_ROWS, MAX_DAYS = 100, 3660
#: Items of a list shown in one cell (organisations of a result type, IPs; twice as many policy lines).
LIST_ITEMS = 8
NO_REPORTS = "No reports in this period."
#: Successful and failed sessions: blue and orange, told apart with common colour-vision deficiencies too.
OK_COLOUR, FAIL_COLOUR = "#2f67b1", "#d9480f"

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b;
  background: #fff; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #d5dae1; padding-bottom: .2rem; }
.meta { color: #4b5563; margin: .2rem 0; }
dl.totals { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
dl.totals div { border: 1px solid #d5dae1; border-radius: 6px; padding: .5rem .9rem; min-width: 8rem; }
dl.totals dt { color: #4b5563; font-size: .85rem; }
dl.totals dd { margin: 0; font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
nav a { margin-right: .9rem; }
figure { margin: .8rem 0 1.2rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, sans-serif; fill: #1d232b; }
svg .axis { stroke: #9aa3ad; stroke-width: 1; }
svg .grid { stroke: #e3e7ec; stroke-width: 1; }
svg .ok { fill: #2f67b1; }
svg .fail { fill: #d9480f; }
svg .note { fill: #4b5563; font-style: italic; }
.legend { font-size: .9rem; color: #374151; }
.key { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 .8rem; vertical-align: -1px; }
.key.ok { background: #2f67b1; } .key.fail { background: #d9480f; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid #e3e7ec; padding: .3rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
tbody th { min-width: 9rem; }
thead th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap, th.nowrap { white-space: nowrap; }
div.scroll { overflow-x: auto; }
td.bad { color: #b13a08; font-weight: 600; }
.more, .empty { color: #4b5563; font-style: italic; }
ul.lines { margin: 0; padding: 0; list-style: none; font-family: ui-monospace, monospace; font-size: .85rem;
  min-width: 11rem; }
bdi.item { white-space: nowrap; }
@media print { nav { display: none; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
""".replace("#2f67b1", OK_COLOUR).replace("#d9480f", FAIL_COLOUR)
_LISTS = ("domains", "organizations", "result_types", "mx_hosts", "policies")


def render_html(summary_json: Mapping[str, Any]) -> str:
    """The page of a ``Summary.as_json()`` object; ValueError naming the key of another shape."""
    lists = {key: _list(summary_json, key) for key in _LISTS}
    days, cut, filled = _all_days(lists)
    report = _Report(_mapping(summary_json, "period"), _mapping(summary_json, "reports"), lists, days, cut, filled)
    ranked = [_ranked_section(report, view) for view in _RANKED]
    sections = [_header(report), _days_section(report), *ranked, _policies_section(report)]
    return _page(_title(report), "\n".join([*sections, *tlsa_sts_page.side_section(summary_json)]))


@dataclass(frozen=True)
class _Report:
    period: Mapping[str, Any]
    reports: Mapping[str, Any]
    lists: Mapping[str, Sequence[Mapping[str, Any]]]  # each of _LISTS
    days: Sequence[Bar]  # the last MAX_DAYS days
    days_cut: int  # days left out before the first one shown
    gaps_filled: bool  # whether days without reports between the first and last were added


def _mapping(summary: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = summary.get(key) or {}
    if not isinstance(value, Mapping):
        raise ValueError(f"summary[{key!r}] must be an object, got {type(value).__name__}")
    return value


def _list(summary: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = summary.get(key) or []
    if not isinstance(value, list) or not all(isinstance(row, Mapping) for row in value):
        raise ValueError(f"summary[{key!r}] must be a list of objects")
    return value


def _count(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a whole number >= 0, got {value!r}")
    return value


def _strings(row: Mapping[str, Any], key: str) -> list[str]:
    value = row.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list of strings, got {type(value).__name__}")
    return [str(item) for item in value]


def _all_days(lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> tuple[list[Bar], int, bool]:
    """The last :data:`MAX_DAYS` days' sessions, how many are cut, whether missing days were added as zeros."""
    totals: dict[str, list[int]] = {}
    for domain in lists["domains"]:
        for row in domain.get("days") or []:
            tally = totals.setdefault(str(row.get("day")), [0, 0])
            tally[0] += _count(row, "successful")
            tally[1] += _count(row, "failed")
    every = _calendar(sorted(totals))
    days = [Bar(day, *totals.get(day, (0, 0))) for day in (every or sorted(totals))]
    return days[-MAX_DAYS:], max(0, len(days) - MAX_DAYS), every is not None


def _calendar(days: list[str]) -> list[str] | None:
    try:
        parsed = [date.fromisoformat(day) for day in days]
        first, last = parsed[0], parsed[-1]
    except (ValueError, IndexError):
        return None
    span = (last - first).days + 1
    return None if span > MAX_DAYS else [(first + timedelta(days=n)).isoformat() for n in range(span)]


def _rate(successful: int, failed: int) -> str:
    """The success rate as a percentage, never rounded up to 100 % while anything failed."""
    if not successful + failed:
        return "–"
    hundredths = successful * 10_000 // (successful + failed)
    return f"{hundredths // 100}.{hundredths % 100:02d} %"


def _list_cells(row: Mapping[str, Any], *keys: str) -> list[str]:
    cells = []
    for items in (_strings(row, key) for key in keys):
        shown = ", ".join(f'<bdi class="item">{text(item, LABEL_CHARS)}</bdi>' for item in items[:LIST_ITEMS])
        rest = len(items) - LIST_ITEMS
        cells.append(shown + (f" and {number(rest)} more" if rest > 0 else ""))
    return cells


def _count_cells(successful: int, failed: int) -> list[str]:
    return [number(successful + failed), number(successful), number(failed), _rate(successful, failed)]


_COUNT_HEADERS = ["Sessions#", "Successful#", "Failed#", "Success rate#"]


def _page(title: str, body: str) -> str:
    style_hash = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'sha256-{style_hash}'; img-src data:; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="pulumi-mta-sts (mta-sts reports html)">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _title(report: _Report) -> str:
    names = [str(d.get("domain")) for d in report.lists["domains"]]
    shown = ", ".join(text(name, LABEL_CHARS) for name in names[:3])
    if len(names) > 3:
        shown += f" and {len(names) - 3} more"
    return f"SMTP TLS reports: {shown or 'no domain'} ({_period(report)})"


def _period(report: _Report) -> str:
    first, last = report.period.get("first_day"), report.period.get("last_day")
    since, until = report.period.get("since"), report.period.get("until")
    shown = f"{text(first, 20)} to {text(last, 20)}" if first and last else "no reports"
    if since or until:
        shown += f"; asked for {text(since or 'the start', 20)} to {text(until or 'the end', 20)}"
    return shown


def _header(report: _Report) -> str:
    counts, domains = report.reports, report.lists["domains"]
    read, counted = _count(counts, "read"), _count(counts, "counted")
    duplicates, unreadable = _count(counts, "duplicates"), _count(counts, "unreadable")
    successful, failed = sum(_count(d, "successful") for d in domains), sum(_count(d, "failed") for d in domains)
    totals = [
        ("Sessions", number(successful + failed)),
        ("Failed sessions", number(failed)),
        ("Success rate", _rate(successful, failed)),
        *((name, number(len(report.lists[key]))) for key, name in _TOTALS),
    ]
    cards = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in totals)
    sections = [("per-day", "Per day"), *((view.anchor, view.heading) for view in _RANKED), _POLICIES]
    links = " ".join(f'<a href="#{anchor}">{name}</a>' for anchor, name in sections)
    return (
        "<header>\n<h1>SMTP TLS reports</h1>\n"
        f'<p class="meta">Reports from {_period(report)}. {number(read)} read, {number(counted)} counted, '
        f"{number(duplicates)} duplicates counted once, {number(unreadable)} unreadable.</p>\n"
        f"{_unreadable(counts)}"
        f'<dl class="totals">{cards}</dl>\n<nav>{links}</nav>\n</header>'
    )


_TOTALS = (("organizations", "Sending organisations"), ("domains", "Policy domains"), ("mx_hosts", "MX hosts"))


def _unreadable(counts: Mapping[str, Any]) -> str:
    named = counts.get("unreadable_named") or []
    if not isinstance(named, list) or not named:
        return ""
    items = "".join(
        f"<li><bdi>{text(row.get('source'), LABEL_CHARS * 2)}</bdi>: {text(row.get('error'), CELL_CHARS)}</li>"
        for row in named[:LIST_ITEMS]
        if isinstance(row, Mapping)
    )
    return f'<details class="meta"><summary>Unreadable inputs</summary><ul>{items}</ul></details>\n'


def _section(anchor: str, heading: str, *content: str) -> str:
    body = "\n".join(content) if content else f'<p class="empty">{NO_REPORTS}</p>'
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">\n<h2 id="{anchor}-h">{heading}</h2>\n{body}\n</section>'
    )


def _figure(chart_id: str, caption: str, svg: str) -> str:
    return f'<figure id="{chart_id}">\n<figcaption>{caption}</figcaption>\n{svg}\n</figure>'


_LEGEND = (
    '<p class="legend" aria-hidden="true"><span class="key ok"></span>successful sessions'
    '<span class="key fail"></span>failed sessions</p>'
)


def _days_section(report: _Report) -> str:
    days, heading = report.days, "Sessions and failures per day"
    if not days:
        return _section("per-day", heading)
    if report.gaps_filled:
        notes = "Days without any report are shown as zero."
    else:
        notes = (
            f"Only days with reports are shown, side by side: the reports span more than {number(MAX_DAYS)} days "
            "or a day is not a date."
        )
    if report.days_cut:
        notes += f" The {number(report.days_cut)} earliest days are not shown (at most {number(MAX_DAYS)} days)."
    rows = [[text(d.label, 20), *_count_cells(d.successful, d.failed)] for d in days]
    return _section(
        "per-day",
        heading,
        _LEGEND,
        _figure("chart-sessions-per-day", f"Sessions per day, {day_span(days)}", day_chart(days, failures_only=False)),
        _figure(
            "chart-failures-per-day", f"Failed sessions per day, {day_span(days)}", day_chart(days, failures_only=True)
        ),
        f'<p class="meta">{notes}</p>',
        _table("table-per-day", "Sessions per day", ["Day@", *_COUNT_HEADERS], rows, len(rows), limit=None),
    )


@dataclass(frozen=True)
class _Ranked:
    """A "per X" view: a bar chart of its first rows and the table, cells after the name ``cells(bar, row)``."""

    key: str  # the summary's list; each row's name is under its singular (``domains``: ``domain``)
    anchor: str  # the section's id; the chart is chart-<anchor>, the table table-<anchor>
    heading: str
    plural: str  # what the rows are, for "the first 20 of 57 organisations"
    chart_title: str
    headers: Sequence[str]
    cells: Callable[[Bar, Mapping[str, Any]], list[str]]
    failures_only: bool = False


def _ranked_section(report: _Report, view: _Ranked) -> str:
    rows = report.lists[view.key]
    if not rows:
        if view.failures_only and report.days:
            return _section(view.anchor, view.heading, '<p class="empty">No failed sessions in this period.</p>')
        return _section(view.anchor, view.heading)
    bars = [
        Bar(str(row.get(view.key[:-1])), _count(row, "successful"), _count(row, "failed")) for row in rows[:TABLE_ROWS]
    ]
    caption = view.chart_title
    if len(rows) > CHART_BARS:
        caption += f": the first {CHART_BARS} of {number(len(rows))} {view.plural} (the table lists more)"
    chart = bar_chart(f"svg-{view.anchor}", view.chart_title, bars, failures_only=view.failures_only)
    pairs = zip(bars, rows, strict=False)
    cells = [[f"<bdi>{text(bar.label, CELL_CHARS)}</bdi>", *view.cells(bar, row)] for bar, row in pairs]
    return _section(
        view.anchor,
        view.heading,
        "" if view.failures_only else _LEGEND,
        _figure(f"chart-{view.anchor}", caption, chart),
        _table(f"table-{view.anchor}", view.chart_title, view.headers, cells, len(rows)),
    )


_RANKED = (
    _Ranked(
        "domains",
        "per-domain",
        "Per policy domain",
        "domains",
        "Sessions per policy domain",
        ["Policy domain", *_COUNT_HEADERS],
        lambda bar, _: _count_cells(bar.successful, bar.failed),
    ),
    _Ranked(
        "organizations",
        "per-organisation",
        "Per sending organisation",
        "organisations",
        "Sessions per sending organisation",
        ["Organisation", "Reports#", *_COUNT_HEADERS, "Policy domains"],
        lambda bar, row: [
            number(_count(row, "reports")),
            *_count_cells(bar.successful, bar.failed),
            *_list_cells(row, "domains"),
        ],
    ),
    _Ranked(
        "result_types",
        "per-result-type",
        "Per result type",
        "result types",
        "Failed sessions per result type",
        ["Result type", "Failed sessions#", "Organisations", "MX hosts", "Policy domains", "First day@", "Last day@"],
        lambda bar, row: [
            number(bar.failed),
            *_list_cells(row, "organizations", "mx_hosts", "domains"),
            text(row.get("first_day"), 20),
            text(row.get("last_day"), 20),
        ],
        failures_only=True,
    ),
    _Ranked(
        "mx_hosts",
        "per-mx-host",
        "Per MX host",
        "MX hosts",
        "Sessions per receiving MX host",
        ["MX host", "IP addresses", *_COUNT_HEADERS, "From"],
        lambda bar, row: [
            *_list_cells(row, "ips"),
            *_count_cells(bar.successful, bar.failed),
            text(row.get("source") or "–", 40),
        ],
    ),
)
_POLICIES = ("per-policy", "Per policy seen")
_POLICY_HEADERS = ["Policy domain@", "Type@", "Policy", "Policy id@", "Organisations", "First day@", "Last day@"]


def _policies_section(report: _Report) -> str:
    rows = report.lists["policies"]
    if not rows:
        return _section(*_POLICIES)
    cells = [
        [
            f"<bdi>{text(row.get('domain'), CELL_CHARS)}</bdi>",
            text(row.get("policy_type"), 40),
            _policy_lines(_strings(row, "policy_string")),
            text(row.get("policy_id") or "–", 33),
            *_list_cells(row, "organizations"),
            text(row.get("first_day"), 20),
            text(row.get("last_day"), 20),
            number(_count(row, "successful") + _count(row, "failed")),
            number(_count(row, "failed")),
        ]
        for row in rows[:TABLE_ROWS]
    ]
    note = '<p class="meta">Senders still on an old policy after a change show up here with its last day.</p>'
    headers = [*_POLICY_HEADERS, "Sessions#", "Failed#"]
    return _section(*_POLICIES, note, _table("table-per-policy", "Policies the senders saw", headers, cells, len(rows)))


def _policy_lines(lines: Sequence[str]) -> str:
    shown = "".join(f"<li>{text(line, 120)}</li>" for line in lines[: LIST_ITEMS * 2])
    rest = len(lines) - LIST_ITEMS * 2
    more = f"<li>and {number(rest)} more lines</li>" if rest > 0 else ""
    return f'<ul class="lines">{shown}{more}</ul>' if shown else "–"


_COLUMN_CLASSES = {"#": ' class="num"', "@": ' class="nowrap"'}


def _table(
    table_id: str,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: int,
    limit: int | None = TABLE_ROWS,
) -> str:
    """Escaped cells, a row's first its header; a header ending ``#`` is numeric, ``@`` never wraps."""
    classes = [_COLUMN_CLASSES.get(header[-1], "") for header in headers]
    head = "".join(
        f'<th scope="col"{cls}>{header.rstrip("#@")}</th>' for header, cls in zip(headers, classes, strict=True)
    )
    shown = rows if limit is None else rows[:limit]
    body = "\n".join(
        f'<tr><th scope="row"{classes[0]}>{row[0]}</th>'
        + "".join(f"<td{cls}>{cell}</td>" for cell, cls in zip(row[1:], classes[1:], strict=True))
        + "</tr>"
        for row in shown
    )
    more = total - len(shown)
    after = f'\n<p class="more" id="{table_id}-more">and {number(more)} more rows not shown</p>' if more > 0 else ""
    return (
        f'<div class="scroll"><table id="{table_id}">\n<caption>{caption}</caption>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>{after}"
    )
