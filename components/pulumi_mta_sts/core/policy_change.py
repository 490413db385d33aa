"""What a change of policy means for senders (RFC 8461: caching by ``max_age``, refetch on a new id,
``enforce`` refusing uncovered MX hosts, ``mode: none`` retiring): ``plan`` and ``preview-diff`` both
ask :func:`safety_notes`, so both warn alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .matching import matches, uncovered
from .policy import Policy, parse_policy

Level = Literal["danger", "warning", "info"]
#: The levels, most serious first (the order notes are listed in).
LEVELS: Final[tuple[Level, ...]] = ("danger", "warning", "info")


@dataclass(frozen=True)
class PolicyState:
    """A policy as senders see it: its body and the ``_mta-sts`` id (``None``: none, or unknown)."""

    text: str | None
    id: str | None


@dataclass(frozen=True)
class SafetyNote:
    """One thing a reviewer must know: a stable ``code``, what changes, what senders do, the fix."""

    code: str
    level: Level
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "level": self.level, "message": self.message}


#: Units for reading a number of seconds; a year is the RFC 8461 limit of max_age (365.25 days).
_UNITS: Final = ((31_557_600, "year"), (86400, "day"), (3600, "hour"), (60, "minute"))


def describe_seconds(seconds: int) -> str:
    """``604800`` → ``"604800 seconds (7 days)"`` (``about`` when one decimal is not exact)."""
    for size, unit in _UNITS:
        if seconds >= size:
            amount = round(seconds / size, 1)
            shown = f"{amount:g}"
            about = "" if amount * size == seconds else "about "
            return f"{seconds} seconds ({about}{shown} {unit}{'' if shown == '1' else 's'})"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _policy(state: PolicyState) -> Policy | None:
    return None if state.text is None else parse_policy(state.text).policy


@dataclass(frozen=True)
class _Change:
    old: PolicyState
    new: PolicyState
    old_policy: Policy | None
    new_policy: Policy | None
    live_mx: tuple[str, ...] | None


def _enforce_uncovered_mx(change: _Change) -> list[SafetyNote]:
    new = change.new_policy
    if new is None or new.mode != "enforce" or not change.live_mx:
        return []
    missing = uncovered(change.live_mx, new.mx)
    message = (
        f"The new policy enforces MTA-STS, but the live MX host(s) {', '.join(missing)} match no mx "
        "pattern: senders that apply it will refuse to deliver mail there. Add a pattern covering "
        "them (or stay in mode testing) before merging."
    )
    return [SafetyNote("enforce-uncovered-mx", "danger", message)] if missing else []


def _removed_pattern_note(pattern: str, hosts: list[str], new: Policy) -> SafetyNote:
    lost = uncovered(hosts, new.mx)
    if not lost:
        message = (
            f"The mx pattern {pattern} is removed; it covers the live MX host(s) {', '.join(hosts)}, "
            "which another pattern of the new policy still covers: no sender changes where it delivers."
        )
        return SafetyNote("mx-pattern-removed-live", "info", message)
    enforce = new.mode == "enforce"
    effect = (
        "senders that apply the new policy will refuse to deliver mail there"
        if enforce
        else "senders will report failed deliveries there (mode testing still delivers)"
    )
    message = (
        f"The mx pattern {pattern} is removed, but it covers the live MX host(s) {', '.join(lost)}, "
        f"which no pattern of the new policy covers: {effect}. Keep the pattern until those hosts "
        "leave the MX record set."
    )
    return SafetyNote("mx-pattern-removed-live", "danger" if enforce else "warning", message)


def _mx_pattern_removed_live(change: _Change) -> list[SafetyNote]:
    old, new, live = change.old_policy, change.new_policy, change.live_mx
    if old is None or new is None or new.mode == "none" or not live:
        return []
    removed = [
        (pattern, [host for host in live if matches(host, [pattern])]) for pattern in old.mx if pattern not in new.mx
    ]
    return [_removed_pattern_note(pattern, hosts, new) for pattern, hosts in removed if hosts]


def _live_mx_unknown(change: _Change) -> list[SafetyNote]:
    new, old = change.new_policy, change.old_policy
    if change.live_mx is not None or new is None or new.mode == "none":
        return []
    removed = old is not None and any(pattern not in new.mx for pattern in old.mx)
    message = (
        "The live MX hosts are not known (not looked up, or DNS did not answer), so whether the new "
        "mx patterns cover them was not checked. Run 'mta-sts check' on the domain (or plan with live "
        "DNS) before merging."
    )
    return [SafetyNote("live-mx-unknown", "info", message)] if new.mode == "enforce" or removed else []


def _id_or_body_alone(change: _Change) -> list[SafetyNote]:
    old, new = change.old, change.new
    if None in (old.text, new.text, old.id, new.id) or (old.text == new.text) == (old.id == new.id):
        return []
    if old.text == new.text:
        message = (
            f"The _mta-sts id changes ({old.id} → {new.id}) but the policy body does not: every sender "
            "refetches the same policy. Harmless, but no edit of the policy is behind it."
        )
        return [SafetyNote("id-without-body-change", "info", message)]
    same_rules = change.old_policy is not None and change.old_policy == change.new_policy
    detail = (
        "only its formatting differs, so senders apply the same rules either way"
        if same_rules
        else "senders that cached the old policy keep applying it until its max_age runs out"
    )
    message = (
        f"The policy body changes but the _mta-sts id stays {new.id}: senders only refetch when the "
        f"id changes, and {detail}. Change the id with the body (the toolkit derives it from the body)."
    )
    return [SafetyNote("body-without-id-change", "info" if same_rules else "warning", message)]


def _retirement(change: _Change) -> list[SafetyNote]:
    old, new = change.old_policy, change.new_policy
    if new is None or new.mode != "none" or (old is not None and old.mode == "none"):
        return []
    if old is None:
        kept, wait = "any policy they cached before, for that policy's max_age", "that max_age"
    else:
        kept = f"the old policy (mode {old.mode}) for up to its max_age of {describe_seconds(old.max_age)}"
        wait = describe_seconds(old.max_age)
    message = (
        f"mode: none retires MTA-STS. Senders that fetch the new policy drop it; senders that do not "
        f"look again keep {kept}. Keep the mode none policy and its record published for at least "
        f"{wait} before removing them, and keep every MX host covered until then."
    )
    return [SafetyNote("retirement", "warning", message)]


def _removal_without_retirement(change: _Change) -> list[SafetyNote]:
    old = change.old_policy
    if change.new.text is not None or change.new.id is not None or old is None or old.mode == "none":
        return []
    message = (
        f"The policy and its _mta-sts record are removed while senders hold the old policy (mode "
        f"{old.mode}): they keep applying it for up to {describe_seconds(old.max_age)}. Publish mode: "
        "none with a new id first, wait that long, then remove them (RFC 8461 §8.3)."
    )
    return [SafetyNote("removal-without-retirement", "warning", message)]


def _max_age_change(change: _Change) -> list[SafetyNote]:
    old, new = change.old_policy, change.new_policy
    if old is None or new is None or old.max_age == new.max_age:
        return []
    moved = f"from {describe_seconds(old.max_age)} to {describe_seconds(new.max_age)}"
    if new.max_age < old.max_age:
        message = (
            f"max_age is lowered {moved}: senders refresh the policy more often; those that cached the old one "
            "keep it for up to the old max_age."
        )
        return [SafetyNote("max-age-lowered", "info", message)]
    message = (
        f"max_age is raised {moved}: senders keep this policy longer, so a later mistake (an MX host left "
        "uncovered) also lasts longer. Raise it only once reports show every sender succeeds."
    )
    return [SafetyNote("max-age-raised", "info", message)]


_RULES: Final[tuple[Callable[[_Change], list[SafetyNote]], ...]] = (
    _enforce_uncovered_mx,
    _mx_pattern_removed_live,
    _live_mx_unknown,
    _id_or_body_alone,
    _retirement,
    _removal_without_retirement,
    _max_age_change,
)


def safety_notes(old: PolicyState, new: PolicyState, live_mx: Sequence[str] | None) -> tuple[SafetyNote, ...]:
    """The notes for moving senders from ``old`` to ``new``, most serious first (``live_mx`` ``None``: unknown)."""
    change = _Change(old, new, _policy(old), _policy(new), None if live_mx is None else tuple(live_mx))
    notes = [note for rule in _RULES for note in rule(change)]
    return tuple(sorted(notes, key=lambda note: LEVELS.index(note.level)))
