"""Report bytes → JSON values by the toolkit's one reading rule (:mod:`pulumi_mta_sts.core.bounded_json`)
under the report's :class:`~.limits.Limits`, its refusals worded as a report's :class:`~.limits.ReportError`."""

from __future__ import annotations

import sys
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json_counted

from .limits import DEFAULT_LIMITS, MAX_COUNT, Limits, ReportError

#: The longest integer a report may hold: Python's own limit (a count is refused far below it).
REPORT_INT_DIGITS = sys.int_info.default_max_str_digits


def _report_error(exc: JsonInputError) -> ReportError:
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


def _bounds(limits: Limits) -> JsonBounds:
    return JsonBounds(limits.max_json_depth, limits.max_json_items, max_int_digits=REPORT_INT_DIGITS)


_DEFAULT_BOUNDS = _bounds(DEFAULT_LIMITS)


def load_json_counted(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, int]:
    """The report's JSON (UTF-8/16/32, BOM allowed) and how many values it holds, within ``limits``."""
    try:
        return load_bounded_json_counted(data, _DEFAULT_BOUNDS if limits is DEFAULT_LIMITS else _bounds(limits))
    except JsonInputError as exc:
        raise _report_error(exc) from None
