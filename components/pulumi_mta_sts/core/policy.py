"""The MTA-STS policy (RFC 8461 §3.2): model, validation, canonical rendering, id, parsing.

The policy served at ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` is rendered in one
canonical byte form, and its id is derived from exactly those bytes, so:

- the same policy always renders to the same bytes, whatever the order or case of the input;
- any change of the served bytes changes the id, and nothing else (no timestamps) enters it.

Canonical form: UTF-8, CRLF after every line (including the last), fields in the order
``version``, ``mode``, ``mx`` (sorted, one line each, omitted for ``mode: none``), ``max_age``,
then extension fields sorted by key.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import defaults
from .errors import InputError, Problem
from .hostnames import normalize_mx_pattern

__all__ = [
    "DEFAULT_MAX_AGE",
    "DEFAULT_MODE",
    "ID_LENGTH",
    "MAX_AGE_LIMIT",
    "MODES",
    "RESERVED_KEYS",
    "Policy",
    "PolicyParse",
    "is_toolkit_id",
    "parse_policy",
    "policy_id",
    "validate_policy",
    "validate_policy_text",
]

MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31_557_600
DEFAULT_MODE = defaults.DEFAULT_MODE
DEFAULT_MAX_AGE = defaults.DEFAULT_MAX_AGE
ID_LENGTH = 32
VERSION = "STSv1"
RESERVED_KEYS = ("version", "mode", "mx", "max_age")

_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
# sts-policy-vchar: VCHAR or non-ASCII UTF-8; WSP allowed between (not at either end).
_EXT_VALUE = re.compile(r"^[^\x00-\x20\x7f](?:[^\x00-\x08\x0a-\x1f\x7f]*[^\x00-\x20\x7f])?$")
_MAX_AGE_TEXT = re.compile(r"^[0-9]{1,10}$")
_TOOLKIT_ID = re.compile(r"^[a-z2-7]{32}$")
_STRICT_LINE = re.compile(r"^([^:\s]+):[ \t]*(.*)$")


def policy_id(data: bytes | str) -> str:
    """The id of a policy: the first 32 characters of the lowercase base32 (RFC 4648, letters
    a-z and digits 2-7) SHA-256 of exactly the bytes served. 160 bits of the hash; letters and
    digits only, as RFC 8461 §3.1 requires."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:ID_LENGTH]


def is_toolkit_id(value: str) -> bool:
    """Whether ``value`` has the form of an id made by :func:`policy_id`: exactly 32 characters,
    all lowercase letters or the digits 2-7. (Timestamps and hex digests almost never fit: they
    use 0, 1, 8 or 9.)"""
    return bool(_TOOLKIT_ID.match(value))


def _check_max_age(value: object, field_name: str) -> tuple[int | None, list[Problem]]:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None, [Problem(field_name, value, f"must be a whole number of seconds, got {value!r}")]
    if isinstance(value, str):
        if not _MAX_AGE_TEXT.match(value.strip()):
            return None, [Problem(field_name, value, f"{value!r} is not a whole number of seconds (1 to 10 digits)")]
        value = int(value.strip())
    if value < 0:
        return None, [Problem(field_name, value, f"{value} is negative; use 0 to {MAX_AGE_LIMIT} seconds")]
    if value > MAX_AGE_LIMIT:
        return None, [
            Problem(
                field_name,
                value,
                f"{value} is above the RFC 8461 limit of {MAX_AGE_LIMIT} seconds; "
                f"use at most {MAX_AGE_LIMIT} (one year)",
            )
        ]
    return value, []


def _check_extensions(
    extensions: Mapping[str, object] | Iterable[tuple[str, object]] | None, field_name: str
) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    if extensions is None:
        return (), []
    items = list(extensions.items()) if isinstance(extensions, Mapping) else list(extensions)
    problems: list[Problem] = []
    out: dict[str, str] = {}
    for key, value in items:
        where = f"{field_name}.{key}"
        if not isinstance(key, str) or not _EXT_NAME.match(key):
            problems.append(
                Problem(
                    where,
                    key,
                    "is not a valid extension name; use 1 to 32 letters, digits, '_', '-' or '.', "
                    "starting with a letter or digit",
                )
            )
            continue
        if key in RESERVED_KEYS:
            problems.append(Problem(where, key, f"{key!r} is a standard field; set it directly, not as an extension"))
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(Problem(where, value, "must be a text value"))
            continue
        text = str(value)
        if not _EXT_VALUE.match(text):
            problems.append(
                Problem(
                    where,
                    value,
                    "is not a valid extension value; use printable characters, no line breaks, "
                    "no leading or trailing spaces",
                )
            )
            continue
        if key in out:
            problems.append(Problem(where, value, f"extension {key!r} is given twice; keep one"))
            continue
        out[key] = text
    return tuple(sorted(out.items())), problems


def _mode_problems(mode: object) -> list[Problem]:
    if mode in MODES:
        return []
    return [Problem("mode", mode, f"{mode!r} is not a mode; use one of enforce, testing, none")]


def _mx_required(mode: object, mx: object) -> Problem:
    return Problem("mx", mx, f"is required in {mode} mode; list every MX host of the domain (or a '*.' pattern)")


def _mx_items(mx: object) -> tuple[list[object], list[Problem]]:
    """The MX patterns given as ``mx`` (one string, or a list, tuple or set of them)."""
    if mx is None:
        return [], []
    if isinstance(mx, str):
        return [mx], []
    if isinstance(mx, list | tuple | set | frozenset):
        return list(mx), []
    return [], [Problem("mx", mx, "must be a list of MX host patterns")]


def _normal_patterns(items: Iterable[object]) -> tuple[list[str | None], list[Problem]]:
    """The normal form of each pattern (``None`` where it is invalid) and the problems, ``mx[i]``."""
    normals: list[str | None] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        normal, item_problems = normalize_mx_pattern(item, f"mx[{index}]")
        normals.append(normal)
        problems.extend(item_problems)
    return normals, problems


def validate_policy(
    mode: object,
    mx: object,
    max_age: object,
    extensions: Mapping[str, object] | Iterable[tuple[str, object]] | None = None,
) -> tuple[Policy | None, list[Problem]]:
    """Validate policy fields; return the normalised :class:`Policy` (or ``None``) and every
    problem found. Fields are named ``mode``, ``mx``, ``mx[i]``, ``max_age``, ``extensions.<key>``."""
    problems = _mode_problems(mode)
    mx_items, mx_problems = _mx_items(mx)
    normals, pattern_problems = _normal_patterns(mx_items)
    problems += mx_problems + pattern_problems
    if mode in ("enforce", "testing") and not mx_items:
        problems.append(_mx_required(mode, mx))
    age, age_problems = _check_max_age(max_age, "max_age")
    problems.extend(age_problems)
    exts, ext_problems = _check_extensions(extensions, "extensions")
    problems.extend(ext_problems)
    if problems or age is None or not isinstance(mode, str):
        return None, problems
    # A `none` policy retires MTA-STS: it is rendered without mx lines.
    final_mx = () if mode == "none" else tuple(sorted({n for n in normals if n is not None}))
    return Policy(mode=mode, mx=final_mx, max_age=age, extensions=exts), []


def _policy_mx_problems(mode: object, mx: object) -> list[Problem]:
    """``Policy.mx``: a tuple of normal-form patterns, sorted, unique; empty exactly in ``none`` mode."""
    if not isinstance(mx, tuple):
        return [Problem("mx", mx, "must be a tuple of MX host patterns (Policy.build takes any list)")]
    normals, problems = _normal_patterns(mx)
    for index, (given, normal) in enumerate(zip(mx, normals, strict=True)):
        if normal is not None and normal != given:
            problems.append(
                Problem(f"mx[{index}]", given, f"is not in normal form; write {normal!r} (or use Policy.build)")
            )
    if not problems and list(mx) != sorted(set(mx)):
        problems.append(Problem("mx", mx, "must be sorted and without duplicates (Policy.build sorts them)"))
    if mode == "none" and mx:
        problems.append(Problem("mx", mx, "must be empty in none mode: a none policy has no mx lines"))
    elif mode in ("enforce", "testing") and not mx:
        problems.append(_mx_required(mode, mx))
    return problems


def _policy_max_age_problems(max_age: object) -> list[Problem]:
    """``Policy.max_age``: an ``int`` (not a ``bool``, not text) within the RFC 8461 range."""
    if isinstance(max_age, bool) or not isinstance(max_age, int):
        return [Problem("max_age", max_age, f"must be a whole number of seconds, got {max_age!r}")]
    return _check_max_age(max_age, "max_age")[1]


def _policy_extension_problems(extensions: object) -> list[Problem]:
    """``Policy.extensions``: valid ``(name, value)`` text pairs, sorted by name, none reserved."""
    pairs_given = isinstance(extensions, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in extensions)
    if not pairs_given:
        return [Problem("extensions", extensions, "must be a tuple of (name, value) pairs (Policy.build takes a dict)")]
    assert isinstance(extensions, tuple)
    normal, problems = _check_extensions(extensions, "extensions")
    if not problems and normal != extensions:
        problems.append(
            Problem("extensions", extensions, "must be text pairs sorted by name (Policy.build sorts them)")
        )
    return problems


@dataclass(frozen=True)
class Policy:
    """A valid, normalised MTA-STS policy. Build it with :meth:`Policy.build`.

    ``mx`` holds normal-form patterns (A-labels, lowercase, no trailing dot), sorted and
    without duplicates (none in ``none`` mode, at least one otherwise); ``max_age`` is 0 to
    31557600 seconds; ``extensions`` holds valid ``(key, value)`` pairs sorted by key.

    A ``Policy`` cannot exist invalid: the constructor checks every field and raises
    :class:`InputError` with the problems :func:`validate_policy` reports, so whatever holds a
    ``Policy`` can render it and publish its id without checking again. The constructor takes
    only the normal form; :meth:`Policy.build` is the way in for anything else (any case, order,
    duplicates, IDNs, ``max_age`` as text).
    """

    mode: str
    mx: tuple[str, ...]
    max_age: int
    extensions: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        problems = [
            *_mode_problems(self.mode),
            *_policy_mx_problems(self.mode, self.mx),
            *_policy_max_age_problems(self.max_age),
            *_policy_extension_problems(self.extensions),
        ]
        if problems:
            raise InputError(problems)

    @classmethod
    def build(
        cls,
        mode: object = DEFAULT_MODE,
        mx: object = (),
        max_age: object = DEFAULT_MAX_AGE,
        extensions: Mapping[str, object] | Iterable[tuple[str, object]] | None = None,
    ) -> Policy:
        """Validate and normalise; raise :class:`InputError` listing every problem."""
        policy, problems = validate_policy(mode, mx, max_age, extensions)
        if policy is None:
            raise InputError(problems)
        return policy

    def render(self) -> str:
        """The canonical policy text (CRLF line ends, trailing CRLF)."""
        lines = [f"version: {VERSION}", f"mode: {self.mode}"]
        lines += [f"mx: {pattern}" for pattern in self.mx]
        lines.append(f"max_age: {self.max_age}")
        lines += [f"{key}: {value}" for key, value in self.extensions]
        return "".join(line + "\r\n" for line in lines)

    def render_bytes(self) -> bytes:
        """Exactly the bytes to serve (UTF-8 of :meth:`render`)."""
        return self.render().encode("utf-8")

    @property
    def id(self) -> str:
        """The policy id: :func:`policy_id` of :meth:`render_bytes`."""
        return policy_id(self.render_bytes())


@dataclass
class PolicyParse:
    """The result of :func:`parse_policy`.

    ``policy`` is set when the text holds a usable policy (no errors). ``fields`` maps each key
    seen to its values in order; ``unknown_keys`` lists extension keys (ignored by senders).
    """

    policy: Policy | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.policy is not None and not self.errors


def _decode(text: str | bytes) -> tuple[str | None, list[Problem]]:
    if isinstance(text, str):
        return text, []
    try:
        return text.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Problem("policy", None, f"is not valid UTF-8 (byte {exc.start}); serve the policy as UTF-8")]


def _read_fields(decoded: str, result: PolicyParse) -> None:
    """Collect ``key: value`` lines into ``result.fields`` (other lines are warnings) and warn
    about keys that are not standard fields."""
    for number, line in enumerate(decoded.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or not _EXT_NAME.match(key):
            result.warnings.append(Problem(f"line {number}", line, "is not a 'key: value' line; ignored"))
            continue
        result.fields.setdefault(key, []).append(value)
    for key in result.fields:
        if key not in RESERVED_KEYS:
            result.unknown_keys.append(key)
            result.warnings.append(Problem(key, result.fields[key][0], "is not a standard field; senders ignore it"))


def _required_field_errors(fields: dict[str, list[str]]) -> list[Problem]:
    """``version``, ``mode`` and ``max_age``: each exactly once, and ``version`` ``STSv1``."""
    errors: list[Problem] = []
    for key in ("version", "mode", "max_age"):
        values = fields.get(key, [])
        if len(values) > 1:
            errors.append(Problem(key, values, f"appears {len(values)} times; keep exactly one {key} line"))
    versions = fields.get("version")
    if not versions:
        errors.append(Problem("version", None, "is missing; the first line must be 'version: STSv1'"))
    elif versions[0] != VERSION:
        errors.append(Problem("version", versions[0], f"{versions[0]!r} is not supported; use 'STSv1'"))
    if not fields.get("mode"):
        errors.append(Problem("mode", None, "is missing; add 'mode: testing' (or enforce, none)"))
    if not fields.get("max_age"):
        errors.append(Problem("max_age", None, "is missing; add e.g. 'max_age: 86401'"))
    return errors


def parse_policy(text: str | bytes) -> PolicyParse:
    """Parse a policy read from the wild, the way a tolerant sender would.

    Accepts LF or CRLF, spaces around keys and values and unknown keys (reported as
    warnings). Lines that are not ``key: value`` are reported as warnings and skipped. Missing
    or invalid required fields, or a repeated single field, are errors.
    """
    decoded, problems = _decode(text)
    if decoded is None:
        return PolicyParse(policy=None, errors=problems)
    result = PolicyParse(policy=None)
    _read_fields(decoded, result)
    result.errors.extend(_required_field_errors(result.fields))
    if result.errors:
        return result
    fields = result.fields
    # Invalid extensions are only warnings (senders ignore unknown keys): the policy keeps the valid ones.
    extensions = [(k, v[0]) for k, v in fields.items() if k not in RESERVED_KEYS]
    good_exts, ext_problems = _check_extensions(extensions, "extensions")
    policy, field_problems = validate_policy(fields["mode"][0], fields.get("mx", []), fields["max_age"][0], good_exts)
    if policy is None:
        result.errors.extend(field_problems)
        return result
    result.warnings.extend(ext_problems)
    result.policy = policy
    return result


def validate_policy_text(text: str | bytes) -> list[Problem]:
    """Strict validation of a policy body against the RFC 8461 §3.2 grammar.

    Everything :func:`parse_policy` reports as an error, plus: lines must be exactly
    ``key:`` + optional spaces + value (no space before the colon, no trailing space), every
    line ends with LF or CRLF (a bare CR or a missing final line end is an error), no blank or
    garbage lines, ``version`` must be the first line, ``mx`` lines must be present unless the
    mode is ``none``, and extension names/values must follow the grammar.
    """
    decoded, problems = _decode(text)
    if decoded is None:
        return problems
    problems = list(parse_policy(decoded).errors)
    if decoded and not decoded.endswith("\n"):
        problems.append(Problem("policy", None, "the last line has no line end; end every line with CRLF"))
    lines = decoded.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        where = f"line {number}"
        if "\r" in line:
            problems.append(Problem(where, raw, "contains a bare CR; end lines with CRLF or LF"))
            continue
        match = _STRICT_LINE.match(line)
        if not match:
            problems.append(Problem(where, line, "is not 'key: value' (no space before the colon, no blank lines)"))
            continue
        key, value = match.groups()
        if value != value.rstrip(" \t"):
            problems.append(Problem(where, line, "has trailing white space; remove it"))
        if number == 1 and key != "version":
            problems.append(Problem(where, line, "the first line must be 'version: STSv1'"))
        if key not in RESERVED_KEYS:
            _, ext_problems = _check_extensions([(key, value.rstrip(" \t"))], "extensions")
            problems.extend(Problem(where, p.value, p.reason) for p in ext_problems)
    return problems
