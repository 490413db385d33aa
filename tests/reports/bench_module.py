"""``bench/bench_reports.py`` loaded as a module: the tests measure the bench's own cases, so a bench that
drifts from the parser is seen here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["BENCH"]


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_reports.py"
    spec = importlib.util.spec_from_file_location("bench_reports_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
