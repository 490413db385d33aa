"""Why a test is skipped when something it needs is not on this machine: what is missing, what the
test would have checked, and how to get it, in words for someone who has only the repository.

Every skip for a missing tool uses a reason from here, so a newcomer reading ``pytest -ra`` knows
whether to act. (The browser's is in ``tests/browser.py``; ``MTA_STS_REQUIRE_BROWSER=1`` turns it
into a failure in CI. The real senders' reports kept beside the repository are described in
``tests/reports/realworld_files.py``.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

NODE = (
    "Node.js is not installed: these tests run the policy hosts' edge code (CloudFront Function, "
    "Cloudflare Worker) under node; install it (apt-get install -y nodejs) to run them"
)
GIT = (
    "git is not installed: these tests run the CI scripts in a scratch git repository; "
    "install it (apt-get install -y git)"
)
ROOT_READS_EVERYTHING = (
    "running as root, who can read any file, so no unreadable file can be made for this test; "
    "run the tests as an ordinary user to cover it"
)
#: How to get each command-line tool a test runs.
TOOLS = {
    "shellcheck": "apt-get install -y shellcheck",
    "actionlint": "pip install -e '.[dev]' (it brings .venv/bin/actionlint)",
}

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason=NODE)
not_as_root = pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason=ROOT_READS_EVERYTHING)


def tool_missing(name: str) -> str:
    """The skip reason for a command-line tool that is not installed."""
    return f"{name} is not installed, so this check did not run here (it runs in CI); install it: {TOOLS[name]}"
