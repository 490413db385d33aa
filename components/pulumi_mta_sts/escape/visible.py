"""The one rule, shared by every output format, for characters that would act instead of show.

A character that is not printable in Python's sense (``str.isprintable``: the Unicode categories
"Other" — control C0, DEL and C1 such as ESC, BEL and CSI; format characters such as the bidi
overrides and zero-width joiners; surrogates; private use; unassigned — and "Separator" except
the ASCII space: line and paragraph separators, no-break and other spaces) is shown as
``⟨U+XXXX⟩`` (at least four hex digits), never emitted. A line break a stranger wrote is such a
character too: only the renderer decides where lines end.
"""

from __future__ import annotations

ELLIPSIS = "…"


def mark(char: str) -> str:
    """``char`` as its visible mark, e.g. ``⟨U+202E⟩``."""
    return f"⟨U+{ord(char):04X}⟩"


def shown(value: object, limit: int | None = None) -> str:
    """``value`` (``str()`` of it unless a string) with every character that is not printable
    shown as its :func:`mark`; with ``limit``, at most ``limit`` characters (the marks counted),
    the last one ``…`` when something was cut."""
    text = value if isinstance(value, str) else str(value)
    if limit is None:
        return text if text.isprintable() else "".join(c if c.isprintable() else mark(c) for c in text)
    out: list[str] = []
    size = 0
    for char in text[: limit + 1]:
        piece = char if char.isprintable() else mark(char)
        out.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(out)[: max(0, limit - 1)] + ELLIPSIS
    return "".join(out)


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one ``…`` when something was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS
