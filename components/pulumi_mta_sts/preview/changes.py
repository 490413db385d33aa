"""What a preview changes for senders, as a :class:`~pulumi_mta_sts.change.model.ChangeSet`. The
policy's text comes from what holds it (``PolicyLive``, the S3 object, the Worker's ``POLICY``), its
id from the ``_mta-sts`` record, else ``PolicyLive``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Final

from pulumi_mta_sts.change.model import (
    KNOWN_AFTER_DEPLOY,
    MARKS,
    PREVIEW,
    ChangeSet,
    PolicyChange,
    RecordChange,
    Status,
)
from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH
from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.core.policy_change import PolicyState, SafetyNote, safety_notes
from pulumi_mta_sts.core.record_resources import RECORD_TYPE_TOKENS, record_rows
from pulumi_mta_sts.core.records import parse_sts_records

from .document import BOUNDS, SECRET, UNKNOWN, PreviewDigest, ResourceState, Step

#: The ops of one replacement: the logical step and its two halves.
REPLACE_OPS: Final = frozenset({"replace", "create-replacement", "delete-replaced"})
#: Steps that change nothing in the cloud.
NO_CHANGE_OPS: Final = frozenset({"same", "read", "refresh", "diff"})
#: What an op does to a resource (any other changes it).
_STATUS: Final[Mapping[str, Status]] = {
    "create": "create",
    "replace": "replace",
    "delete": "delete",
    "discard": "delete",
    "import": "import",
    **dict.fromkeys(NO_CHANGE_OPS, "unchanged"),
}
POLICY_LIVE: Final = "pulumi-python:dynamic/mtasts:PolicyLive"
_S3_OBJECTS: Final = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject")
_WORKER_SCRIPTS: Final = ("cloudflare:index/workersScript:WorkersScript", "cloudflare:index/workerScript:WorkerScript")
_POLICY_LINE: Final = re.compile(r"^const POLICY = (\".*\");$", re.MULTILINE)
_POLICY_URL: Final = re.compile(r"https://mta-sts\.([^/]+)/\.well-known/mta-sts\.txt")
_STS: Final = "_mta-sts."


def known(value: Any) -> Any:
    if isinstance(value, str):
        return KNOWN_AFTER_DEPLOY if value == UNKNOWN else value
    if isinstance(value, list):
        return [known(v) for v in value]
    if isinstance(value, dict):
        return {k: known(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ResourceChange:
    """One resource's change: ``op`` the logical op (a replacement's halves: ``replace``)."""

    urn: str
    name: str
    type: str
    op: str
    ops: tuple[str, ...]
    old: ResourceState | None
    new: ResourceState | None
    changed: tuple[str, ...] = ()
    replace_reasons: tuple[str, ...] = ()

    def rows(self, which: str) -> list[dict[str, str]] | None:
        return self._rows[which]

    def state(self, which: str) -> ResourceState | None:
        return self.old if which == "old" else self.new

    @cached_property
    def _rows(self) -> dict[str, list[dict[str, str]] | None]:
        states = {"old": self.old, "new": self.new}
        return {
            k: None if s is None else record_rows(self.type, known({**s.outputs, **s.inputs}))
            for k, s in states.items()
        }

    def record_part(self, key: str, missing: str) -> str:
        found = [rows[0][key] for rows in (self.rows("old"), self.rows("new")) if rows and rows[0][key]]
        if len(found) == 2 and found[0] != found[1]:
            return f"{found[0]} → {found[1]}"
        return found[-1] if found else missing

    @property
    def status(self) -> Status:
        return _STATUS.get(self.op, "change")

    def label(self) -> str:
        reasons = f" ({', '.join(self.replace_reasons)})" if self.op == "replace" and self.replace_reasons else ""
        return f"{MARKS[self.status]} {self.op}{reasons}"


def group_steps(steps: Iterable[Step]) -> list[ResourceChange]:
    by_urn: dict[str, list[Step]] = {}
    for step in steps:
        by_urn.setdefault(step.urn, []).append(step)
    return [_change(urn, group) for urn, group in by_urn.items()]


def _change(urn: str, group: Sequence[Step]) -> ResourceChange:
    """The new state is never a ``delete-replaced``'s."""
    ops = tuple(step.op for step in group)
    logical = "replace" if REPLACE_OPS & set(ops) else ops[-1]
    first = next((s for s in group if s.op == logical), group[-1])
    ordered = [first, *(s for s in group if s is not first)]
    old = next((s.old for s in ordered if s.old is not None), None)
    new = next((s.new for s in ordered if s.new is not None and s.op != "delete-replaced"), None)
    if logical in ("delete", "discard"):
        new = None
    changed = tuple(dict.fromkeys(p for s in ordered for p in (s.detailed_diff or {}) or s.diff_reasons))
    reasons = tuple(dict.fromkeys(r for s in ordered for r in s.replace_reasons))
    return ResourceChange(urn, first.name, first.type, logical, ops, old, new, changed, reasons)


def record_change(change: ResourceChange) -> RecordChange:
    def values(which: str) -> list[str] | None:
        rows = change.rows(which)
        return None if rows is None else [row["value"] for row in rows]

    name, rtype = change.record_part("name", change.name), change.record_part("type", "?")
    return RecordChange(name, rtype, values("new"), change.status, values("old"))


def _worker_policy(script: object) -> str | None:
    found = _POLICY_LINE.search(script) if isinstance(script, str) else None
    try:
        text = load_bounded_json(found.group(1), BOUNDS) if found else None
    except JsonInputError:
        return None
    return text if isinstance(text, str) else None


def _is_policy_object(change: ResourceChange, state: ResourceState | None) -> bool:
    """An S3 policy object or a Worker script, even when its content is hidden ([secret])."""
    if state is None:
        return False
    if change.type in _S3_OBJECTS:
        return bool(state.value("key") == WELL_KNOWN_PATH.lstrip("/"))
    return change.type in _WORKER_SCRIPTS


def policy_text_of(change: ResourceChange, state: ResourceState | None) -> str | None:
    text: object = None
    if state is not None and change.type == POLICY_LIVE:
        text = state.value("policy_text")
    elif _is_policy_object(change, state) and state is not None:
        content = state.value("content")
        text = content if change.type in _S3_OBJECTS else _worker_policy(content)
    return text if isinstance(text, str) and text not in (SECRET, UNKNOWN) else None


def _policy_id(change: ResourceChange, which: str) -> str | None:
    if change.type == POLICY_LIVE:
        state = change.state(which)
        value = None if state is None else state.value("policy_id")
        return value if isinstance(value, str) and value not in (SECRET, UNKNOWN) else None
    for row in change.rows(which) or []:
        if row["name"].lower().startswith(_STS) and row["type"] == "TXT":
            record = parse_sts_records([row["value"]]).record
            if record is not None:
                return record.id
    return None


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v is not None), None)


def _for_preview(note: SafetyNote) -> SafetyNote:
    how = " With preview-diff: pass --mx HOST for each MX host the domain has today."
    return replace(note, message=note.message + how) if note.code == "live-mx-unknown" else note


def preview_policy(
    changes: Sequence[ResourceChange], holders: Sequence[ResourceChange], live_mx: Sequence[str] | None
) -> PolicyChange:
    records = [c for c in changes if c.type in RECORD_TYPE_TOKENS]
    gates = [c for c in changes if c.type == POLICY_LIVE]
    states = {
        which: PolicyState(
            _first(policy_text_of(c, c.state(which)) for c in holders),
            _first(_policy_id(c, which) for c in records) or _first(_policy_id(c, which) for c in gates),
        )
        for which in ("old", "new")
    }
    hidden = any(
        states[which].text is None
        and _is_policy_object(c, c.state(which))
        and policy_text_of(c, c.state(which)) is None
        for c in holders
        for which in ("old", "new")
    )
    notes = tuple(_for_preview(n) for n in safety_notes(states["old"], states["new"], live_mx))
    held = ", ".join(f"{c.name} ({c.label()})" for c in holders)
    return PolicyChange(
        mail_domain(changes),
        states["new"],
        states["old"],
        notes=notes,
        remarks=(("held by", held),) if held else (),
        hidden=hidden,
        labels=("policy now", "policy after"),
    )


def mail_domain(digest: PreviewDigest | Sequence[ResourceChange]) -> str | None:
    changes = group_steps(digest.steps) if isinstance(digest, PreviewDigest) else digest
    for change in changes:
        for rows in (change.rows("new"), change.rows("old")):
            for row in rows or []:
                name = row["name"].lower().rstrip(".")
                if name.startswith(_STS) and row["type"] == "TXT":
                    return name.removeprefix(_STS)
    for change in (c for c in changes if c.type == POLICY_LIVE):
        for state in (change.new, change.old):
            url = state.value("url") if state is not None else None
            found = _POLICY_URL.fullmatch(url) if isinstance(url, str) else None
            if found:
                return found.group(1).lower()
    return None


@dataclass(frozen=True)
class PreviewSummary:
    digest: PreviewDigest
    dns: tuple[ResourceChange, ...]
    dns_unchanged: tuple[ResourceChange, ...]
    policy: PolicyChange
    holders: tuple[ResourceChange, ...]
    change: ChangeSet
    other: tuple[ResourceChange, ...]
    other_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.digest.diagnostics)

    @property
    def notes(self) -> tuple[SafetyNote, ...]:
        return tuple(note for _, note in self.change.notes)


def summarise(digest: PreviewDigest, live_mx: Sequence[str] | None = None) -> PreviewSummary:
    changes = group_steps(digest.steps)
    dns = [c for c in changes if c.type in RECORD_TYPE_TOKENS]
    holders = tuple(
        c for c in changes if any(policy_text_of(c, s) is not None or _is_policy_object(c, s) for s in (c.old, c.new))
    )
    policy = preview_policy(changes, holders, live_mx)
    apart = {id(c) for c in (*dns, *holders)}  # by identity: equality would compare whole states
    # a resource that changes nothing is no "other change" (Pulumi's changeSummary counts it)
    other = [c for c in changes if id(c) not in apart and c.type != "pulumi:pulumi:Stack" and c.op not in NO_CHANGE_OPS]
    moved = tuple(c for c in dns if c.op not in NO_CHANGE_OPS)
    same = tuple(c for c in dns if c.op in NO_CHANGE_OPS)
    policies = [policy] if policy.old != policy.new else []
    change_set = ChangeSet([record_change(c) for c in (*moved, *same)], policies, source=PREVIEW)
    return PreviewSummary(
        digest, moved, same, policy, holders, change_set, tuple(other), dict(Counter(c.op for c in other))
    )
