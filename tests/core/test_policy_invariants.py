"""A ``Policy`` cannot exist invalid: the constructor checks every field (property tests).

Whatever holds a ``Policy`` renders it and publishes its id without checking again, so every
invalid combination of fields must raise :class:`InputError` naming exactly the fields that are
wrong, with the messages :func:`validate_policy` gives, and every policy ``Policy.build`` makes
must go through the constructor unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import MAX_AGE_LIMIT, MODES, Policy, validate_policy
from tests import strategies as s

FIELDS = ("mode", "mx", "max_age", "extensions")


def fields_of(policy: Policy) -> dict[str, Any]:
    return {f.name: getattr(policy, f.name) for f in dataclasses.fields(policy)}


def named_fields(problems: tuple[Problem, ...]) -> set[str]:
    """``mx[2]`` -> ``mx``, ``extensions.x`` -> ``extensions``."""
    return {re.split(r"[\[.]", p.field)[0] for p in problems}


valid_policies = st.builds(Policy.build, s.mode, s.mx_list, s.max_age, s.extensions)

bad_mode = st.one_of(
    st.text(max_size=10).filter(lambda m: m not in MODES),
    st.sampled_from(["Enforce", "TESTING", " none", None, 1, True]),
)
bad_max_age = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=MAX_AGE_LIMIT + 1),
    st.sampled_from([True, False, "86401", 86401.0, None]),
)
bad_pattern = st.sampled_from(["A B", "1.2.3.4", "mx..example.com", "*", "a.*.example.com", "-mx.example.com", ""])
bad_extensions = st.one_of(
    st.sampled_from(
        [
            (("mode", "enforce"),),  # a standard field
            (("bad name", "x"),),
            (("x", "line\nbreak"),),
            (("x", " padded "),),
            (("x", 1),),
            (("z", "1"), ("a", "2")),  # not sorted
            (("a", "1"), ("a", "2")),  # twice
            (("a", "1", "extra"),),
            ("a", "1"),
        ]
    ),
    st.dictionaries(s.ext_name, s.ext_value, min_size=1, max_size=2),  # a dict: Policy.build's job
)


def bad_mx(mode: str | None) -> st.SearchStrategy[object]:
    """``mx`` values that are wrong whatever the mode, and those wrong for ``mode`` (if given)."""
    anywhere: st.SearchStrategy[object] = st.one_of(
        s.mx_list.map(list),  # a list, not a tuple
        s.mx_list.filter(lambda m: len(m) > 1).map(lambda m: tuple(sorted(m, reverse=True))),
        s.mx_list.map(lambda m: tuple(sorted([m[0], *m]))),  # a duplicate
        s.mx_list.map(lambda m: tuple(sorted(p.upper() for p in m))),
        s.mx_list.map(lambda m: tuple(sorted(p + "." for p in m))),
        bad_pattern.map(lambda p: (p,)),
        st.sampled_from(["mx.example.com", None, 7]),
    )
    if mode is None:
        return anywhere
    for_mode = s.mx_list.map(lambda m: tuple(sorted(m))) if mode == "none" else st.just(())
    return st.one_of(anywhere, for_mode)


@given(valid_policies)
def test_every_built_policy_goes_through_the_constructor_unchanged(policy: Policy) -> None:
    again = Policy(**fields_of(policy))
    assert again == policy and again.id == policy.id
    assert dataclasses.replace(policy) == policy


@settings(max_examples=300)
@given(valid_policies, st.sets(st.sampled_from(FIELDS), min_size=1), st.data())
def test_every_invalid_combination_raises_naming_exactly_the_wrong_fields(
    policy: Policy, broken: set[str], data: st.DataObject
) -> None:
    values = fields_of(policy)
    if "mode" in broken:
        values["mode"] = data.draw(bad_mode, "mode")
    if "mx" in broken:
        # what is wrong for the mode only counts while the mode itself is right
        values["mx"] = data.draw(bad_mx(None if "mode" in broken else policy.mode), "mx")
    if "max_age" in broken:
        values["max_age"] = data.draw(bad_max_age, "max_age")
    if "extensions" in broken:
        values["extensions"] = data.draw(bad_extensions, "extensions")
    with pytest.raises(InputError) as err:
        Policy(**values)
    assert named_fields(err.value.problems) == broken
    assert all(p.reason for p in err.value.problems)


@given(bad_mode, bad_pattern, st.one_of(st.integers(max_value=-1), st.integers(min_value=MAX_AGE_LIMIT + 1)))
def test_the_constructor_gives_the_problems_validate_policy_gives(mode: object, pattern: str, max_age: int) -> None:
    extensions = (("bad name", "x"),)
    _, expected = validate_policy(mode, (pattern,), max_age, extensions)
    with pytest.raises(InputError) as err:
        Policy(mode, (pattern,), max_age, extensions)  # type: ignore[arg-type]
    assert list(err.value.problems) == expected


def test_the_example_from_the_issue_is_refused() -> None:
    with pytest.raises(InputError) as err:
        Policy("bogus", ("A B",), -5)
    assert [p.field for p in err.value.problems] == ["mode", "mx[0]", "max_age"]


@pytest.mark.parametrize(
    ("mode", "mx", "reason"),
    [
        ("none", ("mx.example.com",), "must be empty in none mode"),
        ("enforce", (), "is required in enforce mode"),
        ("testing", ("MX.example.com",), "is not in normal form; write 'mx.example.com'"),
        ("testing", ("b.example.com", "a.example.com"), "must be sorted and without duplicates"),
    ],
)
def test_mx_messages_say_what_to_do(mode: str, mx: tuple[str, ...], reason: str) -> None:
    with pytest.raises(InputError) as err:
        Policy(mode, mx, 86401)
    [problem] = err.value.problems
    assert reason in problem.reason


def test_build_still_normalises_case_order_duplicates_and_idns() -> None:
    built = Policy.build(
        "testing", ["MX2.Example.com.", "bücher.example", "mx2.example.com"], "86401", {"z": 1, "a": "b"}
    )
    assert built == Policy("testing", ("mx2.example.com", "xn--bcher-kva.example"), 86401, (("a", "b"), ("z", "1")))
