"""The state file is data a round wrote, but anyone may have changed it: whatever it holds gives a
state or one problem naming the file and the fix, never a traceback; what a round writes reads back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.watch import WatchState, state_from_bytes
from pulumi_mta_sts.watch.state import DomainState, Said

NAME = "--state: watch-state.json"
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda m: m.replace(microsecond=0, tzinfo=dt.UTC)
)
saids = st.builds(Said, st.sampled_from(["warn", "fail"]), st.integers(0, 100), st.text(max_size=50), moments)
states = st.builds(
    WatchState,
    st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.builds(DomainState, st.dictionaries(st.text(max_size=40), saids, max_size=4), st.none() | moments),
        max_size=4,
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def refused(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        state_from_bytes(data, NAME)
    (problem,) = caught.value.problems
    line = str(problem)
    assert line.startswith(NAME) and "\n" not in line and "delete it" in line
    return line


@given(states)
def test_what_a_round_writes_reads_back_the_same(state: WatchState) -> None:
    assert state_from_bytes(state.to_bytes(), NAME) == state


@given(st.binary(max_size=200))
def test_any_bytes_give_a_state_or_one_line_naming_the_file(data: bytes) -> None:
    try:
        state_from_bytes(data, NAME)
    except InputError:
        refused(data)


def _replace_somewhere(document: Any, path: list[int], value: Any) -> Any:
    """``document`` with the node found by following ``path`` (indexes into each container) replaced."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _replace_somewhere(document[key], path[1:], value)  # type: ignore[index]
    return copy


@given(states, st.lists(st.integers(0, 10), max_size=6), json_values)
def test_a_changed_state_file_is_read_or_refused_naming_it(state: WatchState, path: list[int], value: Any) -> None:
    data = json.dumps(_replace_somewhere(state.as_json(), path, value)).encode()
    try:
        state_from_bytes(data, NAME)
    except InputError:
        refused(data)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not valid JSON"),
        (b"[" * 100_000, "nests deeper"),
        (b'{"version": 2, "domains": {}}', "version"),
        (b'{"version": 1, "domains": []}', "domains is an array"),
        (b'{"version": 1, "domains": {"a": {"problems": {"x": {"severity": "crit"}}}}}', "severity"),
        (b'{"version": 1, "domains": {"a": {"problems": {}, "testing_since": "yesterday"}}}', "testing_since"),
        (b'{"version": NaN}', "NaN"),
        (b'{"version": 1, "domains": {"a": {"problems": {"x": {"severity": "warn", "level": 1e999}}}}}', "1e999"),
    ],
)
def test_hostile_state_files_say_what_is_wrong(data: bytes, says: str) -> None:
    assert says in refused(data)
