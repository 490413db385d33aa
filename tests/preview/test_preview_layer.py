"""Where preview-diff stands: it runs without any Pulumi SDK (the base install), and it reads DNS
records from a resource's properties exactly as ``mta-sts plan`` does (one rule, two readers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_mta_sts.core.errors import EXTRAS_OF_MODULE
from pulumi_mta_sts.core.record_resources import record_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["pulumi_mta_sts.preview.output", "pulumi_mta_sts.cli.preview_diff"])
def test_preview_diff_loads_no_extra(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded = set(done.stdout.split())
    assert not loaded & set(EXTRAS_OF_MODULE), sorted(loaded & set(EXTRAS_OF_MODULE))


@pytest.mark.parametrize("stack", ["example-com", "example-org", "example-net"])
def test_record_rows_reads_records_as_plan_does(stack: str) -> None:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mta-sts"), "plan", "--stack", stack, "--no-live-dns", "--format", "json"],
        capture_output=True, text=True, timeout=300, check=True, cwd=ROOT,
    )  # fmt: skip
    planned = json.loads(done.stdout)
    rows = [row for r in planned["resources"] for row in record_rows(r["type"], r["inputs"])]
    assert rows == [{key: row[key] for key in ("name", "type", "value")} for row in planned["dns"]]
