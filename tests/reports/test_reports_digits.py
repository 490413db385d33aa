"""Digits that are not ASCII (``'²'``, ``'٣'``, ``'𝟗'`` …) pass ``str.isdigit`` but not ``int``:
dates and counts made of them are refused with :class:`ReportError`, never a ``ValueError``."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.reports.parse import parse_body

_NON_ASCII_DIGITS = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii() and c.isdigit())


def _report(start: Any, count: Any) -> bytes:
    doc = {
        "organization-name": "Digits Inc.",
        "date-range": {"start-datetime": start, "end-datetime": "2026-01-02T00:00:00Z"},
        "contact-info": "tlsrpt@example.net",
        "report-id": "digits-1",
        "policies": [
            {
                "policy": {"policy-type": "no-policy-found", "policy-domain": "example.com"},
                "summary": {"total-successful-session-count": count, "total-failure-session-count": 0},
            }
        ],
    }
    return json.dumps(doc).encode()


@given(st.text(_NON_ASCII_DIGITS, min_size=9, max_size=12))
def test_a_date_of_unusual_digits_is_refused_as_a_report_error(digits: str) -> None:
    result = parse_body(_report(digits, 1), "t")
    assert not result.reports
    assert any("start-datetime" in f.error for f in result.failures)


@given(st.text(_NON_ASCII_DIGITS, min_size=1, max_size=6))
def test_a_count_of_unusual_digits_is_refused_as_a_report_error(digits: str) -> None:
    result = parse_body(_report("2026-01-01T00:00:00Z", digits), "t")
    assert not result.reports
    assert any("total-successful-session-count" in f.error for f in result.failures)
