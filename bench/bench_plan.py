"""Benchmark of ``mta-sts plan`` (not a test: prints figures, asserts nothing).

1. Wall time of the whole command in a fresh interpreter (``mta-sts plan --stack S
   --no-live-dns --format json``), median of several runs, per example stack, with the number
   of resources and DNS records it reports.
2. In-process time of ``plan_stack`` once the SDKs are imported (what a test or a script that
   plans many stacks pays per stack).
3. Size of the serialised ``PolicyLive`` dynamic provider (stored in the stack state).

Run: ``.venv/bin/python bench/bench_plan.py [--repeat 5] [--quick] [--json]`` (``--quick``: example-com
only, the cold plan once and the in-process plan three times; ``--json``: a last line of figures for
``bench/run_all.py``, where the ratio is the cold command's time over the in-process plan's, i.e.
what importing the SDKs and starting an interpreter costs beside planning).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "pulumi_mta_sts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the cold plan once, the in-process plan 3 times")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}

    stacks = ("example-com",) if args.quick else ("example-com", "example-org")
    for stack in stacks:
        times = []
        plan = {}
        for _ in range(1 if args.quick else args.repeat):
            start = time.perf_counter()
            done = subprocess.run(
                [*CLI, "plan", "--stack", stack, "--no-live-dns", "--format", "json"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(time.perf_counter() - start)
            plan = json.loads(done.stdout)
        cold[stack] = statistics.median(times)
        print(
            f"cold `mta-sts plan --stack {stack}`: median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}); "
            f"{len(plan['resources'])} resources, {len(plan['dns'])} DNS records"
        )

    from pulumi_mta_sts.plan.stack_plan import plan_stack
    from pulumi_mta_sts.program.options import ProgramOptions

    offline = ProgramOptions(live_dns=False)
    plan_stack("example-org", stacks_dir=ROOT / "stacks", options=offline)  # warm up: imports
    for stack in stacks:
        times = []
        for _ in range(3 if args.quick else args.repeat):
            start = time.perf_counter()
            plan_stack(stack, stacks_dir=ROOT / "stacks", options=offline)
            times.append(time.perf_counter() - start)
        warm[stack] = statistics.median(times)
        print(f"in-process plan_stack({stack!r}): median {warm[stack] * 1000:.0f} ms (n={len(times)})")

    from pulumi.dynamic.dynamic import serialize_provider  # noqa: TID251  (what the SDK stores)

    from pulumi_mta_sts.mtasts.policy_live import PolicyLiveProvider

    print(f"serialised PolicyLive provider: {len(serialize_provider(PolicyLiveProvider()))} bytes (base64)")
    if args.json:
        rows = [
            {
                "figure": f"cold mta-sts plan --stack {stack}",
                "value": round(cold[stack], 3),
                "unit": "s",
                "target": "(no target; ratio: cold / in-process)",
                "ratio": round(cold[stack] / warm[stack], 2),
                "ok": None,
            }
            for stack in cold
        ]
        print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
