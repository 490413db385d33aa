"""Where ``mta-sts check``'s CPU above the network floor goes (issue 25): in ONE process, against
bench_check.py's fixture (its own process, 20 ms DNS / 50 ms HTTP delay unless ``--delays``), alternating each round:

- ``floor``: bench_check.py's network floor (each domain's 9 questions and 2 fetches one after another,
  ``--concurrency`` domains at once);
- ``layout``: the same network work laid out on threads as ``check_domain`` lays it out (the policy host's
  A and AAAA look-up each followed by its fetch, the MX and the CAA climb as pool jobs while the domain's
  thread asks the two TXT records, then a pool job per MX host's TLSA question), and nothing else;
- ``check``: ``check_domains`` itself;
- with ``--one-at-a-time N,...``, ``check@N``: ``check_domain`` making each domain's operations one after another
  on the domain's thread (its pool jobs run where they are submitted), N domains at once: the other end of the
  trade between CPU and wall (the floor's layout, with the checks);

Every side keeps its threads on one CPU, as ``check_domains`` keeps a run's (``check/runner.py``: ``one_cpu``);
and, once, ``check`` with every answer and fetch replayed from a first pass (the checks' own work and
the pool hand-offs, no network). Per side: CPU, user and system time, voluntary context switches and
cyclic collections per domain (medians). Profile further with yappi (CPU clock) on the same sides.

Run: ``.venv/bin/python bench/check_cpu_parts.py [--domains 300] [--rounds 6] [--concurrency 20]
[--delays 20/50] [--one-at-a-time 20,40,60,80]``
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_check  # type: ignore[import-not-found]

_collections = [0]


def _count_collections(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _collections[0] += 1


def _usage() -> tuple[float, float, int, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime, usage.ru_nvcsw, time.perf_counter()


def measure(work: Callable[[], object], n: int) -> dict[str, float]:
    """CPU (ms), user, system (ms), voluntary context switches and collections per domain; the share of the
    wall the process was on a CPU (``busy``: near 1, its threads wait on each other for the GIL)."""
    before, collected = _usage(), _collections[0]
    work()
    after = _usage()
    user, system = (after[0] - before[0]) / n * 1000, (after[1] - before[1]) / n * 1000
    switches, busy = (after[2] - before[2]) / n, (user + system) * n / 1000 / (after[3] - before[3])
    found = {"cpu": user + system, "user": user, "sys": system, "vcsw": switches, "busy": busy}
    found["wall"] = after[3] - before[3]
    return found | {"gc": _collections[0] - collected}


class OnThisThread:
    """An executor running each job where it is submitted, for ``check_domain``'s pool: a domain's operations
    then run one after another on its own thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        job: Future[Any] = Future()
        try:
            job.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            job.set_exception(exc)
        return job

    def map(self, fn: Callable[..., Any], *iterables: Any) -> Any:
        return map(fn, *iterables)

    def shutdown(self, wait: bool = True) -> None:
        pass


def check_options(setup: dict[str, Any], concurrency: int) -> Any:
    """What every side's check is asked: the fixture's DNS, CA and HTTPS port, no SMTP, as bench_check.py asks."""
    from pulumi_mta_sts.check.runner import CheckOptions

    port, cafile = setup["https_port"], setup["cafile"]
    return CheckOptions((setup["nameserver"],), cafile, port, smtp=False, timeout=10, concurrency=concurrency)


def one_at_a_time(setup: dict[str, Any], domains: list[str], concurrency: int) -> Callable[[], object]:
    """``check_domains`` with each domain's operations one after another, ``concurrency`` domains at once."""
    from pulumi_mta_sts.check.runner import Session, check_domain

    options = check_options(setup, concurrency)

    def run() -> object:
        with Session(options) as session, ThreadPoolExecutor(concurrency) as pool:
            session.io.shutdown()
            session.io = OnThisThread()  # type: ignore[assignment]
            return list(pool.map(lambda domain: check_domain(domain, options, session), domains))

    return run


def _reports(found: Any) -> str:
    """The reports as JSON, without the fetches' durations (the one thing two runs may report differently)."""
    return re.sub(r", \d+ ms\b", "", json.dumps([report.as_dict() for report in found]))


def sides(setup: dict[str, Any], domains: list[str], concurrency: int) -> dict[str, Callable[[], object]]:
    from pulumi_mta_sts.check.runner import check_domains
    from pulumi_mta_sts.net.https_fetch import fetch_policy, make_tls_context
    from pulumi_mta_sts.net.lookup import lookup
    from pulumi_mta_sts.net.resolver import make_resolver

    port, hosts = setup["https_port"], setup["mx_hosts"]
    shares = {domain: hosts[i :: len(domains)] for i, domain in enumerate(domains)}
    context = make_tls_context(setup["cafile"])
    options = check_options(setup, concurrency)

    def resolvers() -> tuple[Any, Any]:
        return make_resolver([setup["nameserver"]], 10.0), bench_check.dane_resolver(setup["nameserver"])

    def floor() -> object:
        resolver, tlsa = resolvers()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            work = [pool.submit(bench_check.floor_work, resolver, tlsa, context, port, d, shares[d]) for d in domains]
            return [job.result() for job in work]

    def layout() -> object:
        resolver, tlsa = resolvers()

        def chain(host: str, rtype: str) -> object:
            found = lookup(resolver, host, rtype)
            return [fetch_policy(host, r.address, port=port, context=context) for r in found.records[:1]]

        def caa(domain: str) -> None:
            lookup(resolver, f"mta-sts.{domain}", "CAA")
            lookup(resolver, domain, "CAA")

        def one(io: ThreadPoolExecutor, domain: str) -> None:
            host = f"mta-sts.{domain}"
            jobs: list[Future[Any]] = [
                io.submit(chain, host, "A"),
                io.submit(chain, host, "AAAA"),
                io.submit(caa, domain),
            ]
            mx = io.submit(lookup, resolver, domain, "MX")
            lookup(resolver, f"_mta-sts.{domain}", "TXT")
            lookup(resolver, f"_smtp._tls.{domain}", "TXT")
            mx.result()
            jobs += [io.submit(lookup, tlsa, f"_25._tcp.{mx_host}", "TLSA") for mx_host in shares[domain]]
            [job.result() for job in jobs]

        with ThreadPoolExecutor(max_workers=min(256, 8 * concurrency)) as io, ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(lambda domain: one(io, domain), domains))

    return {
        "floor": _on_one_cpu(floor),
        "layout": _on_one_cpu(layout),
        "check": lambda: check_domains(domains, options),
    }


def _on_one_cpu(work: Callable[[], object]) -> Callable[[], object]:
    """``work`` with its threads kept on one CPU, as ``check_domains`` keeps a run's (``check/runner.py``)."""
    from pulumi_mta_sts.check.runner import one_cpu

    def run() -> object:
        cpus = one_cpu()
        try:
            return work()
        finally:
            if cpus:
                os.sched_setaffinity(0, cpus)

    return run


def replayed(setup: dict[str, Any], domains: list[str], concurrency: int) -> dict[str, float]:
    """``check_domain`` over answers already in the run's ``Answers`` and fetches replayed: no network."""
    from pulumi_mta_sts.check import runner

    options = check_options(setup, concurrency)
    names = vars(runner)  # the runner's own binding of fetch_policy, replaced for this pass
    real, fetched = names["fetch_policy"], {}

    def fetch(host: str, address: str, **options: Any) -> Any:
        if (host, address) not in fetched:
            fetched[host, address] = real(host, address, **options)
        return fetched[host, address]

    names["fetch_policy"] = fetch
    try:
        with runner.Session(options) as session, ThreadPoolExecutor(concurrency) as pool:
            first = [r.as_dict() for r in pool.map(lambda d: runner.check_domain(d, options, session), domains)]
            again: list[object] = []
            figures = measure(
                lambda: again.extend(
                    r.as_dict() for r in pool.map(lambda d: runner.check_domain(d, options, session), domains)
                ),
                len(domains),
            )
            assert again == first
            return figures
    finally:
        names["fetch_policy"] = real


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--delays", default="20/50", metavar="DNS/HTTP", help="added delay in ms (bench_check.py's)")
    parser.add_argument("--one-at-a-time", default="", metavar="N,...", help="check@N sides (see above)")
    args = parser.parse_args()
    domains = [f"d{i:03d}.bench.test" for i in range(args.domains)]
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=bench_check.serve_fixture, args=(child, domains), daemon=True)
    server.start()
    try:
        setup = parent.recv()
        dns_ms, http_ms = (int(ms) for ms in args.delays.split("/"))
        parent.send(("delay", dns_ms / 1000, http_ms / 1000))
        parent.recv()
        work = sides(setup, domains, args.concurrency)
        for n in [int(n) for n in args.one_at_a_time.split(",") if n]:
            work[f"check@{n}"] = one_at_a_time(setup, domains, n)
        first = {name: run() for name, run in work.items()}  # imports, TLS contexts, first threads: not timed
        for name in [name for name in first if name.startswith("check@")]:
            assert _reports(first[name]) == _reports(first["check"]), f"{name} reports differently from check"
        gc.callbacks.append(_count_collections)
        load = os.getloadavg()[0]
        print(f"{args.domains} domains, {args.concurrency} at once, {args.delays} ms; load average {load:.1f}")
        found: dict[str, list[dict[str, float]]] = {name: [] for name in work}
        names = list(work)
        for n in range(args.rounds):
            for name in names[n % len(names) :] + names[: n % len(names)]:
                found[name].append(measure(work[name], len(domains)))
        floor = statistics.median(r["cpu"] for r in found["floor"])
        for name, rounds in found.items():
            median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
            print(
                f"{name:8s} {median['cpu']:.2f} ms CPU a domain ({median['cpu'] / floor:.2f}x the floor; "
                f"user {median['user']:.2f}, system {median['sys']:.2f}), {median['vcsw']:.0f} context switches, "
                f"{median['gc']:.0f} collections a round; wall {median['wall']:.2f} s, "
                f"on a CPU {median['busy']:.0%} of it"
            )
        parent.send(("delay", 0.0, 0.0))
        parent.recv()
        own = replayed(setup, domains, args.concurrency)
        print(
            f"check, network replayed (its own work and hand-offs): {own['cpu']:.2f} ms CPU a domain, "
            f"{own['vcsw']:.0f} context switches; load average now {os.getloadavg()[0]:.1f}"
        )
    finally:
        parent.send("stop")
        server.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
