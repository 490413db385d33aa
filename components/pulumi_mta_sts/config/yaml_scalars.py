"""What a plain YAML scalar means to Pulumi (yaml.v3 ``resolve.go``), YAML 1.1 and YAML 1.2 core,
and :func:`ambiguity`: why it means different things to them, and the fix (``yes``, ``017``)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

_V3_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
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
    """A YAML timestamp as Go's ``time.Time.String()`` prints it."""

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
    if first == "." and _FLOAT.fullmatch(text):
        return float(text)
    if not first or first not in "+-0123456789":
        return text
    if first.isdigit() and (stamp := _go_time(text)) is not None:
        return stamp
    plain = text.replace("_", "")
    if (number := _go_int(plain)) is not None:
        return number
    if _FLOAT.fullmatch(plain):
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


def _core12_scalar(text: str) -> Any:
    """A plain scalar as the YAML 1.2 core schema reads it (its words are yaml.v3's)."""
    if text in _V3_WORDS:
        return _V3_WORDS[text]
    if _CORE_INT.fullmatch(text):
        return int(text) if len(text) <= 300 else ("number", text)
    if re.fullmatch(r"0o[0-7]+", text) or re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 8 if text[1] == "o" else 16) if len(text) <= 300 else ("number", text)
    return float(text) if _FLOAT.fullmatch(text) else text


def _meaning(value: Any) -> tuple[str, Any]:
    """What a reading means (15 and 15.0 are one number)."""
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
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, GoTime | date):
        return "a date"
    if isinstance(value, tuple):
        return "an error" if value[0] == "error" else "a number"
    return f"the text {_short(value)!r}" if isinstance(value, str) else _short(repr(value))


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def ambiguity(text: str) -> str | None:
    """Why the plain scalar ``text`` means different things to different YAML versions, and the fix."""
    readings = {
        "Pulumi (YAML 1.2, yaml.v3)": v3_scalar(text),
        "YAML 1.1": _yaml11_scalar(text),
        "YAML 1.2 core": _core12_scalar(text),
    }
    if len({_meaning(v) for v in readings.values()}) == 1:
        return None
    said = "; ".join(f"{who}: {_show(value)}" for who, value in readings.items())
    meant = sorted({_show(v) for v in readings.values() if isinstance(v, bool | int | float)})
    fix = f"write {' or '.join(meant)} if you mean that, or quote it" if meant else "quote it"
    return (
        f"the unquoted value {_short(text)} means different things to different YAML readers ({said}); "
        f"{fix} ('{_short(text)}') if you mean the text"
    )
