"""escape/ is the bottom of everything that writes text: the standard library only, nothing else
of ours, so every layer, the report parser and the receiver's Lambda can use it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "pulumi_mta_sts" / "escape"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_one_module_per_output_format_and_the_shared_visible_form() -> None:
    assert MODULES == ["csv", "html", "markdown", "terminal", "visible"]


@pytest.mark.parametrize("module", MODULES)
def test_a_module_loads_the_standard_library_only(module: str) -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"import pulumi_mta_sts.escape.{module}\n"
        "new = {n for n in set(sys.modules) - before if n.split('.')[0] not in sys.stdlib_module_names}\n"
        "print(' '.join(sorted(n for n in new if not n.startswith('pulumi_mta_sts.escape'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["pulumi_mta_sts"]
