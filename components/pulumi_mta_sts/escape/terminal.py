"""Plain text for a terminal, a log or a plain-text e-mail: what a stranger wrote is shown, never
obeyed.

A value not from us is printed through :func:`shown`: a control (ESC, BEL, a line break, CSI),
bidi or zero-width character, or a separator but the space, is ``⟨U+XXXX⟩`` (:mod:`.visible`), so
it cannot move the cursor, set the title, reorder the line or start one. Text meant to be several
lines goes through :func:`lines`; JSON through :func:`json_text` (the same characters as JSON
escapes). ``rich`` reads ``[...]`` as markup and ``:name:`` as emoji in any ``str``, and no escape
covers both: a value reaches it only as ``rich.text.Text(terminal.shown(value))``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .visible import shown as _shown

_LINE_END = re.compile(r"\r\n|\n|\r")


def shown(value: object, limit: int | None = None) -> str:
    """``value`` as one line of plain text, cut to ``limit`` characters (the last one ``…``)."""
    return _shown(value, limit)


def lines(value: object, limit: int | None = None) -> list[str]:
    """``value`` cut at its line ends (CRLF, LF, CR), each line :func:`shown`."""
    text = value if isinstance(value, str) else str(value)
    if not text:
        return []
    parts = _LINE_END.split(text)
    if parts[-1] == "":
        parts.pop()
    return [_shown(part, limit) for part in parts]


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """``document`` as JSON (non-ASCII as written), each character :func:`shown` would mark as a
    JSON escape instead."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    if text.isprintable():
        return text
    return "".join(_escaped_json_parts(text))


def _escaped_json_parts(text: str) -> list[str]:
    return [char if char.isprintable() or char == "\n" else _json_escape_char(char) for char in text]


def _json_escape_char(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
