"""Reading a served policy exactly as RFC 8461 §3.2 senders do, and the two verdicts kept apart:
:func:`validate_policy_text` (violations: some sender refuses the body) and
:func:`lint_policy_text` (advice about a body senders accept)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.policy import (
    EMPTY_LINES_AT_END,
    Policy,
    lint_policy_text,
    mx_form_problems,
    parse_policy,
    policy_lines,
    validate_policy_text,
)
from tests import strategies as s

valid_policies = st.builds(Policy.build, s.mode, s.mx_list, s.max_age, s.extensions)
#: Every character ``str.splitlines`` splits at besides LF and CRLF.
SPLITLINES_ONLY = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def lines_of(policy: Policy) -> list[str]:
    return policy.render().split("\r\n")[:-1]


# --------------------------------------------------------------------------- repeated fields


@given(policy=valid_policies, data=st.data())
def test_a_repeated_field_keeps_its_first_value(policy: Policy, data: st.DataObject) -> None:
    """RFC 8461 §3.2: "If any non-repeated field -- i.e., all fields excluding "mx" -- is
    duplicated, all entries except for the first SHALL be ignored." """
    key = data.draw(st.sampled_from(["version", "mode", "max_age", *[k for k, _ in policy.extensions]]))
    later = data.draw(st.sampled_from(["STSv2", "enforce", "testing", "none", "bogus", "99999999999", "x y"]))
    lines = lines_of(policy)
    at = data.draw(st.integers(min_value=[ln.split(":")[0] for ln in lines].index(key) + 1, max_value=len(lines)))
    text = "\r\n".join([*lines[:at], f"{key}: {later}", *lines[at:]]) + "\r\n"
    parsed = parse_policy(text)
    assert parsed.errors == [] and parsed.policy == policy
    assert validate_policy_text(text) == []  # senders accept it
    assert [p.field for p in lint_policy_text(text)] == [key]  # advice, not a violation
    assert parsed.fields[key][-1] == later


def test_the_issue_example_two_modes_is_a_usable_policy() -> None:
    text = "version: STSv1\r\nmode: enforce\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86401\r\n"
    parsed = parse_policy(text)
    assert parsed.policy is not None and parsed.policy.mode == "enforce"
    assert validate_policy_text(text) == []
    [advice] = lint_policy_text(text)
    assert advice.field == "mode" and "senders use the first ('enforce')" in advice.reason


# --------------------------------------------------------------------------- line ends, white space, order


@given(policy=valid_policies, crlf=st.booleans(), final=st.booleans(), trailing=st.lists(st.sampled_from(" \t")))
def test_line_ends_and_trailing_white_space_as_the_grammar_allows(
    policy: Policy, crlf: bool, final: bool, trailing: list[str]
) -> None:
    """RFC 8461 §3.2: ``sts-policy-record = sts-policy-field *WSP *(sts-policy-term
    sts-policy-field *WSP) [sts-policy-term]`` and ``sts-policy-term = LF / CRLF``: the final
    terminator is optional and spaces or tabs may follow a value."""
    end = "\r\n" if crlf else "\n"
    pad = "".join(trailing)
    text = end.join(line + pad for line in lines_of(policy)) + (end if final else "")
    assert parse_policy(text).policy == policy
    assert validate_policy_text(text) == []


@given(policy=valid_policies, data=st.data())
def test_fields_may_come_in_any_order_version_first_is_only_advice(policy: Policy, data: st.DataObject) -> None:
    """RFC 8461 §3.2 gives the policy no field order (only the TXT record puts ``v=`` first)."""
    lines = data.draw(st.permutations(lines_of(policy)))
    text = "\n".join(lines) + "\n"
    assert parse_policy(text).policy == policy
    assert validate_policy_text(text) == []
    advice = [p.field for p in lint_policy_text(text)]
    assert advice == ([] if lines[0].startswith("version:") else ["version"])


def test_the_strict_validator_still_rejects_what_the_grammar_forbids() -> None:
    base = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"
    for text in [
        base.replace("mode:", " mode:"),  # the name starts the line
        base.replace("mode:", "mode :"),
        base + "x: a\tb\n",  # only %x20 inside an extension value
        base + "x: a\x01b\n",  # CTLs
        base + "x:\n",  # an empty extension value
        base.replace("\n", "\r", 1),  # a lone CR is no line end
    ]:
        assert validate_policy_text(text), repr(text)


def test_a_blank_line_between_fields_is_advice_because_every_sender_skips_it() -> None:
    text = "version: STSv1\n\nmode: enforce\nmx: a.example\n \t\nmax_age: 1\n"
    assert validate_policy_text(text) == []
    assert [p.field for p in lint_policy_text(text)] == ["line 2", "line 5"]


# --------------------------------------------------------------------------- how the body ends

#: RFC 8461 §3.2, for bodies whose fields are valid: ``sts-policy-record = sts-policy-field *WSP
#: *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]``, ``sts-policy-term = LF / CRLF``.
TERM = "(?:\r\n|\n)"
FIELD = "[A-Za-z0-9][A-Za-z0-9_.-]{0,31}:[ \t]*[^ \t\r\n][^\r\n]*"
POLICY_RECORD = re.compile(f"{FIELD}[ \t]*(?:{TERM}{FIELD}[ \t]*)*{TERM}?")
line_end = st.sampled_from(["\r\n", "\n"])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """A valid policy with any line ends, then what may follow its last field: nothing, a line
    end, or lines holding nothing but spaces and tabs."""
    lines = lines_of(draw(valid_policies))
    text = "".join(line + draw(line_end) for line in lines[:-1]) + lines[-1] + draw(st.sampled_from(["", " ", "\t"]))
    blanks = draw(st.lists(st.tuples(st.text(alphabet=" \t", max_size=2), line_end), max_size=3))
    end = draw(st.sampled_from(["", "\r\n", "\n"]))
    if blanks:
        text += draw(line_end) + "".join(w + e for w, e in blanks)
        return text if end or blanks[-1][0] else text.removesuffix(blanks[-1][1])
    return text + end


@settings(deadline=None)
@given(text=bodies())
@example(text="version: STSv1\r\nmode: none\r\nmax_age: 1\r\n\r\n")
@example(text="version: STSv1\nmode: none\nmax_age: 1\n\n\n")
def test_empty_lines_at_the_end_are_a_violation_strict_and_lenient_senders_judge_apart(text: str) -> None:
    """A body may end with one optional line end after its last field, nothing more. Strict
    parsers refuse more (Mimecast's with CRLF required: "Policy does not support empty lines");
    lenient ones skip the empty lines. The violation says both; the lint note stays; the policy
    senders following the RFC's reading apply is unchanged."""
    violations = validate_policy_text(text)
    assert (violations == []) == bool(POLICY_RECORD.fullmatch(text)), repr(text)
    parsed = parse_policy(text)
    assert parsed.policy is not None and parsed.policy == parse_policy(text.rstrip(" \t\r\n")).policy
    if violations:
        [violation] = violations
        assert EMPTY_LINES_AT_END in violation.reason
        assert "Strict senders refuse the whole policy" in violation.reason and "lenient ones" in violation.reason
        blank = [p for p in lint_policy_text(text) if "is blank" in p.reason]
        assert blank and blank[0].field == violation.field


def test_a_cr_at_the_very_end_is_no_line_end() -> None:
    """``sts-policy-term = LF / CRLF``: a CR with no LF after it ends nothing, at the end of the body too."""
    assert policy_lines("a\r\nb\r") == ["a", "b\r"]
    violations = validate_policy_text("version: STSv1\r\nmode: none\r\nmax_age: 1\r\n\r")
    assert [p.reason for p in violations] == ["contains a CR that does not end the line; end lines with CRLF or LF"]


# --------------------------------------------------------------------------- where lines end


def test_policy_lines_splits_at_lf_and_crlf_only() -> None:
    assert policy_lines("a\r\nb\nc") == ["a", "b", "c"]
    assert policy_lines("a\r\n") == ["a"]
    assert policy_lines("") == []
    assert policy_lines("a\n\nb") == ["a", "", "b"]
    for char in SPLITLINES_ONLY:
        assert policy_lines(f"a{char}b\n") == [f"a{char}b"], repr(char)


@given(policy=valid_policies, char=st.sampled_from(SPLITLINES_ONLY), host=s.hostname)
def test_a_unicode_break_inside_a_line_does_not_start_a_new_line(policy: Policy, char: str, host: str) -> None:
    """RFC 8461 §3.2: ``sts-policy-term = LF / CRLF``. A checker that split at U+2028 (as
    ``str.splitlines`` does) would see an ``mx`` line that senders following the RFC never see,
    and pass an MX host they do not find covered."""
    text = policy.render() + f"note: x{char}mx: {host}\r\n"
    parsed = parse_policy(text)
    assert parsed.policy is not None and parsed.policy.mx == policy.mx
    assert parsed.fields.get("mx", []) == list(policy.mx)
    assert parsed.fields["note"][0].startswith("x" + char)
    if char not in "\r\x0b\x0c\x1c\x1d\x1e":  # not CTLs, which the grammar refuses anyway
        assert validate_policy_text(text) == []
        assert any(p.field.startswith("line") for p in lint_policy_text(text))
    else:
        assert validate_policy_text(text)


# --------------------------------------------------------------------------- mx values senders disagree on


@pytest.mark.parametrize(
    ("served", "normal"),
    [("mx1.example.com.", "mx1.example.com"), ("bücher.example", "xn--bcher-kva.example"), ("*.mäil.example.", None)],
)
def test_mx_with_a_trailing_dot_or_u_labels_is_reported_never_silently_normalised(
    served: str, normal: str | None
) -> None:
    """RFC 8461 §3.2: ``sts-policy-mx-value = ["*."] Domain`` (RFC 5321 Domain: LDH labels, no
    trailing dot). Strict senders refuse such a policy; lenient ones accept it."""
    text = f"version: STSv1\nmode: enforce\nmx: {served}\nmax_age: 86401\n"
    violations = validate_policy_text(text)
    assert [p.field for p in violations] == ["mx[0]"]
    assert "Strict senders refuse the whole policy" in violations[0].reason
    assert "lenient ones apply it" in violations[0].reason
    parsed = parse_policy(text)
    assert parsed.policy is not None  # what lenient senders apply
    assert [p.field for p in parsed.warnings] == ["mx[0]"]
    if normal is not None:
        assert f"Serve 'mx: {normal}'" in violations[0].reason
        assert parsed.policy.mx == (normal,)


@given(host=s.hostname)
def test_mx_form_problems_only_for_names_not_in_served_form(host: str) -> None:
    assert mx_form_problems([host, "*." + host, host.upper()]) == []
    assert [p.field for p in mx_form_problems([host + "."])] == ["mx[0]"]
