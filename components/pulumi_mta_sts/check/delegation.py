"""Hosted mode (RFC 8461 §8.2): are a delegated domain's CNAMEs into the provider's zone in place?
The zone is read from the ``_mta-sts`` target (this toolkit's naming; another provider's is only reported)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.net.lookup import Asker, Lookup, Outcome, lookup, name_text

from .model import CheckResult, failed, passed, skipped

#: Results are ``delegation:<name>`` (one per CNAME), after the other checks of a domain.
CHECK_ID = "delegation"
#: A name's CNAME target (``None``: no CNAME there) and its look-up.
_Looked = tuple[str | None, Lookup]
#: Runs a look-up over several names (``map``, or a pool's ``map`` to ask them side by side).
Gather = Callable[[Callable[[str], _Looked], Iterable[str]], Iterator[_Looked]]


def _live_cname(resolver: Asker, name: str) -> _Looked:
    """The CNAME target at ``name`` (``None``: no CNAME there) and the look-up."""
    found = lookup(resolver, name, "CNAME")
    if found.outcome is Outcome.OK and found.records:
        return name_text(found.records[0].target), found
    return None, found


def _judge(
    name: str, looked: tuple[str | None, Lookup], expected: str, ok: bool, wrong: tuple[str, str]
) -> CheckResult:
    """One name: a failed look-up, missing, as ``expected`` (``ok``) or ``wrong`` (what it is, and the fix)."""
    cid, (target, found) = f"{CHECK_ID}:{name}", looked
    if found.failed:
        return failed(cid, found.describe_failure(), f"make the name servers of {name} answer")
    if target is None:
        return failed(cid, f"{name}: missing (no CNAME)", f"publish {name} CNAME {expected}")
    if ok:
        return passed(cid, f"{name} → {target}")
    return failed(cid, f"{name} → {target}: {wrong[0]}", wrong[1])


def check_delegation(resolver: Asker, domain: str, gather: Gather = map) -> list[CheckResult]:
    """The delegation of ``domain`` (empty: not delegated), read from the answers the other checks ask
    anyway; only a name whose answer failed is asked for its CNAME alone (side by side, via ``gather``)."""
    sts, host, tlsrpt = sts_record_name(domain), policy_host(domain), tlsrpt_record_name(domain)
    shown = {name: lookup(resolver, name, rtype) for name, rtype in ((sts, "TXT"), (host, "A"), (tlsrpt, "TXT"))}
    unknown = [name for name, found in shown.items() if found.failed]
    looked = {name: (found.cname, found) for name, found in shown.items()}
    looked.update(zip(unknown, gather(lambda name: _live_cname(resolver, name), unknown), strict=True))
    if all(target is None for target, _ in looked.values()):
        return []
    sts_target = looked[sts][0] or ""
    zone = sts_target.removeprefix(f"{sts}.") if sts_target.startswith(f"{sts}.") else ""
    return [_delegated(name, looked[name], zone, name == host, name == tlsrpt) for name in looked]


def _delegated(name: str, looked: _Looked, zone: str, host: bool, optional: bool) -> CheckResult:
    """One of the three names against ``zone`` (empty: another provider's naming, reported, not judged)."""
    cid, (target, found) = f"{CHECK_ID}:{name}", looked
    if not zone:
        return passed(cid, f"{name} → {target}") if target else skipped(cid, f"{name}: no CNAME")
    if optional and target is None and not found.failed:
        return skipped(cid, f"{name}: no CNAME (optional; the domain's own record, if any, is used)")
    expected = f"(a host name in {zone}; see mta-sts onboard)" if host else f"{name}.{zone}"
    ok = target == expected or (host and (target or "").endswith(f".{zone}"))
    return _judge(name, looked, expected, ok, (f"wrong, not into {zone}", f"point {name} at {expected}"))


def compare_records(resolver: Asker, records: Sequence[Mapping[str, str]]) -> list[CheckResult]:
    """Each CNAME an owner must publish against live DNS (a value starting ``(`` is known after deploy)."""
    results = []
    for record in records:
        name, value = name_text(record["name"]), name_text(record["value"])
        if name.startswith("("):
            results.append(skipped(f"{CHECK_ID}:{name}", f"name {name}: run with --outputs once deployed to check it"))
            continue
        looked = _live_cname(resolver, name)
        ok = value.startswith("(") or looked[0] == value
        results.append(_judge(name, looked, value, ok, (f"wrong, expected {value}", f"point it at {value}")))
    return results
