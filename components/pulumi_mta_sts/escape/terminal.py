"""Plain text for a terminal, a log or an e-mail: what a stranger wrote is shown (:func:`shown`), never
obeyed. ``rich`` reads ``[...]`` as markup and ``:name:`` as emoji in any ``str``, and no escape
covers both: a value reaches it only as ``rich.text.Text(terminal.shown(value))``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .visible import shown as shown  # terminal.shown: the one-line form of a stranger's text

_LINE_END = re.compile(r"\r\n|\n|\r")


def lines(value: object) -> list[str]:
    parts = _LINE_END.split(value if isinstance(value, str) else str(value))
    if parts[-1] == "":
        parts.pop()
    return [shown(part) for part in parts]


def json_text(document: Any) -> str:
    """``document`` as JSON (non-ASCII as written), each character :func:`shown` would mark escaped."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if text.isprintable():
        return text
    # json.dumps escaped every control character but the indent's line ends: the rest get \uXXXX
    return "".join(char if char.isprintable() or char == "\n" else json.dumps(char)[1:-1] for char in text)
