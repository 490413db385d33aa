"""escape/markdown.py against GitHub's renderer (cmark-gfm): a value written by :func:`text`,
:func:`code`, :func:`cell` or :func:`fence` renders as exactly the text :func:`shown` gives it, in
every place a renderer puts it, and makes nothing (no element, mention, reference, emoji, table
break). Values are generated from hostile pieces (tests/strategies.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.escape import markdown
from pulumi_mta_sts.escape.visible import shown
from tests.strategies import HOSTILE_PIECES, hostile_text

from .gfm import Element, parse, problems, render, text_of


def _only(root: Element, tag: str) -> Element:
    found = root.find(tag)
    assert len(found) == 1, tag
    return found[0]


def _inert(source: str, *ours: str) -> None:
    assert problems(source, lambda tag, text: text in ("bold", *ours)) == [], source


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_running_text_renders_as_written_wherever_it_is_put(value: str) -> None:
    escaped, seen = markdown.text(value), shown(value)
    assert "\n" not in escaped
    places = [
        (f"Value: {escaped} (ours)", "p", f"Value: {seen} (ours)"),
        (f"**bold** {escaped} and more", "p", f"bold {seen} and more"),
        (f"- {escaped} (ours)", "li", f"{seen} (ours)"),
        (f"_note {escaped} note_", "em", f"note {seen} note"),
        (f"#### Heading {escaped} (ours)", "h4", f"Heading {seen} (ours)"),
        (f"<sub>Totals: {escaped}</sub>", "sub", f"Totals: {seen}"),
        (f"| a | b |\n|---|---|\n| x {escaped} x | y |", "td", f"x {seen} x"),
    ]
    for source, tag, expected in places:
        element = parse(render(source)).find(tag)[0]
        assert text_of(element).strip(" ") == expected.strip(" "), (source, render(source))
        _inert(source, expected)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_a_code_span_shows_the_value_and_nothing_else(value: str) -> None:
    source = f"Value: {markdown.code(value)} (ours)"
    root = parse(render(source))
    if not value:
        assert text_of(root) == f"Value: {markdown.EMPTY} (ours)\n"
        return
    assert text_of(_only(root, "code")) == shown(value)
    _inert(source)


@settings(max_examples=300, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_a_table_cell_holds_its_value_whole(values: list[str]) -> None:
    header = "| " + " | ".join(f"c{i}" for i in range(len(values))) + " |"
    rule = "|" + "---|" * len(values)
    row = "| " + " | ".join(markdown.cell(v) for v in values) + " |"
    source = "\n".join([header, rule, row, row])
    cells = parse(render(source)).find("td")
    assert len(cells) == 2 * len(values)
    for cell, value in zip(cells, values * 2, strict=True):
        assert text_of(cell) == (shown(value) if value else markdown.EMPTY)
    _inert(source)


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text, max_size=6), st.sampled_from(["", "diff", "text"]))
def test_a_fence_cannot_be_closed_by_a_line(lines: list[str], info: str) -> None:
    source = markdown.fence(lines, info) + "\n\nafter the fence"
    root = parse(render(source))
    pre = _only(root, "pre")
    expected = "".join(shown(line) + "\n" for line in lines)
    assert text_of(pre) == expected
    assert text_of(root.find("p")[-1]) == "after the fence"
    _inert(source)


def test_every_hostile_piece_alone() -> None:
    for piece in HOSTILE_PIECES:
        for source in (markdown.text(piece), markdown.code(piece), f"| a |\n|---|\n| {markdown.cell(piece)} |"):
            _inert(source)


def test_the_exact_forms() -> None:
    assert markdown.text("a_b *c* @x www.y.z") == "a\\_b \\*c\\* \\@\u2060x www\u2060\\.y\\.z"
    assert markdown.text("  x ") == "&#32;&#32;x&#32;"
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`a") == "`` `a ``"
    assert markdown.code(" a ") == "`  a  `"
    assert markdown.code("   ") == "`   `"
    assert markdown.code("") == markdown.EMPTY
    assert markdown.cell("a|b") == "`a\\|b`"
    assert markdown.code("\x1b[31m\n") == "`⟨U+001B⟩[31m⟨U+000A⟩`"
    assert markdown.fence(["```", "x"], "text") == "````text\n```\nx\n````"
    assert markdown.code("abcdef", 4) == "`abc…`"


def test_what_the_old_code_element_let_through_is_now_inert() -> None:
    """The bug: GitHub parses Markdown inside ``<code>``, so an escaped value there still made a
    link, emphasis and an autolink."""
    value = "v=TLSRPTv1; rua=mailto:a@example.com *x* [l](https://evil.example)"
    old = f"<code>{value}</code>"
    assert problems(old, lambda tag, text: False) != []
    _inert(markdown.code(value))
