"""GitHub-flavoured Markdown (pull-request comments, ``--format markdown``): what a stranger wrote
is rendered inert, and a comment cut to GitHub's size keeps what it must.

**Inert.** A value that did not come from us (a TXT value, a record name, an organisation name,
a ``replaceReasons`` entry, an op name, a ``changeSummary`` key, a warning, a served policy line,
a report field) never becomes a link, an image, a heading, emphasis, a table break, an HTML
element, an autolink (``www.``, ``http(s)://``, a bare e-mail address) or an ``@mention``. Wrapping
it in ``<code>`` is not enough: GitHub parses Markdown inside inline HTML. The rules, each
checked against GitHub's renderer (cmark-gfm with its table, autolink, strikethrough and
tagfilter extensions) by the tests:

- every value is first :func:`~.visible.shown`: a character that would act (a line break, ESC,
  a bidi override, ...) is ``⟨U+XXXX⟩``, so a value is one line;
- :func:`code`: a code span whose backtick fence is longer than any run of backticks in the
  value, padded with a space when the value starts or ends with a backtick or with spaces
  (CommonMark strips one space from each side). Nothing inside a code span is parsed,
  autolinked or mentioned;
- :func:`cell`: the same code span in a table cell, ``|`` written ``\\|`` (the table splits
  cells before the code span is read, and removes the backslash before a pipe, in code too);
- :func:`text`: running text — every ASCII punctuation character backslash-escaped (no
  emphasis, link, image, HTML, entity, heading, list, quote or table break can start), a WORD
  JOINER (U+2060) after every ``@``, ``#`` and ``:`` and between ``www`` and ``.`` (GitHub finds
  mentions, issue references, emoji codes and autolinks in the rendered text, where escapes are
  gone), and leading or trailing spaces as ``&#32;`` (no indented code, no hard line break).
  GitHub also links a commit hash, ``GH-123`` and a repository's own autolink prefixes in
  running text when they exist there: values that may look so (hosts, ids, record values) are
  code spans, and running text is for messages that quote them;
- :func:`fence`: lines as a fenced code block whose fence is longer than any run of backticks
  in them, so no line can close it.

A value never goes inside raw HTML (``<details>``, ``<summary>``, ``<sub>`` lines are ours).

**Cut.** A comment is a list of :class:`Block`\\ s, each complete in itself (every fence and
``<details>`` it opens, it closes). :func:`fit` keeps a document within a byte budget: the
blocks that are kept (safety notes, headings) are never left out — when they alone are too
long, their shorter forms are used (the last form of a kept block is plain lines); the others
are left out whole when they do not fit, and a note says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .visible import shown as _shown

#: How an empty value is shown (a code span cannot be empty).
EMPTY = "(empty)"
WORD_JOINER = "\N{WORD JOINER}"

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BREAK_AFTER = re.compile(r"(\\[@#:])")
_WWW = re.compile(r"(?i)(www)(?=\\\.)")
_BACKTICKS = re.compile(r"`+")


# ---- values --------------------------------------------------------------------------------------
def text(value: object, limit: int | None = None) -> str:
    """``value`` as running Markdown text that renders exactly as :func:`~.visible.shown` writes
    it (and is safe in a table cell); with ``limit``, cut to that many characters first."""
    escaped = _PUNCTUATION.sub(r"\\\1", _shown(value, limit))
    escaped = _WWW.sub(r"\1" + WORD_JOINER, _BREAK_AFTER.sub(r"\1" + WORD_JOINER, escaped))
    stripped = escaped.lstrip(" ")
    leading = len(escaped) - len(stripped)
    body = stripped.rstrip(" ")
    trailing = len(stripped) - len(body)
    return "&#32;" * leading + body + "&#32;" * trailing


def code(value: object, limit: int | None = None) -> str:
    """``value`` as an inline code span (outside a table: in one, use :func:`cell`); an empty
    value as :data:`EMPTY`."""
    shown = _shown(value, limit)
    if not shown:
        return EMPTY
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)
    spaces_around = shown[0] == " " and shown[-1] == " " and shown.strip(" ") != ""
    pad = " " if shown[0] == "`" or shown[-1] == "`" or spaces_around else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def cell(value: object, limit: int | None = None) -> str:
    """``value`` as a code span inside a table cell (``|`` as ``\\|``)."""
    return code(value, limit).replace("|", "\\|")


def fence(lines: Iterable[object], info: str = "", limit: int | None = None) -> str:
    """``lines`` as a fenced code block (each line :func:`~.visible.shown`, at most ``limit``
    characters); ``info`` (ours: ``diff``, ``text``) names the language."""
    shown = [_shown(line, limit) for line in lines]
    longest = max((len(run) for line in shown for run in _BACKTICKS.findall(line)), default=0)
    marker = "`" * max(3, longest + 1)
    return "\n".join([f"{marker}{info}", *shown, marker])


# ---- cutting a document to a size ------------------------------------------------------------
def size(markdown: str) -> int:
    """The size GitHub's limit is checked against, counted safely: UTF-8 bytes (never fewer
    than characters)."""
    return len(markdown.encode("utf-8"))


@dataclass(frozen=True)
class Block:
    """One part of a document, complete in itself, in its ``forms`` (longest first). A ``keep``
    block (a safety note, a heading) is never left out, at worst shown in its last form, which
    is plain lines; another block is shown in the first form that fits, or left out whole."""

    forms: tuple[str, ...]
    keep: bool = False

    @classmethod
    def of(cls, markdown: str) -> Block:
        return cls((markdown,))

    @classmethod
    def kept(cls, *forms: str) -> Block:
        return cls(tuple(forms), keep=True)


#: Between two blocks: a blank line, so a block never runs into the next one.
JOINER = "\n\n"


def join(blocks: Iterable[Block]) -> str:
    """Every block in its first form."""
    return JOINER.join(block.forms[0] for block in blocks if block.forms[0])


def least_size(blocks: Sequence[Block], cut_note: Callable[[int, bool], str]) -> int:
    """The size :func:`fit` needs at least: the kept blocks in their last forms and the note."""
    kept = [block.forms[-1] for block in blocks if block.keep]
    return size(JOINER.join([*kept, cut_note(len(blocks), False)]))


def fit(blocks: Sequence[Block], budget: int, cut_note: Callable[[int, bool], str]) -> str:
    """The blocks within ``budget`` bytes: all of them when they fit; else the kept blocks in
    the longest forms that leave room, the others in order where they fit, then
    ``cut_note(number left out, False)``. When even the kept blocks' last forms do not fit, they
    are cut after the last whole line that does, and the note is ``cut_note(number, True)`` (only
    then is anything kept lost)."""
    whole = join(blocks)
    if size(whole) <= budget:
        return whole
    depths = max((len(block.forms) for block in blocks if block.keep), default=1)
    for depth in range(depths):
        fitted = _fit_at(blocks, depth, budget, cut_note)
        if fitted is not None:
            return fitted
    return _cut_kept(blocks, budget, cut_note)


Level = TypeVar("Level")


def fit_levels(
    render: Callable[[Level], Sequence[Block]],
    levels: Sequence[Level],
    budget: int,
    cut_note: Callable[[int, bool], str],
) -> str:
    """The document at the first level of detail (``render(level)``) that fits ``budget`` bytes
    whole; when none does, the last level :func:`fit` to it."""
    blocks: Sequence[Block] = ()
    for level in levels:
        blocks = render(level)
        whole = join(blocks)
        if size(whole) <= budget:
            return whole
    return fit(blocks, budget, cut_note)


def _fit_at(blocks: Sequence[Block], depth: int, budget: int, cut_note: Callable[[int, bool], str]) -> str | None:
    """:func:`fit` with every kept block in its form ``depth`` (or its last); ``None`` when
    those alone do not fit."""
    kept = {i: block.forms[min(depth, len(block.forms) - 1)] for i, block in enumerate(blocks) if block.keep}
    joiner = size(JOINER)
    room = budget - size(cut_note(len(blocks), False)) - sum(size(form) + joiner for form in kept.values())
    if room < 0:
        return None
    parts: list[str] = []
    left_out = 0
    for index, block in enumerate(blocks):
        if index in kept:
            parts.append(kept[index])
            continue
        form = next((f for f in block.forms if size(f) + joiner <= room), None)
        if form is None:
            left_out += 1
        else:
            parts.append(form)
            room -= size(form) + joiner
    return JOINER.join([*(p for p in parts if p), cut_note(left_out, False)])


def _cut_kept(blocks: Sequence[Block], budget: int, cut_note: Callable[[int, bool], str]) -> str:
    note = cut_note(sum(not block.keep for block in blocks), True)
    room = budget - size(note) - size(JOINER)
    if room < 0:
        return note.encode("utf-8")[: max(0, budget)].decode("utf-8", "ignore")
    kept = JOINER.join(block.forms[-1] for block in blocks if block.keep)
    head = kept.encode("utf-8")[:room].decode("utf-8", "ignore")
    if len(head) < len(kept):
        head = head[: head.rfind("\n") + 1].rstrip("\n")
    return JOINER.join([head, note]) if head else note
