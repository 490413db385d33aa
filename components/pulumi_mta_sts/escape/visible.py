"""The one rule, for every output format, for characters that would act instead of show: what
``str.isprintable`` refuses (ESC, bidi overrides, a stranger's line break ...) is shown as ``⟨U+XXXX⟩``.
"""

from __future__ import annotations


def mark(char: str) -> str:
    return f"⟨U+{ord(char):04X}⟩"


def shown(value: object, limit: int | None = None) -> str:
    """``value`` with each unprintable character as its :func:`mark`, cut to ``limit`` marks counted."""
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
            return "".join(out)[: max(0, limit - 1)] + "…"
    return "".join(out)
