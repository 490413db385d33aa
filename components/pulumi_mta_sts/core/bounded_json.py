"""JSON from outside, read within bounds: the one rule for every JSON document the toolkit reads.

A preview, a stack's outputs, a sender's report, an endpoint's answer may be hostile or odd, and
Python's ``json`` reads more than JSON and more than the program can use:

- nesting: ``json.loads``, and any code walking the result, recurses once per level (a few hundred
  end in ``RecursionError``): the depth is counted on the bytes before anything is built;
- values: 32 MiB of ``[{},{},…]`` builds some 11 million objects (a gigabyte): counted on the bytes too;
- numbers: ``NaN``, ``Infinity`` (not JSON, RFC 8259 §6) and ``1e400`` (read as infinity) print
  back as no JSON; an integer of thousands of digits is read but a sum of a few can no longer be
  printed. So a non-finite number and an integer over :attr:`JsonBounds.max_int_digits` digits
  (by default 40: int64, uint64 and float64 fit; a report's counts have their own rule) are refused.

:class:`JsonInputError`'s ``reason`` completes a sentence naming what was read (``preview.json:
nests deeper than 128 levels``). It lives in the core so every reader may use it; the receiver's
Lambda ships this module alone: standard library only.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Final

_STRUCTURE_ONLY: Final = bytes(b for b in range(256) if b not in b'[]{}",')
#: Brackets walked at a time when the depth is taken.
_CHUNK: Final = 1 << 16
#: Each bracket byte's step in depth: ``[`` and ``{`` one level in, ``]`` and ``}`` one out.
_DEPTH_STEP: Final = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))
#: ASCII digits as 1, every other byte as 0: a run of digits longer than the bound is found with
#: one translate and one substring search per :data:`_SCAN` bytes.
_DIGITS: Final = bytes(1 if 0x30 <= b <= 0x39 else 0 for b in range(256))
_SCAN: Final = 1 << 20
#: What a number too long to be meant reads as in a message (its first digits).
_SHOWN_DIGITS: Final = 12


@dataclass(frozen=True)
class JsonBounds:
    """How much one document may hold: ``max_depth`` levels of arrays and objects (the document
    is level 1); ``max_items`` values, counted as containers + separators + 1 (``None``: no count);
    ``max_int_digits`` digits of one integer."""

    max_depth: int = 128
    max_items: int | None = 2_000_000
    max_int_digits: int = 40


#: Deeper than any Pulumi property value (a Kubernetes CRD schema nests about 60), far fewer values
#: than memory allows (some 100 bytes each once built), integers as long as any real one.
DEFAULT_BOUNDS: Final = JsonBounds()


class JsonInputError(ValueError):
    """The text is not JSON this toolkit reads: ``reason`` completes "WHAT: …"; ``kind`` is
    ``encoding``, ``syntax``, ``depth``, ``items``, ``number`` (not finite) or ``digits``."""

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


# ---- counting on the bytes ------------------------------------------------------------------------
def _structure_outside_strings(data: bytes) -> bytes:
    """The brackets and commas of ``data`` that are not inside a JSON string (escapes first)."""
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE_ONLY)
    return b"".join(structure.split(b'"')[::2])


def check_depth(data: bytes, max_depth: int, max_items: int | None = None) -> None:
    """:class:`JsonInputError` when the UTF-8 JSON ``data`` nests deeper than ``max_depth``. Cheap:
    the opening brackets bound the depth; only over it are strings blanked out and the depth taken,
    in C, over as many brackets as ``max_items`` values hold. Never below what ``json.loads`` reaches."""
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


def count_items(data: bytes, max_items: int) -> int:
    """How many values the UTF-8 JSON ``data`` holds (containers + separators + 1, outside strings);
    :class:`JsonInputError` over ``max_items``. Cheap: the count over all bytes bounds it; only over
    the limit are strings blanked out."""
    bound = data.count(b",") + data.count(b"{") + data.count(b"[") + 1
    if bound <= max_items:
        return bound
    structure = _structure_outside_strings(data)
    items = structure.count(b",") + structure.count(b"{") + structure.count(b"[") + 1
    if items > max_items:
        raise JsonInputError("items", f"holds about {items} JSON values; the limit is {max_items}")
    return items


# ---- reading ----------------------------------------------------------------------------------------
def _encoding(data: bytes | str) -> str | None:
    """How bytes are decoded, as ``json.loads`` tells from the first bytes; ``None`` for text."""
    return None if isinstance(data, str) else json.detect_encoding(data)


def _text(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, "surrogatepass")
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise JsonInputError("encoding", f"is not valid {name} text ({exc.reason} at byte {exc.start})") from None


def _utf8(data: bytes | str, encoding: str | None) -> bytes:
    """The document in UTF-8, for counting (UTF-8 bytes as they are: the counts' copies are made
    and freed before the text exists)."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if encoding is None or encoding.startswith("utf-8"):
        return data
    return _text(data, encoding).encode("utf-8", "surrogatepass")


def _no_constant(name: str) -> Any:
    raise JsonInputError("number", f"holds {name}, which is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= _SHOWN_DIGITS * 2 else text[:_SHOWN_DIGITS] + "…"
        raise JsonInputError("number", f"holds the number {shown}, too large for any reader (it reads as infinity)")
    return value


@functools.cache
def _decoder(max_int_digits: int | None) -> json.JSONDecoder:
    """The decoder for a bound on integers (``None``: none needed), made once: ``json.loads`` with
    hooks makes one per call, which costs more than a small report's parse."""
    hook = None if max_int_digits is None else _integer_reader(max_int_digits)
    return json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite, parse_int=hook)


def _integer_reader(max_digits: int) -> Any:
    def integer(text: str) -> int:
        digits = len(text) - text.startswith("-")
        if digits > max_digits:
            raise JsonInputError(
                "digits",
                f"holds an integer of {digits} digits ({text[:_SHOWN_DIGITS]}…); the most read is {max_digits}",
            )
        return int(text)

    return integer


def load_bounded_json_counted(data: bytes | str, bounds: JsonBounds = DEFAULT_BOUNDS) -> tuple[Any, int]:
    """The JSON value in ``data`` and how many values it holds (the cheap bound when ``bounds``
    counts none); :class:`JsonInputError` says what is wrong."""
    encoding = _encoding(data)
    utf8 = _utf8(data, encoding)
    check_depth(utf8, bounds.max_depth, bounds.max_items)
    if bounds.max_items is None:
        items = utf8.count(b",") + utf8.count(b"{") + utf8.count(b"[") + 1
    else:
        items = count_items(utf8, bounds.max_items)
    long_integers = _may_hold_long_integers(utf8, bounds.max_int_digits)
    del utf8  # a copy unless the bytes were UTF-8: not kept while the values are built
    text = data if isinstance(data, str) else _text(data, encoding or "utf-8")
    try:
        value = _decoder(bounds.max_int_digits if long_integers else None).decode(text)
    except JsonInputError:
        raise
    except RecursionError:  # pragma: no cover - check_depth refuses this first
        raise JsonInputError("depth", "nests too deeply") from None
    except json.JSONDecodeError as exc:
        raise JsonInputError("syntax", f"is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
    except ValueError:  # int() itself: longer than Python's limit, which is within the bound (see above)
        limit = sys.get_int_max_str_digits()
        raise JsonInputError(
            "digits", f"holds an integer of more than {limit} digits; the most read is {bounds.max_int_digits}"
        ) from None
    return value, items


def _may_hold_long_integers(utf8: bytes, max_digits: int) -> bool:
    """Whether an integer of ``utf8`` may have more than ``max_digits`` digits, so each must be
    looked at (a Python call per integer costs more than the parse): not when Python's own limit
    is lower; else whether a longer run of digits is there, a MiB at a time."""
    limit = sys.get_int_max_str_digits()
    if 0 < limit <= max_digits:
        return False
    run = b"\x01" * (max_digits + 1)
    return any(run in utf8[at : at + _SCAN + max_digits].translate(_DIGITS) for at in range(0, len(utf8), _SCAN))


def load_bounded_json(data: bytes | str, bounds: JsonBounds = DEFAULT_BOUNDS) -> Any:
    """The JSON value in ``data`` (UTF-8/16/32 bytes, a BOM allowed, or text), read within
    ``bounds``; :class:`JsonInputError` says what is wrong."""
    return load_bounded_json_counted(data, bounds)[0]
