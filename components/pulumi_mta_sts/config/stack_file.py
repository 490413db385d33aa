"""Stack files (``Pulumi.<stack>.yaml``) and ``Pulumi.yaml`` read exactly as the Pulumi CLI reads them.

``mta-sts plan`` and ``mta-sts render --stack`` must see the config ``pulumi up`` hands the
program, value for value. YAML readers disagree (YAML 1.1 reads ``yes`` as true, ``1:00:00``
as 3600 and ``0o17`` as text; YAML 1.2 reads ``017`` as 17), so this module does not use
PyYAML's own resolution. It follows the Pulumi CLI's source (pulumi/pulumi, checked at
1b5949891b3c):

- ``sdk/go/common/workspace/loaders.go`` ``LoadProjectStack`` / ``LoadProjectStackBytes``: the
  file is read whole, a UTF-8 byte-order mark stripped (``readFileStripUTF8BOM``), decoded into
  plain values, keys without a namespace prefixed with the project's name
  (``stackConfigNamespacedWithProject``), written back as YAML and decoded again into a
  ``config.Map``;
- ``sdk/go/common/encoding/marshal.go``: the YAML library is ``gopkg.in/yaml.v3`` (v3.0.1), whose
  ``resolve.go`` decides what a plain scalar is (``true``/``True``/``TRUE`` only; ints by Go's
  ``strconv.ParseInt(s, 0, 64)`` after removing ``_``, so ``0o17``, ``017``, ``0b11``, ``0x1f``
  are numbers; no base 60; timestamps ``2006-1-2[T15:4:5Z07:00]``) and whose ``decode.go``
  refuses a key written twice in one mapping, refuses excessive aliasing and merges ``<<``;
- ``sdk/go/common/workspace/project.go`` ``SimplifyMarshalledValue``: every mapping key must be a
  string;
- ``sdk/go/common/resource/config/key.go`` ``ParseKey`` (``namespace:name`` or
  ``namespace:config:name``), ``value.go`` / ``object.go`` (``object.MarshalString``): a scalar
  reaches the program as text (``true``, ``15``, JSON for floats), a timestamp as Go's
  ``time.Time.String()``, ``!!binary`` as its decoded bytes, an object or list as JSON (Go's
  ``encoding/json``: sorted keys, ``<``/``>``/``&`` escaped, ``.inf``/``.nan`` an error), a null as
  the empty string; ``{secure: ...}`` is a secret.

In the ``mta-sts:`` namespace a plain scalar whose meaning depends on the YAML version (Pulumi's
reading, YAML 1.1 and YAML 1.2 core differ) is refused with the fix: write it unambiguously or
quote it. Dates, binary values and sets elsewhere are passed on as Pulumi passes them. Hostile
files are bounded: size, nesting depth, node count and what aliases expand to.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonBounds, JsonInputError, load_bounded_json
from pulumi_mta_sts.core.errors import InputError, Problem

from .files import UnreadableFile, read_regular_file

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_CHARS",
    "MAX_EXPANDED_VALUES",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "SECRET",
    "GoTime",
    "ambiguity",
    "config_text",
    "decode_config_value",
    "go_json",
    "read_project_file",
    "read_stack_config",
    "v3_scalar",
]

# Bounds for a hostile file; the shipped stack files are far below each. (Candidates for core/defaults.py.)
MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_NODES = 20_000
MAX_EXPANDED_VALUES = 20_000
MAX_EXPANDED_CHARS = 4 * 1024 * 1024
#: A config value the engine hands over as JSON is read within a stack file's own bounds.
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


class _FileError(Exception):
    def __init__(self, line: int | None, reason: str, key: str = "") -> None:
        self.line, self.reason, self.key = line, reason, key
        super().__init__(reason)


def _yaml_loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the parser yaml.v3 was ported from


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
    if isinstance(event, yaml.ScalarEvent):
        tag = None if event.tag in (None, "!") else event.tag
        text = _SURROGATE.sub("\ufffd", event.value)  # Go writes a lone surrogate escape as U+FFFD
        node = _Node("scalar", line, tag, text, plain=event.style in (None, "") and event.tag is None)
        node.done = True
    else:
        kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
        node = _Node(kind, line, None if event.tag in (None, "!") else event.tag)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


def _compose(text: str) -> _Node | None:
    """The first document as nodes (aliases shared, not copied); nesting and size bounded."""
    import yaml

    stack: list[_Node] = []
    anchors: dict[str, _Node] = {}
    root: _Node | None = None
    count = 0
    for event in yaml.parse(text, Loader=_yaml_loader()):
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


# ---- scalars: three readings ----------------------------------------------------------------------
_V3_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?))?"
)
_INT64 = (-(2**63), 2**63 - 1)
_UINT64 = 2**64 - 1


@dataclass(frozen=True)
class GoTime:
    """A YAML timestamp as Go's ``time.Time.String()`` prints it (``2001-12-14 00:00:00 +0000 UTC``)."""

    text: str


def _go_int(plain: str) -> int | None:
    """``strconv.ParseInt(plain, 0, 64)``, then ``ParseUint``; ``None`` when neither accepts it."""
    match = _GO_INT.fullmatch(plain) if len(plain) <= 80 else None
    if match is None:
        return None
    sign, digits = match.groups()
    base = {"x": 16, "o": 8, "b": 2}.get(digits[1:2].lower(), 8 if digits.startswith("0") and len(digits) > 1 else 10)
    body = digits[2:] if base != 10 and digits[1:2].isalpha() else digits
    number = int(body, base) * (-1 if sign == "-" else 1)
    if _INT64[0] <= number <= _INT64[1] or (0 <= number <= _UINT64 and sign == ""):
        return number
    return None


def _go_time(text: str) -> GoTime | None:
    """yaml.v3 ``parseTimestamp`` (the four layouts it tries), printed as Go prints a time."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, h1, m1, s1, f1, zone, h2, m2, s2, f2 = match.groups()
    hour, minute, second, fraction = (h1, m1, s1, f1) if h1 else (h2, m2, s2, f2)
    try:
        when = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    digits = (fraction or "")[:9].rstrip("0")
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + (f".{digits}" if digits else "")
    if zone in (None, "Z"):
        return GoTime(f"{stamp} +0000 UTC")
    offset = zone.replace(":", "")
    return GoTime(f"{stamp} {offset} {offset}")


def v3_scalar(text: str) -> Any:
    """A plain scalar as yaml.v3 ``resolve`` reads it: None, bool, int, float, :class:`GoTime` or text."""
    if text in _V3_WORDS:
        return _V3_WORDS[text]
    first = text[:1]
    if first == "." and _YAML_STYLE_FLOAT.fullmatch(text):
        return float(text)
    if not first or first not in "+-0123456789":
        return text
    stamp = _go_time(text) if first.isdigit() else None
    if stamp is not None:
        return stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        value = float(plain)
        if math.isfinite(value):  # Go's ParseFloat fails (ErrRange) on overflow
            return value
    return text


def _yaml11_scalar(text: str) -> Any:
    """A plain scalar as YAML 1.1 (PyYAML's safe loader) reads it."""
    import yaml

    if text in ("y", "Y", "n", "N"):  # booleans in the YAML 1.1 type repository (PyYAML leaves them out)
        return text in ("y", "Y")
    loader = yaml.SafeLoader("")
    try:
        tag: str = loader.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if tag.endswith((":int", ":float")) and len(text) > 300:
            return ("number", text)  # beyond any 64-bit value; do not ask int() for thousands of digits
        if tag.endswith((":int", ":float", ":bool", ":null", ":timestamp")):
            return loader.construct_object(yaml.ScalarNode(tag, text))
    except (ValueError, OverflowError, yaml.YAMLError):
        return ("error", text)  # resolved as a number or date that PyYAML then fails to read (e.g. 0b_)
    finally:
        loader.dispose()
    return text


_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def _core12_scalar(text: str) -> Any:
    """A plain scalar as the YAML 1.2 core schema reads it."""
    if text in ("", "~", "null", "Null", "NULL") or text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return _V3_WORDS[text]
    if _CORE_INT.fullmatch(text):
        return int(text) if len(text) <= 300 else ("number", text)
    if re.fullmatch(r"0o[0-7]+", text) or re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 8 if text[1] == "o" else 16) if len(text) <= 300 else ("number", text)
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", text):
        return -math.inf if text.startswith("-") else math.inf
    if re.fullmatch(r"\.(nan|NaN|NAN)", text):
        return math.nan
    return text


def _meaning(value: Any) -> tuple[str, Any]:
    """What a reading means, so that equal meanings compare equal (15 and 15.0 are one number)."""
    if value is None or isinstance(value, bool):
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, GoTime | date):
        return ("time", None)
    if isinstance(value, tuple):
        return value  # ("number", digits) for numbers too long to convert
    return ("text", value)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, GoTime | date):
        return "a date"
    if isinstance(value, tuple):
        return "an error" if value[0] == "error" else "a number"
    if isinstance(value, str):
        return f"the text {_short(value)!r}"
    return _short(repr(value))


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def ambiguity(text: str) -> str | None:
    """Why the plain scalar ``text`` is ambiguous (its meaning depends on the YAML version) and the
    fix, or None."""
    readings = {"Pulumi (YAML 1.2, yaml.v3)": v3_scalar(text)}
    readings["YAML 1.1"] = _yaml11_scalar(text)
    readings["YAML 1.2 core"] = _core12_scalar(text)
    if len({_meaning(v) for v in readings.values()}) == 1:
        return None
    said = "; ".join(f"{who}: {_show(value)}" for who, value in readings.items())
    meant = sorted({_show(v) for v in readings.values() if isinstance(v, bool | int | float)})
    fix = f"write {' or '.join(meant)} if you mean that, or quote it" if meant else "quote it"
    return (
        f"the unquoted value {_short(text)} means different things to different YAML readers ({said}); "
        f"{fix} ('{_short(text)}') if you mean the text"
    )


# ---- decoding: nodes -> values as Pulumi passes them ------------------------------------------------
class _Decoder:
    """Nodes to plain values as yaml.v3 decodes them into ``any``, aliases expanded within budget.
    ``strict`` paths (the ``mta-sts:`` namespace) refuse ambiguous scalars and explicit tags."""

    def __init__(self) -> None:
        self.values = 0
        self.chars = 0
        self.problems: list[tuple[str, int, str]] = []

    def _spend(self, node: _Node, chars: int) -> None:
        self.values += 1
        self.chars += chars
        if self.values > MAX_EXPANDED_VALUES or self.chars > MAX_EXPANDED_CHARS:
            raise _FileError(node.line, "expands (through YAML aliases) to more than a stack file can hold")

    def value(self, node: _Node, path: str, depth: int, strict: bool) -> Any:
        if depth > MAX_DEPTH:
            raise _FileError(node.line, f"nests deeper than {MAX_DEPTH} levels (through aliases)", path)
        self._spend(node, len(node.value))
        if strict and node.kind != "scalar" and node.tag not in (None, _SEQ, _MAP):
            self.problems.append((path, node.line, f"has the YAML tag {node.tag}; write the value without a tag"))
        if node.kind == "seq":
            return [self.value(item, f"{path}[{i}]", depth + 1, strict) for i, item in enumerate(node.items)]
        if node.kind == "map":
            return self.mapping(node, path, depth, strict)
        return self.scalar(node, path, strict)

    def scalar(self, node: _Node, path: str, strict: bool) -> Any:
        if strict and node.tag not in (None, _STR):
            self.problems.append((path, node.line, f"has the YAML tag {node.tag}; write the value without a tag"))
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
        if strict and node.plain:
            why = ambiguity(node.value)
            if why is not None:
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
            out[name] = self.value(item, _join(path, name), depth + 1, strict)
        for merge in merges:
            for source in merge.items if merge.kind == "seq" else [merge]:
                if source.kind != "map":
                    raise _FileError(source.line, "a << merge needs a mapping or a list of mappings", path)
                for name, value in self.mapping(source, path, depth + 1, strict).items():
                    out.setdefault(name, value)
        return out

    def key(self, key: _Node, path: str, seen: dict[str, int]) -> str:
        """A mapping key: text (``SimplifyMarshalledValue``), not written twice (yaml.v3 ``mapping``)."""
        if key.kind != "scalar":
            raise _FileError(key.line, "a mapping key must be text, not a list or mapping", path)
        if key.value in seen:
            raise _FileError(key.line, f"the key {key.value!r} is written twice (also on line {seen[key.value]})", path)
        seen[key.value] = key.line
        resolved = key.value if (not key.plain or key.tag == _STR) else v3_scalar(key.value)
        if not isinstance(resolved, str) and not (key.plain and key.value == "<<"):
            raise _FileError(key.line, f"the key {key.value} is not text to Pulumi; quote it ('{key.value}')", path)
        return key.value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# ---- Go's encoding/json and config.Value -----------------------------------------------------------
def _go_float(value: float) -> str:
    """A float as Go's encoding/json writes it (``1e+21``, ``1e-7``, ``1000000``, ``0.5``)."""
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return re.sub(r"e([-+])0(\d)$", r"e\1\2", repr(value))


def _go_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        out = out.replace(char, escape)
    return out


def go_json(value: Any) -> str:
    """``value`` as Go's ``json.Marshal`` writes it: compact, keys sorted, floats spelt as Go does,
    ``<``, ``>``, ``&``, U+2028 and U+2029 escaped."""
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
    """A top-level config value as the engine hands it to the program (``object.MarshalString``):
    text as is, null as ``""``, other scalars and objects as JSON; ``{secure: ...}`` stays a mapping."""
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
    """A config value as the stack program reads it: objects and lists from the JSON the engine
    passes them as (text beginning with ``{`` or ``[``), everything else as it is."""
    if isinstance(text, str) and text.strip()[:1] in ("{", "["):
        try:
            return load_bounded_json(text, _CONFIG_JSON)
        except JsonInputError:
            return text
    return text


# ---- files --------------------------------------------------------------------------------------
def _text_of(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM stripped, as ``readFileStripUTF8BOM``) or UTF-16 with a BOM."""
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


def _load_root(path: Path) -> _Node | None:
    import yaml

    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except UnreadableFile as exc:
        raise InputError([Problem(str(path), None, exc.reason)]) from None
    try:
        return _compose(_text_of(data))
    except yaml.YAMLError as exc:
        raise InputError([Problem(str(path), None, f"is not valid YAML: {_one_line(exc)}")]) from None
    except _FileError as exc:
        raise InputError([_problem(path, exc)]) from None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _problem(path: Path, exc: _FileError) -> Problem:
    where = f"{path.name}: {exc.key}" if exc.key else str(path)
    line = f"line {exc.line}: " if exc.line else ""
    return Problem(where, None, f"{line}{exc.reason}")


def _top_mapping(path: Path, root: _Node | None, decoder: _Decoder) -> dict[str, _Node]:
    """The document's top-level keys and their nodes (a stack file is a mapping)."""
    if root is None or (root.kind == "scalar" and v3_scalar(root.value) is None and root.plain):
        return {}
    if root.kind != "map":
        raise InputError([Problem(str(path), None, "must be a YAML mapping (e.g. config: {...})")])
    seen: dict[str, int] = {}
    try:
        return {decoder.key(k, "", seen): v for k, v in zip(root.items[::2], root.items[1::2], strict=True)}
    except _FileError as exc:
        raise InputError([_problem(path, exc)]) from None


def read_project_file(path: Path) -> dict[str, Any]:
    """``Pulumi.yaml`` as plain values (as yaml.v3 decodes it); :class:`InputError` naming the file
    when it cannot be read, is not UTF-8, not YAML or not a mapping."""
    decoder = _Decoder()
    top = _top_mapping(path, _load_root(path), decoder)
    try:
        return {name: decoder.value(node, name, 1, strict=False) for name, node in top.items()}
    except _FileError as exc:
        raise InputError([_problem(path, exc)]) from None


def _config_key(key: str, project: str | None) -> tuple[str, str] | None:
    """``(namespace, name)`` as ``ParseKey`` reads a key (a key without ``:`` is the project's)."""
    if ":" not in key:
        return (project, key) if project else None
    parts = key.split(":")
    if len(parts) == 2:
        return parts[0], parts[1]
    if len(parts) == 3 and parts[1] == "config":
        return parts[0], parts[2]
    return None


def read_stack_config(path: Path, project: str | None, strict_namespace: str) -> dict[str, Any]:
    """Every ``config:`` entry of the stack file ``path`` as the engine hands it to the program:
    ``namespace:name`` → text (``{"secure": ...}`` for a secret). ``project``: the project's name,
    the namespace of keys written without one. Values in ``strict_namespace`` whose meaning
    depends on the YAML version are refused. Raises :class:`InputError` naming the file, the key
    and the line."""
    decoder = _Decoder()
    top = _top_mapping(path, _load_root(path), decoder)
    node = top.get("config")
    if node is None or (node.kind == "scalar" and node.plain and v3_scalar(node.value) is None):
        return {}
    if node.kind != "map":
        raise InputError([Problem(f"{path.name}: config", None, "must be a mapping of 'namespace:key: value'")])
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    try:
        entries = {decoder.key(k, "config", seen): v for k, v in zip(node.items[::2], node.items[1::2], strict=True)}
        for key, value_node in entries.items():
            parsed = _config_key(key, project)
            if parsed is None:
                problems.append(_bad_key(path, key, project))
                continue
            full = f"{parsed[0]}:{parsed[1]}"
            if full in out:
                problems.append(Problem(f"{path.name}: {full}", None, f"is given twice (also as {key!r})"))
                continue
            out[full] = config_text(decoder.value(value_node, full, 1, strict=parsed[0] == strict_namespace))
    except _FileError as exc:
        raise InputError([_problem(path, exc)]) from None
    problems += [Problem(f"{path.name}: {where}", None, f"line {line}: {why}") for where, line, why in decoder.problems]
    if problems:
        raise InputError(problems)
    return out


def _bad_key(path: Path, key: str, project: str | None) -> Problem:
    if ":" not in key:
        reason = (
            "has no namespace and no Pulumi.yaml names the project; write it as namespace:key (e.g. mta-sts:domain)"
        )
    else:
        reason = "is not a config key Pulumi accepts; write namespace:key (e.g. mta-sts:domain)"
    return Problem(f"{path.name}: {key}", None, reason)
