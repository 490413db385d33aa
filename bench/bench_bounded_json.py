"""Benchmark of ``core/bounded_json`` (not a test: prints figures, asserts nothing).

For each input, the time (best of ``--repeat``) and the peak memory (tracemalloc) of
``load_bounded_json`` beside plain ``json.loads`` of the same bytes, or what the reader refused:

- a real-shaped preview of about 30 MiB (the steps of tests/data/preview/show-sames.json
  repeated, under ``preview-diff``'s 32 MiB), and the fixture itself;
- hostile inputs of 32 MiB: brackets nested all the way (and 2 MiB of them, under the value
  cap), ``[{},{},…]`` (11 million objects to ``json.loads``), brackets and quotes inside
  strings (the exact count's worst case), ``NaN`` at the very end; an integer of 4,000 digits.

Run: ``.venv/bin/python bench/bench_bounded_json.py [--repeat R] [--quick] [--json]`` (``--quick``:
the fixture and the long integer only; ``--json``: a last line of figures for
``bench/run_all.py``, each the bounded reader's time over ``json.loads``'s on the same bytes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.preview.document import BOUNDS, MAX_BYTES

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "preview" / "show-sames.json"
MIB = 1024 * 1024


def _big_preview() -> bytes:
    document = json.loads(FIXTURE.read_text())
    steps = document["steps"]
    copies = (30 * MIB) // len(FIXTURE.read_bytes())
    document["steps"] = [dict(step, urn=f"{step['urn']}-{n}") for n in range(copies) for step in steps]
    return json.dumps(document, indent=4).encode()


def _inputs(quick: bool) -> dict[str, bytes]:
    size = MAX_BYTES
    if quick:
        return {
            "show-sames.json (83 KB)": FIXTURE.read_bytes(),
            "4,000-digit integer": b"[" + b"9" * 4000 + b"]",
        }
    return {
        "show-sames.json (83 KB)": FIXTURE.read_bytes(),
        "real-shaped preview (~30 MiB)": _big_preview(),
        "32 MiB of [ (deep)": b"[" * (size // 2) + b"]" * (size // 2),
        "2 MiB of [ (deep, 1M values)": b"[" * MIB + b"]" * MIB,
        "32 MiB of [{},{},...]": b"[" + b"{}," * (size // 3 - 1) + b"{}]",
        '32 MiB string of [ and \\"': b'["' + b'[\\"{' * (size // 4 - 1) + b'"]',
        "32 MiB with NaN at the end": b"[" + b"0," * (size // 2 - 8) + b"NaN]",
        "4,000-digit integer": b"[" + b"9" * 4000 + b"]",
    }


def _measure(function: Callable[[], Any], repeat: int) -> tuple[float, float, str]:
    """Best time (s), peak traced memory (MiB) and the outcome."""
    best, outcome = float("inf"), "read"
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            function()
        except (JsonInputError, ValueError, RecursionError) as exc:
            outcome = f"refused: {getattr(exc, 'reason', type(exc).__name__)}"[:70]
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    with contextlib.suppress(JsonInputError, ValueError, RecursionError):
        function()
    peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    return best, peak, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="three inputs only")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()
    rows = []
    print(f"{'input':<32} {'reader':<12} {'time s':>8} {'peak MiB':>9}  outcome")
    for name, data in _inputs(args.quick).items():
        seconds: dict[str, float] = {}
        for reader, function in (
            ("bounded", lambda d=data: load_bounded_json(d, BOUNDS)),
            ("json.loads", lambda d=data: json.loads(d)),
        ):
            seconds[reader], peak, outcome = _measure(function, args.repeat)
            print(f"{name:<32} {reader:<12} {seconds[reader]:>8.3f} {peak:>9.1f}  {outcome}")
        ratio = seconds["bounded"] / seconds["json.loads"] if seconds["json.loads"] else None
        rows.append(
            {
                "figure": f"bounded JSON: {name}",
                "value": round(seconds["bounded"] * 1000, 2),
                "unit": "ms",
                "target": "(no target; ratio: / json.loads)",
                "ratio": None if ratio is None else round(ratio, 2),
                "ok": None,
            }
        )
    if args.json:
        print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
