"""A change as a reviewer reads it: record sets and policies (with safety notes) before → after, where
"before" is live DNS (``mta-sts plan``) or the stack's state (``preview-diff``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

from pulumi_mta_sts.core.policy_change import PolicyState, SafetyNote
from pulumi_mta_sts.core.records import policy_url

#: How a value only the cloud knows is shown (``preview-diff`` turns Pulumi's placeholder into it).
KNOWN_AFTER_DEPLOY: Final = "(known after deploy)"
LINE_ENDS_ONLY: Final = "(only the line ends differ: senders read the same policy)"

Status = Literal["create", "change", "unchanged", "unknown", "replace", "delete", "import"]
#: The statuses a plan gives (``unknown``: known only after deploy); its counts always say them.
STATUSES: Final[tuple[Status, ...]] = ("create", "change", "unchanged", "unknown")
#: Each status's mark (Pulumi's symbol) and how a count of it reads, in the order counts say them.
_STATUS_TABLE: Final[tuple[tuple[Status, str, str], ...]] = (
    ("create", "+", "to create"),
    ("change", "~", "to change"),
    ("unchanged", "=", "unchanged"),
    ("unknown", "?", "known only after deploy"),
    ("replace", "+-", "to replace"),
    ("delete", "-", "to delete"),
    ("import", "=", "to import"),
)
STATUS_WORDS: Final[tuple[tuple[Status, str], ...]] = tuple((s, words) for s, _, words in _STATUS_TABLE)
MARKS: Final[dict[Status | None, str]] = {None: " ", **{s: mark for s, mark, _ in _STATUS_TABLE}}


class Source(NamedTuple):
    """Who computed a change (its ``--format json`` lists what a comment left out) and what "before" is."""

    command: str
    basis: str


PLAN: Final = Source("mta-sts plan", "compared with live DNS")
PREVIEW: Final = Source("mta-sts preview-diff", "compared with the stack's state")


@dataclass
class RecordChange:
    """One record set (a preview: one record resource); ``None`` values: none, or not compared."""

    name: str
    type: str
    new: list[str] | None
    status: Status | None = None
    old: list[str] | None = None


@dataclass
class PolicyChange:
    """One domain's policy; ``problem``: why there is none before; ``remarks``: (label, value)."""

    domain: str | None
    new: PolicyState
    old: PolicyState | None = None
    problem: str | None = None
    live_mx: tuple[str, ...] | None = None
    notes: tuple[SafetyNote, ...] = ()
    remarks: tuple[tuple[str, str], ...] = ()
    hidden: bool = False
    labels: tuple[str, str] = ("served today", "after deploy")

    @property
    def url(self) -> str | None:
        return policy_url(self.domain) if self.domain else None

    @property
    def id_rolls(self) -> bool | None:
        if self.old is None or self.new.id is None:
            return None
        return self.old.id != self.new.id

    def diff_lines(self) -> list[str] | None:
        """The unified diff, line ends read as senders read them (``[]``: the same; ``None``: none)."""
        if self.old is None or self.hidden or (self.old.text is None and self.new.text is None):
            return None
        old, new = _body_lines(self.old.text), _body_lines(self.new.text)
        if old == new and self.old.text is not None and self.old.text != self.new.text:
            return [LINE_ENDS_ONLY]
        return list(difflib.unified_diff(old, new, *self.labels, lineterm="", n=8))


def state_json(state: PolicyState | None) -> dict[str, str | None] | None:
    return None if state is None else {"text": state.text, "id": state.id}


def _body_lines(text: str | None) -> list[str]:
    lines = (text or "").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


@dataclass
class ChangeSet:
    records: list[RecordChange]
    policies: list[PolicyChange]
    compared: bool = True
    reason: str | None = None
    source: Source = field(default=PLAN)

    def record_for(self, name: str, rtype: str) -> RecordChange | None:
        return next((r for r in self.records if (r.name, r.type) == (name, rtype)), None)

    def counts(self) -> dict[Status, int]:
        counts = {status: sum(r.status == status for r in self.records) for status, _ in STATUS_WORDS}
        return {status: n for status, n in counts.items() if n or status in STATUSES}

    @property
    def notes(self) -> list[tuple[str | None, SafetyNote]]:
        return [(p.domain, note) for p in self.policies for note in p.notes]

    @property
    def several_domains(self) -> bool:
        """Whether the notes say each one's domain."""
        return len(self.policies) > 1 or len({domain for domain, _ in self.notes}) > 1
