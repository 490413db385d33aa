"""How many sessions one report says a policy domain had: the rule every domain total follows.

A report lists its sessions per policy (RFC 8460 §4.2). A sender that validates a domain both
with DANE and with MTA-STS may list the SAME sessions twice: once under the domain's ``tlsa``
policy and once under its ``sts`` policy. Microsoft does (``tlsa`` 2 successful and ``sts`` 2
successful for a domain that received 2 sessions). Adding the two would count each session twice.

The rule, within ONE report and ONE policy domain:

- the sessions under ``tlsa`` policies and those under ``sts`` policies are the same sessions seen
  twice, so the domain's count is the LARGER of the two groups' sums, not their total (successful
  and failed each on its own: each is the larger of the two groups' successful, resp. failed, sums);
- policies of ONE type add up (two ``sts`` policies: the sender fetched a new policy during the
  day, and each session was judged under one of them);
- every other policy type (``no-policy-found``, or a type this parser does not know) adds to the
  domain's totals: those sessions were judged under no MTA-STS or DANE policy at all.

Views that are per policy (the policies senders saw, result types, MX hosts) keep every count as
the sender gave it: there each policy's sessions are shown under that policy. The domain views
(the summary's domains and days, its organisations, the HTML totals and the digest) and the
readiness verdict's ``sts-*`` failures count by this rule, through :func:`sessions_once`; the
receiver's SQL (``receiver_lambda/queries.py``) writes the same rule in SQL. docs/reports.md says
it to owners.

Standard library only (the receiver's digest runs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "NOT_DETAILED",
    "NOT_REPORTED",
    "NO_DOMAIN",
    "SAME_SESSIONS_TYPES",
    "domain_sessions",
    "mx_label",
    "receiving_host",
    "sessions_once",
]

#: The policy types whose sessions a sender may report twice, once under each.
SAME_SESSIONS_TYPES = ("sts", "tlsa")
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
    """The sessions of one policy domain in one report from its policies' ``(policy type, count)``:
    the larger of the ``sts`` and the ``tlsa`` sums, plus every other type's count (module docstring)."""
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
    """Each policy domain of ONE report's normalised ``policies`` (``None``: a ``no-policy-found``
    entry without a domain) -> its ``(successful, failed)`` sessions, each by :func:`sessions_once`
    (a report of one policy, the common case, is its counts: nothing is seen twice)."""
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
