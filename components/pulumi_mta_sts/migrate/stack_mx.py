"""The stack-file side of a migration: the ``mx`` list of ``mta-sts:policy`` rewritten and the
migration's record kept in a comment line above that entry, every other byte as it was.

Entries are found with :func:`pulumi_mta_sts.config.stack_edit.config_entries` (the editor's rules: flow
``config:``, ``<<`` merges and the like are refused there); inside the policy entry only its ``mx`` entry
(the key and its list, written back as a block list) is replaced, by the same editor. The record is one
line above ``mta-sts:policy``, read and written as :mod:`pulumi_mta_sts.config.migrate_record` says.
"""

from __future__ import annotations

import json

from pulumi_mta_sts.config.migrate_record import POLICY_KEY, RECORD_MARK, policy_entry, record_json, record_line
from pulumi_mta_sts.config.migrate_record import read_record as read_record
from pulumi_mta_sts.config.stack_edit import ConfigEntry, EditRefused, config_entries, edit_config
from pulumi_mta_sts.core.migrate_steps import Record

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
    found = record_line(text, project)
    start, end = (found[0], found[1]) if found else (entry.start, entry.start)
    column = len(text[entry.start :]) - len(text[entry.start :].lstrip(" "))
    line = "" if record is None else " " * column + RECORD_MARK + json.dumps(record_json(record)) + newline
    return text[:start] + line + text[end:]
