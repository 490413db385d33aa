"""The policy core: canonical bytes, the id, lenient parsing and strict validation (RFC 8461 §3.2)."""

from __future__ import annotations

import re

import pytest
from checkdmarc.mta_sts import parse_mta_sts_policy
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.defaults import DEFAULT_MAX_AGE, DEFAULT_MODE
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import (
    Policy,
    is_toolkit_id,
    parse_policy,
    policy_id,
    validate_policy_text,
)
from tests import strategies as s

EXAMPLE = b"version: STSv1\r\nmode: enforce\r\nmx: *.mail.example.net\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n"


def test_renders_one_exact_byte_form() -> None:
    policy = Policy.build("enforce", ["MX1.Example.COM.", "*.mail.example.net", "mx1.example.com"], 604800)
    assert policy.render_bytes() == EXAMPLE
    assert policy.render() == EXAMPLE.decode()


def test_defaults_follow_operational_advice() -> None:
    assert DEFAULT_MODE == "testing"
    assert DEFAULT_MAX_AGE == 86401
    policy = Policy.build(mx=["mx.example.com"])
    assert (policy.mode, policy.max_age) == ("testing", 86401)


def test_none_policy_renders_without_mx_lines() -> None:
    policy = Policy.build("none", ["mx.example.com"], 86401)
    assert policy.render() == "version: STSv1\r\nmode: none\r\nmax_age: 86401\r\n"
    assert Policy.build("none", [], 0).mx == ()


def test_idn_accepted_as_unicode_and_emitted_as_a_labels() -> None:
    policy = Policy.build("testing", ["Bücher.example", "*.mäil.example"], 86401)
    assert policy.mx == ("*.xn--" + "mäil".encode("punycode").decode() + ".example", "xn--bcher-kva.example")
    assert policy.render().isascii()


def test_extensions_rendered_after_max_age_sorted_by_key() -> None:
    policy = Policy.build("testing", ["mx.example.com"], 86401, {"zz": "1", "aa": "x y"})
    assert policy.render().endswith("max_age: 86401\r\naa: x y\r\nzz: 1\r\n")


def test_id_is_32_letters_and_digits_from_a_hash_of_the_served_bytes() -> None:
    policy = Policy.build("enforce", ["mx1.example.com", "*.mail.example.net"], 604800)
    assert re.fullmatch(r"[a-z2-7]{32}", policy.id)
    assert policy.id == policy_id(EXAMPLE) == policy_id(EXAMPLE.decode())
    assert policy_id(EXAMPLE + b" ") != policy.id
    assert is_toolkit_id(policy.id)
    assert not is_toolkit_id("20240101000000")
    assert not is_toolkit_id("d41d8cd98f00b204e9800998ecf8427e")  # an md5 hex digest


def test_building_twice_gives_the_same_id_nothing_time_based() -> None:
    ids = {Policy.build("testing", ["mx.example.com"], 86401).id for _ in range(3)}
    assert len(ids) == 1


def test_build_raises_input_error_listing_every_problem() -> None:
    with pytest.raises(InputError) as info:
        Policy.build("enforcing", [], 40_000_000)
    fields = [p.field for p in info.value.problems]
    assert fields == ["mode", "max_age"]
    assert "40000000 is above the RFC 8461 limit of 31557600 seconds" in str(info.value)


# --------------------------------------------------------------------------- parsing


def test_lenient_parser_accepts_lf_spaces_unknown_keys_and_reports_garbage() -> None:
    # "field-delim = ":" *WSP" and "*WSP" may follow a value; a line that starts with a space is
    # no field (the name starts the line): senders ignore it like any line that is not a field.
    text = "version: STSv1\nmode:enforce  \nmx:\t MX.example.com\t\n  mx: x.example.com\nmax_age: 86401\nfoo: bar\n"
    parsed = parse_policy(text + "this is garbage\n\n")
    assert parsed.policy is not None and not parsed.errors
    assert parsed.policy.mx == ("mx.example.com",)
    assert parsed.unknown_keys == ["foo"]
    assert [w.field for w in parsed.warnings] == ["line 4", "line 7", "foo"]
    assert parsed.errors == []


def test_lenient_parser_reports_structured_errors() -> None:
    parsed = parse_policy(b"version: STSv2\r\nmode: enforce\r\nmode: testing\r\n")
    assert parsed.policy is None
    assert sorted((e.field, str(e.value)) for e in parsed.errors) == [("max_age", "None"), ("version", "STSv2")]


def test_lenient_parser_refuses_bad_utf8() -> None:
    parsed = parse_policy(b"version: STSv1\r\nmode: \xff\r\n")
    assert parsed.policy is None and parsed.errors[0].field == "policy"


def test_strict_validator_accepts_canonical_and_lf_forms() -> None:
    assert validate_policy_text(EXAMPLE) == []
    assert validate_policy_text(EXAMPLE.replace(b"\r\n", b"\n")) == []


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("version: STSv1\r\nmode : enforce\r\nmx: a.example\r\nmax_age: 1\r\n", "line 2"),
        ("version: STSv1\rmode: enforce\r\nmx: a.example\r\nmax_age: 1\r\n", "line 1"),
        ("version: STSv1\r\nmode: enforce\r\nmax_age: 1\r\n", "mx"),
        ("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 1\r\nbad!key: x\r\n", "line 5"),
    ],
)
def test_strict_validator_rejects(text: str, field: str) -> None:
    assert field in [p.field for p in validate_policy_text(text)]


# --------------------------------------------------------------------------- properties


@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, ext=s.extensions)
def test_render_parse_round_trip(mode: str, mx: list[str], max_age: int, ext: dict[str, str]) -> None:
    policy = Policy.build(mode, mx, max_age, ext)
    parsed = parse_policy(policy.render_bytes())
    assert parsed.policy == policy
    assert parsed.errors == []
    assert validate_policy_text(policy.render_bytes()) == []


@given(mx=s.mx_list, data=st.data(), max_age=s.max_age, mode=s.mode)
def test_mx_order_and_case_never_change_the_id(mx: list[str], data: st.DataObject, max_age: int, mode: str) -> None:
    shuffled = data.draw(st.permutations(mx))
    recased = [data.draw(s.case_variants(p)) for p in shuffled]
    duplicated = [*recased, recased[0]]
    assert Policy.build(mode, duplicated, max_age).id == Policy.build(mode, mx, max_age).id


@given(a=st.tuples(s.mode, s.mx_list, s.max_age, s.extensions), b=st.tuples(s.mode, s.mx_list, s.max_age, s.extensions))
def test_id_changes_iff_rendered_bytes_change(a: tuple, b: tuple) -> None:  # type: ignore[type-arg]
    pa, pb = Policy.build(*a), Policy.build(*b)
    assert (pa.render_bytes() == pb.render_bytes()) == (pa.id == pb.id)


@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, extra=s.pattern)
def test_adding_an_mx_rolls_the_id(mode: str, mx: list[str], max_age: int, extra: str) -> None:
    if mode == "none" or extra in mx:
        return
    assert Policy.build(mode, [*mx, extra], max_age).id != Policy.build(mode, mx, max_age).id


@settings(max_examples=200)
@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, ext=s.extensions)
def test_every_rendered_policy_is_accepted_by_checkdmarc(
    mode: str, mx: list[str], max_age: int, ext: dict[str, str]
) -> None:
    policy = Policy.build(mode, mx, max_age, ext)
    result = parse_mta_sts_policy(policy.render())
    parsed = result["policy"]
    assert parsed["mode"] == policy.mode
    assert parsed["max_age"] == policy.max_age
    assert sorted(parsed["mx"]) == list(policy.mx)
