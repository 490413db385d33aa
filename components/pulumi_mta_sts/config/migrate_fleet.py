"""Where one domain's entry of a fleet stack (``mta-sts:domains``, docs/fleets.md) is written, for an MX
migration: the characters of its ``- domain: ...`` list item, on the text, never a re-dumped tree.
``mta-sts migrate`` edits that entry's ``policy.mx`` and keeps the domain's record in a comment line
directly above it; ``mta-sts watch`` reads the record there.

Only what can be edited in place is found: a block list of block mappings, each item starting
``- <key>:`` on the dash's line with a one-line ``domain:``, and no YAML anchors or aliases in
``mta-sts:domains``. Anything else is refused (:class:`~pulumi_mta_sts.config.stack_edit.EditRefused`)
with the way to write it instead. The items are told apart by their dashes' column and each is then
read by the editor's parser (:func:`~pulumi_mta_sts.config.stack_edit.config_entries`): a split that is
not an item does not read, and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_mta_sts.core.hostnames import normalize_hostname

from .stack_edit import EditRefused, config_entries

DOMAINS_KEY = "mta-sts:domains"


@dataclass(frozen=True)
class FleetItem:
    """The list item of a domain: ``start`` is the start of its dash's line, ``end`` the start of the next
    item's line (or the end of ``mta-sts:domains``), ``dash`` the dash's index, ``index`` its position."""

    index: int
    start: int
    end: int
    dash: int


def _item_starts(text: str, start: int, end: int) -> list[int]:
    """The line starts of the block list's items between ``start`` and ``end`` (the value lines of
    ``mta-sts:domains``): lines with a dash at the first item's column. Inside an item every line but a
    comment is indented deeper, so no other line has one there; each item is then read by the parser."""
    lines = [(i, line) for i, line in _lines(text, start, end) if line.strip() and not line.lstrip().startswith("#")]
    if not lines or not lines[0][1].lstrip(" ").startswith("-"):
        raise EditRefused(f"has its {DOMAINS_KEY} written in flow style ([...]); write it as a block list (- domain:)")
    column = len(lines[0][1]) - len(lines[0][1].lstrip(" "))
    return [
        i for i, line in lines if line[column : column + 2].rstrip("\r\n") in ("-", "- ") and not line[:column].strip()
    ]


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    found, cursor = [], start
    for line in text[start:end].splitlines(keepends=True):
        found.append((cursor, line))
        cursor += len(line)
    return found


def _names(line: str, domain: str) -> bool:
    """Whether the one-line ``domain:`` entry ``line`` is ``domain``: its value, a comment and quotes
    removed, must be that host name (anything else is no match: the entry is then not found, refused)."""
    value = line.split(":", 1)[1].split(" #", 1)[0].strip()
    if len(value) > 1 and value[0] in "'\"" and value[-1] == value[0]:
        value = value[1:-1]
    return normalize_hostname(value, "")[0] == domain


def fleet_item(text: str, project: str | None, domain: str) -> FleetItem:
    """The list item of ``domain`` in ``mta-sts:domains``; refused when it is not there or not editable."""
    entry = next((e for e in config_entries(text, project) if e.key == DOMAINS_KEY), None)
    if entry is None:
        raise EditRefused(f"has no {DOMAINS_KEY} entry")
    if entry.anchors or entry.aliases:
        raise EditRefused(f"uses YAML anchors or aliases in {DOMAINS_KEY}; write its values out to edit it here")
    starts = _item_starts(text, text.find("\n", entry.start, entry.end) + 1 or entry.end, entry.end)
    flow = False
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else entry.end
        dash = text.index("-", start)
        after = text[dash + 1 : end].split("\n", 1)[0].strip()
        if not after or after.startswith("#"):
            reason = f"has {DOMAINS_KEY}[{index}] not written as '- domain: ...' (a key on the dash's line)"
            raise EditRefused(reason + "; write it so to edit it here")
        flow = flow or after.startswith("{")
        sub = "config:\n" + text[start:dash] + " " + text[dash + 1 : end]
        if after.startswith("{"):
            continue
        named = [e for e in config_entries(sub) if e.key == "domain" and sub.count("\n", e.start, e.end) == 1]
        if named and _names(sub[named[0].start : named[0].end], domain):
            return FleetItem(index, start, end, dash)
    reason = f"has no entry for {domain} in {DOMAINS_KEY} written in block style (- domain: {domain})"
    raise EditRefused(reason + ("; entries in flow style ({domain: ...}) cannot be edited here" if flow else ""))


def comments_above(text: str, start: int) -> int:
    """Where the comment lines directly above ``start`` (a line's start) begin: the record's region."""
    while start > 0:
        before = text.rfind("\n", 0, start - 1) + 1
        if not text[before:start].strip().startswith("#"):
            break
        start = before
    return start
