"""CSV for spreadsheets (``reports summary --format csv``): a cell a stranger wrote is data, never
a formula.

OWASP's rule for CSV injection: a string cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is prefixed with ``'``, which spreadsheets read as "this is text" and do
not show. Before that, the cell is :func:`~.visible.shown` (control, bidi and separator
characters as ``⟨U+XXXX⟩``: the file may be printed on a terminal), line by line for a cell of
several lines. Numbers we computed are written as they are. The ``csv`` module then quotes.

Usage::

    from pulumi_mta_sts.escape import csv as csv_escape
    writer.writerow([csv_escape.cell(name), count])
"""

from __future__ import annotations

import csv as _csv
import io
from collections.abc import Iterable, Mapping, Sequence

from .visible import shown as _shown

#: What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Neutral(str):
    """Text already made a safe cell (by :func:`cell` or :func:`lines_cell`)."""

    __slots__ = ()


def _neutral(text: str) -> Neutral:
    return Neutral("'" + text if text.startswith(FORMULA_STARTS) else text)


def cell(value: object) -> object:
    """A cell: a number (``int``, ``float``; not ``bool``) or ``None`` as it is, a
    :class:`Neutral` as it is, anything else as shown text that cannot start a formula."""
    if value is None or isinstance(value, Neutral) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return _neutral(_shown(value))


def lines_cell(lines: Iterable[object]) -> Neutral:
    """Several lines in one cell (each shown; the line ends are ours), neutral as a whole."""
    return _neutral("\n".join(_shown(line) for line in lines))


def table(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The CSV text of ``rows`` (missing and ``None`` cells empty) under a header of ``columns``
    (ours), every cell through :func:`cell`."""
    out = io.StringIO()
    writer = _csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else cell(value) for key, value in row.items()})
    return out.getvalue()
