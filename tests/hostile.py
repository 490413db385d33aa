"""Hostile variants of valid documents, for the tests that feed them to every reader of the CLI.

Each strategy starts from a real, valid document (a preview fixture, a stack's outputs or export,
a stack file, a report) and changes one thing, anywhere: a node at any depth replaced by a value
of another type, a token Python reads but JSON does not (``NaN``, ``Infinity``), a number too
large to read or print, nesting far deeper than any real file, a string of control characters
or lone surrogates, a key renamed; or the bytes of the text themselves flipped, cut, spliced.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = [
    "Raw",
    "fuzzed_bytes",
    "hostile_json",
    "hostile_yaml",
    "json_tokens",
    "node_paths",
    "replace_at",
]

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Raw:
    """Text written into the document as it is (not a JSON or YAML value of Python's)."""

    text: str


def node_paths(document: Any, prefix: Path_ = ()) -> list[Path_]:
    """The path of every node of ``document`` (the root is ``()``), depth first."""
    paths = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            paths += node_paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths += node_paths(value, (*prefix, index))
    return paths


def replace_at(document: Any, path: Path_, value: Any) -> Any:
    """A copy of ``document`` with the node at ``path`` replaced by ``value``."""
    if not path:
        return value
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return copied


def rename_at(document: Any, path: Path_, name: str) -> Any:
    """A copy of ``document`` with the key that leads to ``path`` renamed (its place kept)."""
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if not isinstance(parent, dict) or not isinstance(path[-1], str):
        return copied
    items = [(name if key == path[-1] else key, value) for key, value in parent.items()]
    parent.clear()
    parent.update(items)
    return copied


# ---- the values ---------------------------------------------------------------------------------
#: Characters a terminal, a Markdown renderer or a parser may act on.
_CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"]) | st.sampled_from(
    ["\x1b[31m", "\x07", "\x9b", "\u202e", "\ufeff", "[link](x)", "<b>", "`", "\\", '"', "\n", "\r"]
)
control_text = st.lists(_CONTROL, min_size=1, max_size=12).map("".join)

other_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    control_text,
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers() | st.none(), max_size=3),
)


#: How deep: around each bound the toolkit sets and Python's recursion limit, and anywhere up to 3000.
_DEPTHS = st.sampled_from([33, 65, 129, 300, 600, 800, 950, 1000, 1500]) | st.integers(40, 3000)


def _deep(opening: str, inner: str, closing: str) -> st.SearchStrategy[Raw]:
    return _DEPTHS.map(lambda n: Raw(opening * n + inner + closing * n))


def _huge_numbers(exponent_marks: Sequence[str]) -> st.SearchStrategy[Raw]:
    digits = st.integers(21, 6000)
    return st.one_of(
        digits.map(lambda n: Raw("9" * n)),
        digits.map(lambda n: Raw("-1" + "0" * n)),
        digits.map(lambda n: Raw("0." + "3" * n)),
        st.sampled_from(exponent_marks).map(Raw),
    )


json_tokens = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity"]).map(Raw),
    _huge_numbers(["1e400", "-1e400", "1E+999", "4.9e-400", "1e308", "123456789e300"]),
    _deep("[", "", "]"),
    _deep('{"a":', "null", "}"),
    _deep("[{}, [", "", "]]"),
)
yaml_tokens = st.one_of(
    st.sampled_from([".nan", ".NaN", ".inf", "-.Inf", "!!float nan", "!!binary ////", "*undefined", "~"]).map(Raw),
    _huge_numbers(["1e400", "-1e400", "0x" + "f" * 300, "0o" + "7" * 300, "0b" + "1" * 300]),
    _deep("[", "", "]"),
    _deep("{a: ", "1", "}"),
    st.sampled_from(["2001-12-14t21:59:43.10-05:00", "!!timestamp 2001-12-14", "!!str", "!!map {}", "&x [*x]"]).map(
        Raw
    ),
)


# ---- documents ----------------------------------------------------------------------------------
def _written(document: Any, dump: Callable[[Any], str], quoted: Callable[[str], str]) -> str:
    """``document`` as text, each :class:`Raw` written in place as it is."""
    raws: list[Raw] = []

    def placeholders(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value)
            return f"HOSTILEPLACEHOLDER{len(raws) - 1}"
        if isinstance(value, dict):
            return {k: placeholders(v) for k, v in value.items()}
        if isinstance(value, list):
            return [placeholders(v) for v in value]
        return value

    text = dump(placeholders(document))
    for index, raw in enumerate(raws):
        text = re.sub(quoted(f"HOSTILEPLACEHOLDER{index}"), raw.text.replace("\\", "\\\\"), text)
    return text


def _json_text(document: Any) -> str:
    return _written(document, json.dumps, lambda name: f'"{name}"')


def _yaml_text(document: Any) -> str:
    def dump(value: Any) -> str:
        return str(yaml.safe_dump(value, sort_keys=False, allow_unicode=False, width=10**9))

    return _written(document, dump, lambda name: f"['\"]?{name}['\"]?(?![0-9])")


@st.composite
def _mutated(
    draw: st.DrawFn, document: Any, values: st.SearchStrategy[Any], paths: Sequence[Path_] | None = None
) -> Any:
    path = draw(st.sampled_from(list(paths) if paths is not None else node_paths(document)))
    if path and isinstance(path[-1], str) and draw(st.integers(0, 5)) == 0:
        return rename_at(document, path, draw(control_text | st.text(max_size=10)))
    return replace_at(document, path, draw(values))


def hostile_json(
    document: Any, paths: Sequence[Path_] | None = None, values: st.SearchStrategy[Any] | None = None
) -> st.SearchStrategy[str]:
    """``document`` as JSON text with one hostile change anywhere (or at one of ``paths``;
    ``values``: what may replace a node, by default another type half the time, else a token)."""
    replacement = values if values is not None else st.booleans().flatmap(lambda t: json_tokens if t else other_types)
    return _mutated(document, replacement, paths).map(_json_text)


def hostile_yaml(document: Any) -> st.SearchStrategy[str]:
    """``document`` as YAML text with one hostile change anywhere."""
    return _mutated(document, st.booleans().flatmap(lambda t: yaml_tokens if t else other_types)).map(_yaml_text)


# ---- bytes --------------------------------------------------------------------------------------
_SPECIAL_BYTES = st.sampled_from(
    [
        b"[",
        b"{",
        b'"',
        b"\\",
        b",",
        b":",
        b"]",
        b"}",
        b"\x00",
        b"\xff",
        b"\xfe",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\x1b",
        b"\n",
    ]
)


@st.composite
def fuzzed_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte-level edits: bytes flipped, inserted, deleted, a slice repeated
    (a bracket repeated nests deep), the end cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "cut"]))
        if edit == "flip" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            out[at:at] = draw(_SPECIAL_BYTES | st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif edit == "repeat":
            piece = bytes(out[at : at + draw(st.integers(1, 8))])
            out[at:at] = piece * draw(st.integers(1, 2000))
        else:
            del out[at:]
    return bytes(out)
