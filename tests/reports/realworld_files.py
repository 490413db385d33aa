"""Where the tests find real senders' TLS-RPT reports: a folder kept OUTSIDE the repository
(``shared/tlsrpt-realworld/files`` beside the checkout, with its PROVENANCE.md), read in place and
never copied in. ``MTA_STS_REALWORLD_REPORTS`` names another place for it (a worktree that is not
beside ``shared/``). Without the folder the tests that need it are skipped, saying so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["REALWORLD_FILES", "SKIP_REASON", "needs_real_reports"]

_BESIDE_THE_CHECKOUT = Path(__file__).resolve().parents[2].parent / "shared" / "tlsrpt-realworld" / "files"
REALWORLD_FILES = Path(os.environ.get("MTA_STS_REALWORLD_REPORTS") or _BESIDE_THE_CHECKOUT)
SKIP_REASON = (
    f"real senders' reports not found at {REALWORLD_FILES}: they are not part of the repository (a folder "
    "shared/tlsrpt-realworld/files beside the checkout, read in place); set MTA_STS_REALWORLD_REPORTS to "
    "such a folder to run this test"
)
needs_real_reports = pytest.mark.skipif(not REALWORLD_FILES.is_dir(), reason=SKIP_REASON)
