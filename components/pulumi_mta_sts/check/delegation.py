"""Hosted mode (RFC 8461 §8.2): is a domain's delegation to a policy provider in place?

A delegated domain's owner publishes CNAMEs into the provider's zone: ``_mta-sts.<domain>`` (the
provider keeps the ``v=STSv1`` record), ``mta-sts.<domain>`` (the provider serves the policy)
and optionally ``_smtp._tls.<domain>``. This toolkit names the targets
``_mta-sts.<domain>.<zone>``, ``_smtp._tls.<domain>.<zone>`` and a host name in ``<zone>``
(config/fleet_stack.py, docs/fleets.md).

- :func:`check_delegation` (``mta-sts check``): looks at the three names. A domain with none of
  them a CNAME is not delegated and gets no result. Otherwise the provider zone is read from the
  ``_mta-sts`` target when it has this toolkit's form, and each name is reported as found,
  missing or wrong (pointing outside that zone). With another provider's naming, what was found
  is reported and nothing is failed.
- :func:`compare_records` (``mta-sts onboard --check``): each record the owner must publish
  (from the plan or the stack outputs) against live DNS: found, missing or wrong.

Look-ups ask for the CNAME itself (no chain is followed), through :func:`net.lookup.lookup`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dns.resolver

from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.net.lookup import Lookup, Outcome, lookup

from .model import CheckResult, failed, passed, skipped

__all__ = ["CHECK_ID", "DelegationNames", "check_delegation", "compare_records", "live_cname"]

#: Results are ``delegation:<name>`` (one per CNAME), after the other checks of a domain.
CHECK_ID = "delegation"


def _text(name: object) -> str:
    return str(name).rstrip(".").lower()


def live_cname(resolver: dns.resolver.Resolver, name: str) -> tuple[str | None, Lookup]:
    """The CNAME target at ``name`` (``None``: no CNAME there) and the look-up."""
    found = lookup(resolver, name, "CNAME")
    if found.outcome is Outcome.OK and found.records:
        return _text(found.records[0].target), found
    return None, found


@dataclass(frozen=True)
class DelegationNames:
    """The three names of a domain that hosted mode delegates."""

    sts: str
    host: str
    tlsrpt: str

    @classmethod
    def of(cls, domain: str) -> DelegationNames:
        return cls(sts_record_name(domain), policy_host(domain), tlsrpt_record_name(domain))


def _zone_of(domain: str, sts_target: str | None) -> str | None:
    """The provider zone, when the ``_mta-sts`` CNAME has this toolkit's form ``_mta-sts.<domain>.<zone>``."""
    prefix = f"{sts_record_name(domain)}."
    if sts_target and sts_target.startswith(prefix) and len(sts_target) > len(prefix):
        return sts_target[len(prefix) :]
    return None


def _cid(name: str) -> str:
    return f"{CHECK_ID}:{name}"


def _failure(found: Lookup) -> str | None:
    """Why the look-up says nothing (a timeout, a server failure), else ``None``."""
    return found.describe_failure() if found.failed else None


def _judge(
    name: str, target: str | None, found: Lookup, zone: str | None, expected: str, required: bool
) -> CheckResult:
    """One delegated name: found into the zone (pass), wrong, missing (fail when required)."""
    cid = _cid(name)
    trouble = _failure(found)
    if trouble is not None:
        return failed(cid, trouble, f"make the name servers of {name} answer")
    if target is None:
        if not required:
            return skipped(cid, f"{name}: no CNAME (optional; the domain's own record, if any, is used)")
        return failed(cid, f"{name}: missing (no CNAME)", f"publish {name} CNAME {expected}")
    if zone is None or target == expected or (expected.startswith("(") and target.endswith(f".{zone}")):
        return passed(cid, f"{name} → {target}")
    return failed(cid, f"{name} → {target}: wrong, not into {zone}", f"point {name} at {expected}")


def check_delegation(resolver: dns.resolver.Resolver, domain: str) -> list[CheckResult]:
    """The delegation of ``domain`` (see the module docs); empty when it is not delegated."""
    names = DelegationNames.of(domain)
    looked = {name: live_cname(resolver, name) for name in (names.sts, names.host, names.tlsrpt)}
    if all(target is None for target, _ in looked.values()):
        return []
    zone = _zone_of(domain, looked[names.sts][0])
    if zone is None:  # another provider's naming: say what is there, judge nothing
        return [
            passed(_cid(name), f"{name} → {target}") if target else skipped(_cid(name), f"{name}: no CNAME")
            for name, (target, _) in looked.items()
        ]
    expected = {
        names.sts: f"{names.sts}.{zone}",
        names.host: f"(a host name in {zone}; see mta-sts onboard)",
        names.tlsrpt: f"{names.tlsrpt}.{zone}",
    }
    return [
        _judge(name, target, found, zone, expected[name], required=name != names.tlsrpt)
        for name, (target, found) in looked.items()
    ]


def compare_records(resolver: dns.resolver.Resolver, records: Sequence[Mapping[str, str]]) -> list[CheckResult]:
    """Each CNAME an owner must publish (``name``, ``value``; a value or name only known after
    deploy starts with ``(``) against live DNS."""
    results = []
    for record in records:
        name, value = _text(record["name"]), _text(record["value"])
        if name.startswith("("):
            results.append(skipped(_cid(name), f"name {name}: run with --outputs once deployed to check it"))
            continue
        target, found = live_cname(resolver, name)
        trouble = _failure(found)
        if trouble is not None:
            results.append(failed(_cid(name), trouble, f"make the name servers of {name} answer"))
        elif target is None:
            results.append(failed(_cid(name), f"{name}: missing (no CNAME)", f"publish {name} CNAME {value}"))
        elif value.startswith("(") or target == value:
            results.append(passed(_cid(name), f"{name} → {target}"))
        else:
            results.append(failed(_cid(name), f"{name} → {target}: wrong, expected {value}", f"point it at {value}"))
    return results
