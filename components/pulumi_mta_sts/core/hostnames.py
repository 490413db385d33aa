"""Host names and MX patterns (RFC 8461 §3.2, §4.1): validation and the one normal form, lowercase
ASCII (A-labels, UTS #46), no trailing dot. A control, format or separator character is refused,
never cleaned up: it would reach the policy or a record as a line or field break.
"""

from __future__ import annotations

import ipaddress
import re

import idna

from .errors import Problem
from .txt_values import describe_character, unsafe_character

MAX_LABEL_LENGTH = 63
MAX_NAME_LENGTH = 253

_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def fold_hostname(name: str) -> str:
    """A normal form for *comparison* only (never raises), label by label when the whole is no host name."""
    text = name.strip().rstrip(".").lower()
    if text.isascii():
        return text
    whole, reason = _a_label(text, text)
    return whole if reason is None else ".".join(_a_label(label, label)[0] or label for label in text.split("."))


def _looks_like_ip(text: str) -> bool:
    candidate = text.strip("[]")
    if candidate.lower().startswith("ipv6:"):
        candidate = candidate[5:]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _shape_problem(raw: str) -> str | None:
    if not raw:
        return "is empty; give a host name such as mx1.example.com"
    if _looks_like_ip(raw):
        return f"{raw!r} is an IP address; MX patterns and domains must be host names"
    text = raw[:-1] if raw.endswith(".") else raw
    if not text or ".." in text or text.startswith("."):
        return f"{raw!r} has an empty label; remove the extra dot"
    if "*" in text:
        return f"{raw!r} contains '*'; a wildcard is only allowed as the whole leftmost label ('*.')"
    return None


def _a_label(label: str, raw: str) -> tuple[str, str | None]:
    if label.isascii():
        try:
            if label.lower().startswith("xn--"):
                idna.decode(label.lower())
        except (idna.IDNAError, UnicodeError):
            return "", f"{raw!r} has an invalid A-label {label!r} (bad punycode)"
        return label.lower(), None
    try:
        return idna.encode(label, uts46=True).decode("ascii"), None
    except (idna.IDNAError, UnicodeError) as exc:
        return "", f"{raw!r} has a label that is not a valid IDN ({label!r}: {exc})"


def _label_problem(label: str, raw: str) -> str | None:
    if len(label) > MAX_LABEL_LENGTH:
        return f"{raw!r} has a label of {len(label)} characters; labels are 1 to 63 characters"
    if not _LDH_LABEL.fullmatch(label):
        reason = f"{raw!r} has an invalid label {label!r}; use letters, digits and hyphens"
        return reason + ", not starting or ending with a hyphen"
    return None


def _name_problem(labels: list[str], raw: str, min_labels: int) -> str | None:
    normal = ".".join(labels)
    if len(normal) > MAX_NAME_LENGTH:
        return f"{raw!r} is {len(normal)} characters long; names are at most 253"
    if len(labels) < min_labels:
        return f"{raw!r} is a single label; give a fully qualified name such as mx1.example.com"
    if labels[-1].isdigit():
        return f"{raw!r} ends in an all-numeric label; that is not a host name"
    return None


def _normal_name(name: str, min_labels: int) -> tuple[str | None, str | None]:
    if (bad := unsafe_character(name)) is not None:
        what = describe_character(bad)
        return None, f"{name!r} contains {what}; a host name is letters, digits, hyphens and dots only"
    raw = name.strip()
    if (shape := _shape_problem(raw)) is not None:
        return None, shape
    labels: list[str] = []
    for label in raw.removesuffix(".").split("."):
        ascii_label, reason = _a_label(label, raw)
        if reason is not None:
            return None, reason
        labels.append(ascii_label)
    reason = next(filter(None, (_label_problem(label, raw) for label in labels)), None)
    reason = reason or _name_problem(labels, raw, min_labels)
    return (None, reason) if reason else (".".join(labels), None)


def normalize_hostname(name: object, field: str, *, min_labels: int = 2) -> tuple[str | None, list[Problem]]:
    """The normal form of a host name (or ``None``) and its first problem."""
    if not isinstance(name, str):
        return None, [Problem(field, name, f"must be a host name (a string), got {type(name).__name__}")]
    normal, reason = _normal_name(name, min_labels)
    return (None, [Problem(field, name, reason)]) if reason else (normal, [])


def normalize_mx_pattern(pattern: object, field: str) -> tuple[str | None, list[Problem]]:
    if isinstance(pattern, str) and unsafe_character(pattern) is None:  # else: refused below
        raw = pattern.strip()
        if raw.startswith("*."):
            rest, problems = normalize_hostname(raw[2:], field)
            if rest is None:
                return None, [Problem(p.field, pattern, p.reason.replace(repr(raw[2:]), repr(raw))) for p in problems]
            return "*." + rest, []
    return normalize_hostname(pattern, field)
