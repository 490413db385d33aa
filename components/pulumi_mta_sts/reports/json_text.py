"""Report bytes → JSON values, with bounds a hostile sender cannot get around.

Kept apart from :mod:`.normalise` (which turns the values into a report): this is where the work
a single report may cost is bounded before and while the JSON is read.
"""

from __future__ import annotations

import json
from typing import Any

from .limits import DEFAULT_LIMITS, Limits, ReportError

__all__ = ["check_depth", "load_json"]

_STRUCTURE_ONLY = bytes(b for b in range(256) if b not in b'[]{}"')


def check_depth(data: bytes, max_depth: int) -> None:
    """Raise :class:`ReportError` when arrays/objects nest deeper than ``max_depth``.

    Cheap: a count of opening brackets bounds the depth; only when that bound is over the
    limit are strings blanked out (escapes first) and the brackets walked.
    """
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE_ONLY)
    outside_strings = b"".join(structure.split(b'"')[::2])
    depth = 0
    for byte in outside_strings:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                raise ReportError(f"JSON nests deeper than {max_depth} levels; a report nests about 5")
        else:
            depth -= 1


def load_json(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Decode report JSON (UTF-8/16/32, BOM allowed) after the depth check."""
    check_depth(data, limits.max_json_depth)
    try:
        return json.loads(data)
    except RecursionError:  # pragma: no cover - check_depth catches this first
        raise ReportError("JSON nests too deeply") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"report is not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise ReportError(f"not valid JSON ({exc})") from None
