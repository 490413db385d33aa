"""Benchmark of ``mta-sts reports summary`` (not a test: prints figures and ratios, asserts nothing).

1. Throughput: reports per second over the same generated gzipped reports, in one run, for
   parsing alone (``reports.parse_report``, the baseline) and for parsing + summarising
   (``Summary.add`` of each parsed report). Target: the summary within 1.5x of parsing alone.
2. Memory, streaming: the reports are generated one at a time (nothing holds the corpus) and
   read by parsing alone, then by parsing + summarising, at 10,000 / 25,000 / 50,000 reports.
   Printed: the peak Python allocation during the run (tracemalloc), what the summary still
   holds afterwards (its aggregates and its 16-byte identity per report, about 23 bytes with the
   table that finds it), and, in a fresh process for each size, the peak RSS (``VmHWM``). Target:
   flat in the number of reports, except the identities kept to count duplicates once.

The reports span 60 days, 8 organisations, 4 policy domains, 2 policies per domain (a change
mid-period), 0-2 failure rows per report; each (domain, organisation) sees up to 2 kinds of
failure (result type at MX host), as real senders report the same few problems day after day.
The views are then bounded (at most 60 x 8 x 4 x 2 failure rows: the summary's size depends on
what the reports say, not on how many there are), and what grows with the number of reports is
only the identity set (:class:`IdentitySet`: 16 bytes a report in buckets, about 23 with the
buckets); the figures print how many distinct rows the failure view holds.

Run: ``.venv/bin/python bench/bench_summary.py [--reports N] [--repeat R] [--sizes 10000,25000,50000]``
(``--quick --json``: the throughput of 5,000 reports as one row for ``bench/run_all.py``)
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from pulumi_mta_sts.reports.parse import parse_report
from pulumi_mta_sts.reports.summary import Summary

ORGS = ["Google Inc.", "Microsoft Corporation", "Yahoo", "Mail.ru", "Comcast", "GMX", "Fastmail", "Proton"]
RESULT_TYPES = [
    "certificate-expired",
    "starttls-not-supported",
    "certificate-host-mismatch",
    "validation-failure",
    "sts-policy-fetch-error",
]
FIRST_DAY = date(2024, 1, 1)
DAYS = 60
DOMAINS = 4
MIB = 1024 * 1024


def _policy_lines(domain: int, day: int) -> list[str]:
    mx = ["mx1.example.com"] if day < DAYS // 2 else ["mx1.example.com", "mx2.example.com"]
    return ["version: STSv1", "mode: testing", *(f"mx: {m}" for m in mx), "max_age: 604800"]


def report_bytes(i: int, rng: random.Random) -> bytes:
    """Report number ``i`` (gzipped JSON, RFC 8460 keys), unique by organisation + report-id."""
    day = i % DAYS
    org = (i // DAYS) % len(ORGS)
    domain = rng.randrange(DOMAINS)
    incident = domain * len(ORGS) + org  # each (domain, organisation) sees its own few kinds of failure
    details = [
        {
            "result-type": RESULT_TYPES[(incident + k) % len(RESULT_TYPES)],
            "receiving-mx-hostname": f"mx{(incident + k) % 3 + 1}.example.com",
            "receiving-ip": f"198.51.100.{(incident + k) % 20 + 1}",
            "sending-mta-ip": f"192.0.2.{rng.randrange(1, 255)}",
            "failed-session-count": rng.randrange(1, 50),
        }
        for k in range(rng.choice([0, 0, 0, 1, 1, 2]))
    ]
    lines = _policy_lines(domain, day)
    policy: dict[str, Any] = {
        "policy": {
            "policy-type": "sts",
            "policy-string": lines,
            "policy-domain": f"example{domain}.com",
            "mx-host": [line[4:] for line in lines if line.startswith("mx: ")],
        },
        "summary": {
            "total-successful-session-count": rng.randrange(0, 100_000),
            "total-failure-session-count": sum(d["failed-session-count"] for d in details),
        },
    }
    if details:
        policy["failure-details"] = details
    start = FIRST_DAY + timedelta(days=day)
    doc = {
        "organization-name": ORGS[org],
        "date-range": {"start-datetime": f"{start}T00:00:00Z", "end-datetime": f"{start}T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@example.net",
        "report-id": f"{start}_{i}",
        "policies": [policy],
    }
    return gzip.compress(json.dumps(doc).encode(), mtime=0)


def stream(n: int, seed: int = 8460) -> Iterator[bytes]:
    """``n`` reports, generated one at a time (the corpus is never held)."""
    rng = random.Random(seed)
    for i in range(n):
        yield report_bytes(i, rng)


def parse_only(reports: Iterator[bytes] | list[bytes]) -> None:
    for data in reports:
        parse_report(data)


def parse_and_summarise(reports: Iterator[bytes] | list[bytes]) -> Summary:
    summary = Summary()
    for data in reports:
        summary.add(parse_report(data))
    summary.as_json()
    return summary


def best_seconds(runs: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best time of each of ``runs``, taken in turns (a busy moment of the machine hits both)."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def throughput(n: int, repeat: int) -> dict[str, object]:
    """Print parsing alone vs parsing + summarising; the ratio as a row for ``bench/run_all.py``."""
    corpus = list(stream(n))
    size = sum(len(d) for d in corpus)
    print(f"throughput: {n} gzipped reports ({size / MIB:.1f} MiB), best of {repeat}, Python {sys.version.split()[0]}")
    parse_s, summary_s = best_seconds([lambda: parse_only(corpus), lambda: parse_and_summarise(corpus)], repeat)
    print(f"  parsing alone (reports.parse_report)        {n / parse_s:10.0f} reports/s")
    print(f"  parsing + summarising (Summary.add)         {n / summary_s:10.0f} reports/s")
    print(f"  ratio summary/parsing time                  {summary_s / parse_s:10.2f}x  (target <= 1.5x)")
    ratio = summary_s / parse_s
    value = round(n / summary_s, 1)
    figure = "parse + summarise vs parsing alone"
    return {
        "figure": figure,
        "value": value,
        "unit": "reports/s",
        "target": "<= 1.5x",
        "ratio": round(ratio, 3),
        "ok": ratio <= 1.5,
    }


def traced(run: Callable[[], object]) -> tuple[int, int, object]:
    """(peak bytes during ``run``, bytes still held by what it returned, its result), by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = run()
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        return peak - base, current - base, result
    finally:
        tracemalloc.stop()


_CHILD = """
import sys
sys.path.insert(0, {bench!r})
import bench_summary as b
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = hwm()
if sys.argv[1] == "parse":
    b.parse_only(b.stream(int(sys.argv[2])))
else:
    b.parse_and_summarise(b.stream(int(sys.argv[2])))
print(before, hwm())
"""


def child_rss_mib(kind: str, n: int) -> tuple[float, float]:
    """(peak RSS after imports, peak RSS after the run) of a fresh process, MiB."""
    from pathlib import Path

    code = _CHILD.format(bench=str(Path(__file__).parent))
    out = subprocess.run([sys.executable, "-c", code, kind, str(n)], capture_output=True, text=True, check=True)
    before, after = (int(x) / 1024 for x in out.stdout.split())
    return before, after


def memory(sizes: list[int]) -> None:
    print("memory, streaming (reports generated one at a time):")
    print("  reports   parse peak  summary peak  summary holds  per report   RSS parse  RSS summary")
    for n in sizes:
        parse_peak, _, _ = traced(lambda n=n: parse_only(stream(n)))  # type: ignore[misc]
        peak, held, result = traced(lambda n=n: parse_and_summarise(stream(n)))  # type: ignore[misc]
        assert isinstance(result, Summary)
        data = result.as_json()
        rows = sum(1 for _ in result.failure_rows())
        _, rss_parse = child_rss_mib("parse", n)
        _, rss_summary = child_rss_mib("summary", n)
        print(
            f"  {n:7d}  {parse_peak / MIB:8.2f} MiB  {peak / MIB:8.2f} MiB  {held / MIB:9.2f} MiB  "
            f"{held / n:7.1f} B  {rss_parse:7.1f} MiB  {rss_summary:7.1f} MiB  "
            f"({rows} failure rows, {len(data['organizations'])} organisations, {len(data['policies'])} policies)"
        )
    print(
        "  (what grows with the number of reports is the set of 16-byte identities that counts each "
        "report once; every view is bounded by the distinct days, organisations, domains, types, MX hosts)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="10000,25000,50000")
    parser.add_argument("--quick", action="store_true", help="throughput of 5,000 reports only (a few seconds)")
    parser.add_argument("--json", action="store_true", help='end with one line {"rows": [...]} for run_all.py')
    args = parser.parse_args()
    row = throughput(5_000 if args.quick else args.reports, 3 if args.quick else args.repeat)
    if not args.quick:
        memory([int(s) for s in args.sizes.split(",")])
    if args.json:
        print(json.dumps({"rows": [row]}))


if __name__ == "__main__":
    main()
