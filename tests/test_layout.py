"""The pure parts of the package import without Pulumi (the CLI and the Lambda stay light)."""

from __future__ import annotations

import subprocess
import sys

PURE = [
    "pulumi_mta_sts",
    "pulumi_mta_sts.core.errors",
    "pulumi_mta_sts.core.hostnames",
    "pulumi_mta_sts.core.policy",
    "pulumi_mta_sts.core.records",
    "pulumi_mta_sts.core.matching",
    "pulumi_mta_sts.config.stack",
    "pulumi_mta_sts.cli.render",
]


def test_pure_modules_do_not_import_pulumi() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {PURE!r}: importlib.import_module(name)\n"
        "heavy = ('pulumi.', 'pulumi_aws', 'pulumi_cloudflare')\n"
        "bad = sorted(m for m in sys.modules if m == 'pulumi' or m.startswith(heavy))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_reports_parser_does_not_import_pulumi_when_present() -> None:
    code = (
        "import sys, importlib.util\n"
        "if importlib.util.find_spec('pulumi_mta_sts.reports'):\n"
        "    importlib.import_module('pulumi_mta_sts.reports')\n"
        "print(any(m == 'pulumi' or m.startswith('pulumi.') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
