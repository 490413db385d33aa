"""``mta-sts plan`` against live DNS: record sets and policies (fetched as senders do) as a
:class:`~pulumi_mta_sts.change.model.ChangeSet`. Once DNS fails, the rest of the run is not compared.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Final

from pulumi_mta_sts.change.model import KNOWN_AFTER_DEPLOY as UNKNOWN
from pulumi_mta_sts.change.model import ChangeSet, PolicyChange, RecordChange, Status
from pulumi_mta_sts.core.acceptance import Accepted
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.core.policy_change import PolicyState, safety_notes
from pulumi_mta_sts.core.records import parse_sts_records, policy_host, policy_url, sts_record_name
from pulumi_mta_sts.net.https_fetch import fetch_policy, make_tls_context
from pulumi_mta_sts.net.lookup import Lookup, Outcome, lookup, mail_hosts
from pulumi_mta_sts.program.options import LIVE_DNS_UNREACHABLE, LiveDns, ProgramOptions, reachable_live_dns

#: Plan record types that are not DNS types: what DNS serves at their name is asked as these.
_ASKED_AS: Final = {"WORKER": ("A", "AAAA")}
_STS_PREFIX: Final = "_mta-sts."
_PROXIED: Final = " (proxied)"


@dataclass(frozen=True)
class LiveSettings:
    options: ProgramOptions = field(default_factory=ProgramOptions)
    cafile: str | None = None
    https_port: int = 443
    timeout: float = HTTPS_REQUEST_TIMEOUT


class LiveRun:
    """One run's resolver (``dns``: probed already), TLS context and first failure (then nothing is asked)."""

    def __init__(self, settings: LiveSettings, dns: LiveDns | None = None) -> None:
        self.settings = settings
        self.dns: LiveDns = dns if dns is not None else reachable_live_dns(settings.options)
        self.unavailable: str | None = self.dns.unavailable if self.dns.resolver is None else None

    @property
    def program_options(self) -> ProgramOptions:
        options = self.settings.options
        if not options.live_dns or self.dns.resolver is not None or self.dns.disabled:
            return options
        return replace(options, live_dns=False, offline_reason=LIVE_DNS_UNREACHABLE)

    def ask(self, name: str, rtype: str) -> Lookup | None:
        if self.unavailable is not None or self.dns.resolver is None:
            return None
        found = lookup(self.dns.resolver, name, rtype)
        if found.failed:
            self.unavailable = f"live DNS did not answer ({found.describe_failure()})"
            return None
        return found

    def live_mx(self, domain: str) -> tuple[str, ...] | None:
        if self.unavailable is not None or self.dns.resolver is None:
            return None
        hosts = mail_hosts(self.dns.resolver, domain)
        if hosts.problem is not None:
            if hosts.problem.failed:
                self.unavailable = f"live DNS did not answer ({hosts.problem.describe_failure()})"
            return None
        return hosts.hosts

    @cached_property
    def tls(self) -> ssl.SSLContext:
        return make_tls_context(self.settings.cafile)


def known(record: RecordChange) -> bool:
    if record.type in _ASKED_AS or UNKNOWN in record.name:
        return False
    return not any(UNKNOWN in v or v.endswith(_PROXIED) for v in record.new or ())


def record_sets(rows: Iterable[Mapping[str, str]]) -> list[RecordChange]:
    """The plan's DNS rows grouped by name and type, sorted (the engine records in no fixed order)."""
    sets: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        sets.setdefault((row["name"], row["type"]), []).append(row["value"])
    return [RecordChange(name, rtype, sorted(sets[name, rtype])) for name, rtype in sorted(sets)]


def _rdata_text(rtype: str, rdata: Any) -> str:
    if rtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if rtype == "MX":
        return f"{rdata.preference} {str(rdata.exchange).rstrip('.').lower()}"
    if rtype in ("CNAME", "NS"):
        return str(rdata.target).rstrip(".").lower()
    if rtype in ("A", "AAAA"):
        return str(rdata.address)
    return str(rdata.to_text())


def _normal(rtype: str, value: str) -> str:
    if rtype in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value
    return value.rstrip(".").lower() if rtype in ("MX", "CNAME", "NS") else value


def _status(record: RecordChange, live: list[str]) -> Status:
    """``create`` where nothing is served (even if the new value is known only after deploy);
    ``unknown`` where the name is not known yet, or the new value is not and something is served."""
    if UNKNOWN in record.name:
        return "unknown"
    if not live:
        return "create"
    if not known(record):
        return "unknown"
    same = {_normal(record.type, v) for v in live} == {_normal(record.type, v) for v in record.new or ()}
    return "unchanged" if same else "change"


def _compare_record(record: RecordChange, run: LiveRun) -> bool:
    """Fill in ``status`` and ``old``; False when DNS could not be asked."""
    live: list[str] = []
    for rtype in () if UNKNOWN in record.name else _ASKED_AS.get(record.type, (record.type,)):
        found = run.ask(record.name, rtype)
        if found is None:
            return False
        if found.outcome is Outcome.OK:
            live += [_rdata_text(rtype, r) for r in found.records]
    record.status, record.old = _status(record, live), live or None
    return True


def _served_policy(domain: str, record: Lookup, run: LiveRun) -> tuple[PolicyState, str | None]:
    if record.outcome is not Outcome.OK:
        return PolicyState(None, None), f"_mta-sts.{domain} has no TXT record today: senders see no policy"
    parsed = parse_sts_records(record.texts())
    if parsed.record is None:
        why = "; ".join(str(p) for p in parsed.problems) or "no usable v=STSv1 record"
        return PolicyState(None, None), f"the _mta-sts record today is not usable ({why}): senders see no policy"
    record_id, host = parsed.record.id, policy_host(domain)
    address = _first_address(host, run)
    if address is None:
        return PolicyState(None, record_id), f"{host} has no address in DNS: the policy served today is not known"
    got = fetch_policy(host, address, port=run.settings.https_port, context=run.tls, timeout=run.settings.timeout)
    if isinstance(got.verdict, Accepted):
        return PolicyState(got.verdict.text, record_id), None
    reason = f"{policy_url(domain)} {got.verdict.reason}: senders accept no policy from it today"
    return PolicyState(None, record_id), reason


def _first_address(host: str, run: LiveRun) -> str | None:
    asked = (run.ask(host, rtype) for rtype in ("A", "AAAA"))  # AAAA only when A has none
    return next((str(f.records[0].address) for f in asked if f is not None and f.outcome is Outcome.OK), None)


def _domain_of(record_name: str, policies: Mapping[str, str]) -> str:
    """The mail domain of ``_mta-sts.<domain>``, or of ``_mta-sts.<domain>.<zone>`` (delegated)."""
    rest = record_name.removeprefix(_STS_PREFIX)
    owners = [domain for domain in policies if rest == domain or rest.startswith(domain + ".")]
    return max(owners, key=len) if owners else rest


def _policy_change(record: RecordChange, policies: Mapping[str, str], run: LiveRun | None) -> PolicyChange:
    domain = _domain_of(record.name, policies)
    planned = parse_sts_records([v for v in record.new or () if UNKNOWN not in v]).record
    change = PolicyChange(domain, PolicyState(policies.get(domain), planned.id if planned else None))
    if run is not None and run.unavailable is None:
        found = run.ask(sts_record_name(domain), "TXT")  # where senders look (a delegated record: via CNAME)
        if found is not None:
            old, problem = _served_policy(domain, found, run)
            live_mx = run.live_mx(domain)
            if run.unavailable is None:
                change.old, change.problem, change.live_mx = old, problem, live_mx
    change.notes = safety_notes(change.old or PolicyState(None, None), change.new, change.live_mx)
    return change


def _offline(records: list[RecordChange], policies: list[PolicyChange], reason: str | None) -> ChangeSet:
    for record in records:
        record.status, record.old = (None if known(record) else "unknown"), None
    for policy in policies:
        policy.old, policy.problem, policy.live_mx = None, None, None
        policy.notes = safety_notes(PolicyState(None, None), policy.new, None)
    return ChangeSet(records, policies, compared=False, reason=reason)


def compare_with_live(rows: Sequence[Mapping[str, str]], policies: Mapping[str, str], run: LiveRun | None) -> ChangeSet:
    """The planned DNS ``rows`` and ``policies`` (domain → text) against what ``run`` finds."""
    records = record_sets(rows)
    order = {domain: index for index, domain in enumerate(policies)}
    sts = [r for r in records if r.type == "TXT" and r.name.startswith(_STS_PREFIX)]
    sts.sort(key=lambda r: (order.get(_domain_of(r.name, policies), len(order)), r.name))
    live = run is not None and run.unavailable is None and all(_compare_record(r, run) for r in records)
    changes = [_policy_change(r, policies, run if live else None) for r in sts]
    if run is None or run.unavailable is not None:
        return _offline(records, changes, run.unavailable if run else None)
    return ChangeSet(records, changes)
