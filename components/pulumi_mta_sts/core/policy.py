"""The MTA-STS policy (RFC 8461 §3.2): model, validation, canonical rendering, id, parsing.

One byte form (UTF-8, CRLF line ends, ``mx`` sorted, extensions by key) and an id hashed from exactly
those bytes: every change of what is served changes the id, nothing else (no timestamp) does.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import defaults
from .acceptance import MAX_POLICY_BYTES
from .errors import InputError, Problem
from .hostnames import normalize_mx_pattern
from .txt_values import describe_character, unsafe_character

MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31_557_600
ID_LENGTH = 32
VERSION = "STSv1"
RESERVED_KEYS = ("version", "mode", "mx", "max_age")

# Every pattern is used with fullmatch: "$" would also match before a final "\n".
_EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_MAX_AGE_TEXT = re.compile(r"[0-9]{1,10}")
_TOOLKIT_ID = re.compile(r"[a-z2-7]{32}")
#: A field line, ``name ":" *WSP value *WSP`` (RFC 8461 §3.2): the name starts the line.
_FIELD_LINE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):[ \t]*(.*?)[ \t]*", re.DOTALL)
_WSP = " \t"
#: No line end for RFC 8461 and no CTL, but one for ``str.splitlines`` (postfix-mta-sts-resolver).
_UNICODE_BREAKS = "\x85\u2028\u2029"
#: How :func:`validate_policy_text` places empty lines at the end (``check`` words its hint by it).
EMPTY_LINES_AT_END = "at the end of the body, after the last field"
Extensions = Mapping[str, object] | Iterable[tuple[str, object]] | None


def policy_id(data: bytes | str) -> str:
    """160 bits of the served bytes' SHA-256, letters and digits only (RFC 8461 §3.1)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b32encode(hashlib.sha256(raw).digest()).decode("ascii").lower()[:ID_LENGTH]


def is_toolkit_id(value: str) -> bool:
    """Whether ``value`` has the form of a :func:`policy_id` (timestamps and hex digests use 0, 1, 8 or 9)."""
    return bool(_TOOLKIT_ID.fullmatch(value))


def _check_max_age(value: object, *, text: bool = True) -> tuple[int | None, list[Problem]]:
    """``max_age`` as an ``int`` (as ``Policy`` holds it) or, unless not ``text``, digits."""
    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, str) and not text):
        return None, [Problem("max_age", value, f"must be a whole number of seconds, got {value!r}")]
    if isinstance(value, str):
        if not _MAX_AGE_TEXT.fullmatch(value.strip(_WSP)):
            return None, [Problem("max_age", value, f"{value!r} is not a whole number of seconds (1 to 10 digits)")]
        value = int(value.strip(_WSP))
    if value < 0:
        return None, [Problem("max_age", value, f"{value} is negative; use 0 to {MAX_AGE_LIMIT} seconds")]
    if value > MAX_AGE_LIMIT:
        reason = (
            f"{value} is above the RFC 8461 limit of {MAX_AGE_LIMIT} seconds; use at most {MAX_AGE_LIMIT} (one year)"
        )
        return None, [Problem("max_age", value, reason)]
    return value, []


def extension_value_problem(value: str) -> str | None:
    """Why ``value`` may not be an extension value (RFC 8461 §3.2, no line breaks), or ``None``."""
    if not value:
        return "is empty; give a value"
    if (bad := unsafe_character(value)) is not None:
        return (
            f"contains {describe_character(bad)}; use printable characters only: senders that split "
            "lines there would read the rest as another field"
        )
    return "has leading or trailing spaces; remove them" if value != value.strip(" ") else None


def _extension_name_problem(key: object) -> str | None:
    if not isinstance(key, str) or not _EXT_NAME.fullmatch(key):
        return (
            "is not a valid extension name; use 1 to 32 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    if key in RESERVED_KEYS:
        return f"{key!r} is a standard field; set it directly, not as an extension"
    if key.lower() in RESERVED_KEYS:
        return f"{key!r} is not the standard field {key.lower()!r} (names are case-sensitive): senders ignore it"
    return None


def _check_extensions(extensions: Extensions) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    if extensions is None:
        return (), []
    items = list(extensions.items()) if isinstance(extensions, Mapping) else list(extensions)
    problems: list[Problem] = []
    out: dict[str, str] = {}
    for key, value in items:
        where = f"extensions.{key}"
        if (name_problem := _extension_name_problem(key)) is not None:
            problems.append(Problem(where, key, name_problem))
        elif isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(Problem(where, value, "must be a text value"))
        elif (value_problem := extension_value_problem(str(value))) is not None:
            problems.append(Problem(where, value, f"is not a valid extension value: {value_problem}"))
        elif key in out:
            problems.append(Problem(where, value, f"extension {key!r} is given twice; keep one"))
        else:
            out[key] = str(value)
    return tuple(sorted(out.items())), problems


def _mode_problems(mode: object) -> list[Problem]:
    if mode in MODES:
        return []
    return [Problem("mode", mode, f"{mode!r} is not a mode; use one of enforce, testing, none")]


def _mx_required(mode: object, mx: object) -> Problem:
    return Problem("mx", mx, f"is required in {mode} mode; list every MX host of the domain (or a '*.' pattern)")


def _normal_patterns(items: Iterable[object]) -> tuple[list[str | None], list[Problem]]:
    normals: list[str | None] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        normal, item_problems = normalize_mx_pattern(item, f"mx[{index}]")
        normals.append(normal)
        problems.extend(item_problems)
    return normals, problems


def validate_policy(
    mode: object, mx: object, max_age: object, extensions: Extensions = None
) -> tuple[Policy | None, list[Problem]]:
    """The normalised :class:`Policy` (or ``None``) and every problem."""
    problems = _mode_problems(mode)
    mx_items = [mx] if isinstance(mx, str) else list(mx) if isinstance(mx, list | tuple | set | frozenset) else []
    if mx is not None and not isinstance(mx, str | list | tuple | set | frozenset):
        problems.append(Problem("mx", mx, "must be a list of MX host patterns"))
    normals, pattern_problems = _normal_patterns(mx_items)
    problems += pattern_problems
    if mode in ("enforce", "testing") and not mx_items:
        problems.append(_mx_required(mode, mx))
    age, age_problems = _check_max_age(max_age)
    exts, ext_problems = _check_extensions(extensions)
    problems += age_problems + ext_problems
    if problems or age is None or not isinstance(mode, str):
        return None, problems
    final_mx = () if mode == "none" else tuple(sorted({n for n in normals if n is not None}))
    try:
        return Policy(mode=mode, mx=final_mx, max_age=age, extensions=exts), []
    except InputError as error:  # what only the whole policy shows: its size
        return None, list(error.problems)


def _policy_mx_problems(mode: object, mx: object) -> list[Problem]:
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


def _policy_size_problems(policy: Policy) -> list[Problem]:
    """RFC 8461 §3.3 lets senders cap the size: the bytes must fit the deploy gate's and checker's cap."""
    size = len(policy.render_bytes())
    if size <= MAX_POLICY_BYTES:
        return []
    reason = (
        f"renders to {size} bytes; senders fetch at most {MAX_POLICY_BYTES} bytes ({MAX_POLICY_BYTES // 1024} KiB) "
        "and ignore a larger policy: use fewer mx patterns ('*.' covers one label of many hosts) or shorter extensions"
    )
    return [Problem("policy", size, reason)]


def _policy_extension_problems(extensions: object) -> list[Problem]:
    if not isinstance(extensions, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in extensions):
        return [Problem("extensions", extensions, "must be a tuple of (name, value) pairs (Policy.build takes a dict)")]
    normal, problems = _check_extensions(extensions)
    if not problems and normal != extensions:
        problems.append(
            Problem("extensions", extensions, "must be text pairs sorted by name (Policy.build sorts them)")
        )
    return problems


@dataclass(frozen=True)
class Policy:
    """A valid policy in normal form (:meth:`build` normalises any input). The constructor refuses
    anything else: a ``Policy`` cannot exist invalid, so its holders publish its id unchecked."""

    mode: str
    mx: tuple[str, ...]
    max_age: int
    extensions: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        problems = [
            *_mode_problems(self.mode),
            *_policy_mx_problems(self.mode, self.mx),
            *_check_max_age(self.max_age, text=False)[1],
            *_policy_extension_problems(self.extensions),
        ]
        if problems or (problems := _policy_size_problems(self)):
            raise InputError(problems)

    @classmethod
    def build(
        cls,
        mode: object = defaults.DEFAULT_MODE,
        mx: object = (),
        max_age: object = defaults.DEFAULT_MAX_AGE,
        extensions: Extensions = None,
    ) -> Policy:
        policy, problems = validate_policy(mode, mx, max_age, extensions)
        if policy is None:
            raise InputError(problems)
        return policy

    def render(self) -> str:
        lines = [f"version: {VERSION}", f"mode: {self.mode}"]
        lines += [f"mx: {pattern}" for pattern in self.mx]
        lines.append(f"max_age: {self.max_age}")
        lines += [f"{key}: {value}" for key, value in self.extensions]
        return "".join(line + "\r\n" for line in lines)

    def render_bytes(self) -> bytes:
        return self.render().encode("utf-8")

    @property
    def id(self) -> str:
        return policy_id(self.render_bytes())


@dataclass
class PolicyParse:
    """What :func:`parse_policy` read: ``policy`` when usable; ``fields``, each key's values in order."""

    policy: Policy | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)


def policy_lines(text: str) -> list[str]:
    """The lines of a body as RFC 8461 §3.2 cuts them: at LF only, never at a lone CR, NEL or U+2028."""
    *ended, last = text.split("\n")
    lines = [line.removesuffix("\r") for line in ended]
    return [*lines, last] if last else lines


def _decode(text: str | bytes) -> tuple[str | None, list[Problem]]:
    if isinstance(text, str):
        return text, []
    try:
        return text.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Problem("policy", None, f"is not valid UTF-8 (byte {exc.start}); serve the policy as UTF-8")]


def _field_lines(decoded: str) -> list[tuple[int, str, str | None, str]]:
    """``(number, line, key, value)`` of each non-blank line (``key`` ``None``: no field)."""
    matched = [(n, line, _FIELD_LINE.fullmatch(line)) for n, line in enumerate(policy_lines(decoded), start=1)]
    return [(n, line, m[1], m[2]) if m else (n, line, None, "") for n, line, m in matched if line.strip(_WSP)]


def _required_field_errors(fields: dict[str, list[str]]) -> list[Problem]:
    """A repeated field is no error: "all entries except for the first SHALL be ignored" (RFC 8461 §3.2)."""
    errors: list[Problem] = []
    versions = fields.get("version")
    if not versions:
        errors.append(Problem("version", None, "is missing; add the line 'version: STSv1'"))
    elif versions[0] != VERSION:
        errors.append(Problem("version", versions[0], f"{versions[0]!r} is not supported; use 'STSv1'"))
    if not fields.get("mode"):
        errors.append(Problem("mode", None, "is missing; add 'mode: testing' (or enforce, none)"))
    if not fields.get("max_age"):
        errors.append(Problem("max_age", None, "is missing; add e.g. 'max_age: 86401'"))
    return errors


def mx_form_problems(values: Iterable[str]) -> list[Problem]:
    """Served ``mx`` values that are valid names but not A-labels without a trailing dot (RFC 8461 §3.2)."""
    problems: list[Problem] = []
    for index, value in enumerate(values):
        normal, invalid = normalize_mx_pattern(value, f"mx[{index}]")
        if normal is None or invalid or value.lower() == normal:
            continue
        what = f"{value!r} ends with a dot" if value.endswith(".") else f"{value!r} is not in A-label form"
        reason = (
            f"{what}: a policy's mx values are A-label names without a trailing dot (RFC 8461 §3.2). "
            f"Strict senders refuse the whole policy; lenient ones apply it but may match no MX host "
            f"against this pattern, and in enforce defer the mail. Serve 'mx: {normal}'"
        )
        problems.append(Problem(f"mx[{index}]", value, reason))
    return problems


def parse_policy(text: str | bytes) -> PolicyParse:
    """Read a policy as a sender that follows RFC 8461 §3.2 does (a repeated field's first value, but
    ``mx``). What senders ignore or disagree on is a warning; a missing or invalid field an error."""
    decoded, problems = _decode(text)
    if decoded is None:
        return PolicyParse(policy=None, errors=problems)
    return _parse_lines(_field_lines(decoded))


def _parse_lines(lines: list[tuple[int, str, str | None, str]]) -> PolicyParse:
    fields: dict[str, list[str]] = {}  # each key's values in order of the body
    for _, _, key, value in lines:
        if key is not None:
            fields.setdefault(key, []).append(value)
    result = PolicyParse(policy=None, fields=fields, errors=_required_field_errors(fields))
    for number, line, key, _ in lines:
        if key is None:
            result.warnings.append(Problem(f"line {number}", line, "is not a 'key: value' line; senders ignore it"))
    result.unknown_keys = [key for key in fields if key not in RESERVED_KEYS]
    result.warnings += [
        Problem(key, fields[key][0], "is not a standard field; senders ignore it") for key in result.unknown_keys
    ]
    if result.errors:
        return result
    # Invalid extensions are only warnings (senders ignore unknown keys): the policy keeps the valid ones.
    good_exts, ext_problems = _check_extensions([(k, fields[k][0]) for k in result.unknown_keys])
    mx_values = fields.get("mx", [])
    policy, field_problems = validate_policy(fields["mode"][0], mx_values, fields["max_age"][0], good_exts)
    if policy is None:
        result.errors.extend(field_problems)
        return result
    # A value the policy holds is in normal form: only the others can be in the wrong one.
    odd_mx = [] if set(mx_values) <= set(policy.mx) else mx_form_problems(mx_values)
    result.warnings.extend(ext_problems + odd_mx)
    result.policy = policy
    return result


def _line_violations(number: int, line: str, key: str | None, value: str) -> list[Problem]:
    where = f"line {number}"
    if "\r" in line:
        return [Problem(where, line, "contains a CR that does not end the line; end lines with CRLF or LF")]
    if key is None:
        return [Problem(where, line, "is not 'key: value' (the name starts the line, the colon follows it)")]
    if key in RESERVED_KEYS:
        return []
    if not value:
        return [Problem(where, line, "has an empty value; sts-policy-ext-value is at least one character")]
    if any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return [Problem(where, line, "contains a control character; RFC 8461 §3.2 values exclude CTLs")]
    return []


def _empty_lines_at_end(decoded: str) -> list[Problem]:
    """Empty lines after the last field: the grammar allows none, and senders disagree on them."""
    lines = policy_lines(decoded)
    filled = [number for number, line in enumerate(lines, start=1) if line.strip(_WSP)]
    if not filled or filled[-1] == len(lines):
        return []
    first, count = filled[-1] + 1, len(lines) - filled[-1]
    what = "an empty line" if count == 1 else f"{count} empty lines"
    reason = (
        f"{what} {EMPTY_LINES_AT_END}: the RFC 8461 §3.2 grammar allows one optional line end after the "
        "last field and nothing after it. Strict senders refuse the whole policy (Mimecast's parser with "
        "CRLF required: 'Policy does not support empty lines'); lenient ones (postfix-mta-sts-resolver, "
        "checkdmarc) skip the empty line and apply it. End the body right after the last field's line end"
    )
    return [Problem(f"line {first}", lines[first - 1 :], reason)]


def validate_policy_text(text: str | bytes) -> list[Problem]:
    """The violations of RFC 8461 §3.2 in a body, with what strict senders refuse and lenient ones
    accept; what the RFC allows is :func:`lint_policy_text`'s advice (docs/standards.md)."""
    return read_policy_text(text)[1]


def lint_policy_text(text: str | bytes) -> list[Problem]:
    """Advice on a body senders accept as it is (order, repeats, blank lines, Unicode line breaks)."""
    return read_policy_text(text)[2]


def read_policy_text(text: str | bytes) -> tuple[PolicyParse, list[Problem], list[Problem]]:
    """One read of a served body: :func:`parse_policy`'s, :func:`validate_policy_text`'s and
    :func:`lint_policy_text`'s answers from one decode and one parse (``check`` reads every body)."""
    decoded, problems = _decode(text)
    if decoded is None:
        return PolicyParse(policy=None, errors=problems), problems, []
    lines = _field_lines(decoded)
    parsed = _parse_lines(lines)
    violations = [*parsed.errors, *(p for ln in lines for p in _line_violations(*ln)), *_empty_lines_at_end(decoded)]
    # The parse's warnings end with mx_form_problems when it has a policy (no field name has "[").
    violations += [p for p in parsed.warnings if p.field.startswith("mx[")]
    return parsed, violations, _advice(decoded, lines, parsed.fields)


def _advice(decoded: str, lines: list[tuple[int, str, str | None, str]], fields: dict[str, list[str]]) -> list[Problem]:
    advice = [
        Problem(f"line {number}", line, "is blank; senders skip it, but the RFC 8461 grammar has none: remove it")
        for number, line in enumerate(policy_lines(decoded), start=1)
        if not line.strip(_WSP)
    ]
    if lines and lines[0][2] != "version" and any(key == "version" for _, _, key, _ in lines):
        advice.append(
            Problem("version", lines[0][1], "is not the first line; RFC 8461 allows any order, but put it first")
        )
    advice += [
        Problem(key, values, f"appears {len(values)} times; senders use the first ({values[0]!r}): keep one")
        for key, values in fields.items()
        if key != "mx" and len(values) > 1
    ]
    for number, line, _, _ in lines:
        if breaks := sorted({describe_character(c) for c in line if c in _UNICODE_BREAKS}):
            reason = (
                f"contains {', '.join(breaks)}; senders that split lines with str.splitlines() "
                "(postfix-mta-sts-resolver) read a new line there: remove it"
            )
            advice.append(Problem(f"line {number}", line, reason))
    return advice
