"""Benchmark of fleets: many mail domains in one program (not a test: prints figures, asserts nothing).

1. ``per-domain``: N ``MtaSts`` components (each with its own bucket, certificate and distribution)
   registered by one program under the mock engine of ``mta-sts plan``: what planning N domains
   cost before fleets, and the baseline the fleet is compared with in the same run.
2. ``fleet``: the real stack program (``stacks/__main__.py``, as ``mta-sts plan --stack`` runs it)
   on a generated fleet stack of N domains (``mta-sts:domains``, half Route53, half Cloudflare) on
   shared hosting, under the plan's mock cloud.
3. ``config``: validating a fleet config of 1,000 entries (``config/fleet_stack.py``), valid and with a
   mistake in every entry (every problem is reported).
4. ``engine``: the fleet of the largest N planned twice in one process, once with the mock
   engine's two speed-ups undone (the cyclic garbage collector running during the program, the
   SDK capturing a call stack per resource) and once as shipped: the ratio is what they save.
5. ``scale`` (issue 25's plan figures): the fleet of each size planned in a fresh interpreter
   after a warm-up, so its peak memory is its own: wall and CPU per domain, the memory it added
   per domain (peak RSS after the plan less peak RSS after the warm-up), and the last tenfold
   step's per-domain ratio (target <= 1.2x). ``--quick`` runs 20 and 200 domains; the README's
   figures are 200 and 2,000 (``--scale-sizes 200,2000``); ``cap`` is the largest fleet the stack-file
   size cap admits (:func:`cap_entries`; ``--scale-sizes 2000,cap``).

For each N: wall time, resources, resources per domain, and the marginal cost per domain between
two sizes ((t(N2) - t(N1)) / (N2 - N1)); a flat marginal cost means the cost per domain does not
grow with N. Ratios are against the smallest N of the same run.

Run: ``.venv/bin/python bench/bench_fleet.py [--sizes 10,100,1000] [--only per-domain,fleet,config,engine,scale]
[--scale-sizes 200,2000] [--route53-only | --cloudflare-only] [--quick] [--json]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("per-domain", "fleet", "config", "engine", "scale")


@dataclass(frozen=True)
class Run:
    """One measured size: ``n`` domains, wall ``seconds``, ``cpu`` seconds of this process (less
    sensitive than wall time to other work on the machine), ``resources`` registered."""

    n: int
    seconds: float
    resources: int
    cpu: float = 0.0


def domains(n: int) -> list[str]:
    """``n`` distinct mail domains (``d0000.example.com`` ...)."""
    return [f"d{i:04d}.example.com" for i in range(n)]


#: Half the fleet's domains on Cloudflare (the default), or every one on Route53 (``--route53-only``: the
#: case issue 25 measured, "2,000 Route53 domains"), or every one on Cloudflare (``--cloudflare-only``).
ROUTE53_ONLY = ["--route53-only"] if "--route53-only" in sys.argv else []
CLOUDFLARE_ONLY = ["--cloudflare-only"] if "--cloudflare-only" in sys.argv else []


def fleet_values(n: int, *, broken: bool = False) -> dict[str, Any]:
    """The ``mta-sts:`` values of a fleet stack of ``n`` domains (half Route53, half Cloudflare, unless
    ``--route53-only`` or ``--cloudflare-only``); ``broken``: every entry has a mistake (an IP address in its mx)."""
    entries: list[dict[str, Any]] = []
    for index, domain in enumerate(domains(n)):
        entry: dict[str, Any] = {"domain": domain, "policy": {"mx": [f"mx.{domain}"]}}
        if (index % 2 or CLOUDFLARE_ONLY) and not ROUTE53_ONLY:
            entry["dns"] = {"provider": "cloudflare"}
        if broken:
            entry["policy"] = {"mx": ["192.0.2.1"]}
        entries.append(entry)
    return {
        "defaults": {"dns": {"provider": "route53"}, "policy": {"mode": "testing", "max_age": 86401}},
        "domains": entries,
    }


# ---- 1. N MtaSts components in one program -------------------------------------------------------
def plan_per_domain(n: int) -> Run:
    """Register N ``MtaSts`` (Route53 + CloudFront) in one program under the plan's mock cloud."""
    from pulumi_mta_sts.core.policy import Policy
    from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
    from pulumi_mta_sts.plan.cloud import PLAN_CLOUD
    from pulumi_mta_sts.spec import DnsConfig

    def program() -> None:
        for domain in domains(n):
            policy = Policy.build("testing", [f"mx.{domain}"], 86401)
            args = MtaStsArgs(domain=domain, policy=policy, dns=DnsConfig("route53", zone_name=domain))
            MtaSts(domain.replace(".", "-"), args)

    recorder = PLAN_CLOUD.recorder()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        recorder.install(project="mta-sts", stack="bench")
        recorder.run(program)
    finally:
        recorder.close()
    return Run(n, time.perf_counter() - start, len(recorder.resources), time.process_time() - cpu)


# ---- 2. a fleet stack planned by the real program ------------------------------------------------
def engine_config(n: int) -> dict[str, str]:
    """A generated fleet stack's config as the engine hands it to the program."""
    import json

    config = {"aws:region": "eu-west-1"}
    config.update({f"mta-sts:{key}": json.dumps(value) for key, value in fleet_values(n).items()})
    return config


def plan_fleet(n: int) -> Run:
    """The stack program (``stacks/__main__.py``) on a generated fleet stack of ``n`` domains under
    the plan's mock cloud, no live DNS: what ``mta-sts plan --stack`` runs, without reading a file."""
    import runpy

    from pulumi_mta_sts.plan.cloud import PLAN_CLOUD
    from pulumi_mta_sts.program.options import ProgramOptions, running_with

    program = str(ROOT / "stacks" / "__main__.py")
    recorder = PLAN_CLOUD.recorder()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        recorder.install(project="mta-sts", stack=f"bench-{n}", config=engine_config(n))
        with running_with(ProgramOptions(live_dns=False)):
            recorder.run(lambda: runpy.run_path(program, run_name="__main__"))
    finally:
        recorder.close()
    return Run(n, time.perf_counter() - start, len(recorder.resources), time.process_time() - cpu)


def cap_entries() -> int:
    """The most entries of :func:`cap_text` the stack-file loader admits (its caps on bytes and on values,
    ``config/stack_file.py``), found by bisection with the loader itself."""
    import tempfile

    from pulumi_mta_sts.config.stack import read_stack_file
    from pulumi_mta_sts.core.errors import InputError

    def admitted(n: int) -> bool:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "Pulumi.cap.yaml"
            path.write_text(cap_text(n), encoding="utf-8")
            try:
                read_stack_file(path)
            except InputError:
                return False
            return True

    low, high = 1, 1 << 16
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if admitted(mid) else (low, mid - 1)
    return low


def cap_text(n: int) -> str:
    """The stack file of :func:`cap_entries`, with ``n`` entries."""
    head = "config:\n  aws:region: eu-west-1\n  mta-sts:defaults:\n    policy: {mode: testing, mx: [mx.example.net]}\n"
    return head + "  mta-sts:domains:\n" + "".join(f"    - domain: d{i:05d}.example.com\n" for i in range(n))


# ---- 3. config validation ------------------------------------------------------------------------
def validate_config(n: int, broken: bool) -> tuple[float, int]:
    """Seconds to validate a fleet config of ``n`` entries, and the problems reported."""
    from pulumi_mta_sts.config.fleet_stack import load_fleet_config
    from pulumi_mta_sts.core.errors import InputError

    values = fleet_values(n, broken=broken)
    start = time.perf_counter()
    try:
        load_fleet_config(values)
        problems = 0
    except InputError as exc:
        problems = len(exc.problems)
    return time.perf_counter() - start, problems


# ---- output ----------------------------------------------------------------------------------------
def report(title: str, runs: Sequence[Run]) -> None:
    """Print each size with its cost per domain and the marginal cost against the previous size."""
    print(title)
    base = runs[0]
    previous: Run | None = None
    for run in runs:
        per_domain = run.seconds / run.n * 1000
        line = (
            f"  N={run.n:>5}: {run.seconds:8.2f} s, {run.resources:>6} resources "
            f"({run.resources / run.n:.1f}/domain), {per_domain:7.1f} ms/domain "
            f"(x{per_domain / (base.seconds / base.n * 1000):.2f} of N={base.n}), "
            f"CPU {run.cpu / run.n * 1000:.1f} ms/domain"
        )
        if previous is not None:
            marginal = (run.seconds - previous.seconds) / (run.n - previous.n) * 1000
            line += f", marginal {marginal:.1f} ms/domain from N={previous.n}"
        print(line)
        previous = run


def measure(title: str, plan: Callable[[int], Run], sizes: Sequence[int]) -> None:
    plan(min(sizes))  # warm up: imports, first program run
    report(title, [plan(n) for n in sizes])


def without_engine_speedups(n: int) -> Run:
    """:func:`plan_fleet` with the collector's full collections and the SDK's own call stack per resource and cycle
    check (so no loop steps either), as before the engine kept to young collections and replaced the others
    (``plan/engine.py``, ``program/sdk.py``'s ``LoopStepper``)."""
    import gc

    from pulumi_mta_sts.plan.engine import Recorder
    from pulumi_mta_sts.program import sdk

    run, enter, leave = Recorder.run, sdk.LoopStepper.__enter__, sdk.LoopStepper.__exit__

    thresholds = gc.get_threshold()

    def collector_running(self: Recorder, program: Callable[[], Any]) -> None:
        def enabled_then_program() -> None:
            gc.set_threshold(*thresholds)  # full collections too
            program()

        run(self, enabled_then_program)

    sdk.LoopStepper.__enter__ = sdk.LoopStepper.__exit__ = lambda *_: None  # type: ignore[method-assign,assignment]
    Recorder.run = collector_running  # type: ignore[method-assign]
    try:
        return plan_fleet(n)
    finally:
        Recorder.run, sdk.LoopStepper.__enter__, sdk.LoopStepper.__exit__ = run, enter, leave  # type: ignore[method-assign]


def compare_engine(n: int) -> None:
    """Plan the same fleet without, then with, the engine's speed-ups: the best CPU time of two runs each."""
    plan_fleet(10)  # warm up
    before = min((without_engine_speedups(n) for _ in range(2)), key=lambda run: run.cpu)
    after = min((plan_fleet(n) for _ in range(2)), key=lambda run: run.cpu)
    print(
        f"engine: fleet of N={n}: CPU {before.cpu:.2f} s without the speed-ups, {after.cpu:.2f} s with "
        f"(x{before.cpu / after.cpu:.2f}); wall {before.seconds:.2f} s vs {after.seconds:.2f} s"
    )


# ---- 5. scale: each size in a fresh interpreter -----------------------------------------------------
def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale_child(n: int) -> None:
    """``--scale-child N``: warm up, plan a fleet of ``n``, print one JSON line of its figures."""
    plan_fleet(10)
    before = _peak_mib()
    run = plan_fleet(n)
    added = _peak_mib() - before
    print(
        json.dumps(
            {
                "n": n,
                "seconds": run.seconds,
                "cpu": run.cpu,
                "resources": run.resources,
                "added_mib": added,
                "peak_mib": _peak_mib(),
            }
        )
    )


def scale(sizes: Sequence[int]) -> list[dict[str, Any]]:
    """Plan each size in its own interpreter; print and return the figures (rows for ``--json``)."""
    found = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-W", "ignore", __file__, "--scale-child", str(n), *ROUTE53_ONLY, *CLOUDFLARE_ONLY],
            capture_output=True,
            text=True,
            check=True,
        )
        one = json.loads(done.stdout.strip().splitlines()[-1])
        found.append(one)
        print(
            f"scale: fleet of N={n}: {one['seconds']:.2f} s wall ({one['seconds'] / n * 1000:.1f} ms/domain), CPU "
            f"{one['cpu'] / n * 1000:.1f} ms/domain, {one['resources']} resources, peak {one['peak_mib']:.0f} MiB "
            f"(+{one['added_mib']:.0f} MiB for the plan: {one['added_mib'] / n * 1024:.0f} KiB/domain)"
        )
    return scale_rows(found)


def scale_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def row(figure: str, value: float, unit: str, target: str, ratio: float | None, ok: bool | None) -> dict[str, Any]:
        return {"figure": figure, "value": round(value, 3), "unit": unit, "target": target, "ratio": ratio, "ok": ok}

    rows = []
    for one in found:
        n = one["n"]
        rows.append(
            row(f"plan wall/domain, fleet of {n}", one["seconds"] / n * 1000, "ms", "2,000 in <= 30 s", None, None)
        )
        rows.append(
            row(
                f"plan memory/domain, fleet of {n}",
                one["added_mib"] / n * 1024,
                "KiB",
                "2,000 in <= 512 MiB",
                None,
                None,
            )
        )
    if len(found) >= 2:
        small, large = found[-2], found[-1]
        per = (large["seconds"] / large["n"]) / (small["seconds"] / small["n"])
        cpu = (large["cpu"] / large["n"]) / (small["cpu"] / small["n"])
        step = f"{small['n']}->{large['n']}"
        rows.append(row(f"plan wall/domain, last step {step}", per, "x", "<= 1.2x per tenfold step", per, per <= 1.2))
        rows.append(row(f"plan CPU/domain, last step {step}", cpu, "x", "<= 1.2x per tenfold step", cpu, cpu <= 1.2))
        peak = large["peak_mib"]
        rows.append(
            row(
                f"plan peak memory, fleet of {large['n']}",
                peak,
                "MiB",
                "2,000 in <= 512 MiB",
                None,
                peak <= 512 if large["n"] >= 2000 else None,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="domain counts, comma separated")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run: {', '.join(SECTIONS)}")
    parser.add_argument(
        "--scale-sizes", default="200,2000", help="the scale section's sizes (fresh interpreter each; cap: cap_entries)"
    )
    parser.add_argument("--quick", action="store_true", help="only the scale section, 20 and 200 domains")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the scale figures")
    parser.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--route53-only", action="store_true", help="every domain on Route53 (default: half on Cloudflare)"
    )
    parser.add_argument("--cloudflare-only", action="store_true", help="every domain on Cloudflare")
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return
    if args.quick:
        args.only, args.scale_sizes = "scale", "20,200"
    sizes = sorted({int(n) for n in args.sizes.split(",") if n.strip()})
    only = {s.strip() for s in args.only.split(",")}
    if "config" in only:
        for broken in (False, True):
            seconds, problems = validate_config(1000, broken)
            what = "a mistake in every entry" if broken else "valid"
            print(f"config: 1000 entries ({what}) validated in {seconds * 1000:.0f} ms, {problems} problems reported")
    if "per-domain" in only:
        measure("per-domain: N MtaSts components in one program (before fleets)", plan_per_domain, sizes)
    if "fleet" in only:
        measure("fleet: the stack program on a fleet stack (mta-sts:domains) on shared hosting", plan_fleet, sizes)
    if "engine" in only:
        compare_engine(max(sizes))
    sizes = [cap_entries() if n == "cap" else int(n) for n in args.scale_sizes.split(",")]
    rows = scale(sorted(sizes)) if "scale" in only else []
    if args.json:
        print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
