"""What a change of policy means for senders: the safety notes a reviewer needs.

``mta-sts plan`` (the plan against live DNS) and ``mta-sts preview-diff`` (a ``pulumi preview``)
both describe a change as two :class:`PolicyState` values — the policy and ``_mta-sts`` id
senders see today, and the ones they will see after the deploy — and ask :func:`safety_notes`
what a reviewer must know before merging. One function, so both commands warn alike.

The notes follow RFC 8461: a sender caches a policy for its ``max_age`` (§3.2, §5.1) and
refetches it only when the ``_mta-sts`` id changes (§3.3); in ``enforce`` mode it refuses to
deliver to an MX host that no ``mx`` pattern covers (§4.1, §5); ``mode: none`` is how a domain
retires MTA-STS (§8.3). Pure: the policies are read with :func:`.policy.parse_policy`, MX hosts
matched with :mod:`.matching`.
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
    """A policy as senders see it: ``text`` the body (served today, or to be served), ``id`` the
    ``_mta-sts`` record's id. ``None`` means none (no policy, no record) or unknown."""

    text: str | None
    id: str | None


@dataclass(frozen=True)
class SafetyNote:
    """One thing a reviewer must know: ``code`` is a stable machine name, ``message`` says what
    changes, what senders do about it, and the fix."""

    code: str
    level: Level
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "level": self.level, "message": self.message}


#: Units for reading a number of seconds; a year is the RFC 8461 limit of max_age (365.25 days).
_UNITS: Final = ((31_557_600, "year"), (86400, "day"), (3600, "hour"), (60, "minute"))


def describe_seconds(seconds: int) -> str:
    """``604800`` → ``"604800 seconds (7 days)"``: the exact figure a policy holds, and a reading
    of it in the largest unit it reaches (``"about"`` when one decimal does not say it exactly)."""
    for size, unit in _UNITS:
        if seconds >= size:
            amount = round(seconds / size, 1)
            shown = f"{amount:g}"
            about = "" if amount * size == seconds else "about "
            return f"{seconds} seconds ({about}{shown} {unit}{'' if shown == '1' else 's'})"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _policy(state: PolicyState) -> Policy | None:
    """The policy a sender applies from ``state.text`` (``None``: none, unknown or unusable)."""
    if state.text is None:
        return None
    return parse_policy(state.text).policy


@dataclass(frozen=True)
class _Change:
    """The two states with their parsed policies and the live MX hosts (``None``: unknown)."""

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
    if not missing:
        return []
    return [
        SafetyNote(
            "enforce-uncovered-mx",
            "danger",
            f"The new policy enforces MTA-STS, but the live MX host(s) {', '.join(missing)} match no mx "
            "pattern: senders that apply it will refuse to deliver mail there. Add a pattern covering "
            "them (or stay in mode testing) before merging.",
        )
    ]


def _removed_pattern_note(pattern: str, hosts: list[str], change: _Change) -> SafetyNote:
    new = change.new_policy
    assert new is not None
    lost = uncovered(hosts, new.mx)
    if not lost:
        return SafetyNote(
            "mx-pattern-removed-live",
            "info",
            f"The mx pattern {pattern} is removed; it covers the live MX host(s) {', '.join(hosts)}, "
            "which another pattern of the new policy still covers: no sender changes where it delivers.",
        )
    level: Level = "danger" if new.mode == "enforce" else "warning"
    effect = (
        "senders that apply the new policy will refuse to deliver mail there"
        if new.mode == "enforce"
        else "senders will report failed deliveries there (mode testing still delivers)"
    )
    return SafetyNote(
        "mx-pattern-removed-live",
        level,
        f"The mx pattern {pattern} is removed, but it covers the live MX host(s) {', '.join(lost)}, "
        f"which no pattern of the new policy covers: {effect}. Keep the pattern until those hosts "
        "leave the MX record set.",
    )


def _mx_pattern_removed_live(change: _Change) -> list[SafetyNote]:
    old, new = change.old_policy, change.new_policy
    if old is None or new is None or new.mode == "none" or not change.live_mx:
        return []
    notes = []
    for pattern in old.mx:
        if pattern in new.mx:
            continue
        hosts = [host for host in change.live_mx if matches(host, [pattern])]
        if hosts:
            notes.append(_removed_pattern_note(pattern, hosts, change))
    return notes


def _live_mx_unknown(change: _Change) -> list[SafetyNote]:
    new, old = change.new_policy, change.old_policy
    if change.live_mx is not None or new is None or new.mode == "none":
        return []
    removed = old is not None and any(pattern not in new.mx for pattern in old.mx)
    if new.mode != "enforce" and not removed:
        return []
    return [
        SafetyNote(
            "live-mx-unknown",
            "info",
            "The live MX hosts are not known (not looked up, or DNS did not answer), so whether the new "
            "mx patterns cover them was not checked. Run 'mta-sts check' on the domain (or plan with live "
            "DNS) before merging.",
        )
    ]


def _id_without_body_change(change: _Change) -> list[SafetyNote]:
    old, new = change.old, change.new
    if None in (old.text, new.text, old.id, new.id) or old.text != new.text or old.id == new.id:
        return []
    return [
        SafetyNote(
            "id-without-body-change",
            "info",
            f"The _mta-sts id changes ({old.id} → {new.id}) but the policy body does not: every sender "
            "refetches the same policy. Harmless, but no edit of the policy is behind it.",
        )
    ]


def _body_without_id_change(change: _Change) -> list[SafetyNote]:
    old, new = change.old, change.new
    if None in (old.text, new.text, old.id, new.id) or old.text == new.text or old.id != new.id:
        return []
    same_rules = change.old_policy is not None and change.old_policy == change.new_policy
    level: Level = "info" if same_rules else "warning"
    detail = (
        "only its formatting differs, so senders apply the same rules either way"
        if same_rules
        else "senders that cached the old policy keep applying it until its max_age runs out"
    )
    return [
        SafetyNote(
            "body-without-id-change",
            level,
            f"The policy body changes but the _mta-sts id stays {new.id}: senders only refetch when the "
            f"id changes, and {detail}. Change the id with the body (the toolkit derives it from the body).",
        )
    ]


def _retirement(change: _Change) -> list[SafetyNote]:
    old, new = change.old_policy, change.new_policy
    if new is None or new.mode != "none" or (old is not None and old.mode == "none"):
        return []
    if old is None:
        kept = "any policy they cached before, for that policy's max_age"
        wait = "that max_age"
    else:
        kept = f"the old policy (mode {old.mode}) for up to its max_age of {describe_seconds(old.max_age)}"
        wait = describe_seconds(old.max_age)
    return [
        SafetyNote(
            "retirement",
            "warning",
            f"mode: none retires MTA-STS. Senders that fetch the new policy drop it; senders that do not "
            f"look again keep {kept}. Keep the mode none policy and its record published for at least "
            f"{wait} before removing them, and keep every MX host covered until then.",
        )
    ]


def _removal_without_retirement(change: _Change) -> list[SafetyNote]:
    old = change.old_policy
    if change.new.text is not None or change.new.id is not None or old is None or old.mode == "none":
        return []
    return [
        SafetyNote(
            "removal-without-retirement",
            "warning",
            f"The policy and its _mta-sts record are removed while senders hold the old policy (mode "
            f"{old.mode}): they keep applying it for up to {describe_seconds(old.max_age)}. Publish mode: "
            "none with a new id first, wait that long, then remove them (RFC 8461 §8.3).",
        )
    ]


def _max_age_change(change: _Change) -> list[SafetyNote]:
    old, new = change.old_policy, change.new_policy
    if old is None or new is None or old.max_age == new.max_age:
        return []
    if new.max_age < old.max_age:
        return [
            SafetyNote(
                "max-age-lowered",
                "info",
                f"max_age is lowered from {describe_seconds(old.max_age)} to {describe_seconds(new.max_age)}: "
                "senders refresh the policy more often; those that cached the old one keep it for up to "
                "the old max_age.",
            )
        ]
    return [
        SafetyNote(
            "max-age-raised",
            "info",
            f"max_age is raised from {describe_seconds(old.max_age)} to {describe_seconds(new.max_age)}: "
            "senders keep this policy longer, so a later mistake (an MX host left uncovered) also lasts "
            "longer. Raise it only once reports show every sender succeeds.",
        )
    ]


_RULES: Final[tuple[Callable[[_Change], list[SafetyNote]], ...]] = (
    _enforce_uncovered_mx,
    _mx_pattern_removed_live,
    _live_mx_unknown,
    _id_without_body_change,
    _body_without_id_change,
    _retirement,
    _removal_without_retirement,
    _max_age_change,
)


def safety_notes(old: PolicyState, new: PolicyState, live_mx: Sequence[str] | None) -> tuple[SafetyNote, ...]:
    """The notes for moving senders from ``old`` to ``new``, most serious first.

    ``live_mx``: the MX hosts the domain has today (``net.lookup.mail_hosts``), or ``None`` when
    unknown. A text that is no usable policy counts as no policy."""
    change = _Change(old, new, _policy(old), _policy(new), None if live_mx is None else tuple(live_mx))
    notes = [note for rule in _RULES for note in rule(change)]
    return tuple(sorted(notes, key=lambda note: LEVELS.index(note.level)))
