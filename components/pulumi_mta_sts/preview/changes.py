"""What a preview changes for senders: DNS records, the policy, and the rest as counts.

A resource can appear as several steps (``replace`` with its ``create-replacement`` and
``delete-replaced`` halves under ``--show-replacement-steps``; a refresh result before the
change): steps are grouped by URN into one :class:`Change`. The policy's old and new text come
from the resources that hold it — ``PolicyLive`` (``policy_text``, ``policy_id``), the S3 object
at ``.well-known/mta-sts.txt`` (``content``), the Worker's script (its ``POLICY`` constant,
:func:`pulumi_mta_sts.hosting.edge_code.worker_module` writes it as a JSON string) — and the
id from the ``_mta-sts`` TXT record; then :func:`~pulumi_mta_sts.core.policy_change.safety_notes`
says what the change means, as ``mta-sts plan`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH
from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.core.policy_change import PolicyState, SafetyNote, safety_notes
from pulumi_mta_sts.core.record_resources import RECORD_TYPE_TOKENS, record_rows
from pulumi_mta_sts.core.records import parse_sts_records

from .digest import BOUNDS, SECRET, UNKNOWN, PreviewDigest, ResourceState, Step

__all__ = ["KNOWN_AFTER_DEPLOY", "REPLACE_OPS", "Change", "PolicyChange", "PreviewSummary", "mail_domain", "summarise"]

#: How a value only known after deploy is shown (as ``mta-sts plan`` shows it).
KNOWN_AFTER_DEPLOY: Final = "(known after deploy)"
#: The ops of one replacement: the logical step and its two halves.
REPLACE_OPS: Final = frozenset({"replace", "create-replacement", "delete-replaced"})
#: Steps that change nothing in the cloud.
NO_CHANGE_OPS: Final = frozenset({"same", "read", "refresh", "diff"})
POLICY_LIVE: Final = "pulumi-python:dynamic/mtasts:PolicyLive"
S3_OBJECT: Final = "aws:s3/bucketObjectv2:BucketObjectv2"
S3_OBJECT_V1: Final = "aws:s3/bucketObject:BucketObject"
WORKER_SCRIPT: Final = "cloudflare:index/workersScript:WorkersScript"
WORKER_SCRIPT_V5: Final = "cloudflare:index/workerScript:WorkerScript"
_POLICY_LINE: Final = re.compile(r"^const POLICY = (\".*\");$", re.MULTILINE)


def known(value: Any) -> Any:
    """``value`` with every unknown placeholder replaced by :data:`KNOWN_AFTER_DEPLOY`."""
    if isinstance(value, str):
        return KNOWN_AFTER_DEPLOY if value == UNKNOWN else value
    if isinstance(value, list):
        return [known(v) for v in value]
    if isinstance(value, dict):
        return {k: known(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Change:
    """One resource's change: ``op`` is the logical op (``replace`` for a replacement and its
    halves), ``ops`` every op seen for it, ``old``/``new`` its states (``None`` when absent)."""

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
        """The DNS records of the old or new state (``None``: no such state)."""
        return self._old_rows if which == "old" else self._new_rows

    def _rows_of(self, state: ResourceState | None) -> list[dict[str, str]] | None:
        if state is None:
            return None
        return record_rows(self.type, known({**state.outputs, **state.inputs}))

    @cached_property
    def _old_rows(self) -> list[dict[str, str]] | None:  # read once: the renderers ask many times
        return self._rows_of(self.old)

    @cached_property
    def _new_rows(self) -> list[dict[str, str]] | None:
        return self._rows_of(self.new)


def group_steps(steps: Iterable[Step]) -> list[Change]:
    """The steps grouped by URN, in the order each resource first appears."""
    by_urn: dict[str, list[Step]] = {}
    for step in steps:
        by_urn.setdefault(step.urn, []).append(step)
    return [_change(urn, group) for urn, group in by_urn.items()]


def _change(urn: str, group: Sequence[Step]) -> Change:
    """One resource's steps as one change: a replacement's halves fold into ``replace``; the old
    state is the first step's that has one, the new state never a ``delete-replaced``'s."""
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
    return Change(urn, first.name, first.type, logical, ops, old, new, changed, reasons)


# ---- the policy ---------------------------------------------------------------------------------
def _worker_policy(script: object) -> str | None:
    """The ``POLICY`` constant of a Worker script (a JSON string literal on its own line)."""
    if not isinstance(script, str):
        return None
    found = _POLICY_LINE.search(script)
    if found is None:
        return None
    try:
        text = load_bounded_json(found.group(1), BOUNDS)
    except JsonInputError:
        return None
    return text if isinstance(text, str) else None


def policy_text_of(type_token: str, state: ResourceState | None) -> str | None:
    """The policy body a resource holds, if it is one that holds it and the value is readable."""
    if state is None:
        return None
    text: object = None
    if type_token == POLICY_LIVE:
        text = state.value("policy_text")
    elif type_token in (S3_OBJECT, S3_OBJECT_V1) and state.value("key") == WELL_KNOWN_PATH.lstrip("/"):
        text = state.value("content")
    elif type_token in (WORKER_SCRIPT, WORKER_SCRIPT_V5):
        text = _worker_policy(state.value("content"))
    if not isinstance(text, str) or text in (SECRET, UNKNOWN):
        return None
    return text


def holds_policy(change: Change) -> bool:
    """Whether the resource holds the policy body (readable or hidden)."""
    return any(
        policy_text_of(change.type, s) is not None or _is_policy_object(change, s) for s in (change.old, change.new)
    )


def _is_policy_object(change: Change, state: ResourceState | None) -> bool:
    """An S3 policy object or a Worker script even when its content is hidden ([secret])."""
    if state is None:
        return False
    if change.type in (S3_OBJECT, S3_OBJECT_V1):
        return bool(state.value("key") == WELL_KNOWN_PATH.lstrip("/"))
    return change.type in (WORKER_SCRIPT, WORKER_SCRIPT_V5)


def _sts_id(change: Change, which: str) -> str | None:
    for row in change.rows(which) or []:
        if row["name"].lower().startswith("_mta-sts.") and row["type"] == "TXT":
            record = parse_sts_records([row["value"]]).record
            if record is not None:
                return record.id
    return None


@dataclass(frozen=True)
class PolicyChange:
    """The policy senders see before and after; ``objects`` the changes that hold it."""

    old: PolicyState
    new: PolicyState
    objects: tuple[Change, ...]
    hidden: bool = False  # a policy object's content is [secret]: the diff cannot be shown

    @property
    def changes(self) -> bool:
        return self.old != self.new


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v is not None), None)


def _gate_id(change: Change, which: str) -> str | None:
    """The id ``PolicyLive`` holds back until its body is served (when no TXT step shows it)."""
    state = change.old if which == "old" else change.new
    value = None if state is None else state.value("policy_id")
    return value if isinstance(value, str) and value not in (SECRET, UNKNOWN) else None


def policy_change(changes: Sequence[Change]) -> PolicyChange:
    """Old and new policy state from every change that holds the text or the id."""
    holders = tuple(c for c in changes if holds_policy(c))
    records = [c for c in changes if c.type in RECORD_TYPE_TOKENS]
    gates = [c for c in changes if c.type == POLICY_LIVE]
    states = {}
    for which in ("old", "new"):
        text = _first(policy_text_of(c.type, c.old if which == "old" else c.new) for c in holders)
        ident = _first(_sts_id(c, which) for c in records) or _first(_gate_id(c, which) for c in gates)
        states[which] = PolicyState(text, ident)
    hidden = any(
        states[which].text is None and _is_policy_object(c, state) and policy_text_of(c.type, state) is None
        for c in holders
        for which, state in (("old", c.old), ("new", c.new))
    )
    return PolicyChange(states["old"], states["new"], holders, hidden)


def mail_domain(digest: PreviewDigest) -> str | None:
    """The mail domain the preview is about: from its ``_mta-sts`` record, else from the policy
    URL ``PolicyLive`` checks (``https://mta-sts.<domain>/...``)."""
    changes = group_steps(digest.steps)
    for change in changes:
        for which in ("new", "old"):
            for row in change.rows(which) or []:
                name = row["name"].lower().rstrip(".")
                if name.startswith("_mta-sts.") and row["type"] == "TXT":
                    return name.removeprefix("_mta-sts.")
    for change in changes:
        for state in (change.new, change.old):
            url = state.value("url") if change.type == POLICY_LIVE and state is not None else None
            found = re.fullmatch(
                r"https://mta-sts\.([^/]+)/\.well-known/mta-sts\.txt", url if isinstance(url, str) else ""
            )
            if found:
                return found.group(1).lower()
    return None


# ---- the whole summary --------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewSummary:
    """Everything the renderers show, in the order they show it."""

    stack: str | None
    project: str | None
    digest: PreviewDigest
    dns: tuple[Change, ...]
    dns_unchanged: tuple[Change, ...]
    policy: PolicyChange
    notes: tuple[SafetyNote, ...]
    other: tuple[Change, ...]
    other_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.digest.errors)


def _is_root(change: Change) -> bool:
    return change.type == "pulumi:pulumi:Stack"


def _for_preview(note: SafetyNote) -> SafetyNote:
    """A note as ``preview-diff`` shows it: where the fix is to name the live MX hosts, say how."""
    if note.code != "live-mx-unknown":
        return note
    hint = " With preview-diff: pass --mx HOST for each MX host the domain has today."
    return SafetyNote(note.code, note.level, note.message + hint)


def summarise(digest: PreviewDigest, live_mx: Sequence[str] | None = None) -> PreviewSummary:
    """The DNS-focused summary of ``digest``; ``live_mx`` (the domain's MX hosts today, or
    ``None`` when unknown) makes the coverage notes precise."""
    changes = group_steps(digest.steps)
    dns = [c for c in changes if c.type in RECORD_TYPE_TOKENS]
    policy = policy_change(changes)
    notes = tuple(_for_preview(n) for n in safety_notes(policy.old, policy.new, live_mx)) if policy.changes else ()
    apart = {id(c) for c in (*dns, *policy.objects)}  # by identity: equality would compare whole states
    # A resource that changes nothing (``same`` under --show-sames, a ``read``/``refresh``) is no
    # "other change": neither listed nor counted (Pulumi's changeSummary still counts it).
    other = [c for c in changes if id(c) not in apart and not _is_root(c) and c.op not in NO_CHANGE_OPS]
    counts: dict[str, int] = {}
    for change in other:
        counts[change.op] = counts.get(change.op, 0) + 1
    return PreviewSummary(
        stack=digest.stack,
        project=digest.project,
        digest=digest,
        dns=tuple(c for c in dns if c.op not in NO_CHANGE_OPS),
        dns_unchanged=tuple(c for c in dns if c.op in NO_CHANGE_OPS),
        policy=policy,
        notes=notes,
        other=tuple(other),
        other_counts=counts,
    )
