"""Receiver settings given as digit strings: only ASCII digits are numbers. ``'³'`` passes
``str.isdigit`` but not ``int``; it must be reported against its key, never raise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.spec.receiver_settings import settings_from_mapping

_NON_ASCII_DIGITS = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii() and c.isdigit())


@given(st.text(_NON_ASCII_DIGITS, min_size=1, max_size=4))
def test_unusual_digits_are_a_problem_naming_the_key(digits: str) -> None:
    settings, problems = settings_from_mapping({"silence_days": digits})
    assert [p.field for p in problems] == ["silence_days"]
    assert settings.silence_days == 3  # the default stays


def test_ascii_digit_strings_are_numbers() -> None:
    settings, problems = settings_from_mapping({"silence_days": " 5 ", "https": "false", "region": " EU-WEST-1 "})
    assert not problems
    assert (settings.silence_days, settings.https, settings.region) == (5, False, "eu-west-1")
