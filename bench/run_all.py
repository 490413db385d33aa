"""Run every bench of this directory and print ONE table of the issue-25 figures (bench/README.md).

Run: ``.venv/bin/python bench/run_all.py --quick`` (about 1.5 minutes on the two-core development
machine). Each bench runs as ``python bench/<name>.py --quick --json`` in its own interpreter, one
after the other (so none takes CPU from another's figure), and prints as its last stdout line
``{"rows": [{"figure", "value", "unit", "target", "ratio", "ok"}, ...]}``. ``ratio`` is always
measured in the same run (against a floor, the previous layout, another tool or a smaller size),
never an absolute time, so ``ok`` holds on a slower or busier machine too; ``ok`` is ``null``
where a figure has no target. A bench that fails or prints no such line is a row saying so.

Without ``--quick`` each bench runs its full measurement (several minutes). ``--only`` picks
benches by name (``check,fleet``); ``--json`` ends with the whole table as one JSON line. The exit
code is 0 whatever the figures: this prints regressions, it does not gate on timing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: The benches in the order they run (the cheap ones first).
BENCHES = (
    "bench_reports",
    "bench_summary",
    "bench_check",
    "bench_plan",
    "bench_fleet",
    "bench_bounded_json",
    "bench_shared_hosting",
)
#: The most a bench may take (seconds) before it is stopped and its row says so.
LIMIT = {True: 240.0, False: 3600.0}


def run_bench(name: str, quick: bool) -> tuple[list[dict[str, Any]], float]:
    """The rows one bench printed, and the seconds it took."""
    command = [sys.executable, "-W", "ignore", str(HERE / f"{name}.py"), "--json", *(["--quick"] if quick else [])]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LIMIT[quick], check=False)
    except subprocess.TimeoutExpired:
        return [_broken(name, f"stopped after {LIMIT[quick]:.0f} s")], time.perf_counter() - start
    seconds = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    try:
        found = json.loads(lines[-1])["rows"] if lines else None
    except (ValueError, KeyError, TypeError):
        found = None
    if not isinstance(found, list):
        why = (done.stderr.strip().splitlines() or ["no output"])[-1][:100]
        return [_broken(name, f"no JSON rows (exit {done.returncode}: {why})")], seconds
    return [{"bench": name, **row} for row in found], seconds


def _broken(name: str, why: str) -> dict[str, Any]:
    return {"bench": name, "figure": why, "value": None, "unit": "", "target": "", "ratio": None, "ok": False}


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "MISSED"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    header = ("bench", "figure", "value", "target", "ratio", "ok")
    table = [
        (
            str(r["bench"]).removeprefix("bench_"),
            str(r["figure"]),
            f"{_cell(r['value'])} {r.get('unit') or ''}".strip(),
            str(r.get("target") or ""),
            _cell(r.get("ratio")),
            _cell(r.get("ok")),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *table]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each bench's quick mode (the whole run under 2 minutes)")
    parser.add_argument("--only", default="", help="bench names, comma separated (check, fleet, ...)")
    parser.add_argument("--json", action="store_true", help="end with the table as one JSON line")
    args = parser.parse_args()
    wanted = {f"bench_{n.strip().removeprefix('bench_')}" for n in args.only.split(",") if n.strip()}
    rows: list[dict[str, Any]] = []
    total = time.perf_counter()
    for name in BENCHES:
        if wanted and name not in wanted:
            continue
        found, seconds = run_bench(name, args.quick)
        print(f"{name}: {len(found)} figures in {seconds:.1f} s", file=sys.stderr, flush=True)
        rows.extend(found)
    print_table(rows)
    missed = sum(1 for r in rows if r.get("ok") is False)
    print(f"\n{len(rows)} figures, {missed} missing their target; {time.perf_counter() - total:.0f} s in all")
    if args.json:
        print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
