"""escape/terminal.py, escape/csv.py and the visible form: what a stranger wrote comes out shown,
never obeyed — checked through the real ``rich`` and ``csv`` modules. Values are generated from
hostile pieces (tests/strategies.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from html import escape as html_escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.errors import MarkupError
from rich.table import Table
from rich.text import Text

from pulumi_mta_sts.escape import csv as csv_escape
from pulumi_mta_sts.escape import html, terminal
from tests.strategies import hostile_text

_MARK = re.compile(r"⟨U\+([0-9A-F]{4,6})⟩")
#: What rich writes itself for colours and styles (SGR); anything else starting with ESC is not rich's.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
no_marks = hostile_text.filter(lambda text: "⟨" not in text)


def unshown(text: str) -> str:
    return _MARK.sub(lambda m: chr(int(m.group(1), 16)), text)


@settings(max_examples=500, deadline=None)
@given(no_marks)
def test_shown_text_is_printable_and_says_exactly_what_was_written(value: str) -> None:
    shown = terminal.shown(value)
    assert shown.isprintable()
    assert unshown(shown) == value
    assert all(not char.isprintable() for char in map(chr, (int(m, 16) for m in _MARK.findall(shown))))


@settings(max_examples=300, deadline=None)
@given(no_marks, st.integers(1, 60))
def test_a_cut_is_bounded_and_marked(value: str, limit: int) -> None:
    shown = terminal.shown(value, limit)
    assert len(shown) <= limit and shown.isprintable()
    assert shown == terminal.shown(value) or shown.endswith("…")
    assert html.text(value, limit) == html_escape(shown)  # one visible form for every format


@settings(max_examples=300, deadline=None)
@given(no_marks)
def test_lines_are_ended_by_the_renderer_only(value: str) -> None:
    lines = terminal.lines(value)
    assert all(line.isprintable() for line in lines)
    rejoined = "\n".join(unshown(line) for line in lines)
    assert rejoined == re.sub(r"\r\n|\r", "\n", value).removesuffix("\n") or value in ("\n", "\r", "\r\n")


@settings(max_examples=300, deadline=None)
@given(st.recursive(hostile_text | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(hostile_text, c)))
def test_json_for_a_terminal_means_the_same_and_shows_nothing_to_obey(document: object) -> None:
    text = terminal.json_text(document)
    assert all(char.isprintable() or char == "\n" for char in text)
    assert json.loads(text) == document


def _through_rich(value: str, *, terminal_colours: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal_colours, width=4000, highlight=False)
    table = Table(title=Text(terminal.shown(value)), box=None)
    table.add_column("check", no_wrap=True)
    table.add_column("detail", no_wrap=True)
    table.add_row(Text(terminal.shown(value)), Text(terminal.shown(value), style="italic"))
    console.print(table)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_rich_prints_a_shown_value_as_written(value: str) -> None:
    """Markup (``[link=…]``, ``[bold]``, ``[/]``), emoji codes and control characters in a value
    come out literally, the only escape sequences being rich's own colours."""
    for colours in (False, True):
        printed = _SGR.sub("", _through_rich(value, terminal_colours=colours))
        assert "\x1b" not in printed and "\x9b" not in printed
        assert printed.count(terminal.shown(value).strip()) >= 3 or not terminal.shown(value).strip()


def test_a_str_is_what_rich_must_never_be_given() -> None:
    """Why values reach rich only as Text: as a ``str`` rich reads markup and emoji codes."""
    console = Console(file=io.StringIO(), width=200)
    with pytest.raises(MarkupError):
        console.print("starttls:[/]")
    console.print("starttls:[bold]mx[/bold] :thumbs_up:")
    assert "[bold]" not in console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold]mx[/bold] :thumbs_up:" in _through_rich("[bold]mx[/bold] :thumbs_up:", terminal_colours=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(hostile_text | st.integers(0, 10**6), min_size=1, max_size=6), st.lists(hostile_text, max_size=4))
def test_no_csv_cell_a_stranger_wrote_starts_a_formula(cells: list[str | int], lines: list[str]) -> None:
    columns = [f"c{i}" for i in range(len(cells))] + ["lines"]
    row: dict[str, object] = {f"c{i}": cell for i, cell in enumerate(cells)}
    row["lines"] = csv_escape.lines_cell(lines)
    read = next(csv.DictReader(io.StringIO(csv_escape.table(columns, [row]))))
    for i, cell in enumerate(cells):
        got = read[f"c{i}"]
        if isinstance(cell, int):
            assert got == str(cell)
            continue
        shown = terminal.shown(cell)
        assert not got.startswith(csv_escape.FORMULA_STARTS)
        assert got == ("'" + shown if shown.startswith(csv_escape.FORMULA_STARTS) else shown)
    joined = "\n".join(terminal.shown(line) for line in lines)
    assert read["lines"] == ("'" + joined if joined.startswith(csv_escape.FORMULA_STARTS) else joined)
    assert not read["lines"].startswith(csv_escape.FORMULA_STARTS)
