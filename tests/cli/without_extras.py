"""Run Python as the base install would (no extras), inside the dev environment.

The dev venv has every extra, so a test cannot uninstall them; instead a fresh interpreter marks
each module an extra brings (``EXTRAS_OF_MODULE``: ``pulumi``, ``pulumi_aws``, ``boto3`` ...) as
absent in ``sys.modules`` before anything else runs. Python then raises the same
``ModuleNotFoundError`` (with ``name`` set) it raises when the package is not installed. ``.ci/run``
proves the real thing once, with a second venv made by ``pip install .``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pulumi_mta_sts.core.errors import EXTRAS_OF_MODULE

ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = f"import sys\nsys.modules.update(dict.fromkeys({sorted(EXTRAS_OF_MODULE)!r}))\n"


def run_without_extras(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter (from the repository root) where no extra is installed."""
    return subprocess.run(
        [sys.executable, "-c", _PRELUDE + code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def cli_without_extras(*argv: str) -> subprocess.CompletedProcess[str]:
    """``mta-sts ARGV...`` where no extra is installed."""
    return run_without_extras(f"from pulumi_mta_sts.cli import main\nsys.exit(main({list(argv)!r}))\n")
