"""Stable shard assignment (core/shards.py): generated sequences of fleet changes never move a
domain that stays, never overfill a shard, and never depend on the order domains are listed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.shards import assign_shards, shard_key, shard_members, shard_problems

NAMES = [f"d{i:03}.example" for i in range(400)]

#: One change of the fleet: ("add", names) / ("remove", indexes) / ("reorder", seed).
change = st.one_of(
    st.tuples(st.just("add"), st.lists(st.sampled_from(NAMES), max_size=30)),
    st.tuples(st.just("remove"), st.lists(st.integers(min_value=0, max_value=10_000), max_size=30)),
    st.tuples(st.just("reorder"), st.randoms(use_true_random=False)),
)


def moves(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """The domains whose shard changed (the fleet promises none does)."""
    old = {shard_key(d): s for d, s in before.items()}
    return {d: (old[shard_key(d)], s) for d, s in after.items() if shard_key(d) in old and old[shard_key(d)] != s}


def apply(domains: list[str], step: tuple[str, Any]) -> list[str]:
    kind, arg = step
    if kind == "add":
        return [*domains, *(n for n in dict.fromkeys(arg) if n not in domains)]
    if kind == "remove":
        doomed = {domains[i % len(domains)] for i in arg} if domains else set()
        return [d for d in domains if d not in doomed]
    shuffled = list(domains)
    arg.shuffle(shuffled)
    return shuffled


@settings(max_examples=150)
@given(
    st.lists(st.sampled_from(NAMES), max_size=60, unique=True),
    st.lists(change, min_size=1, max_size=8),
    st.integers(min_value=1, max_value=defaults.DOMAINS_PER_CERTIFICATE_MAX),
)
def test_no_sequence_of_changes_moves_a_kept_domain_or_overfills_a_shard(
    start: list[str], changes: list[tuple[str, Any]], per_shard: int
) -> None:
    domains = start
    assignment = assign_shards(domains, {}, per_shard)
    for step in changes:
        domains = apply(domains, step)
        after = assign_shards(domains, assignment, per_shard)
        assert moves(assignment, after) == {}
        assert set(after) == set(domains)
        assert max(Counter(after.values()).values(), default=0) <= per_shard
        assignment = after


@given(st.lists(st.sampled_from(NAMES), max_size=120, unique=True), st.integers(min_value=1, max_value=100))
def test_a_fresh_assignment_uses_the_fewest_shards_numbered_from_zero(domains: list[str], per_shard: int) -> None:
    shards = set(assign_shards(domains, {}, per_shard).values())
    assert shards == set(range(-(-len(domains) // per_shard)))


@given(
    st.lists(st.sampled_from(NAMES), max_size=80, unique=True),
    st.dictionaries(st.sampled_from(NAMES), st.integers(min_value=0, max_value=12), max_size=40),
    st.randoms(use_true_random=False),
)
def test_order_never_matters_and_the_result_is_deterministic(
    domains: list[str], pins: dict[str, int], rnd: Any
) -> None:
    per_shard = 100  # every generated pin set fits
    shuffled = list(domains)
    rnd.shuffle(shuffled)
    first = assign_shards(domains, pins, per_shard)
    assert assign_shards(shuffled, pins, per_shard) == first
    assert assign_shards(domains, pins, per_shard) == first
    assert list(first) == list(assign_shards(shuffled, pins, per_shard))  # same order too


def test_new_domains_fill_free_slots_of_used_shards_before_opening_new_ones() -> None:
    previous = {"a.example": 0, "b.example": 0, "c.example": 2}
    got = assign_shards(["n1.example", "a.example", "c.example", "n2.example", "n3.example", "n4.example"], previous, 2)
    # shard 0 has one free slot (b left), shard 2 one; then shard 1 (unused) opens
    assert shard_members(got) == {
        0: ("a.example", "n1.example"),
        1: ("n3.example", "n4.example"),
        2: ("c.example", "n2.example"),
    }


def test_a_pin_matches_whatever_the_case_or_trailing_dot() -> None:
    assert assign_shards(["example.com"], {"Example.COM.": 7}, 10) == {"example.com": 7}


@pytest.mark.parametrize(
    ("domains", "previous", "per_shard", "field", "words"),
    [
        (["a.example"], {}, 0, "domains_per_certificate", "from 1 to 100"),
        (["a.example"], {}, 101, "domains_per_certificate", "quota raise"),
        (["a.example"], {}, True, "domains_per_certificate", "whole number"),
        (["a.example", "A.example."], {}, 10, "domains", "more than once"),
        (["a.example"], {"a.example": -1}, 10, "assignment.a.example", "shard number"),
        (["a.example"], {"a.example": defaults.SHARD_LIMIT}, 10, "assignment.a.example", "shard number"),
        (["a.example"], {"a.example": "0"}, 10, "assignment.a.example", "shard number"),
        (["a.example", "b.example"], {"a.example": 0, "b.example": 0}, 1, "domains_per_certificate", "move live"),
    ],
)
def test_every_refusal_names_the_field_and_the_fix(
    domains: list[str], previous: dict[str, object], per_shard: object, field: str, words: str
) -> None:
    [problem] = shard_problems(domains, previous, per_shard)
    assert problem.field == field and words in problem.reason
    with pytest.raises(InputError):
        assign_shards(domains, previous, per_shard)  # type: ignore[arg-type]


def test_lowering_the_capacity_keeps_shards_that_still_fit() -> None:
    previous = assign_shards(NAMES[:25], {}, 10)
    with pytest.raises(InputError, match="shard 0 already carries"):
        assign_shards(NAMES[:25], previous, 5)
    assert moves(previous, assign_shards(NAMES[:25], previous, 10)) == {}


def test_five_thousand_domains_fill_exactly_five_hundred_shards() -> None:
    names = [f"n{i}.example" for i in range(5000)]
    got = assign_shards(names, {}, 10)
    assert len(set(got.values())) == 500
