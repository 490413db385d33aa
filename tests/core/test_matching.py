"""MX matching per RFC 8461 §4.1: a wildcard covers exactly one leftmost label."""

from __future__ import annotations

import pytest
from hypothesis import given

from pulumi_mta_sts.core.matching import matches, matching_pattern, uncovered, unused_patterns
from tests import strategies as s


@pytest.mark.parametrize(
    ("host", "patterns", "expected"),
    [
        ("mx1.example.net", ["*.example.net"], True),
        ("a.b.example.net", ["*.example.net"], False),  # the trap two popular libraries fall into
        ("example.net", ["*.example.net"], False),
        ("mx.example.net", ["mx.example.net"], True),
        ("MX.Example.NET.", ["mx.example.net"], True),
        ("mx.example.net", ["MX.EXAMPLE.NET."], True),
        ("mx.example.net.", ["*.Example.Net"], True),
        ("badexample.net", ["*.example.net"], False),
        ("mx.example.net.evil.com", ["*.example.net"], False),
        ("mx.example.net", ["example.net"], False),
        ("xn--bcher-kva.example", ["bücher.example"], True),
        ("mx.bücher.example", ["*.xn--bcher-kva.example"], True),
        ("mx.example.net", [], False),
        ("*.example.net", ["*.example.net"], False),
        (".example.net", ["*.example.net"], False),
    ],
)
def test_matches(host: str, patterns: list[str], expected: bool) -> None:
    assert matches(host, patterns) is expected


def test_matching_pattern_and_coverage_helpers() -> None:
    patterns = ["*.mail.example.com", "mx.example.org"]
    assert matching_pattern("in1.mail.example.com", patterns) == "*.mail.example.com"
    assert uncovered(["in1.mail.example.com", "a.b.mail.example.com", "mx.example.org"], patterns) == [
        "a.b.mail.example.com"
    ]
    assert unused_patterns(["mx.example.org"], patterns) == ["*.mail.example.com"]


@given(label=s.label, host=s.hostname)
def test_wildcard_covers_exactly_one_label(label: str, host: str) -> None:
    pattern = "*." + host
    assert matches(f"{label}.{host}", [pattern])
    assert not matches(host, [pattern])
    assert not matches(f"{label}.{label}.{host}", [pattern])
