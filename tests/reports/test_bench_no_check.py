"""The bench's "no check" rows (``bench/bench_reports.py``) are a lower bound only if they build what the
parser builds: every key of the normalised report, its policies and its failure rows, in the parser's
order. Generated reports and the real senders' reports are both built both ways here."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.reports.parse import parse_report
from tests.reports.bench_module import BENCH
from tests.reports.realworld_files import REALWORLD_FILES, needs_real_reports


def _unchecked(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = BENCH.unchecked_report(
        json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    )
    return result


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 30))
def test_the_unchecked_build_has_the_parsers_keys_on_generated_reports(seed: int, count: int) -> None:
    for data in BENCH.generate(count, seed):
        assert BENCH.key_paths(_unchecked(data)) == BENCH.key_paths(parse_report(data))


@needs_real_reports
@pytest.mark.parametrize("path", BENCH.real_reports(REALWORLD_FILES) if REALWORLD_FILES.is_dir() else [])
def test_the_unchecked_build_has_the_parsers_keys_on_real_reports(path: str) -> None:
    with open(path, "rb") as file:
        data = file.read()
    paths = BENCH.key_paths(parse_report(data))
    assert ".policies[0].failed" in paths  # a policy at least: the comparison below is not of two empty lists
    assert BENCH.key_paths(_unchecked(data)) == paths


def test_key_paths_sees_a_row_key_out_of_place() -> None:
    report = {"a": 1, "policies": [{"failure_details": [{"x": 1, "y": 2}]}], "extra": {"k": 1}}
    moved = {"a": 1, "policies": [{"failure_details": [{"y": 2, "x": 1}]}], "extra": {"other": 1}}
    assert BENCH.key_paths(report) != BENCH.key_paths(moved)
    assert BENCH.key_paths(report) == [
        ".a",
        ".policies",
        ".policies[0].failure_details",
        ".policies[0].failure_details[0].x",
        ".policies[0].failure_details[0].y",
        ".extra",
    ]
