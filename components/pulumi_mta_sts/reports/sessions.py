"""How many sessions one report says a policy domain had: the rule every domain total follows.

A sender that validates a domain both with DANE and with MTA-STS may list the SAME sessions twice,
under the domain's ``tlsa`` and its ``sts`` policy (Microsoft does). So within ONE report and ONE
policy domain, the domain's successful (and, apart, failed) sessions are the larger of the ``tlsa``
and the ``sts`` policies' sums; policies of one type add up (a sender that fetched a new policy
during the day judged each session under one of them); every other type (``no-policy-found``)
adds to the totals. The views per policy keep every count as sent; the domain views, the readiness
verdict's ``sts-*`` failures and the receiver's SQL (``receiver_lambda/queries.py``) follow this
rule. docs/reports.md says it to owners. Standard library only (the receiver's digest runs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "NOT_DETAILED",
    "NOT_REPORTED",
    "NO_DOMAIN",
    "domain_sessions",
    "mx_label",
    "receiving_host",
    "sessions_once",
]

# The labels and the two MX host rules the summary and the receiver's table rows share (here, not in
# summary.py, so the parser's Lambda archive ships them without the summary).
#: The domain label of a policy entry that has no ``policy-domain`` (``no-policy-found``).
NO_DOMAIN = "(no domain)"
#: The result type of failures a sender counted in its total but did not detail.
NOT_DETAILED = "(not detailed)"
#: The MX host of a failure whose receiving host and policy MX hosts are both unknown.
NOT_REPORTED = "(not reported)"


def mx_label(policy: Mapping[str, Any]) -> str | None:
    """Where a policy's successful sessions count: its MX hosts, joined with ``", "``."""
    hosts = policy.get("mx_hosts") or ()
    return ", ".join(hosts) if hosts else None


def receiving_host(name: str | None) -> str | None:
    """A failure's receiving MX host: lowercase, without the final dot (``None`` when not given)."""
    return (name.rstrip(".").lower() or None) if name else None


def sessions_once(counts: Iterable[tuple[str, int]]) -> int:
    """One policy domain's sessions in one report from its policies' ``(policy type, count)``."""
    sts = tlsa = other = 0
    for policy_type, count in counts:
        if policy_type == "sts":
            sts += count
        elif policy_type == "tlsa":
            tlsa += count
        else:
            other += count
    return max(sts, tlsa) + other


def domain_sessions(policies: Sequence[Mapping[str, Any]]) -> dict[str | None, tuple[int, int]]:
    """Each policy domain of ONE report's normalised ``policies`` (``None``: ``no-policy-found``
    without a domain) -> its ``(successful, failed)`` sessions, each by :func:`sessions_once`."""
    if len(policies) == 1:
        only = policies[0]
        return {only["policy_domain"]: (only["successful"], only["failed"])}
    grouped: dict[str | None, list[Mapping[str, Any]]] = {}
    for policy in policies:
        grouped.setdefault(policy["policy_domain"], []).append(policy)
    return {
        domain: (
            sessions_once((p["policy_type"], p["successful"]) for p in group),
            sessions_once((p["policy_type"], p["failed"]) for p in group),
        )
        for domain, group in grouped.items()
    }
