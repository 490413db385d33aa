"""``mta-sts reports html``: the summary as one self-contained HTML page (standard library only).

The page fetches nothing: its CSS is inline (allowed by its hash), its charts inline SVG, it has no
script, font or image, and a Content-Security-Policy (``default-src 'none'``) makes the browser
refuse anything else, so even a bug here cannot make the page call out. What a report says reaches
the page only through :func:`pulumi_mta_sts.escape.html.text` (control and bidi characters visible,
length bounded, HTML-escaped). The size is bounded: every day is kept (up to :data:`MAX_DAYS`),
other tables show :data:`TABLE_ROWS` rows and charts :data:`CHART_BARS` bars, in the summary's
order (most failures first), with a line saying how many more there are.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pulumi_mta_sts.escape import html as html_escape

__all__ = ["CHART_BARS", "FAIL_COLOUR", "MAX_DAYS", "NO_REPORTS", "OK_COLOUR", "TABLE_ROWS", "render_html"]

#: Rows shown per table (days excepted), bars per chart, days shown (the most recent; ten years).
TABLE_ROWS, CHART_BARS, MAX_DAYS = 100, 20, 3660
#: Longest name in a chart label, a table cell, and a tooltip (characters, after escaping marks).
LABEL_CHARS, CELL_CHARS, TOOLTIP_CHARS = 36, 160, 400
#: Items of a list shown in one cell (organisations of a result type, IPs; twice as many policy lines).
LIST_ITEMS = 8
NO_REPORTS = "No reports in this period."
#: Successful and failed sessions in every chart: blue and orange, told apart with the common
#: colour-vision deficiencies too.
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


def render_html(summary_json: Mapping[str, Any]) -> str:
    """The report page for a summary (the ``Summary.as_json()`` object of ``reports/summary.py``)."""
    report = _Report.of(summary_json)
    ranked = [_ranked_section(report, view) for view in _RANKED]
    body = "\n".join([_header(report), _days_section(report), *ranked, _policies_section(report)])
    return _page(_title(report), body)


# ---- reading the summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    """One day of the day charts, or one row of a ranked chart."""

    label: str
    successful: int
    failed: int

    @property
    def sessions(self) -> int:
        return self.successful + self.failed


_LISTS = ("domains", "organizations", "result_types", "mx_hosts", "policies")


@dataclass(frozen=True)
class _Report:
    """The summary's parts this page shows. A summary of another shape raises ValueError naming
    the key (lists and objects here, counts where they are read); no page is returned then."""

    period: Mapping[str, Any]
    reports: Mapping[str, Any]
    lists: Mapping[str, Sequence[Mapping[str, Any]]]  # each of _LISTS
    days: tuple[_Bar, ...]
    days_cut: int  # days left out before the first one shown (over MAX_DAYS)
    gaps_filled: bool  # whether days without reports between the first and last were added

    @classmethod
    def of(cls, summary: Mapping[str, Any]) -> _Report:
        lists = {key: _list(summary, key) for key in _LISTS}
        days, filled = _all_days(lists["domains"])
        period, reports = _mapping(summary, "period"), _mapping(summary, "reports")
        return cls(period, reports, lists, tuple(days[-MAX_DAYS:]), max(0, len(days) - MAX_DAYS), filled)

    @property
    def domains(self) -> Sequence[Mapping[str, Any]]:
        return self.lists["domains"]


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


def _all_days(domains: Sequence[Mapping[str, Any]]) -> tuple[list[_Bar], bool]:
    """Sessions per day over every domain, oldest first; days without reports between the first
    and the last are added as zeros (a missing day is news to an owner) unless that would add
    more than :data:`MAX_DAYS` days or a day is not an ISO date."""
    totals: dict[str, list[int]] = {}
    for domain in domains:
        for row in domain.get("days") or []:
            tally = totals.setdefault(str(row.get("day")), [0, 0])
            tally[0] += _count(row, "successful")
            tally[1] += _count(row, "failed")
    every = _calendar(sorted(totals))
    return [_Bar(day, *totals.get(day, (0, 0))) for day in (every or sorted(totals))], every is not None


def _calendar(days: list[str]) -> list[str] | None:
    if not days:
        return None
    try:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        for day in days:
            date.fromisoformat(day)
    except ValueError:
        return None
    span = (last - first).days + 1
    return None if span > MAX_DAYS else [(first + timedelta(days=n)).isoformat() for n in range(span)]


# ---- text: visible, bounded, escaped ----------------------------------------------------------


def _text(value: object, limit: int = CELL_CHARS) -> str:
    """Any value from a report, as HTML text or a double-quoted attribute value (``None`` as a dash)."""
    return html_escape.text(value, limit)


def _day(value: object) -> str:
    return _text(value, 20)


def _span(days: Sequence[_Bar]) -> str:
    return f"{_day(days[0].label)} to {_day(days[-1].label)}"


def _num(value: int) -> str:
    """A count with thousands separators; beyond 30 digits, its order of magnitude."""
    if value < 10**30:
        return f"{value:,}"
    exponent = int(math.log10(value))
    return f"about {value // 10 ** (exponent - 2) / 100:.2f}×10^{exponent}"


def _rate(successful: int, failed: int) -> str:
    """The success rate as a percentage, never rounded up to 100 % while anything failed."""
    total = successful + failed
    if not total:
        return "–"
    hundredths = successful * 10_000 // total
    return f"{hundredths // 100}.{hundredths % 100:02d} %"


def _list_cell(items: Sequence[str], limit: int = LIST_ITEMS) -> str:
    shown = ", ".join(f'<bdi class="item">{_text(item, LABEL_CHARS)}</bdi>' for item in items[:limit])
    rest = len(items) - limit
    return shown + (f" and {_num(rest)} more" if rest > 0 else "")


def _count_cells(successful: int, failed: int) -> list[str]:
    """Sessions, successful, failed and the success rate: the cells of _COUNT_HEADERS."""
    return [_num(successful + failed), _num(successful), _num(failed), _rate(successful, failed)]


_COUNT_HEADERS = ["Sessions#", "Successful#", "Failed#", "Success rate#"]


# ---- the page ----------------------------------------------------------------------------------


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
    names = [str(d.get("domain")) for d in report.domains]
    shown = ", ".join(_text(name, LABEL_CHARS) for name in names[:3])
    if len(names) > 3:
        shown += f" and {len(names) - 3} more"
    return f"SMTP TLS reports: {shown or 'no domain'} ({_period(report)})"


def _period(report: _Report) -> str:
    first, last = report.period.get("first_day"), report.period.get("last_day")
    since, until = report.period.get("since"), report.period.get("until")
    text = f"{_day(first)} to {_day(last)}" if first and last else "no reports"
    if since or until:
        text += f"; asked for {_day(since or 'the start')} to {_day(until or 'the end')}"
    return text


def _header(report: _Report) -> str:
    counts = report.reports
    read, counted = _count(counts, "read"), _count(counts, "counted")
    duplicates, unreadable = _count(counts, "duplicates"), _count(counts, "unreadable")
    successful = sum(_count(d, "successful") for d in report.domains)
    failed = sum(_count(d, "failed") for d in report.domains)
    totals = [
        ("Sessions", _num(successful + failed)),
        ("Failed sessions", _num(failed)),
        ("Success rate", _rate(successful, failed)),
        *((name, _num(len(report.lists[key]))) for key, name in _TOTALS),
    ]
    cards = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in totals)
    links = " ".join(f'<a href="#{anchor}">{name}</a>' for anchor, name in _SECTIONS)
    return (
        "<header>\n<h1>SMTP TLS reports</h1>\n"
        f'<p class="meta">Reports from {_period(report)}. {_num(read)} read, {_num(counted)} counted, '
        f"{_num(duplicates)} duplicates counted once, {_num(unreadable)} unreadable.</p>\n"
        f"{_unreadable(counts)}"
        f'<dl class="totals">{cards}</dl>\n<nav>{links}</nav>\n</header>'
    )


_TOTALS = (("organizations", "Sending organisations"), ("domains", "Policy domains"), ("mx_hosts", "MX hosts"))
_SECTIONS = (
    ("per-day", "Per day"),
    ("per-domain", "Per policy domain"),
    ("per-organisation", "Per sending organisation"),
    ("per-result-type", "Per result type"),
    ("per-mx-host", "Per MX host"),
    ("per-policy", "Per policy seen"),
)


def _unreadable(counts: Mapping[str, Any]) -> str:
    named = counts.get("unreadable_named") or []
    if not isinstance(named, list) or not named:
        return ""
    items = "".join(
        f"<li><bdi>{_text(row.get('source'), LABEL_CHARS * 2)}</bdi>: {_text(row.get('error'))}</li>"
        for row in named[:LIST_ITEMS]
        if isinstance(row, Mapping)
    )
    return f'<details class="meta"><summary>Unreadable inputs</summary><ul>{items}</ul></details>\n'


def _section(anchor: str, heading: str, content: str) -> str:
    heading_html = f'<h2 id="{anchor}-h">{heading}</h2>'
    return f'<section id="{anchor}" aria-labelledby="{anchor}-h">\n{heading_html}\n{content}\n</section>'


def _empty(anchor: str, heading: str, note: str = NO_REPORTS) -> str:
    return _section(anchor, heading, f'<p class="empty">{note}</p>')


_LEGEND = (
    '<p class="legend" aria-hidden="true"><span class="key ok"></span>successful sessions'
    '<span class="key fail"></span>failed sessions</p>'
)


def _figure(chart_id: str, caption: str, svg: str) -> str:
    return f'<figure id="{chart_id}">\n<figcaption>{caption}</figcaption>\n{svg}\n</figure>'


# ---- sections ----------------------------------------------------------------------------------


def _days_section(report: _Report) -> str:
    days = report.days
    if not days:
        return _empty("per-day", "Sessions and failures per day")
    if report.gaps_filled:
        notes = ["Days without any report are shown as zero."]
    else:
        notes = [
            f"Only days with reports are shown, side by side: the reports span more than {_num(MAX_DAYS)} days "
            "or a day is not a date."
        ]
    if report.days_cut:
        notes.append(f"The {_num(report.days_cut)} earliest days are not shown (at most {_num(MAX_DAYS)} days).")
    rows = [[_day(d.label), *_count_cells(d.successful, d.failed)] for d in days]
    content = "\n".join(
        [
            _LEGEND,
            _figure(
                "chart-sessions-per-day", f"Sessions per day, {_span(days)}", _day_chart(days, failures_only=False)
            ),
            _figure(
                "chart-failures-per-day",
                f"Failed sessions per day, {_span(days)}",
                _day_chart(days, failures_only=True),
            ),
            f'<p class="meta">{" ".join(notes)}</p>',
            _table("table-per-day", "Sessions per day", ["Day@", *_COUNT_HEADERS], rows, len(rows), limit=None),
        ]
    )
    return _section("per-day", "Sessions and failures per day", content)


#: The cells of one table row after its name: ``(bar, summary row) -> escaped cells``.
_Cells = Callable[[_Bar, Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class _Ranked:
    """One "per X" view: a bar chart of its first rows and the table behind it."""

    key: str  # the summary's list, and (``name``) the key of each row's name
    name: str
    anchor: str  # the section's id; the chart is chart-<anchor>, the table table-<anchor>
    heading: str
    plural: str  # what the rows are, for "the first 20 of 57 organisations"
    chart_title: str
    headers: Sequence[str]
    cells: _Cells
    failures_only: bool = False


def _ranked_section(report: _Report, view: _Ranked) -> str:
    """The section of ``view``: chart and table, or a note when there are no rows."""
    rows = report.lists[view.key]
    if not rows:
        failures = view.failures_only and report.days
        return _empty(view.anchor, view.heading, "No failed sessions in this period." if failures else NO_REPORTS)
    bars = [
        _Bar(str(row.get(view.name)), _count(row, "successful"), _count(row, "failed")) for row in rows[:TABLE_ROWS]
    ]
    caption = view.chart_title
    if len(rows) > CHART_BARS:
        caption += f": the first {CHART_BARS} of {_num(len(rows))} {view.plural} (the table lists more)"
    chart = _bar_chart(f"svg-{view.anchor}", view.chart_title, bars, failures_only=view.failures_only)
    table_rows = [
        [f"<bdi>{_text(bar.label)}</bdi>", *view.cells(bar, row)] for bar, row in zip(bars, rows, strict=False)
    ]
    content = "\n".join(
        [
            "" if view.failures_only else _LEGEND,
            _figure(f"chart-{view.anchor}", caption, chart),
            _table(f"table-{view.anchor}", view.chart_title, view.headers, table_rows, len(rows)),
        ]
    )
    return _section(view.anchor, view.heading, content)


def _lists(row: Mapping[str, Any], *keys: str) -> list[str]:
    return [_list_cell(_strings(row, key)) for key in keys]


_RANKED = (
    _Ranked(
        "domains",
        "domain",
        "per-domain",
        "Per policy domain",
        "domains",
        "Sessions per policy domain",
        ["Policy domain", *_COUNT_HEADERS],
        lambda bar, _: _count_cells(bar.successful, bar.failed),
    ),
    _Ranked(
        "organizations",
        "organization",
        "per-organisation",
        "Per sending organisation",
        "organisations",
        "Sessions per sending organisation",
        ["Organisation", "Reports#", *_COUNT_HEADERS, "Policy domains"],
        lambda bar, row: [
            _num(_count(row, "reports")),
            *_count_cells(bar.successful, bar.failed),
            *_lists(row, "domains"),
        ],
    ),
    _Ranked(
        "result_types",
        "result_type",
        "per-result-type",
        "Per result type",
        "result types",
        "Failed sessions per result type",
        ["Result type", "Failed sessions#", "Organisations", "MX hosts", "Policy domains", "First day@", "Last day@"],
        lambda bar, row: [
            _num(bar.failed),
            *_lists(row, "organizations", "mx_hosts", "domains"),
            _day(row.get("first_day")),
            _day(row.get("last_day")),
        ],
        failures_only=True,
    ),
    _Ranked(
        "mx_hosts",
        "mx_host",
        "per-mx-host",
        "Per MX host",
        "MX hosts",
        "Sessions per receiving MX host",
        ["MX host", "IP addresses", *_COUNT_HEADERS, "From"],
        lambda bar, row: [
            *_lists(row, "ips"),
            *_count_cells(bar.successful, bar.failed),
            _text(row.get("source") or "–", 40),
        ],
    ),
)


def _policies_section(report: _Report) -> str:
    rows = report.lists["policies"]
    if not rows:
        return _empty("per-policy", "Per policy seen")
    cells = [
        [
            f"<bdi>{_text(row.get('domain'))}</bdi>",
            _text(row.get("policy_type"), 40),
            _policy_lines(_strings(row, "policy_string")),
            _text(row.get("policy_id") or "–", 33),
            *_lists(row, "organizations"),
            _day(row.get("first_day")),
            _day(row.get("last_day")),
            _num(_count(row, "successful") + _count(row, "failed")),
            _num(_count(row, "failed")),
        ]
        for row in rows[:TABLE_ROWS]
    ]
    headers = ["Policy domain@", "Type@", "Policy", "Policy id@", "Organisations", "First day@", "Last day@"]
    table = _table("table-per-policy", "Policies the senders saw", [*headers, "Sessions#", "Failed#"], cells, len(rows))
    note = '<p class="meta">Senders still on an old policy after a change show up here with its last day.</p>'
    return _section("per-policy", "Per policy seen", f"{note}\n{table}")


def _policy_lines(lines: Sequence[str]) -> str:
    shown = "".join(f"<li>{_text(line, 120)}</li>" for line in lines[: LIST_ITEMS * 2])
    rest = len(lines) - LIST_ITEMS * 2
    more = f"<li>and {_num(rest)} more lines</li>" if rest > 0 else ""
    return f'<ul class="lines">{shown}{more}</ul>' if shown else "–"


# ---- tables ------------------------------------------------------------------------------------


def _table(
    table_id: str,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: int,
    limit: int | None = TABLE_ROWS,
) -> str:
    """A table of already-escaped cells, the first of each row its header cell; a header ending in
    ``#`` is a numeric column (right-aligned), in ``@`` one that never wraps (days, ids). Shows
    ``limit`` rows and says how many more there are."""
    classes = [_COLUMN_CLASSES.get(header[-1], "") for header in headers]
    head = "".join(
        f'<th scope="col"{cls}>{header.rstrip("#@")}</th>' for header, cls in zip(headers, classes, strict=True)
    )
    shown = rows if limit is None else rows[:limit]
    body = "\n".join(_table_row(row, classes) for row in shown)
    more = total - len(shown)
    after = f'\n<p class="more" id="{table_id}-more">and {_num(more)} more rows not shown</p>' if more > 0 else ""
    return (
        f'<div class="scroll"><table id="{table_id}">\n<caption>{caption}</caption>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>{after}"
    )


_COLUMN_CLASSES = {"#": ' class="num"', "@": ' class="nowrap"'}


def _table_row(cells: Sequence[str], classes: Sequence[str]) -> str:
    first, rest = cells[0], cells[1:]
    tds = "".join(f"<td{cls}>{cell}</td>" for cell, cls in zip(rest, classes[1:], strict=True))
    return f'<tr><th scope="row"{classes[0]}>{first}</th>{tds}</tr>'


# ---- charts ------------------------------------------------------------------------------------


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, parts: Sequence[str]) -> str:
    """An SVG chart named for screen readers (its title and description; the table follows it)."""
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" class="chart">'
        f'<title id="{chart_id}-t">{title}</title><desc id="{chart_id}-d">{desc}</desc>' + "".join(parts) + "</svg>"
    )


def _ticks(top: int) -> tuple[int, list[int]]:
    """A round axis maximum at or above ``top`` and its ticks: 2 to 6 values 1, 2 or 5 times 10^k apart."""
    power = 1
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * power
            if step * 5 >= top:
                ceiling = max(step, -(-top // step) * step)
                return ceiling, list(range(0, ceiling + 1, step))
        power *= 10


def _axis_label(value: int) -> str:
    """A tick value kept short: 1.5k, 20M, 3G (the tables give the exact numbers)."""
    for unit, suffix in ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= unit:
            if value >= 1000 * unit:  # beyond exa: mantissa and exponent (in ints: no float overflow)
                exponent = int(math.log10(value))
                return f"{value // 10 ** (exponent - 1) / 10:g}e{exponent}"
            return f"{value / unit:.3g}{suffix}"
    return str(value)


def _length(value: int, ceiling: int, full: float) -> float:
    """The drawn length of ``value`` on an axis of ``full`` units for ``ceiling``: never less
    than 1.5 units for a value above zero (one failed session must show)."""
    if value <= 0:
        return 0.0
    return max(full * (value / ceiling), 1.5)  # int / int first: no float of a huge count


def _segments(bar: _Bar, failures_only: bool) -> list[tuple[str, int]]:
    """What a bar stacks: its failed sessions, after its successful ones unless ``failures_only``."""
    return [("fail", bar.failed)] if failures_only else [("ok", bar.successful), ("fail", bar.failed)]


def _what(failures_only: bool) -> str:
    return "failed sessions" if failures_only else "sessions, successful and failed stacked"


_DAY_W, _DAY_H, _DAY_LEFT, _DAY_RIGHT, _DAY_TOP, _DAY_BOTTOM = 960, 240, 64, 44, 14, 34


def _day_chart(days: Sequence[_Bar], *, failures_only: bool) -> str:
    """Vertical bars, one per day: sessions (successful and failed stacked) or failed sessions only."""
    values = [d.failed if failures_only else d.sessions for d in days]
    ceiling, ticks = _ticks(max(values))
    plot_w, plot_h = _DAY_W - _DAY_LEFT - _DAY_RIGHT, _DAY_H - _DAY_TOP - _DAY_BOTTOM
    slot = plot_w / len(days)
    parts = _y_grid(ticks, ceiling, plot_h)
    for index, day in enumerate(days):
        parts.append(_day_bar(day, _DAY_LEFT + index * slot, slot, ceiling, plot_h, failures_only))
    parts.extend(_x_labels(days, slot))
    if failures_only and not any(values):
        parts.append(
            f'<text class="note" x="{_DAY_LEFT + 12}" y="{_DAY_TOP + 24}">No failed sessions in this period.</text>'
        )
    desc = f"One bar per day from {_span(days)}: {_what(failures_only)}. The table below lists the numbers."
    chart_id, title = ("failures", "Failed sessions") if failures_only else ("sessions", "Sessions")
    return _svg(f"svg-{chart_id}-per-day", _DAY_W, _DAY_H, f"{title} per day", desc, parts)


def _y_grid(ticks: Sequence[int], ceiling: int, plot_h: float) -> list[str]:
    parts = []
    for tick in ticks:
        y = _DAY_TOP + plot_h - plot_h * (tick / ceiling)  # int / int first: no float of a huge count
        parts.append(f'<line class="grid" x1="{_DAY_LEFT}" x2="{_DAY_W - _DAY_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{_DAY_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_axis_label(tick)}</text>')
    bottom = _DAY_TOP + plot_h
    parts.append(f'<line class="axis" x1="{_DAY_LEFT}" x2="{_DAY_W - _DAY_RIGHT}" y1="{bottom}" y2="{bottom}"/>')
    return parts


def _day_bar(day: _Bar, x: float, slot: float, ceiling: int, plot_h: float, failures_only: bool) -> str:
    width = max(slot * 0.8, 0.5)
    rects, y = [], _DAY_TOP + plot_h
    for kind, value in _segments(day, failures_only):
        height = _length(value, ceiling, plot_h)
        if height:
            y -= height
            rects.append(
                f'<rect class="{kind}" x="{x + slot * 0.1:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}"/>'
            )
    tip = f"{_day(day.label)}: {_num(day.sessions)} sessions, {_num(day.failed)} failed"
    return f"<g><title>{tip}</title>{''.join(rects)}</g>"


def _x_labels(days: Sequence[_Bar], slot: float) -> list[str]:
    every = max(1, math.ceil(len(days) / 8))
    y = _DAY_H - _DAY_BOTTOM + 18
    labels = []
    for index in range(0, len(days), every):
        x = _DAY_LEFT + (index + 0.5) * slot
        labels.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{_day(days[index].label)}</text>')
    return labels


_BAR_W, _BAR_LABEL_W, _BAR_ROW, _BAR_TOP, _BAR_VALUE_W = 960, 250, 24, 6, 230


def _bar_chart(chart_id: str, title: str, bars: Sequence[_Bar], *, failures_only: bool = False) -> str:
    """Horizontal bars, one per row (the first :data:`CHART_BARS`): sessions (successful and failed
    stacked) or failed sessions only, labelled with the name and the numbers."""
    shown = bars[:CHART_BARS]
    ceiling = max(max(bar.failed if failures_only else bar.sessions for bar in shown), 1)
    height = _BAR_TOP * 2 + _BAR_ROW * len(shown)
    labels = [
        f'<text x="{_BAR_LABEL_W - 8}" y="{_BAR_TOP + i * _BAR_ROW + 16}" text-anchor="end">{name}</text>'
        for i, name in enumerate(_text(bar.label, LABEL_CHARS) for bar in shown)
    ]
    # A nested svg clips the labels to their column: a long or wide name cannot cover the bars.
    parts = [f'<svg x="0" y="0" width="{_BAR_LABEL_W - 4}" height="{height}">{"".join(labels)}</svg>']
    parts += [_hbar(bar, i, ceiling, failures_only) for i, bar in enumerate(shown)]
    parts.append(
        f'<line class="axis" x1="{_BAR_LABEL_W}" x2="{_BAR_LABEL_W}" y1="{_BAR_TOP}" y2="{height - _BAR_TOP}"/>'
    )
    desc = f"One bar per row, {_what(failures_only)}; the table below lists the numbers."
    return _svg(chart_id, _BAR_W, height, title, desc, parts)


def _hbar(bar: _Bar, index: int, ceiling: int, failures_only: bool) -> str:
    full = _BAR_W - _BAR_LABEL_W - _BAR_VALUE_W
    y = _BAR_TOP + index * _BAR_ROW + 4
    x = float(_BAR_LABEL_W)
    rects = []
    for kind, value in _segments(bar, failures_only):
        length = _length(value, ceiling, full)
        if length:
            rects.append(f'<rect class="{kind}" x="{x:.2f}" y="{y}" width="{length:.2f}" height="{_BAR_ROW - 8}"/>')
            x += length
    figures = f"{_num(bar.failed)} failed" if failures_only else f"{_num(bar.sessions)} · {_num(bar.failed)} failed"
    value_text = f'<text x="{x + 6:.2f}" y="{y + 12}">{_text(figures, 60)}</text>'
    tip = f"{_text(bar.label, TOOLTIP_CHARS)}: {figures}"
    return f"<g><title>{tip}</title>{''.join(rects)}{value_text}</g>"
