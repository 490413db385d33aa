"""Why a wildcard pattern misses an MX host below it (RFC 8461 §4.1: ``*`` stands for exactly one
label), worded once for ``mta-sts check``'s mx-coverage hint and ``mta-sts migrate``'s ``--pattern``
errors. Microsoft 365's MX names since July 2026 (``<domain>.<zone>.mx.microsoft``) are the case that
made it common: ``*.mx.microsoft`` covers none of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .hostnames import fold_hostname


def parent_wildcard(host: str) -> str:
    """``*.`` and the name one label above ``host``: the one wildcard that covers it."""
    return "*." + fold_hostname(host).partition(".")[2]


def too_deep(host: str, pattern: str) -> int:
    """How many labels ``host`` has below the suffix of the wildcard ``pattern`` when that is more
    than the one label the wildcard stands for; 0 when the pattern is not such a near miss."""
    name, folded = fold_hostname(host), fold_hostname(pattern)
    if not folded.startswith("*.") or not name.endswith(folded[1:]):
        return 0
    depth = name[: -len(folded) + 1].count(".") + 1
    return depth if depth > 1 else 0


def one_label_notes(hosts: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """For each host a wildcard misses only because the host is deeper: what to write instead."""
    wildcards = [p for p in dict.fromkeys(patterns) if p.startswith("*.")]
    notes: list[str] = []
    for host in dict.fromkeys(hosts):
        for pattern in wildcards:
            if depth := too_deep(host, pattern):
                notes.append(
                    f"{pattern} covers exactly one label (RFC 8461 §4.1) and {host} is {depth} labels below "
                    f"{pattern[2:]}: write mx: {host} or mx: {parent_wildcard(host)}"
                )
                break
    return notes
