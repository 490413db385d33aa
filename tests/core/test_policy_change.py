"""Safety notes for a policy change (core/policy_change.py): each note appears exactly when its
condition holds, on generated policies, ids and live MX sets."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from pulumi_mta_sts.core.matching import matches
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.policy_change import (
    LEVELS,
    PolicyState,
    SafetyNote,
    describe_seconds,
    safety_notes,
)
from tests import strategies as s

#: A host no generated pattern covers: the strategies' top-level labels have at most 6 letters.
_UNCOVERED_TLD = "uncovered"
ids = st.from_regex(r"\A[a-z2-7]{32}\Z")
live_modes = st.sampled_from(["enforce", "testing"])


def _host_for(pattern: str) -> str:
    """A host ``pattern`` covers: itself, or one label in front of a ``*.`` pattern's suffix."""
    return "mx." + pattern[2:] if pattern.startswith("*.") else pattern


def _state(policy: Policy | None, policy_id: str | None = None) -> PolicyState:
    if policy is None:
        return PolicyState(None, policy_id)
    return PolicyState(policy.render(), policy.id if policy_id is None else policy_id)


def _codes(notes: tuple[SafetyNote, ...]) -> list[str]:
    return [note.code for note in notes]


def _only(notes: tuple[SafetyNote, ...], code: str) -> SafetyNote:
    found = [note for note in notes if note.code == code]
    assert len(found) == 1, notes
    return found[0]


@st.composite
def policies(draw: st.DrawFn, mode: st.SearchStrategy[str] = s.mode) -> Policy:
    return Policy.build(draw(mode), draw(s.mx_list), draw(s.max_age), draw(s.extensions))


# ------------------------------------------------------------------ enforce-uncovered-mx


@given(policies(st.just("enforce")), st.data())
def test_enforce_with_an_uncovered_live_mx_is_danger(policy: Policy, data: st.DataObject) -> None:
    covered = [_host_for(p) for p in data.draw(st.lists(st.sampled_from(policy.mx), max_size=3))]
    stray = f"mx.{data.draw(s.label)}.{_UNCOVERED_TLD}"
    live = data.draw(st.permutations([*covered, stray]))
    note = _only(safety_notes(PolicyState(None, None), _state(policy), live), "enforce-uncovered-mx")
    assert note.level == "danger"
    assert stray in note.message
    assert all(host not in note.message for host in covered if host != stray)


@given(policies(), st.data())
def test_no_uncovered_note_when_every_live_mx_is_covered_or_mode_is_not_enforce(
    policy: Policy, data: st.DataObject
) -> None:
    if policy.mode == "enforce":
        live = [_host_for(p) for p in data.draw(st.lists(st.sampled_from(policy.mx), max_size=4))]
    else:
        live = [f"mx.{_UNCOVERED_TLD}"]
    notes = safety_notes(PolicyState(None, None), _state(policy), live)
    assert "enforce-uncovered-mx" not in _codes(notes)


# ------------------------------------------------------------------ mx-pattern-removed-live


@given(s.mx_list.filter(lambda mx: len(mx) >= 2), live_modes, s.max_age, st.data())
def test_removing_a_pattern_that_covers_a_live_mx(mx: list[str], mode: str, max_age: int, data: st.DataObject) -> None:
    old = Policy.build(mode, mx, max_age)
    removed = data.draw(st.sampled_from(old.mx))
    kept = [p for p in old.mx if p != removed]
    new = Policy.build(mode, kept, max_age)
    host = _host_for(removed)
    assume(not any(_host_for(p) == host for p in kept))
    notes = safety_notes(_state(old), _state(new), [host])
    note = _only(notes, "mx-pattern-removed-live")
    assert removed in note.message
    still_covered = matches(host, new.mx)
    expected = "info" if still_covered else ("danger" if mode == "enforce" else "warning")
    assert note.level == expected


@given(s.mx_list, live_modes, s.max_age, st.lists(s.pattern, max_size=2))
def test_no_removed_pattern_note_when_patterns_are_kept_or_cover_no_live_mx(
    mx: list[str], mode: str, max_age: int, added: list[str]
) -> None:
    old = Policy.build(mode, mx, max_age)
    grown = Policy.build(mode, [*mx, *added], max_age)
    live = [_host_for(p) for p in old.mx]
    assert "mx-pattern-removed-live" not in _codes(safety_notes(_state(old), _state(grown), live))
    # every pattern replaced, but no live MX was covered by the old ones
    other = Policy.build(mode, [f"mx.{_UNCOVERED_TLD}"], max_age)
    notes = safety_notes(_state(old), _state(other), [f"mx.{_UNCOVERED_TLD}"])
    assert "mx-pattern-removed-live" not in _codes(notes)


def test_a_removed_pattern_still_covered_by_another_is_only_info() -> None:
    old = Policy.build("enforce", ["mx1.example.net", "*.example.net"], 86401)
    new = Policy.build("enforce", ["*.example.net"], 86401)
    note = _only(safety_notes(_state(old), _state(new), ["mx1.example.net"]), "mx-pattern-removed-live")
    assert note.level == "info"


# ------------------------------------------------------------------ live-mx-unknown


@given(policies(live_modes))
def test_unknown_live_mx_is_said_when_coverage_matters(policy: Policy) -> None:
    notes = _codes(safety_notes(PolicyState(None, None), _state(policy), None))
    assert ("live-mx-unknown" in notes) is (policy.mode == "enforce")
    assert "enforce-uncovered-mx" not in notes


# ------------------------------------------------------------------ id / body


@given(policies(), ids, ids)
def test_id_change_without_body_change(policy: Policy, old_id: str, new_id: str) -> None:
    notes = safety_notes(_state(policy, old_id), _state(policy, new_id), None)
    assert ("id-without-body-change" in _codes(notes)) is (old_id != new_id)
    assert "body-without-id-change" not in _codes(notes)
    if old_id != new_id:
        assert _only(notes, "id-without-body-change").level == "info"


@given(policies(), policies(), ids)
def test_body_change_without_id_change(old: Policy, new: Policy, same_id: str) -> None:
    assume(old.render() != new.render())
    notes = safety_notes(_state(old, same_id), _state(new, same_id), None)
    note = _only(notes, "body-without-id-change")
    assert note.level == "warning"
    assert "id-without-body-change" not in _codes(notes)
    rolled = safety_notes(_state(old), _state(new), None)
    assert "body-without-id-change" not in _codes(rolled)


@given(policies(), ids)
def test_a_reformatted_body_under_the_same_id_is_only_info(policy: Policy, same_id: str) -> None:
    lf_text = policy.render().replace("\r\n", "\n")
    notes = safety_notes(PolicyState(lf_text, same_id), _state(policy, same_id), None)
    assert _only(notes, "body-without-id-change").level == "info"


# ------------------------------------------------------------------ retirement


@given(policies(live_modes), s.max_age)
def test_retirement_says_how_long_senders_keep_the_old_policy(old: Policy, new_age: int) -> None:
    new = Policy.build("none", (), new_age)
    note = _only(safety_notes(_state(old), _state(new), [_host_for(old.mx[0])]), "retirement")
    assert note.level == "warning"
    assert describe_seconds(old.max_age) in note.message
    assert f"mode {old.mode}" in note.message


@given(s.max_age, s.max_age)
def test_no_retirement_note_when_already_retired_and_unknown_age_when_no_old_policy(old_age: int, new_age: int) -> None:
    old, new = Policy.build("none", (), old_age), Policy.build("none", (), new_age)
    assert "retirement" not in _codes(safety_notes(_state(old), _state(new), []))
    fresh = _only(safety_notes(PolicyState(None, None), _state(new), []), "retirement")
    assert "max_age" in fresh.message


@given(policies(live_modes))
def test_no_retirement_note_while_a_policy_stays_active(policy: Policy) -> None:
    assert "retirement" not in _codes(safety_notes(_state(policy), _state(policy), None))


# ------------------------------------------------------------------ removal-without-retirement


@given(policies())
def test_removing_an_active_policy_without_retiring_it(old: Policy) -> None:
    notes = _codes(safety_notes(_state(old), PolicyState(None, None), None))
    assert ("removal-without-retirement" in notes) is (old.mode != "none")


# ------------------------------------------------------------------ max_age


@given(policies(), s.max_age)
def test_max_age_lowered_or_raised(old: Policy, new_age: int) -> None:
    new = Policy.build(old.mode, old.mx, new_age, dict(old.extensions))
    codes = _codes(safety_notes(_state(old), _state(new), [_host_for(p) for p in old.mx]))
    assert ("max-age-lowered" in codes) is (new_age < old.max_age)
    assert ("max-age-raised" in codes) is (new_age > old.max_age)
    if new_age != old.max_age:
        note = _only(
            safety_notes(_state(old), _state(new), None),
            "max-age-lowered" if new_age < old.max_age else "max-age-raised",
        )
        assert describe_seconds(old.max_age) in note.message
        assert describe_seconds(new_age) in note.message


# ------------------------------------------------------------------ the whole


@given(policies(), st.data())
def test_no_change_with_covered_mx_gives_no_note(policy: Policy, data: st.DataObject) -> None:
    live = [_host_for(p) for p in data.draw(st.lists(st.sampled_from(policy.mx), max_size=3))] if policy.mx else []
    assert safety_notes(_state(policy), _state(policy), live) == ()


@given(
    st.one_of(st.none(), policies()),
    st.one_of(st.none(), policies()),
    st.one_of(st.none(), ids),
    st.one_of(st.none(), ids),
    st.one_of(st.none(), st.lists(st.one_of(s.hostname, st.just(f"mx.{_UNCOVERED_TLD}")), max_size=3)),
)
def test_notes_are_ordered_by_level_and_well_formed(
    old: Policy | None, new: Policy | None, old_id: str | None, new_id: str | None, live: list[str] | None
) -> None:
    notes = safety_notes(_state(old, old_id), _state(new, new_id), live)
    levels = [LEVELS.index(note.level) for note in notes]
    assert levels == sorted(levels)
    for note in notes:
        assert note.message.strip() and "\n" not in note.message
        assert note.as_json() == {"code": note.code, "level": note.level, "message": note.message}


def test_unusable_policy_text_counts_as_no_policy() -> None:
    new = Policy.build("none", (), 86401)
    note = _only(safety_notes(PolicyState("garbage", "abc"), _state(new), None), "retirement")
    assert "any policy they cached" in note.message


def test_describe_seconds() -> None:
    assert describe_seconds(0) == "0 seconds"
    assert describe_seconds(1) == "1 second"
    assert describe_seconds(604800) == "604800 seconds (7 days)"
    assert describe_seconds(86401) == "86401 seconds (about 1 day)"
    assert describe_seconds(31_557_600) == "31557600 seconds (1 year)"
    assert describe_seconds(5400) == "5400 seconds (1.5 hours)"
