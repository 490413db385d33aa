"""The stack-file side of a migration: the ``mx`` list of ``mta-sts:policy`` rewritten and the
migration's record kept in a comment line above that entry, every other byte as it was.

Entries are found with :func:`pulumi_mta_sts.config.stack_edit.config_entries` (the editor's rules: flow
``config:``, ``<<`` merges and the like are refused there); inside the policy entry only its ``mx`` entry
(the key and its list, written back as a block list) is replaced, by the same editor. The record is one
line above ``mta-sts:policy``, read and written as :mod:`pulumi_mta_sts.config.migrate_record` says.

In a fleet stack the list is the own ``policy.mx`` of one domain's item of ``mta-sts:domains`` (written
there, never into ``mta-sts:defaults``, which other domains inherit), and the record sits right above
that item (:mod:`pulumi_mta_sts.config.migrate_fleet`).
"""

from __future__ import annotations

import json

from pulumi_mta_sts.config.migrate_fleet import DOMAINS_KEY, fleet_item
from pulumi_mta_sts.config.migrate_record import POLICY_KEY, RECORD_MARK, policy_entry, record_json, record_line
from pulumi_mta_sts.config.migrate_record import read_record as read_record
from pulumi_mta_sts.config.stack_edit import ConfigEntry, EditRefused, config_entries, edit_config
from pulumi_mta_sts.core.migrate_steps import Record

_SUB = "config:\n"


def _mx_block(mx: tuple[str, ...]) -> str:
    return "mx:\n" + "".join(f"  - {json.dumps(pattern)}\n" for pattern in mx)


def _with_mx(text: str, entry: ConfigEntry, mx: tuple[str, ...], where: str = POLICY_KEY, add: bool = False) -> str:
    """``text`` with the ``mx`` entry of the policy ``entry`` (named ``where``) replaced by a block list of
    ``mx`` (``add``: added after the policy's last key when it has none): the entry's value lines are edited
    by :func:`~pulumi_mta_sts.config.stack_edit.edit_config` as the entries of a ``config:`` of their own
    (same rules: every other byte kept, an anchor used elsewhere refused)."""
    if entry.aliases or entry.anchors:
        raise EditRefused(f"uses YAML anchors or aliases in {where}; write its values out to edit it here")
    value_start = text.find("\n", entry.start, entry.end) + 1
    sub = _SUB + text[value_start : entry.end]
    keys = {e.key for e in config_entries(sub)} if value_start else set()
    if "mx" not in keys and not (add and keys):
        reason = f"has no mx list under {where} in block style (mode:, max_age: and mx: on their own lines)"
        raise EditRefused(reason + "; write it so to edit it here")
    edited = edit_config(sub, remove={"mx"}, block=_mx_block(mx))
    return text[:value_start] + edited[len(_SUB) :] + text[entry.end :]


def _fleet_with_mx(text: str, project: str | None, domain: str, mx: tuple[str, ...]) -> str:
    """``text`` with ``mx`` as the own ``policy.mx`` of ``domain``'s item of ``mta-sts:domains`` (added when
    the item inherits it): the item's lines, its dash a space, are edited as the entries of a ``config:``."""
    item = fleet_item(text, project, domain)
    head = item.dash + 1 - item.start  # the dash's line up to the dash, given back as it was
    sub = _SUB + text[item.start : item.dash] + " " + text[item.dash + 1 : item.end]
    policy = next((e for e in config_entries(sub) if e.key == "policy"), None)
    if policy is None:
        block = "policy:\n" + "".join("  " + line + "\n" for line in _mx_block(mx).splitlines())
        edited = edit_config(sub, block=block)
    else:
        edited = _with_mx(sub, policy, mx, f"{DOMAINS_KEY}[{item.index}].policy", add=True)
    return text[: item.dash + 1] + edited[len(_SUB) + head :] + text[item.end :]


def rewrite(
    text: str, project: str | None, mx: tuple[str, ...] | None, record: Record | None, domain: str | None = None
) -> str:
    """``text`` with the policy's mx list ``mx`` (``None``: as it is) and the record line (``None``: none);
    ``domain``: of that domain's entry of a fleet stack (``None``: a one-domain stack's ``mta-sts:policy``)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if mx is not None:
        text = (
            _with_mx(text, policy_entry(text, project)[0], mx)
            if domain is None
            else _fleet_with_mx(text, project, domain, mx)
        )
    found = record_line(text, project, domain)
    start = policy_entry(text, project)[0].start if domain is None else fleet_item(text, project, domain).start
    start, end = (found[0], found[1]) if found else (start, start)
    column = len(text[start:]) - len(text[start:].lstrip(" "))
    line = "" if record is None else " " * column + RECORD_MARK + json.dumps(record_json(record)) + newline
    return text[:start] + line + text[end:]
