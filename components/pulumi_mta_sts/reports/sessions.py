"""How many sessions one report says a policy domain had (docs/reports.md): a sender may list the SAME
sessions under ``tlsa`` and ``sts`` (Microsoft does), so it is the larger of the two plus every other type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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
    """Each policy domain (``None``: none given) of ONE report -> its ``(successful, failed)``."""
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
