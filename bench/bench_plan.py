"""Benchmark of ``mta-sts plan`` (not a test: prints figures, asserts nothing).

1. Wall time of the whole command in a fresh interpreter (``mta-sts plan --stack S
   --no-live-dns --format json``), median of several runs, per example stack, with the number
   of resources and DNS records it reports.
2. In-process time of ``plan_stack`` once the SDKs are imported (what a test or a script that
   plans many stacks pays per stack).
3. Size of the serialised ``PolicyLive`` dynamic provider (stored in the stack state).

Run: ``.venv/bin/python bench/bench_plan.py [--repeat 5]``
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    for stack in ("example-com", "example-org"):
        times = []
        plan = {}
        for _ in range(args.repeat):
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
        print(
            f"cold `mta-sts plan --stack {stack}`: median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}, n={args.repeat}); "
            f"{len(plan['resources'])} resources, {len(plan['dns'])} DNS records"
        )

    from pulumi_mta_sts.plan.stack_plan import plan_stack
    from pulumi_mta_sts.program.options import ProgramOptions

    offline = ProgramOptions(live_dns=False)
    plan_stack("example-org", stacks_dir=ROOT / "stacks", options=offline)  # warm up: imports
    for stack in ("example-com", "example-org"):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            plan_stack(stack, stacks_dir=ROOT / "stacks", options=offline)
            times.append(time.perf_counter() - start)
        print(f"in-process plan_stack({stack!r}): median {statistics.median(times) * 1000:.0f} ms (n={args.repeat})")

    from pulumi_mta_sts.mtasts.policy_live import PolicyLiveProvider
    from pulumi_mta_sts.program.sdk import serialize_provider

    print(f"serialised PolicyLive provider: {len(serialize_provider(PolicyLiveProvider()))} bytes (base64)")


if __name__ == "__main__":
    main()
