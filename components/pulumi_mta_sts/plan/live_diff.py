"""``mta-sts plan`` against live DNS: what each managed record is today, and what senders get.

A plan lists the records a stack manages (:func:`~pulumi_mta_sts.plan.stack_plan.dns_rows`). Here
each record set (one name and type) is compared with what DNS serves today:

- ``create`` (``+``): DNS serves nothing of that type at that name;
- ``change`` (``~``): it serves other values (shown old → new);
- ``unchanged`` (``=``): it serves exactly the planned values;
- ``unknown`` (``?``): a planned name or value is only known after the deploy (an alias to a
  CloudFront distribution, an ACM validation record, a record Cloudflare makes for a Worker
  that is already there), so no comparison can say; what DNS serves today is still shown.

For each ``_mta-sts.<domain>`` record the policy senders get today is fetched as a sender
fetches it (:func:`~pulumi_mta_sts.net.https_fetch.fetch_policy`, judged by
:func:`~pulumi_mta_sts.core.acceptance.judge`, the rules ``mta-sts check`` and the deploy gate
apply) and compared with the planned one (:class:`PolicyDiff`), with the safety notes of
:func:`~pulumi_mta_sts.core.policy_change.safety_notes` from the live MX hosts.

Every look-up of the run goes through one :class:`LiveRun` (the resolver the run's
:class:`~pulumi_mta_sts.program.options.ProgramOptions` ask for). It first makes sure DNS can be
reached at all (:func:`~pulumi_mta_sts.program.options.reachable_live_dns`: one probe, within
one DNS time limit); when it cannot, the run says so once, and the stack program itself is run
without live DNS (:attr:`LiveRun.program_options`), so nothing waits on a dead server again.
When DNS gives no usable answer once, the run stops asking: every later comparison is "not
compared", with that one reason, and the plan shows the desired state. Without live DNS nothing
is asked at all.
"""

from __future__ import annotations

import difflib
import ipaddress
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from pulumi_mta_sts.core.acceptance import Accepted
from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.core.policy_change import PolicyState, SafetyNote, safety_notes
from pulumi_mta_sts.core.records import parse_sts_records, policy_host, policy_url, sts_record_name
from pulumi_mta_sts.net.https_fetch import fetch_policy, make_tls_context
from pulumi_mta_sts.net.lookup import Lookup, Outcome, lookup, mail_hosts
from pulumi_mta_sts.program.options import LIVE_DNS_UNREACHABLE, LiveDns, ProgramOptions, reachable_live_dns

from .cloud import UNKNOWN

__all__ = [
    "LINE_ENDS_ONLY",
    "MARKS",
    "STATUSES",
    "STATUS_WORDS",
    "LiveComparison",
    "LiveRun",
    "LiveSettings",
    "PolicyDiff",
    "RecordSet",
    "Status",
    "compare_with_live",
    "policy_diff_lines",
    "record_sets",
]

Status = Literal["create", "change", "unchanged", "unknown"]
STATUSES: Final[tuple[Status, ...]] = ("create", "change", "unchanged", "unknown")
#: The mark each status prints with; a record not compared with live DNS prints with none.
MARKS: Final[Mapping[Status | None, str]] = {"create": "+", "change": "~", "unchanged": "=", "unknown": "?", None: " "}
#: How a count of record sets of each status reads ("2 to change").
STATUS_WORDS: Final[tuple[tuple[Status, str], ...]] = (
    ("create", "to create"),
    ("change", "to change"),
    ("unchanged", "unchanged"),
    ("unknown", "known only after deploy"),
)
#: Plan record types that are not DNS types: what DNS serves at their name is asked as these.
_ASKED_AS: Final = {"WORKER": ("A", "AAAA")}
_STS_PREFIX: Final = "_mta-sts."
#: The diff of two policies that differ only in their line ends (CRLF / LF, the last one).
LINE_ENDS_ONLY: Final = "(only the line ends differ: senders read the same policy)"
_PROXIED: Final = " (proxied)"


# ---- the run's live I/O -------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveSettings:
    """How ``mta-sts plan`` reaches the outside world: the program's options (live DNS or not,
    which name servers, the DNS timeout), and for the policy fetch the CA file, port and timeout."""

    options: ProgramOptions = field(default_factory=ProgramOptions)
    cafile: str | None = None
    https_port: int = 443
    timeout: float = HTTPS_REQUEST_TIMEOUT


class LiveRun:
    """The live look-ups of one run: one resolver, one TLS context, and the first failure.

    :meth:`ask` returns ``None`` once DNS failed (or when there is no live DNS): a run never waits
    on a dead server twice, and says why once (:attr:`unavailable`)."""

    def __init__(self, settings: LiveSettings, dns: LiveDns | None = None) -> None:
        """``dns``: the run's resolver as :func:`~pulumi_mta_sts.program.options.reachable_live_dns`
        found it (``mta-sts plan`` probes while Pulumi loads); found here when not given."""
        self.settings = settings
        self.dns: LiveDns = dns if dns is not None else reachable_live_dns(settings.options)
        self.unavailable: str | None = _why_no_dns(self.dns)
        self._tls: ssl.SSLContext | None = None

    @property
    def program_options(self) -> ProgramOptions:
        """The options the stack program runs with: the run's, but without live DNS when the
        run found it cannot be reached (said once by the run; the program only notes the
        checks it skipped, and waits on no dead server)."""
        options = self.settings.options
        if not options.live_dns or self.dns.resolver is not None or self.dns.disabled:
            return options
        return replace(options, live_dns=False, offline_reason=LIVE_DNS_UNREACHABLE)

    def ask(self, name: str, rtype: str) -> Lookup | None:
        """The answer for ``rtype`` at ``name``; ``None`` when DNS is not (or no longer) asked."""
        if self.unavailable is not None or self.dns.resolver is None:
            return None
        found = lookup(self.dns.resolver, name, rtype)
        if found.failed:
            self.unavailable = f"live DNS did not answer ({found.describe_failure()})"
            return None
        return found

    def live_mx(self, domain: str) -> tuple[str, ...] | None:
        """The hosts mail for ``domain`` goes to today (``net.lookup.mail_hosts``), or ``None``."""
        if self.unavailable is not None or self.dns.resolver is None:
            return None
        hosts = mail_hosts(self.dns.resolver, domain)
        if hosts.problem is not None:
            if hosts.problem.failed:
                self.unavailable = f"live DNS did not answer ({hosts.problem.describe_failure()})"
            return None
        return hosts.hosts

    @property
    def tls(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = make_tls_context(self.settings.cafile)
        return self._tls


def _why_no_dns(live: LiveDns) -> str | None:
    if live.resolver is not None:
        return None
    return live.unavailable  # LIVE_DNS_DISABLED when turned off


# ---- record sets --------------------------------------------------------------------------------
@dataclass
class RecordSet:
    """The planned values of one name and type, and what DNS serves there today."""

    name: str
    type: str
    values: list[str]
    status: Status | None = None
    live: list[str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.type)

    @property
    def known(self) -> bool:
        """Whether the planned name and every value are known before the deploy."""
        if self.type in _ASKED_AS or UNKNOWN in self.name:
            return False
        return not any(UNKNOWN in v or v.endswith(_PROXIED) for v in self.values)


def record_sets(rows: Iterable[Mapping[str, str]]) -> list[RecordSet]:
    """The plan's DNS rows grouped by name and type, sorted (the engine records in no fixed order)."""
    sets: dict[tuple[str, str], RecordSet] = {}
    for row in rows:
        key = (row["name"], row["type"])
        if key not in sets:
            sets[key] = RecordSet(row["name"], row["type"], [])
        sets[key].values.append(row["value"])
    for record in sets.values():
        record.values.sort()
    return [sets[key] for key in sorted(sets)]


def _rdata_text(rtype: str, rdata: Any) -> str:
    """One live record as the plan writes values: TXT strings joined, MX ``PREF HOST``, names
    without the trailing dot."""
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
    """A value in the form two equal records share (case of names, address notation)."""
    if rtype in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value
    if rtype in ("MX", "CNAME", "NS"):
        return value.rstrip(".").lower()
    return value


def _status(record: RecordSet, live: list[str]) -> Status:
    """``create`` where nothing is served (even when the new value is only known after the
    deploy: something will be there that is not now); ``unknown`` where the name is not known
    yet, or something is served and the new value is not known."""
    if UNKNOWN in record.name:
        return "unknown"
    if not live:
        return "create"
    if not record.known:
        return "unknown"
    same = {_normal(record.type, v) for v in live} == {_normal(record.type, v) for v in record.values}
    return "unchanged" if same else "change"


def _live_values(record: RecordSet, run: LiveRun) -> list[str] | None:
    """What DNS serves at the record's name and type (``[]``: nothing), ``None`` when not asked."""
    if UNKNOWN in record.name:
        return []
    values: list[str] = []
    for rtype in _ASKED_AS.get(record.type, (record.type,)):
        found = run.ask(record.name, rtype)
        if found is None:
            return None
        if found.outcome is Outcome.OK:
            values += [_rdata_text(rtype, r) for r in found.records]
    return values


def _compare_record(record: RecordSet, run: LiveRun) -> bool:
    """Fill in ``status`` and ``live``; False when DNS could not be asked."""
    live = _live_values(record, run)
    if live is None:
        return False
    record.status = _status(record, live)
    record.live = live or None
    return True


# ---- the policy ---------------------------------------------------------------------------------
@dataclass
class PolicyDiff:
    """The policy of one domain: what senders get today (``old``; ``None`` when not compared)
    and after the deploy (``new``), why the old one is not known (``problem``), the live MX hosts
    and the safety notes."""

    domain: str
    new: PolicyState
    old: PolicyState | None = None
    problem: str | None = None
    live_mx: tuple[str, ...] | None = None
    notes: tuple[SafetyNote, ...] = ()

    @property
    def url(self) -> str:
        return policy_url(self.domain)

    @property
    def id_rolls(self) -> bool | None:
        """Whether senders see a new id (``None``: the id today or after the deploy is not known)."""
        if self.old is None or self.new.id is None:
            return None
        return self.old.id != self.new.id

    def as_json(self) -> dict[str, Any]:
        old = None if self.old is None else {"text": self.old.text, "id": self.old.id}
        diff = policy_diff_lines(self)
        return {
            "domain": self.domain,
            "url": self.url,
            "old": old,
            "new": {"text": self.new.text, "id": self.new.id},
            "id_rolls": self.id_rolls,
            "diff": None if diff is None else "\n".join(diff),
            "problem": self.problem,
            "live_mx": None if self.live_mx is None else list(self.live_mx),
        }


def policy_diff_lines(diff: PolicyDiff) -> list[str] | None:
    """The unified diff served today → after the deploy, line ends read as senders read them
    (no lines: the same text; one line saying so when only line ends differ), or ``None`` when
    not compared or nothing is planned. No policy served today diffs as an empty one."""
    if diff.old is None or diff.new.text is None:
        return None
    old_lines = _policy_lines(diff.old.text)
    new_lines = _policy_lines(diff.new.text)
    if old_lines == new_lines and diff.old.text is not None and diff.old.text != diff.new.text:
        return [LINE_ENDS_ONLY]
    return list(difflib.unified_diff(old_lines, new_lines, "served today", "after deploy", lineterm="", n=8))


def _policy_lines(text: str | None) -> list[str]:
    if text is None:
        return []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _served_policy(domain: str, record: Lookup, run: LiveRun) -> tuple[PolicyState, str | None]:
    """What senders get today from the ``_mta-sts`` record ``record`` and the policy host, and
    why there is no policy when there is none."""
    if record.outcome is not Outcome.OK:
        return PolicyState(None, None), f"_mta-sts.{domain} has no TXT record today: senders see no policy"
    parsed = parse_sts_records(record.texts())
    if parsed.record is None:
        why = "; ".join(str(p) for p in parsed.problems) or "no usable v=STSv1 record"
        return PolicyState(None, None), f"the _mta-sts record today is not usable ({why}): senders see no policy"
    return _fetched_policy(domain, parsed.record.id, run)


def _fetched_policy(domain: str, record_id: str, run: LiveRun) -> tuple[PolicyState, str | None]:
    host = policy_host(domain)
    address = _first_address(host, run)
    if address is None:
        return PolicyState(None, record_id), f"{host} has no address in DNS: the policy served today is not known"
    got = fetch_policy(host, address, port=run.settings.https_port, context=run.tls, timeout=run.settings.timeout)
    verdict = got.verdict
    if isinstance(verdict, Accepted):
        return PolicyState(verdict.text, record_id), None
    return PolicyState(
        None, record_id
    ), f"{policy_url(domain)} {verdict.reason}: senders accept no policy from it today"


def _first_address(host: str, run: LiveRun) -> str | None:
    for rtype in ("A", "AAAA"):
        found = run.ask(host, rtype)
        if found is not None and found.outcome is Outcome.OK:
            return str(found.records[0].address)
    return None


def _planned_id(record: RecordSet) -> str | None:
    parsed = parse_sts_records([v for v in record.values if UNKNOWN not in v])
    return parsed.record.id if parsed.record is not None else None


def _domain_of(record_name: str, policies: Mapping[str, str]) -> str:
    """The mail domain of an ``_mta-sts`` record: ``_mta-sts.<domain>``, or, for a domain whose
    record is kept in a delegation zone (``_mta-sts.<domain>.<zone>``), the planned domain it
    starts with."""
    rest = record_name.removeprefix(_STS_PREFIX)
    if rest in policies:
        return rest
    owners = [domain for domain in policies if rest.startswith(domain + ".")]
    return max(owners, key=len) if owners else rest


def _policy_diff(record: RecordSet, policies: Mapping[str, str], run: LiveRun | None) -> PolicyDiff:
    """The policy change of the domain of the ``_mta-sts`` record set ``record``."""
    domain = _domain_of(record.name, policies)
    diff = PolicyDiff(domain, PolicyState(policies.get(domain), _planned_id(record)))
    if run is not None and run.unavailable is None:
        found = run.ask(sts_record_name(domain), "TXT")  # where senders look (a delegated record: via CNAME)
        if found is not None:
            old, problem = _served_policy(domain, found, run)
            live_mx = run.live_mx(domain)
            if run.unavailable is None:
                diff.old, diff.problem, diff.live_mx = old, problem, live_mx
    old_state = diff.old if diff.old is not None else PolicyState(None, None)
    diff.notes = safety_notes(old_state, diff.new, diff.live_mx)
    return diff


# ---- the whole comparison -----------------------------------------------------------------------
@dataclass
class LiveComparison:
    """A plan's records and policies against live DNS. ``compared`` False: nothing was compared
    (``reason`` says why, once); the records then carry no status except ``unknown`` for values
    only known after the deploy, and the policies no old state."""

    records: list[RecordSet]
    policies: list[PolicyDiff]
    compared: bool
    reason: str | None = None

    def record_for(self, name: str, rtype: str) -> RecordSet | None:
        return next((r for r in self.records if r.key == (name, rtype)), None)

    def counts(self) -> dict[Status, int]:
        """How many record sets have each status."""
        return {status: sum(r.status == status for r in self.records) for status in STATUSES}

    @property
    def notes(self) -> list[tuple[str, SafetyNote]]:
        """Every safety note with its domain."""
        return [(p.domain, note) for p in self.policies for note in p.notes]


def _offline(records: list[RecordSet], policies: list[PolicyDiff], reason: str | None) -> LiveComparison:
    for record in records:
        record.status = None if record.known else "unknown"
        record.live = None
    for diff in policies:
        diff.old, diff.problem, diff.live_mx = None, None, None
        diff.notes = safety_notes(PolicyState(None, None), diff.new, None)
    return LiveComparison(records, policies, compared=False, reason=reason)


def compare_with_live(
    rows: Sequence[Mapping[str, str]], policies: Mapping[str, str], run: LiveRun | None
) -> LiveComparison:
    """Compare the planned DNS ``rows`` and ``policies`` (domain → planned policy text; the policy
    diffs follow its order) with what ``run`` finds live. ``run`` ``None`` (or without DNS, or
    once DNS failed): nothing is compared."""
    records = record_sets(rows)
    order = {domain: index for index, domain in enumerate(policies)}
    sts = [r for r in records if r.type == "TXT" and r.name.startswith(_STS_PREFIX)]
    sts.sort(key=lambda r: (order.get(_domain_of(r.name, policies), len(order)), r.name))  # the plan's order
    if run is None or run.unavailable is not None:
        return _offline(records, [_policy_diff(r, policies, None) for r in sts], run.unavailable if run else None)
    if not all(_compare_record(record, run) for record in records):
        return _offline(records, [_policy_diff(r, policies, None) for r in sts], run.unavailable)
    diffs = [_policy_diff(r, policies, run) for r in sts]
    if run.unavailable is not None:
        return _offline(records, diffs, run.unavailable)
    return LiveComparison(records, diffs, compared=True)
