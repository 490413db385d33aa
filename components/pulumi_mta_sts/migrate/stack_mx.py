"""The stack-file side of a migration: the ``mx`` list of ``mta-sts:policy`` rewritten and the
migration's record kept in a comment line above that entry, every other byte as it was.

Entries are found with :func:`pulumi_mta_sts.config.stack_edit.config_entries` (the editor's rules: flow
``config:``, ``<<`` merges and the like are refused there); inside the policy entry only its ``mx`` entry
(the key and its list, written back as a block list) is replaced, by the same editor. The record is one
line, ``# mta-sts migrate: {...}`` (JSON), placed right above ``mta-sts:policy`` where no loader reads
it: a stack file with or without it deploys the same. Losing it only lengthens the wait (:mod:`.steps`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pulumi_mta_sts.config.stack_edit import ConfigEntry, EditRefused, config_entries, edit_config
from pulumi_mta_sts.core.bounded_json import load_bounded_json

from .steps import Record, stamp

POLICY_KEY = "mta-sts:policy"
RECORD_MARK = "# mta-sts migrate: "
_TIMES = ("seen", "switched")


def policy_entry(text: str, project: str | None) -> tuple[ConfigEntry, int]:
    """The ``mta-sts:policy`` entry and where the region of comments above it starts."""
    entries = config_entries(text, project)
    for index, entry in enumerate(entries):
        if entry.key == POLICY_KEY:
            return entry, entries[index - 1].end if index else entry.start
    raise EditRefused(f"has no {POLICY_KEY} entry; migrate edits that entry's mx list")


def _record_line(text: str, project: str | None) -> tuple[int, int, str] | None:
    """The record line's start, end and text, looked for between the previous entry and the policy."""
    entry, region = policy_entry(text, project)
    cursor = region
    for line in text[region : entry.start].splitlines(keepends=True):
        if line.strip().startswith(RECORD_MARK.strip()):
            return cursor, cursor + len(line), line
        cursor += len(line)
    return None


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _count(value: Any, low: int = 0) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= 2**31 else None


def read_record(text: str, project: str | None) -> Record | None:
    """The record of earlier runs; ``None`` when there is none or it does not read (then the wait restarts)."""
    found = _record_line(text, project)
    if found is None:
        return None
    try:
        data = load_bounded_json(found[2].strip()[len(RECORD_MARK.strip()) :])
    except ValueError:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(to := data.get("to"), list)
        or not all(isinstance(h, str) for h in to)
    ):
        return None
    before, before_id = _count(data.get("before_max_age")), data.get("before_id")
    return Record(
        tuple(to),
        before_max_age=before,
        before_id=before_id if isinstance(before_id, str) else None,
        widened_id=data["widened_id"] if isinstance(data.get("widened_id"), str) else None,
        seen=_moment(data.get("seen")),
        switched=_moment(data.get("switched")),
        txt_ttl=_count(data.get("txt_ttl")) or 0,
        mx_ttl=_count(data.get("mx_ttl")) or 0,
    )


def record_json(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {"to": list(record.to), "before_max_age": record.before_max_age}
    data |= {"before_id": record.before_id, "widened_id": record.widened_id}
    data |= {name: stamp(getattr(record, name)) if getattr(record, name) else None for name in _TIMES}
    return data | {"txt_ttl": record.txt_ttl, "mx_ttl": record.mx_ttl}


_SUB = "config:\n"


def _with_mx(text: str, entry: ConfigEntry, mx: tuple[str, ...]) -> str:
    """``text`` with the policy's ``mx`` entry replaced by a block list of ``mx``: the entry's value lines
    are edited by :func:`~pulumi_mta_sts.config.stack_edit.edit_config` as the entries of a ``config:`` of
    their own (same rules: every other byte kept, an anchor used elsewhere refused)."""
    if entry.aliases or entry.anchors:
        raise EditRefused(f"uses YAML anchors or aliases in {POLICY_KEY}; write its values out to edit it here")
    value_start = text.find("\n", entry.start, entry.end) + 1
    sub = _SUB + text[value_start : entry.end]
    if not value_start or "mx" not in {e.key for e in config_entries(sub)}:
        reason = f"has no mx list under {POLICY_KEY} in block style (mode:, max_age: and mx: on their own lines)"
        raise EditRefused(reason + "; write it so to edit it here")
    block = "mx:\n" + "".join(f"  - {json.dumps(pattern)}\n" for pattern in mx)
    edited = edit_config(sub, remove={"mx"}, block=block)
    return text[:value_start] + edited[len(_SUB) :] + text[entry.end :]


def rewrite(text: str, project: str | None, mx: tuple[str, ...] | None, record: Record | None) -> str:
    """``text`` with the policy's mx list ``mx`` (``None``: as it is) and the record line (``None``: none)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    entry, _ = policy_entry(text, project)
    if mx is not None:
        text = _with_mx(text, entry, mx)
    found = _record_line(text, project)
    start, end = (found[0], found[1]) if found else (entry.start, entry.start)
    column = len(text[entry.start :]) - len(text[entry.start :].lstrip(" "))
    line = "" if record is None else " " * column + RECORD_MARK + json.dumps(record_json(record)) + newline
    return text[:start] + line + text[end:]
