"""The HTML report's inline SVG bar charts: named for screen readers, drawn from whole numbers of any
size (``int / int`` first), every value above zero visible; text through :mod:`pulumi_mta_sts.escape.html`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pulumi_mta_sts.escape.html import text

#: Bars shown per chart of organisations, result types, MX hosts or domains.
CHART_BARS = 20
#: Longest name in a chart label, a table cell, and a tooltip (characters, after escaping marks).
LABEL_CHARS, CELL_CHARS, TOOLTIP_CHARS = 36, 160, 400
_DAY_W, _DAY_H, _DAY_LEFT, _DAY_RIGHT, _DAY_TOP, _DAY_BOTTOM = 960, 240, 64, 44, 14, 34
_BAR_W, _BAR_LABEL_W, _BAR_ROW, _BAR_TOP, _BAR_VALUE_W = 960, 250, 24, 6, 230


@dataclass(frozen=True)
class Bar:
    label: str
    successful: int
    failed: int

    @property
    def sessions(self) -> int:
        return self.successful + self.failed

    def segments(self, failures_only: bool) -> list[tuple[str, int]]:
        return [("fail", self.failed)] if failures_only else [("ok", self.successful), ("fail", self.failed)]


def number(value: int) -> str:
    """A count with thousands separators; beyond 30 digits, its order of magnitude."""
    if value < 10**30:
        return f"{value:,}"
    exponent = int(math.log10(value))
    return f"about {value // 10 ** (exponent - 2) / 100:.2f}×10^{exponent}"


def day_span(days: Sequence[Bar]) -> str:
    return f"{text(days[0].label, 20)} to {text(days[-1].label, 20)}"


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, parts: Sequence[str]) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" class="chart">'
        f'<title id="{chart_id}-t">{title}</title><desc id="{chart_id}-d">{desc}</desc>' + "".join(parts) + "</svg>"
    )


def _what(failures_only: bool) -> str:
    return "failed sessions" if failures_only else "sessions, successful and failed stacked"


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
    """At least 1.5 units for a value above zero: one failed session must show."""
    return max(full * (value / ceiling), 1.5) if value > 0 else 0.0


def day_chart(days: Sequence[Bar], *, failures_only: bool) -> str:
    """A bar per day (sessions stacked, or failures only), a round axis, about eight day labels."""
    values = [d.failed if failures_only else d.sessions for d in days]
    ceiling, ticks = _ticks(max(values))
    plot_w, plot_h = _DAY_W - _DAY_LEFT - _DAY_RIGHT, _DAY_H - _DAY_TOP - _DAY_BOTTOM
    slot, bottom = plot_w / len(days), _DAY_TOP + plot_h
    parts = []
    for tick in ticks:
        y = _DAY_TOP + plot_h - plot_h * (tick / ceiling)
        parts.append(f'<line class="grid" x1="{_DAY_LEFT}" x2="{_DAY_W - _DAY_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{_DAY_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_axis_label(tick)}</text>')
    parts.append(f'<line class="axis" x1="{_DAY_LEFT}" x2="{_DAY_W - _DAY_RIGHT}" y1="{bottom}" y2="{bottom}"/>')
    parts += [_day_bar(day, _DAY_LEFT + i * slot, slot, ceiling, plot_h, failures_only) for i, day in enumerate(days)]
    for i in range(0, len(days), max(1, math.ceil(len(days) / 8))):
        x = _DAY_LEFT + (i + 0.5) * slot
        y_label = _DAY_H - _DAY_BOTTOM + 18
        parts.append(f'<text x="{x:.1f}" y="{y_label}" text-anchor="middle">{text(days[i].label, 20)}</text>')
    if failures_only and not any(values):
        parts.append(
            f'<text class="note" x="{_DAY_LEFT + 12}" y="{_DAY_TOP + 24}">No failed sessions in this period.</text>'
        )
    desc = f"One bar per day from {day_span(days)}: {_what(failures_only)}. The table below lists the numbers."
    chart_id, title = ("failures", "Failed sessions") if failures_only else ("sessions", "Sessions")
    return _svg(f"svg-{chart_id}-per-day", _DAY_W, _DAY_H, f"{title} per day", desc, parts)


def _day_bar(day: Bar, x: float, slot: float, ceiling: int, plot_h: float, failures_only: bool) -> str:
    width = max(slot * 0.8, 0.5)
    rects, y = [], _DAY_TOP + plot_h
    for kind, value in day.segments(failures_only):
        height = _length(value, ceiling, plot_h)
        if height:
            y -= height
            rects.append(
                f'<rect class="{kind}" x="{x + slot * 0.1:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}"/>'
            )
    tip = f"{text(day.label, 20)}: {number(day.sessions)} sessions, {number(day.failed)} failed"
    return f"<g><title>{tip}</title>{''.join(rects)}</g>"


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, failures_only: bool = False) -> str:
    """A bar per row (the first :data:`CHART_BARS`), labelled with the name and the numbers."""
    shown = bars[:CHART_BARS]
    ceiling = max(max(bar.failed if failures_only else bar.sessions for bar in shown), 1)
    height = _BAR_TOP * 2 + _BAR_ROW * len(shown)
    labels = [
        f'<text x="{_BAR_LABEL_W - 8}" y="{_BAR_TOP + i * _BAR_ROW + 16}" text-anchor="end">{name}</text>'
        for i, name in enumerate(text(bar.label, LABEL_CHARS) for bar in shown)
    ]
    # A nested svg clips the labels to their column: a long or wide name cannot cover the bars.
    parts = [f'<svg x="0" y="0" width="{_BAR_LABEL_W - 4}" height="{height}">{"".join(labels)}</svg>']
    parts += [_hbar(bar, i, ceiling, failures_only) for i, bar in enumerate(shown)]
    parts.append(
        f'<line class="axis" x1="{_BAR_LABEL_W}" x2="{_BAR_LABEL_W}" y1="{_BAR_TOP}" y2="{height - _BAR_TOP}"/>'
    )
    desc = f"One bar per row, {_what(failures_only)}; the table below lists the numbers."
    return _svg(chart_id, _BAR_W, height, title, desc, parts)


def _hbar(bar: Bar, index: int, ceiling: int, failures_only: bool) -> str:
    y, x = _BAR_TOP + index * _BAR_ROW + 4, float(_BAR_LABEL_W)
    rects = []
    for kind, value in bar.segments(failures_only):
        length = _length(value, ceiling, _BAR_W - _BAR_LABEL_W - _BAR_VALUE_W)
        if length:
            rects.append(f'<rect class="{kind}" x="{x:.2f}" y="{y}" width="{length:.2f}" height="{_BAR_ROW - 8}"/>')
            x += length
    figures = f"{number(bar.sessions)} · " if not failures_only else ""
    figures += f"{number(bar.failed)} failed"
    value_text = f'<text x="{x + 6:.2f}" y="{y + 12}">{text(figures, 60)}</text>'
    return f"<g><title>{text(bar.label, TOOLTIP_CHARS)}: {figures}</title>{''.join(rects)}{value_text}</g>"
