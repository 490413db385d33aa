"""Report bytes → JSON values, with bounds a hostile sender cannot get around.

Kept apart from :mod:`.normalise` (which turns the values into a report): this is where the work
a single report may cost is bounded before and while the JSON is read: its nesting depth and
the number of values it holds are counted on the bytes, before ``json.loads`` builds a single
object (a 58 KB gzip body can otherwise inflate into hundreds of thousands of rows).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .limits import DEFAULT_LIMITS, MAX_COUNT, Limits, ReportError

__all__ = ["check_depth", "count_items", "load_json", "load_json_counted"]

_STRUCTURE_ONLY = bytes(b for b in range(256) if b not in b'[]{}",')


def _structure_outside_strings(data: bytes) -> bytes:
    """The brackets and commas of ``data`` that are not inside a JSON string (escapes first)."""
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE_ONLY)
    return b"".join(structure.split(b'"')[::2])


def check_depth(data: bytes, max_depth: int) -> None:
    """Raise :class:`ReportError` when arrays/objects nest deeper than ``max_depth``.

    Cheap: a count of opening brackets bounds the depth; only when that bound is over the
    limit are strings blanked out (escapes first) and the brackets walked.
    """
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return
    depth = 0
    for byte in _structure_outside_strings(data).replace(b",", b""):
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                raise ReportError(f"JSON nests deeper than {max_depth} levels; a report nests about 5")
        else:
            depth -= 1


def count_items(data: bytes, max_items: int) -> int:
    """How many JSON values ``data`` holds (containers + separators + 1, outside strings); raise
    :class:`ReportError` over ``max_items``. Cheap: the same count over all bytes bounds it, and
    only when that bound is over the limit are strings blanked out and the count made exact."""
    bound = data.count(b",") + data.count(b"{") + data.count(b"[") + 1
    if bound <= max_items:
        return bound
    structure = _structure_outside_strings(data)
    items = structure.count(b",") + structure.count(b"{") + structure.count(b"[") + 1
    if items > max_items:
        raise ReportError(
            f"report holds about {items} JSON values; the limit is {max_items} (a real report holds a few thousand)"
        )
    return items


def load_json(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Decode report JSON (UTF-8/16/32, BOM allowed) after the depth and size checks."""
    return load_json_counted(data, limits)[0]


def load_json_counted(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, int]:
    """:func:`load_json`, and how many JSON values the text holds (bounded by ``max_json_items``)."""
    check_depth(data, limits.max_json_depth)
    items = count_items(data, limits.max_json_items)
    try:
        return json.loads(data), items
    except RecursionError:  # pragma: no cover - check_depth catches this first
        raise ReportError("JSON nests too deeply") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"report is not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # a number of over 4,300 digits (Python's limit)
            raise ReportError(
                f"a number in the report has more than {sys.get_int_max_str_digits()} digits; "
                f"a count is at most {MAX_COUNT} (2^63-1)"
            ) from None
        raise ReportError(f"not valid JSON ({exc})") from None
