"""Stack files and ``Pulumi.yaml`` read exactly as the Pulumi CLI reads them (pulumi/pulumi at
1b5949891b3c: ``workspace/loaders.go``, ``gopkg.in/yaml.v3`` v3.0.1, ``config/key.go``), so ``plan``
sees what ``pulumi up`` hands the program; hostile files are bounded in size, depth and aliases.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json
from pulumi_mta_sts.core.errors import InputError, Problem

from .files import UnreadableFile, read_regular_file
from .yaml_scalars import GoTime, ambiguity, v3_scalar

# Bounds for a hostile file; the shipped stack files are far below each.
MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_NODES = 20_000
MAX_EXPANDED_VALUES = 20_000
MAX_EXPANDED_CHARS = 4 * 1024 * 1024
_CONFIG_JSON = JsonBounds(max_depth=MAX_DEPTH + 1, max_items=2 * MAX_EXPANDED_VALUES + 1)
#: What a secret (``{secure: ...}``) stands as when the file is read without the stack's key.
SECRET = "(secret)"

_SURROGATE = re.compile("[\ud800-\udfff]")
_STR, _BINARY = "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_TYPED = {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp")}


# ---- composing: events -> nodes, bounded ----------------------------------------------------------
@dataclass(eq=False)
class _Node:
    kind: str  # "scalar", "seq", "map"
    line: int
    tag: str | None = None
    value: str = ""
    plain: bool = False
    items: list[_Node] = field(default_factory=list)
    done: bool = False

    @property
    def null(self) -> bool:
        return self.kind == "scalar" and self.plain and v3_scalar(self.value) is None


class _FileError(Exception):
    def __init__(self, line: int | None, reason: str, key: str = "") -> None:
        self.line, self.reason, self.key = line, reason, key
        super().__init__(reason)


def _node_of(event: Any, anchors: dict[str, _Node]) -> _Node:
    import yaml

    line = event.start_mark.line + 1 if event.start_mark else 0
    if isinstance(event, yaml.AliasEvent):
        target = anchors.get(event.anchor or "")
        if target is None:
            raise _FileError(line, f"the alias *{event.anchor} names no anchor defined before it")
        if not target.done:
            raise _FileError(line, f"the anchor &{event.anchor} contains itself")
        return target
    tag = None if event.tag in (None, "!") else event.tag
    if isinstance(event, yaml.ScalarEvent):
        text = _SURROGATE.sub("\ufffd", event.value)  # Go writes a lone surrogate escape as U+FFFD
        node = _Node("scalar", line, tag, text, plain=event.style in (None, "") and event.tag is None)
        node.done = True
    else:
        kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
        node = _Node(kind, line, tag)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


def _compose(text: str) -> _Node | None:
    import yaml

    stack: list[_Node] = []
    anchors: dict[str, _Node] = {}
    root: _Node | None = None
    count = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the parser yaml.v3 was ported from
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.DocumentEndEvent):
            break  # yaml.Unmarshal reads the first document only
        if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            stack.pop().done = True
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        count += 1
        if count > MAX_NODES:
            raise _FileError(None, f"has more than {MAX_NODES} values; a stack file is far smaller")
        node = _node_of(event, anchors)
        if stack:
            stack[-1].items.append(node)
        else:
            root = node
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append(node)
            if len(stack) > MAX_DEPTH:
                raise _FileError(node.line, f"nests deeper than {MAX_DEPTH} levels")
    return root


# ---- decoding: nodes -> values as Pulumi passes them ------------------------------------------------
class _Decoder:
    """Nodes to values as yaml.v3 decodes them; ``strict`` paths refuse ambiguous scalars and tags."""

    def __init__(self) -> None:
        self.values = self.chars = 0
        self.problems: list[tuple[str, int, str]] = []

    def value(self, node: _Node, path: str, depth: int, strict: bool) -> Any:
        if depth > MAX_DEPTH:
            raise _FileError(node.line, f"nests deeper than {MAX_DEPTH} levels (through aliases)", path)
        self.values += 1
        self.chars += len(node.value)
        if self.values > MAX_EXPANDED_VALUES or self.chars > MAX_EXPANDED_CHARS:
            raise _FileError(node.line, "expands (through YAML aliases) to more than a stack file can hold")
        if strict and node.tag not in ((None, _STR) if node.kind == "scalar" else (None, _SEQ, _MAP)):
            self.problems.append((path, node.line, f"has the YAML tag {node.tag}; write the value without a tag"))
        if node.kind == "seq":
            return [self.value(item, f"{path}[{i}]", depth + 1, strict) for i, item in enumerate(node.items)]
        return self.mapping(node, path, depth, strict) if node.kind == "map" else self.scalar(node, path, strict)

    def scalar(self, node: _Node, path: str, strict: bool) -> Any:
        if node.tag == _BINARY:
            try:
                return base64.b64decode("".join(node.value.split()), validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise _FileError(node.line, "!!binary value contains invalid base64 data", path) from None
        if not node.plain and node.tag not in _TYPED:
            return node.value
        value = v3_scalar(node.value)
        if isinstance(value, float) and not math.isfinite(value):
            raise _FileError(node.line, f"{node.value} is not a number Pulumi can pass on (JSON has no {value})", path)
        if strict and node.plain and (why := ambiguity(node.value)) is not None:
            self.problems.append((path, node.line, why))
        return value.text if isinstance(value, GoTime) else value

    def mapping(self, node: _Node, path: str, depth: int, strict: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        merges: list[_Node] = []
        for key, item in zip(node.items[::2], node.items[1::2], strict=True):
            name = self.key(key, path, seen)
            if key.kind == "scalar" and key.plain and key.value == "<<":
                merges.append(item)
                continue
            out[name] = self.value(item, f"{path}.{name}" if path else name, depth + 1, strict)
        for merge in merges:
            for source in merge.items if merge.kind == "seq" else [merge]:
                if source.kind != "map":
                    raise _FileError(source.line, "a << merge needs a mapping or a list of mappings", path)
                for name, value in self.mapping(source, path, depth + 1, strict).items():
                    out.setdefault(name, value)
        return out

    def entries(self, node: _Node, path: str) -> dict[str, _Node]:
        seen: dict[str, int] = {}
        return {self.key(k, path, seen): v for k, v in zip(node.items[::2], node.items[1::2], strict=True)}

    def key(self, key: _Node, path: str, seen: dict[str, int]) -> str:
        if key.kind != "scalar":
            raise _FileError(key.line, "a mapping key must be text, not a list or mapping", path)
        if key.value in seen:
            raise _FileError(key.line, f"the key {key.value!r} is written twice (also on line {seen[key.value]})", path)
        seen[key.value] = key.line
        resolved = key.value if (not key.plain or key.tag == _STR) else v3_scalar(key.value)
        if not isinstance(resolved, str) and not (key.plain and key.value == "<<"):
            raise _FileError(key.line, f"the key {key.value} is not text to Pulumi; quote it ('{key.value}')", path)
        return key.value


# ---- Go's encoding/json and config.Value -----------------------------------------------------------
def _go_float(value: float) -> str:
    """A float as Go's encoding/json writes it (``1e+21``, ``1e-7``)."""
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return re.sub(r"e([-+])0(\d)$", r"e\1\2", repr(value))


_GO_ESCAPES = str.maketrans({char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"})


def _go_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).translate(_GO_ESCAPES)


def go_json(value: Any) -> str:
    """``value`` as Go's ``json.Marshal`` writes it."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_go_string(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, float):
        return _go_float(value)
    if value is None or isinstance(value, bool | int):
        return json.dumps(value)
    return _go_string(value.text if isinstance(value, GoTime) else str(value))


def config_text(value: Any) -> str | dict[str, str]:
    """A top-level config value as the engine hands it to the program (``object.MarshalString``)."""
    if value is None:
        return ""
    if isinstance(value, GoTime):
        return value.text
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str):
        return {"secure": value["secure"]}
    return go_json(value)


def decode_config_value(text: object) -> object:
    """A config value as the stack program reads it: objects and lists from their JSON."""
    if isinstance(text, str) and text.strip()[:1] in ("{", "["):
        try:
            return load_bounded_json(text, _CONFIG_JSON)
        except JsonInputError:
            return text
    return text


# ---- files --------------------------------------------------------------------------------------
def _text_of(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _FileError(None, f"is not valid UTF-16 (byte {exc.start})") from None
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _FileError(line, f"is not UTF-8 (byte {exc.start}, line {line}); save it as UTF-8") from None


@contextlib.contextmanager
def _about(path: Path) -> Iterator[None]:
    try:
        yield
    except _FileError as exc:
        where = f"{path.name}: {exc.key}" if exc.key else str(path)
        line = f"line {exc.line}: " if exc.line else ""
        raise InputError([Problem(where, None, f"{line}{exc.reason}")]) from None


def _top(path: Path, decoder: _Decoder) -> dict[str, _Node]:
    import yaml

    with _about(path):
        try:
            root = _compose(_text_of(read_regular_file(path, MAX_FILE_BYTES)))
        except UnreadableFile as exc:
            raise _FileError(None, exc.reason) from None
        except yaml.YAMLError as exc:
            raise _FileError(None, f"is not valid YAML: {' '.join(str(exc).split())}") from None
        if root is None or root.null:
            return {}
        if root.kind != "map":
            raise _FileError(None, "must be a YAML mapping (e.g. config: {...})")
        return decoder.entries(root, "")


def read_project_file(path: Path) -> dict[str, Any]:
    decoder = _Decoder()
    top = _top(path, decoder)
    with _about(path):
        return {name: decoder.value(node, name, 1, strict=False) for name, node in top.items()}


def config_key(key: str, project: str | None) -> str | None:
    """``namespace:name`` as ``ParseKey`` reads a key; ``None`` for a key Pulumi refuses."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project}:{key}" if project else None
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return key if len(parts) == 2 else None


def read_stack_config(path: Path, project: str | None, strict_namespace: str) -> dict[str, Any]:
    """Every ``config:`` entry as the engine hands it over; ambiguous ``strict_namespace`` values refused."""
    decoder = _Decoder()
    node = _top(path, decoder).get("config")
    if node is None or node.null:
        return {}
    if node.kind != "map":
        raise InputError([Problem(f"{path.name}: config", None, "must be a mapping of 'namespace:key: value'")])
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    with _about(path):
        for key, value_node in decoder.entries(node, "config").items():
            full = config_key(key, project)
            if full is None:
                fix = "has no namespace and no Pulumi.yaml names the project; write it as namespace:key"
                if ":" in key:
                    fix = "is not a config key Pulumi accepts; write namespace:key"
                problems.append(Problem(f"{path.name}: {key}", None, f"{fix} (e.g. mta-sts:domain)"))
            elif full in out:
                problems.append(Problem(f"{path.name}: {full}", None, f"is given twice (also as {key!r})"))
            else:
                out[full] = config_text(
                    decoder.value(value_node, full, 1, strict=full.split(":")[0] == strict_namespace)
                )
    problems += [Problem(f"{path.name}: {where}", None, f"line {line}: {why}") for where, line, why in decoder.problems]
    if problems:
        raise InputError(problems)
    return out
