"""Where one domain's entry of a fleet stack (``mta-sts:domains``, docs/fleets.md) is written, for an MX
migration: the characters of its ``- domain: ...`` list item, found on the text by the YAML parser's
marks, never a re-dumped tree. ``mta-sts migrate`` edits that entry's ``policy.mx`` and keeps the domain's
record in a comment line directly above it; ``mta-sts watch`` reads the record there.

Only what can be edited in place is found: a block list of block mappings, each item starting
``- <key>:`` on the dash's line, and no YAML anchors or aliases in ``mta-sts:domains``. Anything else is
refused (:class:`~pulumi_mta_sts.config.stack_edit.EditRefused`) with the way to write it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi_mta_sts.core.hostnames import normalize_hostname

from .stack_edit import EditRefused, config_entries
from .stack_file import config_key

DOMAINS_KEY = "mta-sts:domains"


@dataclass(frozen=True)
class FleetItem:
    """The list item of a domain: ``start`` is the start of its dash's line, ``end`` the start of the next
    item's line (or the end of ``mta-sts:domains``), ``dash`` the dash's index, ``index`` its position."""

    index: int
    start: int
    end: int
    dash: int


def _domains_node(text: str, project: str | None) -> Any:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditRefused(f"is not valid YAML: {' '.join(str(exc).split())}") from None
    config = next((v for k, v in getattr(root, "value", []) if k.value == "config"), None)
    found = [v for k, v in getattr(config, "value", []) if config_key(str(k.value), project) == DOMAINS_KEY]
    if not found:
        raise EditRefused(f"has no {DOMAINS_KEY} entry")
    node = found[0]
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise EditRefused(f"has its {DOMAINS_KEY} written in flow style ([...]); write it as a block list (- domain:)")
    return node


def _named(item: Any, domain: str) -> bool:
    names = [v.value for k, v in getattr(item, "value", []) if getattr(k, "value", None) == "domain"]
    return bool(names) and isinstance(names[0], str) and normalize_hostname(names[0], "")[0] == domain


def fleet_item(text: str, project: str | None, domain: str) -> FleetItem:
    """The list item of ``domain`` in ``mta-sts:domains``; refused when it is not there or not editable."""
    entry = next((e for e in config_entries(text, project) if e.key == DOMAINS_KEY), None)
    if entry is not None and (entry.anchors or entry.aliases):
        raise EditRefused(f"uses YAML anchors or aliases in {DOMAINS_KEY}; write its values out to edit it here")
    items = _domains_node(text, project).value
    index = next((i for i, item in enumerate(items) if _named(item, domain)), None)
    if entry is None or index is None:
        raise EditRefused(f"has no entry for {domain} in {DOMAINS_KEY}")
    item = items[index]
    if getattr(item, "flow_style", True):
        reason = f"has the entry of {domain} ({DOMAINS_KEY}[{index}]) written in flow style ({{domain: ...}})"
        raise EditRefused(reason + "; write it in block style (- domain: ... with one key a line) to edit it here")
    start = text.rfind("\n", 0, item.start_mark.index) + 1
    dash = text.find("-", start, item.start_mark.index)
    if dash < 0 or text[start:dash].strip(" ") or text[dash + 1 : item.start_mark.index].strip(" "):
        raise EditRefused(f"has the entry of {domain} not written as '- domain: ...'; write it so to edit it here")
    after = items[index + 1].start_mark.index if index + 1 < len(items) else None
    end = entry.end if after is None else text.rfind("\n", 0, after) + 1
    return FleetItem(index, start, end, dash)


def comments_above(text: str, start: int) -> int:
    """Where the comment lines directly above ``start`` (a line's start) begin: the record's region."""
    while start > 0:
        before = text.rfind("\n", 0, start - 1) + 1
        if not text[before:start].strip().startswith("#"):
            break
        start = before
    return start
