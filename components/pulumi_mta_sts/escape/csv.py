"""CSV for spreadsheets (``reports summary --format csv``): a cell a stranger wrote is data, never a
formula (OWASP's rule: a ``'`` before a text cell starting with one of :data:`FORMULA_STARTS`).
"""

from __future__ import annotations

import csv as _csv
import io
from collections.abc import Iterable, Mapping, Sequence

from .visible import shown as _shown

#: What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Neutral(str):
    __slots__ = ()


def _neutral(text: str) -> Neutral:
    return Neutral("'" + text if text.startswith(FORMULA_STARTS) else text)


def cell(value: object) -> object:
    """A number, ``None`` or a :class:`Neutral` as it is; anything else shown, neutral."""
    if value is None or isinstance(value, Neutral) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return _neutral(_shown(value))


def lines_cell(lines: Iterable[object]) -> Neutral:
    return _neutral("\n".join(_shown(line) for line in lines))


def table(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = _csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: "" if value is None else cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
