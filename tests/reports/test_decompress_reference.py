"""The gzip reader whose first member is one zlib call that the member loop continues (issue 25) answers
exactly what the previous one answered (tests/reports/reference_decompress.py): the same bytes, or the same
refusal word for word, for one member or several, padded, followed by garbage, cut, corrupted, over or at
the cap; and it hands zlib no more bytes than the previous one did."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.reports.decompress import gunzip_capped, report_bytes
from pulumi_mta_sts.reports.limits import Limits, ReportError
from tests.hostile import fuzzed_bytes

from . import reference_decompress as reference
from .test_reports_limits import _CountingDecoder

MANY = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)

_payloads = st.lists(st.binary(max_size=300) | st.sampled_from([b"", b'{"a": 1}', b"x" * 5000]), min_size=1, max_size=4)
_after = st.sampled_from([b"", b"", b"\x00" * 3, b"junk", b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"\x00x"])


@st.composite
def _bodies(draw: st.DrawFn) -> bytes:
    members = b"".join(gzip.compress(p, mtime=0, compresslevel=draw(st.sampled_from([1, 9]))) for p in draw(_payloads))
    data = members + draw(_after)
    edit = draw(st.integers(0, 5))
    if edit == 0:
        return draw(fuzzed_bytes(data))
    if edit == 1:
        return data[: draw(st.integers(0, len(data)))]
    return data


def _answer(read: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "read", read(*args)
    except ReportError as exc:
        return "refused", exc.reason


@MANY
@given(_bodies(), st.integers(0, 12_000))
def test_gunzip_answers_as_the_previous_reader(data: bytes, cap: int) -> None:
    assert _answer(gunzip_capped, data, cap) == _answer(reference.gunzip_capped, data, cap)
    limits = Limits(max_input_bytes=cap + 50, max_report_bytes=cap)
    assert _answer(report_bytes, data, limits) == _answer(reference.report_bytes, data, limits)


def _fed(read: Any, data: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    _CountingDecoder.fed = 0
    with monkeypatch.context() as patch:
        patch.setattr(zlib, "decompressobj", _CountingDecoder)
        _answer(read, data, 1 << 20)
    return _CountingDecoder.fed


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_bodies())
def test_zlib_is_handed_no_more_bytes_than_before(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """A second member costs no second pass over the first (the previous reader searched for one first)."""
    assert _fed(gunzip_capped, data, monkeypatch) <= _fed(reference.gunzip_capped, data, monkeypatch)
