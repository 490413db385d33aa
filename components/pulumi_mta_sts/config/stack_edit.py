"""Editing a stack file's ``config:`` entries with every other byte kept (comments, quoting, other
namespaces): the YAML parser's marks say where each entry's lines are, on the text, never a
re-dumped tree. What cannot be edited that way (flow style, ``<<``, a shared anchor) is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.errors import InputError

from .files import FileRefused, UnreadableFile, UnwritableFile, read_regular_file, write_file_atomically
from .stack_file import MAX_FILE_BYTES, config_key
from .yaml_scalars import v3_scalar

NEW_INDENT = 2


class EditRefused(FileRefused):
    """The text cannot be edited in place; ``reason`` says why and what to do instead."""


@dataclass(frozen=True)
class ConfigEntry:
    """One ``config:`` entry: its full key, as written, and the characters its lines span."""

    key: str
    written: str
    start: int
    end: int
    anchors: frozenset[str] = frozenset()
    aliases: frozenset[str] = frozenset()


@dataclass
class _Config:
    """Where ``config:`` is: ``insert_at``, where new entries go when none is replaced;
    ``empty_value``, a ``config: {}`` / ``~`` to clear; ``missing``: no ``config:``."""

    entries: list[ConfigEntry] = field(default_factory=list)
    column: int = NEW_INDENT
    insert_at: int = 0
    empty_value: tuple[int, int] | None = None
    missing: bool = False
    outside_aliases: set[str] = field(default_factory=set)


def _pos(mark: Any) -> int:
    return int(getattr(mark, "index", 0))


def _line_after(text: str, end: int) -> int:
    if end > 0 and text[end - 1] == "\n":
        return end
    found = text.find("\n", end)
    return len(text) if found < 0 else found + 1


@dataclass
class _Node:
    next: int
    end: int
    anchors: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)


def _scalar_end(text: str, event: Any) -> int:
    """Where a scalar's text ends: a block scalar's trailing blank lines are not its value unless ``|+``."""
    end: int = _pos(event.end_mark)
    if event.style not in ("|", ">"):
        return end
    start = _pos(event.start_mark)
    header = text[start : text.find("\n", start) if "\n" in text[start:end] else end]
    if "+" in header:
        return end
    return _line_after(text, start + len(text[start:end].rstrip(" \t\r\n")))


def _skip(events: list[Any], i: int, text: str) -> _Node:
    import yaml

    node = _Node(i, 0)
    flows: list[bool] = []
    while True:
        event = events[node.next]
        node.next += 1
        anchor = getattr(event, "anchor", None)
        if anchor:
            (node.aliases if isinstance(event, yaml.AliasEvent) else node.anchors).add(str(anchor))
        if isinstance(event, yaml.CollectionStartEvent):
            flows.append(bool(event.flow_style))
        elif isinstance(event, yaml.CollectionEndEvent):
            if flows.pop():
                node.end = max(node.end, _pos(event.end_mark))
        else:
            end = _scalar_end(text, event) if isinstance(event, yaml.ScalarEvent) else _pos(event.end_mark)
            node.end = max(node.end, end)
        if not flows:
            return node


def _is_null(event: Any) -> bool:
    import yaml

    plain = isinstance(event, yaml.ScalarEvent) and event.tag is None and event.implicit[0]
    return bool(plain and v3_scalar(event.value) is None)


def _structure(text: str, project: str | None) -> _Config:
    import yaml

    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))  # the pure parser: marks are character indexes
    except yaml.YAMLError as exc:
        raise EditRefused(f"is not valid YAML: {' '.join(str(exc).split())}") from None
    found = _Config(missing=True, insert_at=len(text))
    if len(events) < 4 or not isinstance(events[2], yaml.NodeEvent) or _is_null(events[2]):
        return found  # an empty file, or only comments: config: is added at the end
    if not isinstance(events[2], yaml.MappingStartEvent):
        raise EditRefused("is not a YAML mapping (a stack file is: config: ...)")
    if events[2].flow_style:
        raise EditRefused(
            "is written as one flow mapping ({...}); write it in block style (key: value on its own line)"
        )
    i = 3
    while not isinstance(events[i], yaml.MappingEndEvent):
        value = _skip(events, i, text).next
        node = _skip(events, value, text)
        key = events[i]
        if isinstance(key, yaml.ScalarEvent) and key.value == "config":
            found = _config_at(text, events, value, project)
        else:
            found.outside_aliases |= node.aliases
        i = node.next
    return found


def _config_at(text: str, events: list[Any], value: int, project: str | None) -> _Config:
    import yaml

    event = events[value]
    node = _skip(events, value, text)
    if _is_null(event) or (isinstance(event, yaml.MappingStartEvent) and event.flow_style and node.next == value + 2):
        return _Config(insert_at=_line_after(text, node.end), empty_value=(_pos(event.start_mark), node.end))
    if not isinstance(event, yaml.MappingStartEvent):
        raise EditRefused("has a config: that is not a mapping; it must be namespace:key: value entries")
    if event.flow_style:
        raise EditRefused("has its config: written in flow style ({...}); write it in block style to edit it here")
    return _block_config(text, events, value + 1, project)


def _block_config(text: str, events: list[Any], i: int, project: str | None) -> _Config:
    import yaml

    found = _Config(column=events[i].start_mark.column)
    while not isinstance(events[i], yaml.MappingEndEvent):
        key_event = events[i]
        if not isinstance(key_event, yaml.ScalarEvent):
            raise EditRefused("has a config: key that is not text")
        if key_event.value == "<<" and key_event.implicit[0]:
            raise EditRefused("merges other entries into config: (<<); write them out to edit it here")
        value = _skip(events, i + 1, text)
        start, end = text.rfind("\n", 0, _pos(key_event.start_mark)) + 1, _line_after(text, value.end)
        written = key_event.value
        full = config_key(written, project) or written
        found.entries.append(ConfigEntry(full, written, start, end, frozenset(value.anchors), frozenset(value.aliases)))
        i = value.next
    found.insert_at = found.entries[-1].end
    return found


def config_entries(text: str, project: str | None = None) -> list[ConfigEntry]:
    return list(_structure(text, project).entries)


def namespace_keys(text: str, namespace: str, project: str | None = None) -> list[str]:
    return [e.key for e in config_entries(text, project) if e.key.split(":", 1)[0] == namespace]


def _check_anchors(config: _Config, removed: list[ConfigEntry]) -> None:
    kept_aliases = set(config.outside_aliases).union(*(e.aliases for e in config.entries if e not in removed))
    for entry in removed:
        if used := entry.anchors & kept_aliases:
            raise EditRefused(
                f"uses the YAML anchor &{sorted(used)[0]} of {entry.written} elsewhere; write that value out to edit it"
            )


def edit_config(text: str, *, remove: Collection[str] = (), block: str = "", project: str | None = None) -> str:
    """``text`` without the entries ``remove`` names, with ``block`` (column 0) where the first of them
    was, else after the last entry (a ``config:`` is added when there is none)."""
    config = _structure(text, project)
    removed = [entry for entry in config.entries if entry.key in remove]
    _check_anchors(config, removed)
    newline = "\r\n" if "\r\n" in text else "\n"
    new = "".join((" " * config.column + line if line.strip() else "") + newline for line in block.splitlines())
    if config.missing:
        head = text if not text or text.endswith("\n") else text + newline
        return head + ("config:" + newline + new if new else "")
    if config.empty_value is not None:
        start, end = config.empty_value
        cleared = text[:start].rstrip(" ") + text[end:]
        at = config.insert_at - (len(text) - len(cleared))
        if not cleared[:at].endswith("\n"):
            cleared, at = cleared[:at] + newline + cleared[at:], at + len(newline)
        return cleared[:at] + new + cleared[at:]
    at = removed[0].start if removed else config.insert_at
    if not text[:at].endswith("\n") and at == len(text):
        text, at = text + newline, at + len(newline)
    pieces, cursor = [text[:at], new], at
    for entry in removed:
        pieces.append(text[cursor : entry.start])
        cursor = entry.end
    return "".join(pieces) + text[cursor:]


@dataclass(frozen=True)
class StackText:
    """A stack file's text and encoding, so that writing it back changes no byte the edit did not."""

    path: Path
    text: str
    encoding: str = "utf-8"


_UTF16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def read_stack_text(path: Path) -> StackText:
    """The stack file ``path`` as text (a missing file is empty text)."""
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except UnreadableFile as exc:
        if exc.reason == "does not exist":
            return StackText(path, "")
        raise exc.input_error(path) from None
    encoding = _UTF16.get(data[:2], "utf-8")
    try:  # a byte-order mark stays in the text as U+FEFF, so it is written back as it was
        return StackText(path, data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        reason = f"is not {encoding.upper()} text (byte {exc.start}); save it as UTF-8"
        raise FileRefused(reason).input_error(path) from None


def write_stack_text(stack: StackText, text: str) -> None:
    try:
        write_file_atomically(stack.path, text.encode(stack.encoding))
    except UnwritableFile as exc:
        raise exc.input_error(stack.path) from None


def edit_problem(stack: StackText, exc: EditRefused) -> InputError:
    return EditRefused(f"{exc.reason}; nothing was changed").input_error(stack.path)
