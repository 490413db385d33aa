"""Plain text for a terminal, a log or a plain-text e-mail: what a stranger wrote is shown, never
obeyed.

Every value that did not come from us goes through :func:`shown` before it is printed: a control
character (C0 such as ESC and BEL — a line break too —, DEL, C1 such as CSI), a bidi or
zero-width format character, or a separator other than the space is shown as ``⟨U+XXXX⟩``
(:mod:`.visible`), so a value cannot move the cursor, set the window title, reorder the line or
start a line of its own. Text that is meant to be several lines (a served policy, a message of
Pulumi's) goes through :func:`lines`: the renderer ends the lines, each one shown.

``rich`` reads ``[...]`` as markup and ``:name:`` as an emoji in any ``str`` it renders, and no
escaping makes every string come out literally (a backslash before ``[`` is eaten, emoji codes
have no escape). So a value reaches ``rich`` only as ``rich.text.Text(terminal.shown(value))``
— never as a ``str`` cell, title or line —, and ``rich`` then prints it as written.

JSON printed to a terminal goes through :func:`json_text`: the same characters are written as
JSON escapes (``\\u001b``), so the document means the same and the terminal sees nothing to obey.

Usage::

    from pulumi_mta_sts.escape import terminal
    print(f"MX: {', '.join(terminal.shown(host) for host in hosts)}")
"""

from __future__ import annotations

import json
import re
from typing import Any

from .visible import shown as _shown

_LINE_END = re.compile(r"\r\n|\n|\r")


def shown(value: object, limit: int | None = None) -> str:
    """``value`` as one line of plain text: every character that would act on a terminal as
    ``⟨U+XXXX⟩``; with ``limit``, cut to that many characters (the last one ``…``)."""
    return _shown(value, limit)


def lines(value: object, limit: int | None = None) -> list[str]:
    """``value`` cut into lines at its line ends (CRLF, LF, CR), each line :func:`shown` (a
    line at most ``limit`` characters); no lines for an empty value."""
    text = value if isinstance(value, str) else str(value)
    if not text:
        return []
    parts = _LINE_END.split(text)
    if parts[-1] == "":
        parts.pop()
    return [_shown(part, limit) for part in parts]


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """``document`` as JSON (non-ASCII text as written), with every character :func:`shown`
    would mark written as a JSON escape instead (outside strings JSON has only printable ASCII
    and the line ends of ``indent``)."""
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
