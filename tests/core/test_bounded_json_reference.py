"""The inlined bounded JSON reader (issue 25) answers exactly what the previous one answered
(tests/core/reference_bounded_json.py): the same value and value count, or the same refusal (kind and words),
for documents in every JSON encoding, with white space around them or data after them, near each bound
(depth, values, digits) and with their bytes fuzzed; as bytes and as text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.bounded_json import DEFAULT_BOUNDS, JsonBounds, JsonInputError, load_bounded_json_counted
from pulumi_mta_sts.reports.json_text import REPORT_INT_DIGITS
from tests.hostile import fuzzed_bytes

from . import reference_bounded_json as reference

MANY = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), database=None)

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.sampled_from([10**45, -(10**60), 1.5, -0.0, 1e300])
    | st.text(max_size=6),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=25,
)
_space = st.sampled_from(["", " ", "\n", "\r\n\t ", "\x0b", "\u00a0"])
_tail = st.sampled_from(["", "", " x", "{}", ",", "\x00", " // c"])
_TOKENS = [
    "NaN",
    "-Infinity",
    "1e400",
    "9" * 41,
    "-" + "9" * 45,
    "9" * 4400,
    "[" * 40 + "]" * 40,
    '{"a":' * 9 + "1" + "}" * 9,
    "{",
]
_tokens = st.sampled_from(_TOKENS)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """A document as a sender might write it: white space around, a hostile token inside, data after."""
    value = draw(_values)
    text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        text = json.dumps({"k": value, "t": None}).replace("null", draw(_tokens))
    return draw(_space) + text + draw(_space) + draw(_tail)


@st.composite
def _documents(draw: st.DrawFn) -> bytes | str:
    text = draw(_texts())
    encoding = draw(st.sampled_from(["text", "utf-8", "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32"]))
    if encoding == "text":
        return text
    data = text.encode(encoding, "surrogatepass")
    return draw(fuzzed_bytes(data)) if draw(st.integers(0, 4)) == 0 else data


_bounds = st.one_of(
    st.just((DEFAULT_BOUNDS.max_depth, DEFAULT_BOUNDS.max_items, DEFAULT_BOUNDS.max_int_digits)),
    st.just((32, 200_000, REPORT_INT_DIGITS)),
    st.tuples(st.integers(0, 6), st.none() | st.integers(1, 40), st.integers(1, 50)),
)


def _answer(read: Any, data: bytes | str, bounds: Any) -> tuple[Any, ...]:
    try:
        value, items = read(data, bounds)
    except (JsonInputError, reference.JsonInputError) as exc:
        return "refused", exc.kind, exc.reason
    return "read", json.dumps(value, sort_keys=True), items


@MANY
@given(_documents(), _bounds)
def test_the_inlined_reader_answers_as_the_previous_one(data: bytes | str, bounds: tuple[int, int | None, int]) -> None:
    depth, items, digits = bounds
    ours = _answer(load_bounded_json_counted, data, JsonBounds(depth, items, digits))
    assert ours == _answer(reference.load_bounded_json_counted, data, reference.JsonBounds(depth, items, digits))


@MANY
@given(st.integers(0, 4), st.integers(1, 8), st.sampled_from(["[", "{", "\xff{", '{"a": "\\ud800"}']), _space)
def test_a_document_at_each_bound_gets_the_previous_answer(extra: int, bound: int, opening: str, space: str) -> None:
    """Depth, values and digits at, just under and just over each bound, as the one-pass counting sees them."""
    closing = "]" if opening == "[" else "}"
    inner = "1" if opening == "[" else '"a": 1'
    nested = opening * (bound + extra - 2) + opening + inner + closing + closing * (bound + extra - 2)
    digits = "7" * (bound + extra)
    for text in (nested, "[" + ",".join("1" * (bound + extra)) + "]", '{"a": ' + digits + "}", digits, "-" + digits):
        data = (text + space).encode()
        ours = _answer(load_bounded_json_counted, data, JsonBounds(bound, bound + 2, bound))
        assert ours == _answer(reference.load_bounded_json_counted, data, reference.JsonBounds(bound, bound + 2, bound))


@pytest.mark.parametrize("bounds", [(128, 2_000_000, 40), (32, 200_000, REPORT_INT_DIGITS), (3, 5, 4)])
@pytest.mark.parametrize("where", ["{}", '{"a": [1, {}]}', "[{}]", '  {"a": {}} \n'])
def test_each_hostile_token_gets_the_previous_answer(bounds: tuple[int, int, int], where: str) -> None:
    for token in _TOKENS:
        text = where.replace("{}", token, 1)
        for data in (text, text.encode("utf-16"), text.encode() + b"\xc3", b"{\xff" + text.encode()[1:]):
            ours = _answer(load_bounded_json_counted, data, JsonBounds(*bounds))
            assert ours == _answer(reference.load_bounded_json_counted, data, reference.JsonBounds(*bounds)), data
