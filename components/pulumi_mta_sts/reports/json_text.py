"""Report bytes → JSON values, with bounds a hostile sender cannot get around.

Kept apart from :mod:`.normalise` (which turns the values into a report): this is where the work
a single report may cost is bounded before and while the JSON is read. The reading rule is the
toolkit's one (:mod:`pulumi_mta_sts.core.bounded_json`: nesting depth and the number of values
counted on the bytes before ``json.loads`` builds a single object — a 58 KB gzip body can
otherwise inflate into hundreds of thousands of rows —, no ``NaN``/``Infinity``, no number too
large to print); this module gives it the report's limits and words its refusals as
:class:`ReportError`, so a refused report is quarantined with the reason.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import pulumi_mta_sts.core.bounded_json as bounded_json
from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError

from .limits import DEFAULT_LIMITS, MAX_COUNT, Limits, ReportError

__all__ = ["REPORT_INT_DIGITS", "check_depth", "count_items", "load_json", "load_json_counted", "report_error"]


def report_error(exc: JsonInputError) -> ReportError:
    """The reader's refusal in the words a report's failure has always had."""
    if exc.kind == "depth":
        return ReportError(f"JSON {exc.reason}; a report nests about 5")
    if exc.kind == "items":
        return ReportError(f"report {exc.reason} (a real report holds a few thousand)")
    if exc.kind == "syntax":
        return ReportError(exc.reason.removeprefix("is "))
    if exc.kind == "digits":
        return ReportError(
            f"a number in the report has more than {REPORT_INT_DIGITS} digits; a count is at most {MAX_COUNT} (2^63-1)"
        )
    return ReportError(f"report {exc.reason}")


def check_depth(data: bytes, max_depth: int) -> None:
    """Raise :class:`ReportError` when arrays/objects nest deeper than ``max_depth``."""
    try:
        bounded_json.check_depth(data, max_depth)
    except JsonInputError as exc:
        raise report_error(exc) from None


def count_items(data: bytes, max_items: int) -> int:
    """How many JSON values ``data`` holds; :class:`ReportError` over ``max_items``."""
    try:
        return bounded_json.count_items(data, max_items)
    except JsonInputError as exc:
        raise report_error(exc) from None


#: The longest integer a report's JSON may hold: Python's own limit (4,300 digits). A count is
#: refused far below it by the count rule (2^63-1, naming the field, :mod:`.normalise`); other
#: values are kept as sent, never summed, and print at this length.
REPORT_INT_DIGITS = sys.int_info.default_max_str_digits


@functools.lru_cache(maxsize=8)
def _bounds(limits: Limits) -> JsonBounds:
    return JsonBounds(
        max_depth=limits.max_json_depth, max_items=limits.max_json_items, max_int_digits=REPORT_INT_DIGITS
    )


def load_json(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Decode report JSON (UTF-8/16/32, BOM allowed) within the report's bounds."""
    return load_json_counted(data, limits)[0]


def load_json_counted(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, int]:
    """:func:`load_json`, and how many JSON values the text holds (bounded by ``max_json_items``)."""
    try:
        return bounded_json.load_bounded_json_counted(data, _bounds(limits))
    except JsonInputError as exc:
        raise report_error(exc) from None
