"""``core/bounded_json``: the one rule every JSON reader of the toolkit uses. It reads what
``json.loads`` reads when the document is within bounds, and refuses — before building anything
too deep or too big — nesting over the bound, too many values, ``NaN``/``Infinity``, non-finite
and over-long numbers, saying what; and no module reads JSON any other way."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.bounded_json import (
    DEFAULT_BOUNDS,
    JsonBounds,
    JsonInputError,
    check_depth,
    json_kind,
    load_bounded_json,
    load_bounded_json_counted,
)

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "pulumi_mta_sts"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**40) + 1, 10**40 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1


@given(json_values, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "text"]))
def test_a_document_within_bounds_reads_as_json_loads_reads_it(value: Any, encoding: str) -> None:
    text = json.dumps(value, ensure_ascii=encoding == "text")
    data: bytes | str = text if encoding == "text" else text.encode(encoding, "surrogatepass")
    assert load_bounded_json(data) == json.loads(text)


@given(json_values, st.integers(0, 12))
def test_depth_is_counted_exactly_on_the_bytes(value: Any, bound: int) -> None:
    """Brackets inside strings (escaped quotes and backslashes included) never count."""
    data = json.dumps(value).encode()
    values = _count(value)  # walking only the brackets that many values can hold misses nothing
    if _depth(value) > bound:
        for max_items in (None, values):
            with pytest.raises(JsonInputError, match=f"nests deeper than {bound} levels") as caught:
                check_depth(data, bound, max_items)
            assert caught.value.kind == "depth"
    else:
        check_depth(data, bound)


@given(json_values)
def test_the_value_count_bounds_the_values_built(value: Any) -> None:
    """The cheap count (all brackets and commas) bounds the values; the exact one (strings
    blanked), made when the cheap one is over the limit, is at most about twice the values."""
    text = json.dumps(value)
    _, bound = load_bounded_json_counted(text)
    assert _count(value) <= bound
    try:
        _, exact = load_bounded_json_counted(text, JsonBounds(max_items=bound - 1))
    except JsonInputError as exc:
        assert exc.kind == "items" and "JSON values; the limit is" in exc.reason
        exact = bound
    assert _count(value) <= exact <= 2 * _count(value) + 1


def test_too_many_values_are_refused_before_they_are_built() -> None:
    with pytest.raises(JsonInputError, match="holds about 2000003 JSON values; the limit is 2000000"):
        load_bounded_json("[" + "[]," * 1_000_000 + "[]]")


@pytest.mark.parametrize("depth", [129, 1_000, 100_000])
@pytest.mark.parametrize(("opening", "inner", "closing"), [("[", "", "]"), ('{"a":', "1", "}"), ("[{}, [", "", "]]")])
def test_nesting_over_the_bound_is_refused_before_anything_is_built(
    depth: int, opening: str, inner: str, closing: str
) -> None:
    with pytest.raises(JsonInputError, match="nests deeper than 128 levels"):
        load_bounded_json(opening * depth + inner + closing * depth)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("where", ["{}", '{"a": [1, {}]}', "[{}]"])
def test_nan_and_infinity_are_refused_wherever_they_are(token: str, where: str) -> None:
    text = where.replace("{}", f'{{"x": {token}}}', 1)
    with pytest.raises(JsonInputError, match=f"holds {token}, which is not a JSON number") as caught:
        load_bounded_json(text)
    assert caught.value.kind == "number"


@given(st.integers(309, 5000), st.sampled_from(["", "-"]))
def test_a_number_too_large_for_a_float_is_refused(exponent: int, sign: str) -> None:
    with pytest.raises(JsonInputError, match="reads as infinity"):
        load_bounded_json(f'{{"a": [{sign}1e{exponent}]}}')


@given(st.integers(41, 6000), st.sampled_from(["", "-"]))
def test_an_integer_too_long_to_print_after_a_sum_is_refused(digits: int, sign: str) -> None:
    with pytest.raises(JsonInputError, match=f"holds an integer of {digits} digits") as caught:
        load_bounded_json(f"[1, {sign}{'9' * digits}]")
    assert len(caught.value.reason) < 200


def test_integers_of_40_digits_and_tiny_floats_are_read() -> None:
    assert load_bounded_json("[" + "9" * 40 + ", 1e-400, 1.5e308]") == [int("9" * 40), 0.0, 1.5e308]
    assert all(math.isfinite(x) for x in load_bounded_json("[1e308, -1e308]"))


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b'{"a": "\xff"}', "encoding", "is not valid UTF-8 text (invalid start byte at byte 7)"),
        (b'{"a": 1', "syntax", "is not valid JSON (line 1 column 8: Expecting ',' delimiter)"),
        (b"", "syntax", "is not valid JSON (line 1 column 1: Expecting value)"),
        (b'{"a": 1} x', "syntax", "is not valid JSON (line 1 column 10: Extra data)"),
    ],
)
def test_what_is_wrong_is_said(data: bytes, kind: str, reason: str) -> None:
    with pytest.raises(JsonInputError) as caught:
        load_bounded_json(data)
    assert (caught.value.kind, caught.value.reason) == (kind, reason)


def test_the_default_bounds_are_those_documented() -> None:
    assert JsonBounds(max_depth=128, max_items=2_000_000, max_int_digits=40) == DEFAULT_BOUNDS
    samples: tuple[object, ...] = ({}, [], "", True, None, 1, 1.5)
    assert [json_kind(v) for v in samples] == [
        "an object",
        "an array",
        "a string",
        "a boolean",
        "null",
        "a number",
        "a number",
    ]


# ---- one rule -----------------------------------------------------------------------------------
def _calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            found.append(f"{node.func.value.id}.{node.func.attr}")
        if isinstance(node, ast.ImportFrom) and node.module in ("json", "yaml"):
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_no_module_reads_json_or_yaml_but_the_one_reader() -> None:
    """JSON is read only by core/bounded_json; YAML only by config/stack_file (bounded itself), and
    config/stack_edit runs the event parser (``yaml.parse``) over a stack file it read within the
    stack files' byte bound: events build no values, so no alias is expanded and nothing nests."""
    readers = {"json.load", "json.loads", "json.JSONDecoder", "json.raw_decode"}
    yaml_readers = {"yaml.load", "yaml.safe_load", "yaml.full_load", "yaml.unsafe_load", "yaml.parse", "yaml.compose"}
    yaml_readers |= {f"{name}_all" for name in yaml_readers}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        for call in _calls(ast.parse(path.read_text())):
            yaml_reader_here = where == "config/stack_file.py" or (where, call) == (
                "config/stack_edit.py",
                "yaml.parse",
            )
            if (call in readers and where != "core/bounded_json.py") or (call in yaml_readers and not yaml_reader_here):
                offenders.append(f"{where}: {call}")
    assert offenders == []


@pytest.mark.parametrize("offset", [-60, -41, -20, 0, 7])
def test_an_integer_across_the_scan_boundary_is_still_seen(offset: int) -> None:
    """The digits are looked for a MiB at a time: a run that crosses a boundary is found."""
    padding = (1 << 20) + offset - len('["", ')
    with pytest.raises(JsonInputError, match="holds an integer of 50 digits"):
        load_bounded_json('["' + "x" * padding + '", ' + "9" * 50 + "]")


def test_past_pythons_own_limit_the_reader_says_so() -> None:
    """With a bound at Python's limit (the reports'), int() refuses longer integers itself."""
    with pytest.raises(
        JsonInputError, match="holds an integer of more than 4300 digits; the most read is 4300"
    ) as caught:
        load_bounded_json("[" + "9" * 5000 + "]", JsonBounds(max_int_digits=4300))
    assert caught.value.kind == "digits"
    assert load_bounded_json("[" + "9" * 4300 + "]", JsonBounds(max_int_digits=4300)) == [int("9" * 4300)]
