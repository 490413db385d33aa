"""GitHub-flavoured Markdown (pull-request comments, ``--format markdown``): what a stranger wrote
is rendered inert, and a comment cut to GitHub's size keeps what it must.

A value not from us never becomes a link, heading, table break, HTML or ``@mention`` (checked against
cmark-gfm); :func:`text` puts a WORD JOINER after ``@``, ``#``, ``:`` and in ``www.``, as GitHub finds
mentions and autolinks in the rendered text. :func:`fit` never leaves a kept block (a safety note) out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .visible import shown as _shown

EMPTY = "(empty)"
WORD_JOINER = "\N{WORD JOINER}"

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BREAK_AFTER = re.compile(r"(\\[@#:])")
_WWW = re.compile(r"(?i)(www)(?=\\\.)")
_BACKTICKS = re.compile(r"`+")


def text(value: object, limit: int | None = None) -> str:
    """``value`` as running text that renders as :func:`~.visible.shown` writes it (table cells too)."""
    escaped = _PUNCTUATION.sub(r"\\\1", _shown(value, limit))
    escaped = _WWW.sub(r"\1" + WORD_JOINER, _BREAK_AFTER.sub(r"\1" + WORD_JOINER, escaped))
    body = escaped.strip(" ")
    leading = len(escaped) - len(escaped.lstrip(" "))
    return "&#32;" * leading + body + "&#32;" * (len(escaped) - len(body) - leading)


def code(value: object, limit: int | None = None) -> str:
    shown = _shown(value, limit)
    if not shown:
        return EMPTY
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)
    spaces_around = shown[0] == " " and shown[-1] == " " and shown.strip(" ") != ""
    pad = " " if shown[0] == "`" or shown[-1] == "`" or spaces_around else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def cell(value: object, limit: int | None = None) -> str:
    return code(value, limit).replace("|", "\\|")


def fence(lines: Iterable[object], info: str = "", limit: int | None = None) -> str:
    shown = [_shown(line, limit) for line in lines]
    longest = max((len(run) for line in shown for run in _BACKTICKS.findall(line)), default=0)
    marker = "`" * max(3, longest + 1)
    return "\n".join([f"{marker}{info}", *shown, marker])


def size(markdown: str) -> int:
    """The size GitHub's limit is checked against: UTF-8 bytes."""
    return len(markdown.encode("utf-8"))


@dataclass(frozen=True)
class Block:
    """A part of a document, complete in itself, in its ``forms`` (longest first); ``keep``: never left out."""

    forms: tuple[str, ...]
    keep: bool = False

    @classmethod
    def of(cls, markdown: str) -> Block:
        return cls((markdown,))

    @classmethod
    def kept(cls, *forms: str) -> Block:
        return cls(tuple(forms), keep=True)


JOINER = "\n\n"


def join(blocks: Iterable[Block]) -> str:
    return JOINER.join(block.forms[0] for block in blocks if block.forms[0])


def least_size(blocks: Sequence[Block], cut_note: Callable[[int, bool], str]) -> int:
    kept = [block.forms[-1] for block in blocks if block.keep]
    return size(JOINER.join([*kept, cut_note(len(blocks), False)]))


def fit(blocks: Sequence[Block], budget: int, cut_note: Callable[[int, bool], str]) -> str:
    """The blocks within ``budget`` bytes: the kept ones in the longest forms that leave room, the others
    where they fit, then ``cut_note``; only when the kept ones cannot fit are they cut after a line."""
    whole = join(blocks)
    if size(whole) <= budget:
        return whole
    depths = max((len(block.forms) for block in blocks if block.keep), default=1)
    for depth in range(depths):
        if (fitted := _fit_at(blocks, depth, budget, cut_note)) is not None:
            return fitted
    return _cut_kept(blocks, budget, cut_note)


def _fit_at(blocks: Sequence[Block], depth: int, budget: int, cut_note: Callable[[int, bool], str]) -> str | None:
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
