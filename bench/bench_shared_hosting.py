"""Benchmark of shared hosting (not a test: prints figures, asserts nothing).

1. ``shards``: :func:`pulumi_mta_sts.core.shards.assign_shards` for N domains, fresh and with
   the previous assignment pinned plus 1% new domains.
2. ``cloudfront``: :class:`SharedCloudFrontHosting` for N domains (each its own Route53 zone)
   planned under the test cloud's mock engine, once per ``store_keys`` layout: wall time,
   resources, resources per domain, the resources that write the KeyValueStore (one
   ``KeyvaluestoreKey`` each, or the one ``KeyvaluestoreKeysExclusive``) and the marginal time per
   domain between sizes (flat: no step grows with N).

Ratios are against the smallest N of the same run.
Run: ``.venv/bin/python bench/bench_shared_hosting.py [--sizes 10,100,1000] [--layouts migrating,exclusive]
[--quick] [--json]`` (``--quick``: sizes 10 and 100, the ``exclusive`` layout; ``--json``: a last line of
figures for ``bench/run_all.py``: CPU per domain of each layout's last tenfold step against the step before).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bench_shards(sizes: list[int]) -> None:
    from pulumi_mta_sts.core.shards import assign_shards

    base = None
    for n in sizes:
        domains = [f"customer-{i}.example" for i in range(n)]
        start = time.perf_counter()
        fresh = assign_shards(domains, {}, 100)
        middle = time.perf_counter()
        assign_shards([*domains, *(f"new-{i}.example" for i in range(max(n // 100, 1)))], fresh, 100)
        end = time.perf_counter()
        per = (end - middle) / n * 1e6
        base = base or per
        print(
            f"shards      N={n:>7}: fresh {1e3 * (middle - start):8.2f} ms, pinned+1% {1e3 * (end - middle):8.2f} ms,"
            f" {per:6.2f} us/domain (x{per / base:.2f})"
        )


def bench_cloudfront(sizes: list[int], layout: str | None) -> list[tuple[int, float]]:
    """Print each size's figures; return (N, CPU seconds) per size."""
    from pulumi_mta_sts.core.policy import Policy
    from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
    from pulumi_mta_sts.hosting.shared import FleetSite
    from pulumi_mta_sts.hosting.shared_cloudfront import SharedCloudFrontHosting, SharedCloudFrontHostingArgs
    from pulumi_mta_sts.plan.cloud import MockCloud

    policy = Policy.build("testing", ["mx1.mail.example.net", "mx2.mail.example.net"], 86401).render()
    extra: dict[str, Any] = {} if layout is None else {"store_keys": layout}
    previous: tuple[int, float] | None = None
    measured: list[tuple[int, float]] = []
    for n in sizes:
        rec = MockCloud(fake_values=True).recorder().install()

        def program(n: int = n) -> None:
            sites = [
                FleetSite(f"d{i}.example", policy, Route53Dns(f"dns-{i}", Route53DnsArgs(zone_id="Z1")))
                for i in range(n)
            ]
            SharedCloudFrontHosting("fleet", SharedCloudFrontHostingArgs(sites=sites, **extra))

        start, cpu = time.perf_counter(), time.process_time()
        rec.run(program)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        rec.close()
        hosted = [r for r in rec.resources if not r.name.startswith("dns-")]
        writers = sum(1 for r in hosted if r.type.startswith("aws:cloudfront/keyvaluestoreKey"))
        marginal = (
            "" if previous is None else f", marginal {1e3 * (seconds - previous[1]) / (n - previous[0]):.2f} ms/domain"
        )
        print(
            f"cloudfront  {layout or '(default)':>9} N={n:>7}: {seconds:7.2f} s, {len(hosted)} resources"
            f" ({len(hosted) / n:.2f}/domain), {writers} store-writing resources,"
            f" {1e3 * seconds / n:.2f} ms/domain{marginal}; CPU {cpu:.2f} s ({1e3 * cpu / n:.2f} ms/domain)"
        )
        previous = (n, seconds)
        measured.append((n, cpu))
    return measured


def step_row(layout: str, measured: list[tuple[int, float]]) -> dict[str, Any]:
    """The last step's CPU per domain over the step before's (flat: about 1)."""
    (n1, cpu1), (n2, cpu2) = measured[-2], measured[-1]
    ratio = (cpu2 / n2) / (cpu1 / n1)
    return {
        "figure": f"shared CloudFront ({layout}) CPU/domain, step {n1}->{n2}",
        "value": round(1e3 * cpu2 / n2, 3),
        "unit": "ms",
        "target": "flat (<= 1.2x per step)",
        "ratio": round(ratio, 2),
        "ok": ratio <= 1.2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--layouts", default="migrating,exclusive", help="store_keys layouts ('default': none given)")
    parser.add_argument("--quick", action="store_true", help="sizes 10,100; the exclusive layout")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.layouts = "10,100", "exclusive"
    sizes = [int(s) for s in args.sizes.split(",")]
    bench_shards([s * 10 for s in sizes])
    rows = []
    for layout in args.layouts.split(","):
        measured = bench_cloudfront(sizes, None if layout == "default" else layout)
        if len(measured) >= 2:
            rows.append(step_row(layout, measured))
    if args.json:
        print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
