"""The one rule, shared by every output format, for characters that would act instead of show: what
``str.isprintable`` refuses (controls such as ESC and CSI, format characters such as the bidi
overrides, surrogates, private use, unassigned, separators but the space) is shown as ``⟨U+XXXX⟩``,
never emitted. A stranger's line break is one too: only the renderer ends lines.
"""

from __future__ import annotations

ELLIPSIS = "…"


def mark(char: str) -> str:
    """``char`` as its visible mark, e.g. ``⟨U+202E⟩``."""
    return f"⟨U+{ord(char):04X}⟩"


def shown(value: object, limit: int | None = None) -> str:
    """``value`` (its ``str()``) with each character that is not printable as its :func:`mark`, at
    most ``limit`` characters, marks counted (the last ``…`` when something was cut)."""
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
