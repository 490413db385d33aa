"""Where a parsed report is stored, and which reports are the owner's test reports.

Keys (``<id>`` is :func:`pulumi_mta_sts.reports.report_key`: the sha256 of the EXACT
organisation name and report-id, never case-folded or trimmed further than the parser does):

- ``<prefix><id>.json``: the first body seen for that submitter + report-id;
- ``<prefix><id>.<content>.json``: any later body that differs from it (``<content>`` is the
  first 16 hex digits of the sha256 of the normalised report): kept as a version, counted.

``<prefix>`` is ``reports/`` for real reports and ``test/`` for test reports: a report whose
``organization-name`` is exactly :data:`TEST_ORGANIZATION` and whose ``report-id`` starts with
:data:`TEST_REPORT_ID_PREFIX` (what ``mta-sts receiver test`` posts).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pulumi_mta_sts.reports import report_key

__all__ = [
    "REPORTS_PREFIX",
    "STORED_NAME",
    "TEST_ORGANIZATION",
    "TEST_PREFIX",
    "TEST_REPORT_ID_PREFIX",
    "content_digest",
    "first_key",
    "is_test_report",
    "is_version_key",
    "version_key",
]

REPORTS_PREFIX = "reports/"
TEST_PREFIX = "test/"
#: ``organization-name`` of the sample report ``mta-sts receiver test`` posts (exact match).
TEST_ORGANIZATION = "pulumi-mta-sts receiver test"
#: How the ``report-id`` of such a sample report starts.
TEST_REPORT_ID_PREFIX = "mta-sts-receiver-test-"
_VERSION_DIGITS = 16
#: The name (after the prefix) of a stored report, as :func:`first_key` and :func:`version_key`
#: make it: ``<id>.json`` or ``<id>.<content>.json``; the readers of the bucket match with it.
STORED_NAME = re.compile(rf"(?P<id>[0-9a-f]{{40}})(?P<version>\.[0-9a-f]{{{_VERSION_DIGITS}}})?\.json")


def is_test_report(report: dict[str, Any]) -> bool:
    """True for the owner's smoke-test report (both marks must match exactly)."""
    report_id = report.get("report_id")
    return (
        report.get("organization_name") == TEST_ORGANIZATION
        and isinstance(report_id, str)
        and report_id.startswith(TEST_REPORT_ID_PREFIX)
    )


def content_digest(report: dict[str, Any]) -> str:
    """sha256 of the normalised report's canonical JSON: equal for the same report whichever
    channel, compression or key order delivered it; different for any other content."""
    canonical = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _prefix(report: dict[str, Any]) -> str:
    return TEST_PREFIX if is_test_report(report) else REPORTS_PREFIX


def first_key(report: dict[str, Any]) -> str:
    """Where the first body for this submitter + report-id goes."""
    return _prefix(report) + report_key(report)


def version_key(report: dict[str, Any], digest: str) -> str:
    """Where a different body for the same submitter + report-id goes."""
    return _prefix(report) + report_key(report).removesuffix(".json") + f".{digest[:_VERSION_DIGITS]}.json"


def is_version_key(key: str) -> bool:
    """True for a key :func:`version_key` made (a later, different body of a report)."""
    match = STORED_NAME.fullmatch(key.rpartition("/")[2])
    return match is not None and match["version"] is not None
