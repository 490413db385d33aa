"""The stack-file side of a migration: the ``mx`` list of ``mta-sts:policy`` rewritten and the
migration's record kept in a comment line above that entry, every other byte as it was.

Entries are found with :func:`pulumi_mta_sts.config.stack_edit.config_entries` (the editor's rules: flow
``config:``, ``<<`` merges and the like are refused there); inside the entry only the ``mx`` items are
replaced (block items keep their indentation and dash, a flow list stays a flow list). The record is one
line, ``# mta-sts migrate: {...}`` (JSON), placed right above ``mta-sts:policy`` where no loader reads
it: a stack file with or without it deploys the same. Losing it only lengthens the wait (:mod:`.steps`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pulumi_mta_sts.config.stack_edit import ConfigEntry, EditRefused, config_entries

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
        data = json.loads(found[2].strip()[len(RECORD_MARK.strip()) :])
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


def _index(mark: Any) -> int:
    return int(getattr(mark, "index", 0))


def _events(text: str) -> list[Any]:
    import yaml

    return list(yaml.parse(text, Loader=yaml.SafeLoader))


def _after(events: list[Any], i: int) -> int:
    """The index after the node that starts at ``i``."""
    import yaml

    depth = 0
    while True:
        event = events[i]
        i += 1
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if depth == 0:
            return i


def _mx_node(text: str, entry: ConfigEntry) -> list[Any]:
    """The events of the ``mx`` value inside the policy entry."""
    import yaml

    events = _events(text)
    i = next(
        k + 1
        for k, e in enumerate(events)
        if isinstance(e, yaml.ScalarEvent) and _index(e.start_mark) >= entry.start and e.value == entry.written
    )
    if not isinstance(events[i], yaml.MappingStartEvent):
        raise EditRefused(f"has a {POLICY_KEY} that is not a mapping (mode:, max_age:, mx:)")
    i += 1
    while not isinstance(events[i], yaml.MappingEndEvent):
        value, end = i + 1, _after(events, i + 1)
        if isinstance(events[i], yaml.ScalarEvent) and events[i].value == "mx":
            return events[value:end]
        i = end
    raise EditRefused(f"has no mx list in {POLICY_KEY}; migrate replaces that list")


def _mx_span(text: str, entry: ConfigEntry) -> tuple[int, int, str | None]:
    """Where the mx items are and the text before each block item (``None``: a flow list, replaced whole)."""
    import yaml

    node = _mx_node(text, entry)
    items = node[1:-1]
    plain = all(isinstance(e, yaml.ScalarEvent) and not e.anchor and e.style not in ("|", ">") for e in items)
    if not isinstance(node[0], yaml.SequenceStartEvent) or node[0].anchor or not plain:
        raise EditRefused(f"has a {POLICY_KEY}.mx that is not a plain list of names; write it as one to edit it")
    if node[0].flow_style or not items:
        return _index(node[0].start_mark), _index(node[-1].end_mark), None
    first = _index(items[0].start_mark)
    start = text.rfind("\n", 0, first) + 1
    prefix = text[start:first]
    if prefix.strip() != "-":
        raise EditRefused(f"has {POLICY_KEY}.mx items that do not each start a line; write one '- name' a line")
    end = text.find("\n", _index(items[-1].end_mark))
    return start, len(text) if end < 0 else end + 1, prefix


def rewrite(text: str, project: str | None, mx: tuple[str, ...] | None, record: Record | None) -> str:
    """``text`` with the policy's mx list ``mx`` (``None``: as it is) and the record line (``None``: none)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    entry, _ = policy_entry(text, project)
    if mx is not None:
        start, end, prefix = _mx_span(text, entry)
        if prefix is None:
            new = "[" + ", ".join(json.dumps(p) for p in mx) + "]"
        else:
            new = "".join(f"{prefix}{json.dumps(p)}{newline}" for p in mx)
        text = text[:start] + new + text[end:]
    found = _record_line(text, project)
    start, end = (found[0], found[1]) if found else (entry.start, entry.start)
    column = len(text[entry.start :]) - len(text[entry.start :].lstrip(" "))
    line = "" if record is None else " " * column + RECORD_MARK + json.dumps(record_json(record)) + newline
    return text[:start] + line + text[end:]
