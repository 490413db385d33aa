"""What the receiver's components (``receiver/``) and its Lambda functions agree on, written once:
handlers, environment, bucket layout and keys, junk tag, metrics, table (docs/receiver.md)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from pulumi_mta_sts.reports.normalise import FAILURE_DETAIL_FIELDS
from pulumi_mta_sts.reports.parse import report_key

RUNTIME: Final = "python3.12"
PARSER_HANDLER: Final = "pulumi_mta_sts.receiver_lambda.handler.handler"
READER_HANDLER: Final = "pulumi_mta_sts.receiver_lambda.digest.handler"


class Env:
    """Environment variable names: the parser's, then the reader's (both read BUCKET and DOMAINS)."""

    BUCKET: Final = "BUCKET"
    DOMAINS: Final = "DOMAINS"
    METRIC_NAMESPACE: Final = "METRIC_NAMESPACE"
    MAX_BODY_BYTES: Final = "MAX_BODY_BYTES"
    RAW_EMAIL_PREFIX: Final = "RAW_EMAIL_PREFIX"
    WRITE_TABLE: Final = "WRITE_TABLE"
    TOPIC_ARN: Final = "TOPIC_ARN"
    MAX_REPORTS: Final = "MAX_REPORTS"
    ANALYTICS_WORKGROUP: Final = "ANALYTICS_WORKGROUP"


RAW_PREFIX: Final = "raw/"
#: Where SES writes each message (the parser reads it from there).
RAW_EMAIL_PREFIX: Final = "raw/email/"
RAW_HTTPS_PREFIX: Final = "raw/https/"
REPORTS_PREFIX: Final = "reports/"
TEST_PREFIX: Final = "test/"
QUARANTINE_PREFIX: Final = "quarantine/"
TABLE_PREFIX: Final = "tables/reports/"
#: Athena's query results.
RESULTS_PREFIX: Final = "results/"
#: On a raw object of which nothing was stored; the lifecycle expires it with the quarantine.
JUNK_TAG: Final = {"tlsrpt-outcome": "quarantined"}
#: A stored report larger than this is not read back (the parser caps a report at 8 MiB of text).
MAX_STORED_BYTES: Final = 16 * 1024 * 1024
#: ``organization-name`` and ``report-id`` start of the report ``mta-sts receiver test`` posts.
TEST_ORGANIZATION: Final = "pulumi-mta-sts receiver test"
TEST_REPORT_ID_PREFIX: Final = "mta-sts-receiver-test-"
_VERSION_DIGITS = 16
#: A stored report's name: ``<id>.json`` (the first body), or ``<id>.<content>.json`` (a later version).
STORED_NAME: Final = re.compile(rf"(?P<id>[0-9a-f]{{40}})(?P<version>\.[0-9a-f]{{{_VERSION_DIGITS}}})?\.json")

DEFAULT_NAMESPACE: Final = "MtaSts/TlsRpt"


class Metric:
    REPORTS: Final = "Reports"
    SUCCESSFUL_SESSIONS: Final = "SuccessfulSessions"
    FAILED_SESSIONS: Final = "FailedSessions"
    FAILED_BY_RESULT_TYPE: Final = "FailedSessionsByResultType"
    QUARANTINED: Final = "QuarantinedReports"
    CONFLICTS: Final = "ReportConflicts"
    TEST_REPORTS: Final = "TestReports"
    TABLE_SKIPPED: Final = "TableSkipped"
    POLICY_DOMAIN: Final = "PolicyDomain"
    RESULT_TYPE: Final = "ResultType"
    KIND: Final = "Kind"


TABLE_NAME: Final = "report_rows"
PARTITION_COLUMN: Final = "dt"
#: The first day projected (RFC 8460 is of September 2018); an older claimed day is filed here.
FIRST_DAY: Final = date(2018, 9, 1)
#: The columns (name, Glue type) in order; ``dt`` is the partition, not a column.
COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("kind", "string"),
    ("organization", "string"),
    ("report_id", "string"),
    ("report_key", "string"),
    ("conflict", "boolean"),
    ("start_datetime", "string"),
    ("end_datetime", "string"),
    ("policy_index", "int"),
    ("domain", "string"),
    ("policy_domain", "string"),
    ("policy_type", "string"),
    ("policy_strings", "array<string>"),
    ("mx_hosts", "array<string>"),
    ("mx_hosts_source", "string"),
    ("mx_host", "string"),
    ("successful", "bigint"),
    ("failed", "bigint"),
    ("result_type", "string"),
    ("failed_session_count", "bigint"),
    *((name, "string") for _, name in FAILURE_DETAIL_FIELDS),
    ("received_at", "string"),
)


def served_domains(value: str) -> tuple[str, ...]:
    """The ``DOMAINS`` variable (comma-separated) as sorted normal names, each once."""
    return tuple(sorted({d.strip().rstrip(".").lower() for d in value.split(",") if d.strip()}))


def is_test_report(report: Mapping[str, Any]) -> bool:
    """The owner's smoke-test report: both marks must match exactly."""
    report_id = report.get("report_id")
    return report.get("organization_name") == TEST_ORGANIZATION and str(report_id).startswith(TEST_REPORT_ID_PREFIX)


def content_digest(report: dict[str, Any]) -> str:
    """sha256 of the report's canonical JSON: one content, one value, however it came."""
    canonical = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def first_key(report: dict[str, Any]) -> str:
    """Where the first body of a submitter + report-id goes (:func:`~pulumi_mta_sts.reports.report_key`)."""
    return (TEST_PREFIX if is_test_report(report) else REPORTS_PREFIX) + report_key(report)


def version_key(report: dict[str, Any], digest: str) -> str:
    return first_key(report).removesuffix(".json") + f".{digest[:_VERSION_DIGITS]}.json"


def is_version_key(key: str) -> bool:
    match = STORED_NAME.fullmatch(key.rpartition("/")[2])
    return match is not None and match["version"] is not None
