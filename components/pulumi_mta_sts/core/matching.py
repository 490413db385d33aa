"""Matching MX hosts against policy ``mx`` patterns (RFC 8461 §4.1): ``*.example.net`` matches
``mx1.example.net`` but neither ``a.b.example.net`` nor ``example.net``; names compare folded.
"""

from __future__ import annotations

from collections.abc import Iterable

from .hostnames import fold_hostname


def _pattern_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        suffix = pattern[2:]
        head, dot, rest = host.partition(".")
        return bool(dot) and bool(head) and head != "*" and rest == suffix and bool(suffix)
    return host == pattern and bool(host)


def matching_pattern(mx_host: str, patterns: Iterable[str]) -> str | None:
    """The first pattern (as given) that covers ``mx_host``, or ``None``."""
    host = fold_hostname(mx_host)
    for pattern in patterns:
        if _pattern_matches(host, fold_hostname(pattern)):
            return pattern
    return None


def matches(mx_host: str, patterns: Iterable[str]) -> bool:
    """Whether ``mx_host`` is covered by one of ``patterns`` (RFC 8461 §4.1)."""
    return matching_pattern(mx_host, patterns) is not None


def uncovered(mx_hosts: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """The MX hosts no pattern covers, in the order given (duplicates dropped)."""
    pats = list(patterns)
    return [h for h in dict.fromkeys(mx_hosts) if not matches(h, pats)]


def unused_patterns(mx_hosts: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """The patterns that cover none of ``mx_hosts``, in the order given."""
    hosts = list(mx_hosts)
    return [p for p in dict.fromkeys(patterns) if not any(matches(h, [p]) for h in hosts)]
