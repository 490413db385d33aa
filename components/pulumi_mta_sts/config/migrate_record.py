"""The record of an MX migration in a stack file: one comment line, ``# mta-sts migrate: {...}`` (JSON),
right above ``mta-sts:policy`` (in a fleet stack, one per domain, right above that domain's
``- domain:`` item of ``mta-sts:domains``: :mod:`pulumi_mta_sts.config.migrate_fleet`), where no loader
reads it (a stack file with or without it deploys the same). ``mta-sts migrate`` writes it
(:mod:`pulumi_mta_sts.migrate.stack_mx`); ``mta-sts watch`` reads it to say when narrowing is due. Here,
below both, because neither may import the other. Entries are found with
:func:`~pulumi_mta_sts.config.stack_edit.config_entries` (the editor's rules). A record that does not
read is no record: losing it only lengthens the wait (:mod:`pulumi_mta_sts.core.migrate_steps`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pulumi_mta_sts.core.bounded_json import load_bounded_json
from pulumi_mta_sts.core.migrate_steps import Record, stamp

from .stack_edit import ConfigEntry, EditRefused, config_entries

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


def record_region(text: str, project: str | None, domain: str | None = None) -> tuple[int, int]:
    """Where the record may be: between the previous entry and the policy (``domain`` ``None``: a one-domain
    stack), else the comment lines directly above ``domain``'s item of a fleet's ``mta-sts:domains``."""
    if domain is None:
        entry, region = policy_entry(text, project)
        return region, entry.start
    from .migrate_fleet import comments_above, fleet_item  # not in the watcher's Lambda: it reads no file

    item = fleet_item(text, project, domain)
    return comments_above(text, item.start), item.start


def record_line(text: str, project: str | None, domain: str | None = None) -> tuple[int, int, str] | None:
    """The record line's start, end and text, looked for in :func:`record_region`."""
    region, start = record_region(text, project, domain)
    cursor = region
    for line in text[region:start].splitlines(keepends=True):
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


def read_record(text: str, project: str | None, domain: str | None = None) -> Record | None:
    """The record of earlier runs (of ``domain`` in a fleet stack); ``None`` when there is none or it does
    not read (then the wait restarts)."""
    found = record_line(text, project, domain)
    if found is None:
        return None
    try:
        data = load_bounded_json(found[2].strip()[len(RECORD_MARK.strip()) :])
    except ValueError:
        return None
    return record_from_json(data)


def record_from_json(data: Any) -> Record | None:
    """Back from :func:`record_json`; ``None`` when ``to`` is not a list of names (a field that does not
    read counts as unknown, which only lengthens the wait)."""
    if (
        not isinstance(data, Mapping)
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
