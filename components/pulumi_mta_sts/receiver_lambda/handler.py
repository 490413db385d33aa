"""The TLS-RPT receiver Lambda: SES (Lambda action), S3 notification and function URL events.

Standard library + boto3 only (what the Lambda runtime provides); shipped with the
:mod:`pulumi_mta_sts.reports` package and nothing else.

Nothing received is lost: every input ends stored or quarantined with its reason. Any exception
while parsing (not only the parser's own ``ReportError``: a ``ValueError``, ``OverflowError``,
``UnicodeEncodeError``, ``RecursionError`` or ``MemoryError`` from a corner of the parser) ends as
a quarantined object; an e-mail's good attachments are stored when another one fails. Only a
storage error raises (so an asynchronous invocation is retried, then dead-lettered, and an HTTPS
sender gets a 5xx and retries).

Storage layout in the one bucket (``BUCKET``):

- ``raw/email/<message-id>``: written by the SES S3 action, before this function runs;
- ``raw/https/<yyyy>/<mm>/<dd>/<request-id>``: every HTTPS body, as received, written first;
- ``reports/<id>.json``: the first normalised report for one submitter + report-id;
- ``reports/<id>.<content>.json``: a later report with the same submitter + report-id but a
  DIFFERENT content, kept as a version and counted (``ReportConflicts``);
- ``test/...``: the same two forms for test reports (below);
- ``tables/reports/dt=<day>/<id>[.<content>].json``: with ``WRITE_TABLE`` set, the same report
  as flat JSON lines for Athena (:mod:`.table`; written for exact re-deliveries too, so a retried
  invocation completes it);
- ``quarantine/invalid/<hash>`` and ``quarantine/foreign/<hash>``: the bytes that failed, with
  the reason in the object metadata. A raw object of which nothing was stored is tagged
  ``tlsrpt-outcome=quarantined`` (:data:`JUNK_TAG`) so it expires with the quarantine.

The key scheme (:mod:`.placement`): ``<id>`` is the sha256 of the organisation name and report-id
EXACTLY as the parser normalised them (no case-folding or other loosening), ``<content>`` the
sha256 of the normalised report. Every write is create-only (``If-None-Match: *``). A report
whose content equals the one stored under its key is an exact duplicate: dropped and not counted
again. Anyone who can reach the public ``rua`` can send a report with a sender's name and
report-id first; that claims nothing: the sender's real report, being a different content, is
stored beside it as a version, counted, and ``ReportConflicts`` says it happened.

Test reports: a report whose ``organization-name`` is exactly ``pulumi-mta-sts receiver test``
and whose ``report-id`` starts with ``mta-sts-receiver-test-`` (what ``mta-sts receiver test``
posts) is stored under ``test/`` (not where real reports go), emits none of the per-domain
metrics the alarms watch, and is counted in its own metric ``TestReports``. It must still be
about a served domain. The HTTPS answer's JSON body always has ``"stored"`` (the keys written),
``"duplicates"``, ``"quarantined"`` and ``"test_reports"`` (how many test reports the body held).

Metrics go out in CloudWatch embedded metric format on stdout (namespace ``METRIC_NAMESPACE``):
per policy domain ``Reports``, ``SuccessfulSessions``, ``FailedSessions``; per domain and result
type ``FailedSessionsByResultType``; ``QuarantinedReports`` (all, and per ``Kind``);
``ReportConflicts``; ``TestReports``; ``TableSkipped`` (a report whose table rows would pass
:data:`.table.MAX_TABLE_BYTES`: stored, without rows).

Environment: ``BUCKET`` (required), ``DOMAINS`` (comma-separated policy domains served),
``METRIC_NAMESPACE``, ``MAX_BODY_BYTES`` (HTTPS body cap), ``RAW_EMAIL_PREFIX``, ``WRITE_TABLE``
(``true``: also write the table objects above).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pulumi_mta_sts.reports import (
    DEFAULT_LIMITS,
    Limits,
    ParsedReport,
    ParseFailure,
    ParseResult,
    parse_body,
    parse_input,
)
from pulumi_mta_sts.reports.parse import unexpected_error_reason
from pulumi_mta_sts.reports.sessions import domain_sessions

from .placement import content_digest, first_key, is_test_report, version_key
from .store import MemoryStore, S3Store, Store
from .table import TableTooLarge, partition_day, table_key, table_lines

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "MemoryStore",
    "Outcome",
    "S3Store",
    "Settings",
    "Store",
    "handle_http",
    "handle_raw",
    "handler",
]

ACCEPTED_CONTENT_TYPES = frozenset(
    {
        "application/tlsrpt+gzip",
        "application/tlsrpt+json",
        # what some senders label their POSTs with; the bytes decide gzip or not
        "application/gzip",
        "application/json",
        "application/octet-stream",
    }
)
DEFAULT_NAMESPACE = "MtaSts/TlsRpt"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_RAW_EMAIL_PREFIX = "raw/email/"
#: The tag put on a raw object of which nothing was stored (every report in it quarantined:
#: spam, auto-replies, junk POSTs); the bucket's lifecycle expires such raw copies with the
#: quarantine (``pulumi_mta_sts.receiver.storage`` filters its lifecycle rule on this tag).
JUNK_TAG = {"tlsrpt-outcome": "quarantined"}


@dataclass(frozen=True)
class Settings:
    """What the function is configured with (from its environment)."""

    bucket: str
    domains: frozenset[str]
    namespace: str = DEFAULT_NAMESPACE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    raw_email_prefix: str = DEFAULT_RAW_EMAIL_PREFIX
    write_table: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        values = dict(os.environ if env is None else env)
        domains = frozenset(d.strip().rstrip(".").lower() for d in values.get("DOMAINS", "").split(",") if d.strip())
        return cls(
            bucket=values["BUCKET"],
            domains=domains,
            namespace=values.get("METRIC_NAMESPACE", DEFAULT_NAMESPACE),
            max_body_bytes=int(values.get("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            raw_email_prefix=values.get("RAW_EMAIL_PREFIX", DEFAULT_RAW_EMAIL_PREFIX),
            write_table=values.get("WRITE_TABLE", "").strip().lower() == "true",
        )

    @property
    def limits(self) -> Limits:
        """Parser limits. ``max_body_bytes`` caps HTTPS bodies only (checked before parsing);
        report attachments in mail keep the parser's own caps."""
        return DEFAULT_LIMITS


@dataclass
class Outcome:
    """What one input became: stored keys (``versions`` among them: a different body under an
    existing key), exact duplicates, quarantined keys (+ reasons), and how many were test reports."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    test_reports: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "versions": self.versions,
            "quarantined": self.quarantined,
            "foreign": self.foreign,
            "errors": self.errors,
            "test_reports": self.test_reports,
        }


Emit = Callable[[dict[str, Any]], None]


def emit_stdout(document: dict[str, Any]) -> None:
    """Write one embedded-metric-format document as one log line."""
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def _emf(namespace: str, dimensions: list[list[str]], values: dict[str, Any], metrics: Iterable[str]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": dimensions,
                    "Metrics": [{"Name": m, "Unit": "Count"} for m in metrics],
                }
            ],
        }
    }
    doc.update(values)
    return doc


def _safe_meta(text: str, limit: int = 512) -> str:
    """S3 metadata is ASCII without control characters."""
    ascii_text = text.encode("ascii", "backslashreplace").decode("ascii")
    return "".join(ch if " " <= ch <= "~" else " " for ch in ascii_text)[:limit]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Run:
    """One input being stored: where to, under which settings, and what became of it so far."""

    store: Store
    settings: Settings
    emit: Emit
    raw_key: str
    outcome: Outcome = field(default_factory=Outcome)

    def count(self, metric: str, extra: dict[str, str] | None = None) -> None:
        """One data point of a count metric without dimensions (plus ``extra`` ones)."""
        dimensions = [[], list(extra)] if extra else [[]]
        self.emit(_emf(self.settings.namespace, dimensions, {**(extra or {}), metric: 1}, [metric]))


def _quarantine(run: _Run, *, kind: str, data: bytes, source: str, reason: str) -> None:
    digest = hashlib.sha256(data + b"\x00" + reason.encode("utf-8", "replace")).hexdigest()[:40]
    key = f"quarantine/{kind}/{digest}"
    metadata = {
        "reason": _safe_meta(reason),
        "source": _safe_meta(source),
        "raw-key": _safe_meta(run.raw_key),
        "kind": kind,
    }
    created = run.store.put_new(key, data, "application/octet-stream", metadata)
    run.outcome.quarantined.append(key)
    if kind == "foreign":
        run.outcome.foreign.append(key)
    else:
        run.outcome.errors.append(f"{source}: {reason}")
    if created:
        run.count("QuarantinedReports", {"Kind": kind})


def _count_report(settings: Settings, emit: Emit, report: dict[str, Any]) -> None:
    """One ``Reports`` per served domain in the report, its sessions counted once
    (:func:`~pulumi_mta_sts.reports.sessions.domain_sessions`: a domain's ``tlsa`` and ``sts``
    policies list the same sessions, as the summary and the alarms' readers count them)."""
    served = [p for p in report["policies"] if p["policy_domain"] in settings.domains]
    by_type: dict[tuple[str, str], int] = {}
    for policy in served:
        for detail in policy["failure_details"]:
            key = (policy["policy_domain"], detail["result_type"])
            by_type[key] = by_type.get(key, 0) + detail["failed_session_count"]
    totals = domain_sessions(served) if served else {}
    for domain, (successful, failed) in sorted((d, t) for d, t in totals.items() if d is not None):
        emit(
            _emf(
                settings.namespace,
                [["PolicyDomain"]],
                {"PolicyDomain": domain, "Reports": 1, "SuccessfulSessions": successful, "FailedSessions": failed},
                ["Reports", "SuccessfulSessions", "FailedSessions"],
            )
        )
    for (domain, result_type), count in sorted(by_type.items()):
        emit(
            _emf(
                settings.namespace,
                [["PolicyDomain", "ResultType"]],
                {"PolicyDomain": domain, "ResultType": result_type, "FailedSessionsByResultType": count},
                ["FailedSessionsByResultType"],
            )
        )


@dataclass(frozen=True)
class _Placed:
    """A report ready to write: its document, content digest and metadata."""

    report: dict[str, Any]
    body: bytes
    digest: str
    metadata: dict[str, str]
    document: dict[str, Any] = field(default_factory=dict)
    """What ``body`` holds (the report and how it was received): the table rows' source."""


def _place(parsed: ParsedReport, raw_key: str) -> _Placed:
    """The stored document of ``parsed`` (pure: any exception here is the input's fault)."""
    report = parsed.report
    digest = content_digest(report)
    document = dict(report)
    document["received"] = {"source": parsed.source, "raw_key": raw_key, "at": _now()}
    body = json.dumps(document, sort_keys=True).encode()
    metadata = {"raw-key": _safe_meta(raw_key), "source": _safe_meta(parsed.source), "content-sha256": digest}
    return _Placed(report, body, digest, metadata, document)


def _write_table(run: _Run, placed: _Placed, key: str) -> None:
    """The table object of the report stored under ``key`` (create-only: a retry finds it)."""
    if not run.settings.write_table or is_test_report(placed.report):
        return
    day = partition_day(placed.report, received=datetime.now(UTC).date())
    try:
        lines = table_lines(placed.document, report_key=key, conflict=key != first_key(placed.report))
    except TableTooLarge:  # only a hostile report: it is stored, it just gets no rows
        run.count("TableSkipped")
        return
    run.store.put_new(table_key(key, day), lines, "application/x-ndjson", {"report-key": _safe_meta(key)})


def _write_report(run: _Run, placed: _Placed) -> str | None:
    """Write ``placed`` create-only; return the key written, ``None`` for an exact duplicate.

    First under its submitter + report-id key; when that exists with another content (or its
    content cannot be read), under the content-addressed version key."""
    key = first_key(placed.report)
    if run.store.put_new(key, placed.body, "application/json", placed.metadata):
        _write_table(run, placed, key)
        return key
    existing = run.store.metadata(key)
    if existing is not None and existing.get("content-sha256") == placed.digest:
        run.outcome.duplicates.append(key)
        _write_table(run, placed, key)
        return None
    version = version_key(placed.report, placed.digest)
    if not run.store.put_new(version, placed.body, "application/json", placed.metadata):
        run.outcome.duplicates.append(version)
        _write_table(run, placed, version)
        return None
    _write_table(run, placed, version)
    run.outcome.versions.append(version)
    run.count("ReportConflicts")
    return version


def _store_parsed(run: _Run, parsed: ParsedReport) -> None:
    """Store one parsed report about a served domain, quarantine it otherwise."""
    report = parsed.report
    domains = {p["policy_domain"] for p in report["policies"]}
    if not domains & run.settings.domains:
        about = ", ".join(sorted(d or "(no domain)" for d in domains)) or "no policy domain"
        served = ", ".join(sorted(run.settings.domains)) or "none"
        reason = f"foreign report: it is about {about}; this receiver serves {served}"
        _quarantine(run, kind="foreign", data=parsed.data, source=parsed.source, reason=reason)
        return
    try:
        placed = _place(parsed, run.raw_key)
    except Exception as exc:  # e.g. a value no encoder takes: kept, with the reason
        _quarantine(run, kind="invalid", data=parsed.data, source=parsed.source, reason=unexpected_error_reason(exc))
        return
    test = is_test_report(report)
    run.outcome.test_reports += test
    key = _write_report(run, placed)
    if key is None:
        return
    run.outcome.stored.append(key)
    if test:
        run.count("TestReports")
    else:
        _count_report(run.settings, run.emit, report)


def store_result(
    result: ParseResult, *, raw_key: str, input_data: bytes, store: Store, settings: Settings, emit: Emit
) -> Outcome:
    """Store every parsed report about a served domain (once per content), quarantine the rest."""
    run = _Run(store, settings, emit, raw_key)
    for parsed in result.reports:
        _store_parsed(run, parsed)
    for failure in result.failures:
        _quarantine(run, kind="invalid", data=failure.data or input_data, source=failure.source, reason=failure.error)
    return run.outcome


def _parse_safely(
    parse: Callable[[bytes, str, Limits], ParseResult], data: bytes, source: str, limits: Limits
) -> ParseResult:
    """``parse`` that never raises: whatever escapes the parser becomes a failure with its reason."""
    try:
        return parse(data, source, limits)
    except Exception as exc:
        return ParseResult(failures=[ParseFailure(source, unexpected_error_reason(exc), data)])


def _tag_if_junk(store: Store, raw_key: str, outcome: Outcome) -> None:
    """Tag the raw copy with :data:`JUNK_TAG` when nothing in it was stored (best effort)."""
    if outcome.quarantined and not outcome.stored and not outcome.duplicates:
        store.tag(raw_key, JUNK_TAG)


def handle_raw(raw_key: str, store: Store, settings: Settings, emit: Emit = emit_stdout) -> Outcome:
    """Parse one stored raw message (``raw/email/...``) and store what it holds."""
    data = store.get(raw_key)
    result = _parse_safely(parse_input, data, raw_key, settings.limits)
    outcome = store_result(result, raw_key=raw_key, input_data=data, store=store, settings=settings, emit=emit)
    _tag_if_junk(store, raw_key, outcome)
    return outcome


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    out_headers = {"content-type": "application/json"}
    out_headers.update(headers or {})
    return {"statusCode": status, "headers": out_headers, "body": json.dumps(body)}


def _decode_body(event: dict[str, Any], settings: Settings) -> bytes | dict[str, Any]:
    """The POSTed bytes, or the refusal to answer (400 bad base64 or empty, 413 too big)."""
    body = event.get("body") or ""
    encoded = bool(event.get("isBase64Encoded"))
    approx = len(body) * 3 // 4 if encoded else len(body.encode("utf-8", "replace"))
    too_big = _response(413, {"error": f"body over the limit of {settings.max_body_bytes} bytes"})
    if approx > settings.max_body_bytes + 3:
        return too_big
    try:
        data = base64.b64decode(body, validate=True) if encoded else body.encode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return _response(400, {"error": "body is not valid base64"})
    if len(data) > settings.max_body_bytes:
        return too_big
    if not data:
        return _response(400, {"error": "empty body; POST the report"})
    return data


def _outcome_response(outcome: Outcome) -> dict[str, Any]:
    """200 when a report was stored or already was; 403 foreign; 400 quarantined as invalid.
    The body always lists what was stored, duplicated and quarantined, and counts test reports."""
    summary = {
        "stored": outcome.stored,
        "duplicates": outcome.duplicates,
        "quarantined": outcome.quarantined,
        "test_reports": outcome.test_reports,
    }
    if outcome.stored or outcome.duplicates:
        status = "stored" if outcome.stored else "duplicate"
        return _response(200, {"status": status, "key": (outcome.stored or outcome.duplicates)[0], **summary})
    if outcome.foreign and not outcome.errors:
        return _response(403, {"error": "report is not about a domain this receiver serves", **summary})
    return _response(400, {"error": "; ".join(outcome.errors) or "not a TLS-RPT report", **summary})


def handle_http(event: dict[str, Any], store: Store, settings: Settings, emit: Emit = emit_stdout) -> dict[str, Any]:
    """A function URL (payload 2.0) request: ``POST`` a report; 2xx stored, 4xx refused, 413 too big."""
    context = event.get("requestContext") or {}
    method = str((context.get("http") or {}).get("method", event.get("httpMethod", ""))).upper()
    if method != "POST":
        return _response(405, {"error": "POST a TLS-RPT report (RFC 8460 §5.4)"}, {"allow": "POST"})
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_CONTENT_TYPES:
        return _response(
            415, {"error": f"content type {content_type or '(none)'!r}; use application/tlsrpt+gzip or +json"}
        )
    data = _decode_body(event, settings)
    if isinstance(data, dict):
        return data
    request_id = str(context.get("requestId") or hashlib.sha256(data).hexdigest()[:32])
    safe_id = "".join(ch for ch in request_id if ch.isalnum() or ch in "-_.")[:100] or "request"
    raw_key = f"raw/https/{datetime.now(UTC).strftime('%Y/%m/%d')}/{safe_id}"
    store.put_new(raw_key, data, content_type, {"content-type": _safe_meta(content_type)})
    result = _parse_safely(parse_body, data, "https:" + safe_id, settings.limits)
    outcome = store_result(result, raw_key=raw_key, input_data=data, store=store, settings=settings, emit=emit)
    _tag_if_junk(store, raw_key, outcome)
    return _outcome_response(outcome)


def _record_keys(event: dict[str, Any], settings: Settings) -> list[str]:
    keys: list[str] = []
    for record in event.get("Records") or []:
        source = record.get("eventSource") or record.get("EventSource")
        if source == "aws:ses":
            message_id = record["ses"]["mail"]["messageId"]
            keys.append(settings.raw_email_prefix + message_id)
        elif source == "aws:s3":
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
            if key.startswith("raw/") and not key.startswith("raw/https/"):
                keys.append(key)
        else:
            raise ValueError(f"unsupported event record source {source!r}")
    return keys


def handler(event: dict[str, Any], context: Any = None, *, store: Store | None = None) -> dict[str, Any]:
    """Lambda entry point. Storage errors raise, so asynchronous invocations are retried and
    finally sent to the on-failure destination; nothing is dropped silently."""
    settings = Settings.from_env()
    the_store = store if store is not None else S3Store(settings.bucket)
    if "requestContext" in event and "Records" not in event:
        return handle_http(event, the_store, settings)
    outcomes = [handle_raw(key, the_store, settings).as_dict() for key in _record_keys(event, settings)]
    summary = {"results": outcomes}
    sys.stdout.write(json.dumps({"tlsrpt": summary}) + "\n")
    return summary
