"""Run every check for one domain, and many domains concurrently (a bounded thread pool: the
work is waiting on the network, so checking N domains takes about as long as the slowest few)."""

from __future__ import annotations

import os
import ssl
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass

import dns.resolver

from pulumi_mta_sts.core.defaults import HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.net.https_fetch import FetchResult, fetch_policy, make_tls_context
from pulumi_mta_sts.net.lookup import Answers, Lookup, Outcome, addresses, lookup, mail_hosts
from pulumi_mta_sts.net.resolver import ensure_reachable, make_resolver

from . import dane
from .caa import check_caa, find_caa
from .delegation import check_delegation
from .dns_checks import check_mx_coverage, check_sts_record, check_tlsrpt_record
from .model import CheckResult, DomainReport, failed, passed, skipped, warned
from .policy_checks import check_policy_content, check_policy_fetch, check_policy_id
from .smtp_tls import Keep, probe_starttls
from .watch_facts import DomainFacts


@dataclass(frozen=True)
class CheckOptions:
    """What ``mta-sts check`` was asked; ``timeout`` bounds each fetch, SMTP dialogue and (by default) DNS query."""

    nameservers: tuple[str, ...] = ()
    cafile: str | None = None
    https_port: int = 443
    smtp_port: int = 25
    smtp: bool = True
    timeout: float = HTTPS_REQUEST_TIMEOUT
    concurrency: int = 20
    dns_timeout: float | None = None
    dnssec_resolver: str = ""  # default: the nameservers above (check/dane.py)

    @property
    def dns_limit(self) -> float:
        """Seconds each DNS query may take (and the probe that finds DNS cannot be reached)."""
        return self.timeout if self.dns_timeout is None else self.dns_timeout


class Session:
    """What a run's checks share: resolver, TLS context and a pool for one domain's network steps (domain
    work waits on it, never the reverse: no deadlock). DNS is probed once first (``DnsUnreachable``)."""

    def __init__(self, options: CheckOptions) -> None:
        self.options = options
        self.tls: ssl.SSLContext = make_tls_context(options.cafile)  # a bad CA file is said before DNS is asked
        self.resolver: dns.resolver.Resolver = make_resolver(list(options.nameservers), options.dns_limit)
        ensure_reachable(self.resolver, options.dns_limit)
        # Each question once per run: domains of one run share parents (the CAA climb asks each
        # parent zone) and MX hosts, and the delegation reads the answers the other checks got.
        self.answers = Answers(self.resolver)
        self.dnssec = dane.dnssec_answers(options.dnssec_resolver, options.nameservers, options.dns_limit)
        self.io = ThreadPoolExecutor(max_workers=min(256, 8 * max(1, options.concurrency)))
        self.cpus = one_cpu()  # last: nothing after it raises, so ``__exit__`` restores them

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.io.shutdown(wait=True)
        with suppress(OSError):
            if self.cpus:
                os.sched_setaffinity(0, self.cpus)


def one_cpu() -> set[int]:
    """Keep this thread, and the threads it starts (the run's), on one of its CPUs; the CPUs it had. They hold the
    GIL in turn anyway: spread out, each turn woke another CPU, a third of a check's CPU (bench/README, Session 9)."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    cpus = os.sched_getaffinity(0) if gil and hasattr(os, "sched_setaffinity") else set()
    with suppress(OSError):  # a sandbox that refuses it: the run's threads spread as before
        if len(cpus) > 1:
            os.sched_setaffinity(0, {sorted(cpus)[os.getpid() % len(cpus)]})
            return cpus
    return set()


def _first(found: Lookup) -> str | None:
    return found.records[0].address if found.outcome is Outcome.OK else None


def check_domain(domain: str, options: CheckOptions, session: Session | None = None) -> DomainReport:
    """All checks for ``domain`` (already normalised), in the order of :data:`~.model.CHECK_IDS`."""
    if session is None:
        with Session(options) as own:
            return check_domain(domain, options, own)
    s = session
    io, answers = s.io, s.answers
    host = policy_host(domain)
    # The longest chains start at once in the pool (each address family's look-up then fetch, MX
    # then STARTTLS probes, the CAA climb) while this thread reads the two TXT records. Few
    # hand-offs between threads: with many domains at once they, not the waiting, are what costs.
    v4_future = io.submit(_address_and_fetch, s, host, "A")
    v6_future = io.submit(_address_and_fetch, s, host, "AAAA")
    mail_future = io.submit(mail_hosts, answers, domain)
    caa_future = io.submit(find_caa, answers, host)
    sts, record = check_sts_record(answers, domain)
    tlsrpt, tlsrpt_record = check_tlsrpt_record(answers, domain)
    mail = mail_future.result()
    probed = mail.hosts if s.options.smtp and mail.problem is None and not mail.null_mx else ()
    peers, dane_jobs = dane.Peers(), dane.start(io.submit, s.dnssec, answers, mail)
    starttls_futures = [io.submit(_probe_mx, s, mx, peers.keeper(mx)) for mx in probed]
    (a, fetch4), (aaaa, fetch6) = v4_future.result(), v6_future.result()

    report = DomainReport(domain)
    add = report.checks.append
    add(sts)
    primary = fetch4 or fetch6
    fetch_result, content, body, policy = _fetch_and_content(host, a, aaaa, primary)
    add(fetch_result)
    add(content)
    add(check_policy_id(record, body))
    add(check_mx_coverage(mail, policy))
    if not starttls_futures:
        add(skipped("starttls", "no MX hosts to probe" if s.options.smtp else "skipped (--no-smtp)"))
    report.checks.extend(f.result() for f in starttls_futures)
    report.checks.extend(dane.rows(dane_jobs, peers, s, policy is not None))
    add(tlsrpt)
    add(_ip_families(host, a, aaaa, fetch4, fetch6))
    cert = primary.certificate if primary is not None else None
    report.facts = DomainFacts(mail, policy, record, tlsrpt_record, cert)
    add(check_caa(caa_future.result(), cert, host))
    report.checks.extend(check_delegation(answers, domain, io.map))  # hosted mode only; asks nothing new
    return report


def _fetch_and_content(
    host: str, a: Lookup, aaaa: Lookup, primary: FetchResult | None
) -> tuple[CheckResult, CheckResult, bytes | None, Policy | None]:
    """Checks 2 and 3, the body and policy; any 200 body is checked, so one run says all that is wrong."""
    if primary is None:
        problem = next((x for x in (a, aaaa) if x.failed or x.outcome is Outcome.NXDOMAIN), None)
        detail = problem.describe_failure() if problem else f"{host} has no A or AAAA record"
        fetch_result = failed("policy-fetch", detail, f"publish {host} (A/AAAA or CNAME to the policy host)")
        return fetch_result, skipped("policy-content", "no policy body fetched"), None, None
    fetch_result = check_policy_fetch(primary)
    if primary.status != 200 or primary.too_large or primary.error is not None:
        return fetch_result, skipped("policy-content", "no policy body fetched"), None, None
    content, policy = check_policy_content(primary.body)
    return fetch_result, content, primary.body, policy


def _address_and_fetch(s: Session, host: str, rdtype: str) -> tuple[Lookup, FetchResult | None]:
    """The policy host's first address of one family, and the policy fetched from it."""
    found = lookup(s.answers, host, rdtype)
    address = _first(found)
    if address is None:
        return found, None
    return found, fetch_policy(host, address, port=s.options.https_port, context=s.tls, timeout=s.options.timeout)


def _probe_mx(s: Session, mx: str, keep: Keep) -> CheckResult:
    a, aaaa = addresses(s.answers, mx)
    address = _first(a) or _first(aaaa)
    if address is None:
        problem = a if a.failed else aaaa
        return failed(f"starttls:{mx}", f"{mx}: {problem.describe_failure()}", f"publish an A record for {mx}")
    return probe_starttls(mx, address, port=s.options.smtp_port, context=s.tls, timeout=s.options.timeout, keep=keep)


def _ip_families(
    host: str, a: Lookup, aaaa: Lookup, fetch4: FetchResult | None, fetch6: FetchResult | None
) -> CheckResult:
    """Check 8: the policy host answers over IPv4 and, where it has AAAA records, IPv6."""
    cid = "policy-host-ip"

    if fetch4 is None and fetch6 is None:
        return skipped(cid, f"{host} has no address")
    broken = [
        f"IPv{n} ({f.address}): {f.error or f'HTTP {f.status}'}"
        for n, f in ((4, fetch4), (6, fetch6))
        if f is not None and (f.error is not None or f.status != 200)
    ]
    if broken:
        return failed(cid, f"{host} does not serve the policy over " + "; ".join(broken), "fix or remove that address")
    if fetch6 is None:
        why = "DNS timeout" if aaaa.outcome is Outcome.TIMEOUT else "no AAAA record"
        return warned(
            cid,
            f"{host} answers over IPv4 ({fetch4.address if fetch4 else '-'}); {why}",
            f"publish an AAAA record for {host} so IPv6-only senders can fetch the policy",
        )
    if fetch4 is None:
        return warned(
            cid, f"{host} answers over IPv6 ({fetch6.address}); no A record", f"publish an A record for {host}"
        )
    return passed(cid, f"{host} answers over IPv4 ({fetch4.address}) and IPv6 ({fetch6.address})")


def check_domains(domains: Sequence[str], options: CheckOptions) -> list[DomainReport]:
    """Check every domain, at most ``options.concurrency`` at a time; reports in input order."""
    with Session(options) as session:

        def one(domain: str) -> DomainReport:
            try:
                return check_domain(domain, options, session)
            except Exception as exc:  # a checker bug must not hide the other domains' results
                bug = failed("checker", f"internal error: {type(exc).__name__}: {exc}", "please report this bug")
                return DomainReport(domain, [bug])

        if len(domains) <= 1 or options.concurrency <= 1:
            return [one(d) for d in domains]
        with ThreadPoolExecutor(max_workers=min(options.concurrency, len(domains))) as pool:
            return list(pool.map(one, domains))
