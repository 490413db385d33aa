"""JSON from outside, read within bounds (the one rule for every JSON document the toolkit reads): Python's
``json`` takes nesting that ends in ``RecursionError``, values by the million (both counted on the bytes
first), ``NaN``, ``Infinity``, ``1e400`` and huge integers. The Lambda ships it: standard library only."""

from __future__ import annotations

import functools
import json
import math
import sys
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Final

_STRUCTURE_ONLY: Final = bytes(b for b in range(256) if b not in b'[]{}",')
#: Every byte but ``[``, ``{`` and ``,``: deleting them leaves what both cheap bounds count, in one pass.
_NOT_OPEN_OR_COMMA: Final = bytes(b for b in range(256) if b not in b"[{,")
_CHUNK: Final = 1 << 16
#: Each bracket byte's step in depth: ``[`` and ``{`` one level in, ``]`` and ``}`` one out.
_DEPTH_STEP: Final = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))
#: ASCII digits as 1, other bytes 0: a long run of digits is one translate and one search per _SCAN bytes.
_DIGITS: Final = bytes(1 if 0x30 <= b <= 0x39 else 0 for b in range(256))
_SCAN: Final = 1 << 20
_SHOWN_DIGITS: Final = 12


@dataclass(frozen=True)
class JsonBounds:
    """``max_items``: containers + separators + 1 (``None``: no count)."""

    max_depth: int = 128
    max_items: int | None = 2_000_000
    max_int_digits: int = 40


#: Deeper than any Pulumi property value, far fewer values than memory allows, any real integer.
DEFAULT_BOUNDS: Final = JsonBounds()


class JsonInputError(ValueError):
    """``reason`` completes "WHAT: …" (``preview.json: nests deeper than 128 levels``)."""

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(reason)


def json_kind(value: object) -> str:
    """What a value read from JSON is, for a message: ``an object``, ``a number`` ..."""
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "an object", list: "an array", str: "a string", type(None): "null"}
    return names.get(type(value), "a number")


def _structure_outside_strings(data: bytes) -> bytes:
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE_ONLY)
    return b"".join(structure.split(b'"')[::2])


def check_depth(data: bytes, max_depth: int, max_items: int | None = None) -> None:
    """Cheap: only when the opening brackets exceed ``max_depth`` are strings blanked and depth taken."""
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return
    brackets = _structure_outside_strings(data).replace(b",", b"")
    if max_items is not None:
        brackets = brackets[: 2 * max_items + 2]
    depth = 0
    for start in range(0, len(brackets), _CHUNK):  # in chunks: a deep document stops at its first
        running = list(accumulate(map(_DEPTH_STEP.__getitem__, brackets[start : start + _CHUNK]), initial=depth))
        if max(running) > max_depth:
            raise JsonInputError("depth", f"nests deeper than {max_depth} levels")
        depth = running[-1]


def count_items(data: bytes, max_items: int | None) -> int:
    """How many values ``data`` holds; over ``max_items``, :class:`JsonInputError`. Cheap as above."""
    bound = data.count(b",") + data.count(b"{") + data.count(b"[") + 1
    if max_items is None or bound <= max_items:
        return bound
    structure = _structure_outside_strings(data)
    items = structure.count(b",") + structure.count(b"{") + structure.count(b"[") + 1
    if items > max_items:
        raise JsonInputError("items", f"holds about {items} JSON values; the limit is {max_items}")
    return items


def _text(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, "surrogatepass")
    except UnicodeDecodeError as exc:
        raise _refusal(exc, encoding) from None


def _refusal(exc: Exception, encoding: str, max_int_digits: int = 0) -> JsonInputError:
    """What the reader says when decoding ``encoding`` text or reading its JSON raised ``exc``."""
    if isinstance(exc, JsonInputError):
        return exc
    if isinstance(exc, RecursionError):  # pragma: no cover - check_depth refuses this first
        return JsonInputError("depth", "nests too deeply")
    if isinstance(exc, json.JSONDecodeError):
        return JsonInputError("syntax", f"is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})")
    if isinstance(exc, UnicodeDecodeError):
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        return JsonInputError("encoding", f"is not valid {name} text ({exc.reason} at byte {exc.start})")
    limit = sys.get_int_max_str_digits()  # int() itself: longer than Python's limit, which is within the bound
    return JsonInputError("digits", f"holds an integer of more than {limit} digits; the most read is {max_int_digits}")


def _no_constant(name: str) -> Any:
    raise JsonInputError("number", f"holds {name}, which is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= _SHOWN_DIGITS * 2 else text[:_SHOWN_DIGITS] + "…"
        raise JsonInputError("number", f"holds the number {shown}, too large for any reader (it reads as infinity)")
    return value


@functools.cache
def json_decoder(max_int_digits: int | None) -> json.JSONDecoder:
    """Made once per bound: ``json.loads`` with hooks makes one per call, dearer than a small parse."""
    hook = None if max_int_digits is None else functools.partial(_integer, max_int_digits)
    return json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite, parse_int=hook)


_PLAIN_DECODER: Final = json_decoder(None)


def _integer(max_digits: int, text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > max_digits:
        reason = f"holds an integer of {digits} digits ({text[:_SHOWN_DIGITS]}…); the most read is {max_digits}"
        raise JsonInputError("digits", reason)
    return int(text)


def load_bounded_json_counted(data: bytes | str, bounds: JsonBounds = DEFAULT_BOUNDS) -> tuple[Any, int]:
    """The JSON value in ``data`` and how many values it holds; :class:`JsonInputError`. Starting ``{`` and a
    non-NUL byte, bytes are UTF-8 (no BOM) at once; else ``json.detect_encoding`` says, and UTF-16/32 are recoded."""
    encoding = "utf-8"
    if type(data) is bytes and data[:1] == b"{" and data[1:2] != b"\x00":
        utf8 = data
    elif isinstance(data, str):
        utf8 = data.encode("utf-8", "surrogatepass")
    else:
        encoding = json.detect_encoding(data)
        utf8 = data if encoding.startswith("utf-8") else _text(data, encoding).encode("utf-8", "surrogatepass")
    marks = utf8.translate(None, _NOT_OPEN_OR_COMMA)  # what both cheap bounds count, in one pass
    if len(marks) > bounds.max_depth and len(marks) - marks.count(b",") > bounds.max_depth:
        check_depth(utf8, bounds.max_depth, bounds.max_items)
    items = len(marks) + 1
    if bounds.max_items is not None and items > bounds.max_items:
        items = count_items(utf8, bounds.max_items)
    long_integers = len(utf8) > bounds.max_int_digits and _may_hold_long_integers(utf8, bounds.max_int_digits)
    del utf8, marks  # a copy unless the bytes were UTF-8: not kept while the values are built
    decoder = json_decoder(bounds.max_int_digits) if long_integers else _PLAIN_DECODER
    try:  # an object with JSON's white space at most after it: raw_decode, without decode's two regex matches
        text = data if isinstance(data, str) else data.decode(encoding, "surrogatepass")
        value, end = decoder.raw_decode(text) if text[:1] == "{" else (None, 0)
        if not end or text[end:].strip(" \t\n\r"):
            value = decoder.decode(text)  # with its words for what is wrong
    except (RecursionError, ValueError) as exc:  # a JsonInputError, bad text or JSON, an integer int() refuses
        raise _refusal(exc, encoding, bounds.max_int_digits) from None
    return value, items


def _may_hold_long_integers(utf8: bytes, max_digits: int) -> bool:
    """Whether an integer may be longer than ``max_digits`` (then each is looked at, a Python call each)."""
    limit = sys.get_int_max_str_digits()
    if 0 < limit <= max_digits:
        return False
    run = b"\x01" * (max_digits + 1)
    return any(run in utf8[at : at + _SCAN + max_digits].translate(_DIGITS) for at in range(0, len(utf8), _SCAN))


def load_bounded_json(data: bytes | str, bounds: JsonBounds = DEFAULT_BOUNDS) -> Any:
    """The JSON value in ``data`` (bytes in any JSON encoding, or text); :class:`JsonInputError`."""
    return load_bounded_json_counted(data, bounds)[0]
