"""Benchmark: ``mta-sts check --no-smtp`` over many domains (concurrent) beside a sequential loop
of checkdmarc's MTA-STS check over the same domains, and beside the previous layout's check (issue
25's baseline, ``--base``), all in the same run against the same loopback fixture
(tests/livefixture: dnslib DNS server, HTTPS server with a trustme CA) in a separate process.

Run: ``.venv/bin/python bench/bench_check.py [--domains 200] [--concurrency 20]
[--delays 0/0,20/50] [--repeat 3] [--base DIR] [--quick] [--json]``

Each checker of ``mta-sts`` runs in its own interpreter (a worker: this script with ``--worker``),
this tree's with this tree's code, the baseline's with ``PYTHONPATH=<--base>``, so both pay the
same and the figures of one run compare. Each round runs a share of checkdmarc's loop before each
checker (so load from elsewhere on the machine hits all alike, and each checker follows the same
quiet stretch: a checker run right after another one was up to 1.2x slower, the same code in both
places); the medians are compared.

Loopback has no round-trip time, so two scenarios run by default: no added delay (pure CPU
cost; the fixture and the checkers share this machine's CPUs), and 20 ms added to every DNS
answer and 50 ms to every policy response, standing in for network round trips (the fixture
sleeps before answering). All checkers see the same delays.

Adapter for checkdmarc (it fetches ``https://mta-sts.<domain>/...`` on port 443 with
``requests`` and the system trust store): its DNS queries use a dnspython resolver pointed at
the fixture (checkdmarc's own ``resolver=`` argument); for the HTTPS fetch,
``urllib3.util.connection.create_connection`` is wrapped to resolve the host through the same
fixture DNS server (one A query) and connect to the fixture's HTTPS port, and
``REQUESTS_CA_BUNDLE`` points at the fixture CA. Host name, SNI and certificate verification
are unchanged. Nothing else in checkdmarc is altered. Its loop is sequential, so its time is the
sum of its domains': ``--checkdmarc-domains`` (``--quick``: 30 a round) times a sample and scales it.

The work differs per domain: checkdmarc reads the _mta-sts TXT record (plus a CNAME query) and
fetches the policy over IPv4; ours also reads MX, _smtp._tls, A/AAAA, CAA (climbing; shared
parents once per run) and fetches over IPv4 and IPv6: 7 DNS questions and 2 fetches, and for DANE
one TLSA question per MX host (``_25._tcp.<mx>``, with the DNSSEC OK and AD bits; an MX host
several domains share is asked once per run) plus, only where TLSA records exist, the MX host's
address (the fixture publishes none: its domains have 2 MX hosts each and no TLSA).

The CPU floor per domain is a fourth side, the "network floor" (its own worker, this tree's ``net``
code): every domain's network work and nothing else (the 7 questions, the TLSA question of each MX
host once per run, a policy fetch from each address of the policy host), ``--concurrency`` domains
at once as ours checks them (each domain's operations one after another: fewer thread hand-offs
than ours), in the same scenario and rounds as the checkers. It replaced a floor made of the units
measured back to back in a warm process (still printed): on an idle machine an operation that
follows a 20 ms wait cost about twice its CPU in a tight loop (checkdmarc's own loop shows it: 4-5
ms for work that costs 1.1 ms back to back; why - the wake-ups, cold caches, the VM's scheduling -
was not measured), so that floor said 2.4x for the same code that measured 1.4x on a busy machine.
The fixture counts the questions it answers and how many were asked more than once in the run (each
should be asked once); the bench says so when they differ from the floor's.

With no added delay every side is bound by CPU, not by waiting, and concurrency cannot buy
anything on a 2-CPU machine whose other CPU runs the fixture. With network-like delays the
sequential loop pays every round trip one after the other while ours overlaps them, and ours is
bound by CPU again (the checking process's and the fixture's, on a machine other sessions share),
so the ratio moves with this machine's load: compare figures of one run, never absolute times.

``--json`` prints, as the last line, ``{"rows": [...]}`` for ``bench/run_all.py``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
#: The previous layout's ``components/`` (commit a4039e1: ``git worktree add ../base a4039e1``); none by default.
DEFAULT_BASE = Path("../base/components")
#: What a domain of the bench costs ours besides DANE: DNS questions and HTTPS fetches (the floor's
#: units). DANE adds one TLSA question per MX host (:class:`Floor`, from the fixture's MX hosts).
OUR_QUESTIONS, OUR_FETCHES = 7, 2


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- the fixture, in its own process ---------------------------------------------------------------
def serve_fixture(conn: Any, domains: list[str]) -> None:
    """Child process: run the fixture (its servers would otherwise compete with the checkers for
    this process's GIL), publish ``domains``, report where it listens, then answer requests:
    ``"cpu"`` (its CPU seconds so far), ``"work"``, ``("delay", dns_s, http_s)``, ``"stop"``."""
    from tests.livefixture import live_fixture

    with live_fixture() as live:
        published = [live.publish(domain, smtp_certs=False) for domain in domains]
        sites = [p.site for p in published]
        mx_hosts = sorted({mx for p in published for mx in p.mx_hosts})
        conn.send(
            {"nameserver": live.nameserver, "cafile": live.cafile, "https_port": live.https.port, "mx_hosts": mx_hosts}
        )
        while True:
            message = conn.recv()
            if message == "cpu":
                conn.send(_cpu())
            elif message == "work":  # questions, repeated questions, policy requests since last asked
                counts = live.zone.queries
                repeated = sum(1 for (name, _), n in counts.items() if n > 1 and name)  # "": DNS probe
                conn.send((sum(counts.values()), repeated, sum(site.requests for site in sites)))
                counts.clear()
                for site in sites:
                    site.requests = 0
            elif isinstance(message, tuple) and message[0] == "delay":
                live.zone.delay = message[1]
                for site in sites:
                    site.delay = message[2]
                conn.send("ok")
            else:
                return


@dataclass(frozen=True)
class Remote:
    nameserver: str
    cafile: str
    https_port: int
    mx_hosts: tuple[str, ...] = ()  # every MX host the fixture's domains name (none has TLSA records)


@dataclass(frozen=True)
class Work:
    """Per domain: DNS questions, questions asked more than once in the run, policy fetches."""

    questions: float
    repeated: int
    fetches: float

    def __str__(self) -> str:
        return (
            f"{self.questions:.1f} DNS questions ({self.repeated} asked more than once in the run) "
            f"+ {self.fetches:.1f} HTTPS fetches per domain"
        )


def fixture_work(conn: Any, domains: int) -> Work:
    """What the fixture answered since the last call."""
    conn.send("work")
    questions, repeated, requests = conn.recv()
    return Work(questions / domains, repeated, requests / domains)


def fixture_cpu(conn: Any) -> float:
    conn.send("cpu")
    value: float = conn.recv()
    return value


# ---- a checker of mta-sts in its own interpreter -----------------------------------------------------
def worker() -> int:
    """``--worker``: read the fixture and options (one JSON line), warm up, then for each ``run``
    line check every domain and print ``{"wall", "cpu", "ok", "checks", "module"}``."""
    from pulumi_mta_sts.check import CheckOptions, check_domains

    setup = json.loads(sys.stdin.readline())
    domains: list[str] = setup["domains"]
    if setup.get("floor"):
        return floor_worker(setup)
    options = CheckOptions(
        nameservers=(setup["nameserver"],),
        cafile=setup["cafile"],
        https_port=setup["https_port"],
        smtp=False,
        timeout=10,
        concurrency=setup["concurrency"],
    )
    check_domains(domains[:4], options)  # imports, first TLS contexts: not part of any figure
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        t0, c0 = time.perf_counter(), _cpu()
        reports = check_domains(domains, options)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        module = sys.modules["pulumi_mta_sts"].__file__
        ok, checks = sum(r.ok for r in reports), sum(len(r.checks) for r in reports)
        print(json.dumps({"wall": wall, "cpu": cpu, "ok": ok, "checks": checks, "module": module}), flush=True)
    return 0


#: The side that makes ours's network work and nothing else (:func:`floor_worker`): the CPU floor.
NETWORK_FLOOR = "network floor"
#: The network floor's DNS questions per domain (``{d}``: the domain): as many as ours asks, of the kinds it asks.
FLOOR_QUESTIONS = (
    ("_mta-sts.{d}", "TXT"),
    ("_smtp._tls.{d}", "TXT"),
    ("{d}", "MX"),
    ("{d}", "CAA"),
    ("mta-sts.{d}", "CAA"),
    ("mta-sts.{d}", "A"),
    ("mta-sts.{d}", "AAAA"),
)


def floor_work(resolver: Any, tlsa_resolver: Any, context: Any, port: int, domain: str, mx_hosts: list[str]) -> int:
    """One domain's network work and nothing else: the 7 questions, the TLSA question of each MX host
    given to it (each host once per run), and a policy fetch from each address the policy host has."""
    from pulumi_mta_sts.net.https_fetch import fetch_policy
    from pulumi_mta_sts.net.lookup import lookup

    answers = [lookup(resolver, name.format(d=domain), rtype) for name, rtype in FLOOR_QUESTIONS]
    for host in mx_hosts:
        lookup(tlsa_resolver, f"_25._tcp.{host}", "TLSA")
    addresses = [record.address for answer in answers[-2:] for record in answer.records]
    results = [fetch_policy(f"mta-sts.{domain}", address, port=port, context=context) for address in addresses]
    return sum(result.status == 200 for result in results)


def floor_worker(setup: dict[str, Any]) -> int:
    """``--worker`` with ``floor``: per ``run`` line, the network work of every domain and nothing else,
    ``concurrency`` domains at once (as ours checks them), through the same ``net`` functions: the CPU
    that work costs when made the way ours makes it, in the same scenario, is the floor ours is held to."""
    from concurrent.futures import ThreadPoolExecutor

    from pulumi_mta_sts.check.runner import one_cpu
    from pulumi_mta_sts.net.https_fetch import make_tls_context
    from pulumi_mta_sts.net.resolver import make_resolver

    one_cpu()  # ours keeps a run's threads on one CPU (check/runner.py), so the floor's are kept so too
    domains, hosts = setup["domains"], setup["mx_hosts"]
    shares = {domain: hosts[i :: len(domains)] for i, domain in enumerate(domains)}  # each MX host once per run
    context = make_tls_context(setup["cafile"])

    def run(chosen: list[str]) -> int:
        resolver, tlsa = make_resolver([setup["nameserver"]], 10.0), dane_resolver(setup["nameserver"])
        with ThreadPoolExecutor(max_workers=setup["concurrency"]) as pool:
            work = [pool.submit(floor_work, resolver, tlsa, context, setup["https_port"], d, shares[d]) for d in chosen]
            return sum(future.result() for future in work)

    run(domains[:4])  # imports, first TLS context use: not part of any figure
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        t0, c0 = time.perf_counter(), _cpu()
        fetched = run(domains)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        summary = f"{fetched} policies fetched (status 200), no checks"
        print(json.dumps({"wall": wall, "cpu": cpu, "summary": summary}), flush=True)
    return 0


class Checker:
    """A worker process checking ``domains``: this tree's code, or the code under ``pythonpath``; with
    ``floor``, the network floor's worker (this tree's ``net`` code, no checks)."""

    def __init__(
        self,
        name: str,
        live: Remote,
        domains: list[str],
        concurrency: int,
        pythonpath: str | None,
        *,
        floor: bool = False,
    ) -> None:
        env = dict(os.environ)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-W", "ignore", __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        setup = {"nameserver": live.nameserver, "cafile": live.cafile, "https_port": live.https_port}
        setup.update(domains=domains, concurrency=concurrency, floor=floor, mx_hosts=list(live.mx_hosts))
        self._send(json.dumps(setup))
        self._receive()

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def _receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} checker stopped (see its error above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self) -> dict[str, Any]:
        self._send("run")
        return self._receive()

    def close(self) -> None:
        self._send("stop")
        self.process.wait(10)


# ---- checkdmarc, in this process ---------------------------------------------------------------------
@contextmanager
def checkdmarc_adapter(live: Remote) -> Iterator[Callable[[str], dict[str, Any]]]:
    import checkdmarc.mta_sts
    import urllib3.util.connection as u3conn

    from pulumi_mta_sts.net.lookup import lookup
    from pulumi_mta_sts.net.resolver import make_resolver

    resolver = make_resolver([live.nameserver], 5.0)
    real_create = u3conn.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address
        if port == 443:
            answer = lookup(resolver, host, "A")
            if answer.records:
                host, port = answer.records[0].address, live.https_port
        return real_create((host, port), *args, **kwargs)

    old_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = live.cafile
    u3conn.create_connection = create_connection
    try:
        yield lambda domain: dict(checkdmarc.mta_sts.check_mta_sts(domain, resolver=resolver))
    finally:
        u3conn.create_connection = real_create
        if old_bundle is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = old_bundle


@dataclass(frozen=True)
class Floor:
    """The CPU floor per domain: each unit's CPU measured here (ms) times the units a domain needs."""

    per_query: float  # one DNS question through ``net.lookup``
    per_tlsa: float  # one TLSA question as DANE asks it (EDNS with the DNSSEC OK bit, AD set; no such name)
    per_fetch: float  # one HTTPS policy fetch, TLS handshake included
    tlsa: float  # TLSA questions per domain: the fixture's MX hosts (each asked once per run) / domains

    @property
    def questions(self) -> float:
        return OUR_QUESTIONS + self.tlsa

    @property
    def ms(self) -> float:
        return OUR_QUESTIONS * self.per_query + self.tlsa * self.per_tlsa + OUR_FETCHES * self.per_fetch

    def __str__(self) -> str:
        return (
            f"{OUR_QUESTIONS} questions + {self.tlsa:g} TLSA (one per MX host; no MX address question: "
            f"no TLSA records) + {OUR_FETCHES} fetches = {self.ms:.2f} ms"
        )


def dane_resolver(nameserver: str) -> Any:
    """A resolver asking as ``net/dane_lookup`` does (EDNS0, DNSSEC OK, AD; RFC 6840 §5.7), for the TLSA unit."""
    import dns.flags

    from pulumi_mta_sts.net.resolver import make_resolver

    resolver = make_resolver([nameserver], 5.0)
    resolver.use_edns(0, dns.flags.DO, 1232)
    resolver.flags = dns.flags.RD | dns.flags.AD
    return resolver


def unit_costs(live: Remote, domains: list[str]) -> Floor:
    """CPU of the units of work, one after the other in this process: one DNS question through
    ``net.lookup``, one TLSA question asked as DANE asks it (the fixture answers NXDOMAIN, as for
    its MX hosts), and one HTTPS policy fetch (TCP + TLS handshake with certificate verification +
    GET). Times the work per domain they give the CPU floor per domain."""
    from pulumi_mta_sts.net.https_fetch import fetch_policy, make_tls_context
    from pulumi_mta_sts.net.lookup import lookup
    from pulumi_mta_sts.net.resolver import make_resolver

    resolver, tlsa_resolver = make_resolver([live.nameserver], 5.0), dane_resolver(live.nameserver)
    context = make_tls_context(live.cafile)
    sample = domains[: min(100, len(domains))]
    c0 = _cpu()
    for d in sample:
        lookup(resolver, f"_mta-sts.{d}", "TXT")
    per_query = (_cpu() - c0) / len(sample) * 1000
    c0 = _cpu()
    for d in sample:
        lookup(tlsa_resolver, f"_25._tcp.unit.{d}", "TLSA")  # not a name the checkers ask
    per_tlsa = (_cpu() - c0) / len(sample) * 1000
    c0 = _cpu()
    for d in sample:
        fetch_policy(f"mta-sts.{d}", "127.0.0.1", port=live.https_port, context=context)
    per_fetch = (_cpu() - c0) / len(sample) * 1000
    floor = Floor(per_query, per_tlsa, per_fetch, len(live.mx_hosts) / len(domains))
    print(
        f"unit CPU here: {per_query:.2f} ms per DNS question, {per_tlsa:.2f} ms per TLSA question (DNSSEC OK bit), "
        f"{per_fetch:.2f} ms per HTTPS fetch -> floor per domain: ours ({floor}), "
        f"checkdmarc's work (2 + 1) with our code {2 * per_query + per_fetch:.2f} ms"
    )
    return floor


# ---- rounds, scenarios, figures ----------------------------------------------------------------------
@dataclass
class Side:
    """One checker's rounds in a scenario: wall seconds for all domains, CPU ms per domain (its
    process), the fixture's CPU ms per domain, and the work the fixture saw (last round)."""

    name: str
    walls: list[float]
    cpus: list[float]
    fixture_cpus: list[float]
    work: Work | None = None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def run_checker(parent: Any, checker: Checker, side: Side, n: int, label: str) -> None:
    fixture_work(parent, n)
    f0 = fixture_cpu(parent)
    result = checker.run()
    side.fixture_cpus.append((fixture_cpu(parent) - f0) / n * 1000)
    side.walls.append(result["wall"])
    side.cpus.append(result["cpu"] / n * 1000)
    side.work = fixture_work(parent, n)
    summary = result.get("summary") or f"{result['ok']}/{n} domains ok, {result['checks']} checks"
    print(
        f"{label} {side.name}: {result['wall']:.2f}s wall, {summary}, "
        f"{side.cpus[-1]:.2f} ms CPU per domain, {side.fixture_cpus[-1]:.2f} ms in the fixture; {side.work}"
    )


def run_checkdmarc(parent: Any, live: Remote, domains: list[str], chosen: list[str], side: Side, label: str) -> None:
    """checkdmarc's sequential loop over the ``chosen`` domains, scaled to all of them."""
    with checkdmarc_adapter(live) as check_mta_sts:
        fixture_work(parent, len(chosen))
        t0, c0, f0 = time.perf_counter(), _cpu(), fixture_cpu(parent)
        results = [check_mta_sts(d) for d in chosen]
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        side.fixture_cpus.append((fixture_cpu(parent) - f0) / len(chosen) * 1000)
    side.walls.append(wall * len(domains) / len(chosen))
    side.cpus.append(cpu / len(chosen) * 1000)
    side.work = fixture_work(parent, len(chosen))
    valid = sum(bool(r.get("valid")) for r in results)
    scaled = f" ({wall:.2f}s for {len(chosen)}, scaled to {len(domains)})" if len(chosen) < len(domains) else ""
    print(
        f"{label} checkdmarc check_mta_sts, sequential loop: {side.walls[-1]:.2f}s wall{scaled}, "
        f"{valid}/{len(chosen)} valid, {side.cpus[-1]:.2f} ms CPU per domain; {side.work}"
    )
    if valid < len(results):
        print("  first error:", next(r.get("error") for r in results if not r.get("valid")))


@dataclass(frozen=True)
class Scenario:
    dns_ms: float
    http_ms: float

    @property
    def label(self) -> str:
        return f"{self.dns_ms:g}/{self.http_ms:g} ms"


def run_scenario(
    parent: Any, live: Remote, checkers: list[Checker], domains: list[str], scenario: Scenario, args: argparse.Namespace
) -> dict[str, Side]:
    """Alternate the checkers ``args.repeat`` times; each one's rounds by name (and "checkdmarc")."""
    parent.send(("delay", scenario.dns_ms / 1000, scenario.http_ms / 1000))
    parent.recv()
    print(
        f"\n== added delay: DNS {scenario.dns_ms:g} ms per answer, HTTP {scenario.http_ms:g} ms per policy response "
        f"(load average {_load()})"
    )
    sides = {name: Side(name, [], [], []) for name in [c.name for c in checkers] + ["checkdmarc"]}
    share = max(1, args.checkdmarc_domains // len(checkers))
    for run in range(1, args.repeat + 1):
        for n, checker in enumerate(checkers):
            chosen = domains[n * share : (n + 1) * share]
            run_checkdmarc(parent, live, domains, chosen, sides["checkdmarc"], f"[{run}]")
            run_checker(parent, checker, sides[checker.name], len(domains), f"[{run}]")
    return sides


def _load() -> str:
    """The 1-minute load average: the wall ratio moves with it (ours is bound by CPU), so it is said beside it."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def summarise(sides: dict[str, Side], floor: Floor, scenario: Scenario) -> None:
    ours, theirs, base, network = sides["ours"], sides["checkdmarc"], sides.get("previous layout"), sides[NETWORK_FLOOR]
    print(
        f"median wall: ours {ours.wall:.2f}s, checkdmarc {theirs.wall:.2f}s; ratio (checkdmarc sequential / "
        f"ours concurrent): {theirs.wall / ours.wall:.1f}x (target >= 10x with delays; load average now {_load()})"
    )
    print(
        f"median CPU per domain in the checking process: ours {ours.cpu:.2f} ms = {ours.cpu / network.cpu:.2f}x the "
        f"floor {network.cpu:.2f} ms (the same network work alone, made as ours makes it, in this scenario; "
        f"target <= 1.5x); checkdmarc {theirs.cpu:.2f} ms"
    )
    print(
        f"  the same units back to back on a warm process: {floor.ms:.2f} ms ({ours.cpu / floor.ms:.2f}x; the network "
        f"floor costs {network.cpu / floor.ms:.2f}x that here: waits between operations cost CPU of their own)"
    )
    if ours.work is not None and abs(ours.work.questions - floor.questions) > 0.05:
        print(f"NOTE: ours asked {ours.work.questions:.1f} questions per domain, the floor counts {floor.questions:g}")
    if network.work is not None and (ours.work is None or abs(ours.work.fetches - network.work.fetches) > 0.05):
        print(f"NOTE: the network floor made {network.work.fetches:.1f} fetches per domain, ours another number")
    if base is not None:
        print(
            f"previous layout, same run: wall {base.wall:.2f}s (ours/previous {ours.wall / base.wall:.2f}x), CPU per "
            f"domain {base.cpu:.2f} ms (ours/previous {ours.cpu / base.cpu:.2f}x), "
            f"{base.work.questions if base.work else 0:.1f} DNS questions per domain"
        )


def rows(sides: dict[str, Side], floor: Floor, scenario: Scenario, n: int) -> list[dict[str, Any]]:
    """The issue-25 figures of one scenario, for ``--json``."""
    ours, theirs, base, network = sides["ours"], sides["checkdmarc"], sides.get("previous layout"), sides[NETWORK_FLOOR]
    work, base_work = ours.work or Work(0, 0, 0), base.work if base else None

    def row(figure: str, value: float, unit: str, target: str, ratio: float | None, ok: bool | None) -> dict[str, Any]:
        return {"figure": figure, "value": round(value, 3), "unit": unit, "target": target, "ratio": ratio, "ok": ok}

    cpu_ratio, wall_ratio = ours.cpu / network.cpu, theirs.wall / ours.wall
    found = [
        row(
            f"check CPU/domain vs floor ({scenario.label})",
            ours.cpu,
            "ms",
            "<= 1.5x floor",
            cpu_ratio,
            cpu_ratio <= 1.5,
        ),
        row(
            f"check vs checkdmarc loop ({scenario.label}, {n} domains)",
            wall_ratio,
            "x",
            ">= 10x",
            wall_ratio,
            wall_ratio >= 10,
        ),
        row(f"check CPU/domain vs units in a row ({scenario.label})", ours.cpu, "ms", "", ours.cpu / floor.ms, None),
        row("check DNS questions/domain", work.questions, "questions", "each once per run", None, work.repeated == 0),
        row(
            "check policy fetches/domain", work.fetches, "fetches", "1 per address family (2)", None, work.fetches <= 2
        ),
    ]
    if base is not None and base_work is not None:
        found[2]["ratio"] = round(work.questions / base_work.questions, 3)
        found[3]["ratio"] = round(work.fetches / base_work.fetches, 3)
        found.append(
            row(
                f"check CPU/domain vs previous layout ({scenario.label})",
                ours.cpu,
                "ms",
                "<= 1x previous",
                ours.cpu / base.cpu,
                ours.cpu <= base.cpu,
            )
        )
    return found


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20, help="as mta-sts check --concurrency (default 20)")
    parser.add_argument("--delays", default="0/0,20/50", metavar="DNS/HTTP,...", help="added delay in ms per scenario")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per scenario; the medians are compared")
    parser.add_argument("--checkdmarc-domains", type=int, default=0, help="domains checkdmarc's loop runs (0: all)")
    parser.add_argument("--base", default=str(DEFAULT_BASE), help="the previous layout's components/ ('' to skip)")
    parser.add_argument("--quick", action="store_true", help="only 20/50 ms, 5 rounds, checkdmarc over 30 domains")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.delays, args.repeat, args.checkdmarc_domains = "20/50", 5, args.checkdmarc_domains or 30
    args.checkdmarc_domains = min(args.checkdmarc_domains or args.domains, args.domains)
    return args


def main() -> int:
    args = parse_args()
    if args.worker:
        return worker()
    scenarios = [Scenario(*(float(x) for x in item.split("/"))) for item in args.delays.split(",")]
    domains = [f"d{i:03d}.bench.test" for i in range(args.domains)]
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve_fixture, args=(child, domains), daemon=True)
    server.start()
    checkers: list[Checker] = []
    try:
        found = parent.recv()
        live = Remote(**{**found, "mx_hosts": tuple(found["mx_hosts"])})
        print(
            f"fixture in a separate process: {len(domains)} domains; {os.cpu_count()} CPUs; checkers: see the docstring"
        )
        if args.base and Path(args.base).is_dir():
            checkers.append(Checker("previous layout", live, domains, args.concurrency, args.base))
        checkers.append(Checker("ours", live, domains, args.concurrency, None))
        checkers.append(Checker(NETWORK_FLOOR, live, domains, args.concurrency, None, floor=True))
        with checkdmarc_adapter(live) as check_mta_sts:
            [check_mta_sts(d) for d in domains[:4]]  # imports: not part of any figure
        floor = unit_costs(live, domains)
        figures: list[dict[str, Any]] = []
        for scenario in scenarios:
            sides = run_scenario(parent, live, checkers, domains, scenario, args)
            summarise(sides, floor, scenario)
            if scenario.dns_ms or scenario.http_ms or len(scenarios) == 1:
                figures = rows(sides, floor, scenario, len(domains))
    finally:
        for checker in checkers:
            checker.close()
        parent.send("stop")
        server.join(10)
    if args.json:
        print(json.dumps({"rows": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
