"""The parser function: SES (Lambda action), S3 notification and HTTPS (payload 2.0) events.
Every input ends stored or quarantined with its reason; only a storage error raises (Lambda retries,
then dead-letters). Writes are create-only: a re-delivery is dropped, a different body kept as a version."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS, Limits
from pulumi_mta_sts.reports.parse import (
    ParsedReport,
    ParseFailure,
    ParseResult,
    parse_body,
    parse_input,
    unexpected_error_reason,
)
from pulumi_mta_sts.reports.sessions import domain_sessions

from . import contract
from .contract import JUNK_TAG, Env, Metric, first_key, is_test_report
from .store import S3Store, Store
from .table import TableTooLarge, partition_day, table_key, table_lines

#: What senders label their POSTs with (the bytes decide gzip or not).
ACCEPTED_CONTENT_TYPES = frozenset(
    f"application/{kind}" for kind in ("tlsrpt+gzip", "tlsrpt+json", "gzip", "json", "octet-stream")
)
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    bucket: str
    domains: frozenset[str]
    namespace: str = contract.DEFAULT_NAMESPACE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    raw_email_prefix: str = contract.RAW_EMAIL_PREFIX
    write_table: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        values = dict(os.environ if env is None else env)
        return cls(
            bucket=values[Env.BUCKET],
            domains=frozenset(contract.served_domains(values.get(Env.DOMAINS, ""))),
            namespace=values.get(Env.METRIC_NAMESPACE, contract.DEFAULT_NAMESPACE),
            max_body_bytes=int(values.get(Env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES)),
            raw_email_prefix=values.get(Env.RAW_EMAIL_PREFIX, contract.RAW_EMAIL_PREFIX),
            write_table=values.get(Env.WRITE_TABLE, "").strip().lower() == "true",
        )


@dataclass
class Outcome:
    """What one input became (``versions``: stored, a different body under an existing key)."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    test_reports: int = 0


Emit = Callable[[dict[str, Any]], None]
Parser = Callable[[bytes, str, Limits], ParseResult]


def emit_stdout(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def _emf(namespace: str, dimensions: dict[str, str], counts: dict[str, int], *, total: bool = False) -> dict[str, Any]:
    """One embedded-metric-format document: ``counts`` per ``dimensions`` (``total``: also without)."""
    sets: list[list[str]] = ([[]] if total else []) + ([list(dimensions)] if dimensions else [])
    directive = {"Namespace": namespace, "Dimensions": sets, "Metrics": [{"Name": m, "Unit": "Count"} for m in counts]}
    return {"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [directive]}, **dimensions, **counts}


def _safe_meta(text: str, limit: int = 512) -> str:
    """As S3 metadata takes it: ASCII without control characters."""
    ascii_text = text.encode("ascii", "backslashreplace").decode("ascii")
    return "".join(ch if " " <= ch <= "~" else " " for ch in ascii_text)[:limit]


@dataclass
class _Run:
    store: Store
    settings: Settings
    emit: Emit
    raw_key: str
    outcome: Outcome = field(default_factory=Outcome)

    def count(self, metric: str, dimensions: dict[str, str] | None = None) -> None:
        self.emit(_emf(self.settings.namespace, dimensions or {}, {metric: 1}, total=True))


def _quarantine(run: _Run, *, kind: str, data: bytes, source: str, reason: str) -> None:
    digest = hashlib.sha256(data + b"\x00" + reason.encode("utf-8", "replace")).hexdigest()[:40]
    key = f"{contract.QUARANTINE_PREFIX}{kind}/{digest}"
    metadata = {"reason": _safe_meta(reason), "source": _safe_meta(source), "raw-key": _safe_meta(run.raw_key)}
    created = run.store.put_new(key, data, "application/octet-stream", {**metadata, "kind": kind})
    run.outcome.quarantined.append(key)
    if kind == "foreign":
        run.outcome.foreign.append(key)
    else:
        run.outcome.errors.append(f"{source}: {reason}")
    if created:
        run.count(Metric.QUARANTINED, {Metric.KIND: kind})


def _count_report(settings: Settings, emit: Emit, report: dict[str, Any]) -> None:
    """Per served domain one ``Reports`` and its sessions as the summary counts them; failures per type."""
    served = [p for p in report["policies"] if p["policy_domain"] in settings.domains]
    by_type: dict[tuple[str, str], int] = {}
    for policy in served:
        for detail in policy["failure_details"]:
            key = (policy["policy_domain"], detail["result_type"])
            by_type[key] = by_type.get(key, 0) + detail["failed_session_count"]
    totals = domain_sessions(served) if served else {}
    for domain, (successful, failed) in sorted((d, t) for d, t in totals.items() if d is not None):
        counts = {Metric.REPORTS: 1, Metric.SUCCESSFUL_SESSIONS: successful, Metric.FAILED_SESSIONS: failed}
        emit(_emf(settings.namespace, {Metric.POLICY_DOMAIN: domain}, counts))
    for (domain, result_type), count in sorted(by_type.items()):
        dimensions = {Metric.POLICY_DOMAIN: domain, Metric.RESULT_TYPE: result_type}
        emit(_emf(settings.namespace, dimensions, {Metric.FAILED_BY_RESULT_TYPE: count}))


@dataclass(frozen=True)
class _Placed:
    document: dict[str, Any]
    body: bytes
    digest: str
    metadata: dict[str, str]


def _place(parsed: ParsedReport, raw_key: str) -> _Placed:
    """The stored document of ``parsed`` (pure: any exception here is the input's fault)."""
    digest = contract.content_digest(parsed.report)
    received = {"source": parsed.source, "raw_key": raw_key, "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    document = {**parsed.report, "received": received}
    metadata = {"raw-key": _safe_meta(raw_key), "source": _safe_meta(parsed.source), "content-sha256": digest}
    return _Placed(document, json.dumps(document, sort_keys=True).encode(), digest, metadata)


def _write_table(run: _Run, placed: _Placed, key: str) -> None:
    document = placed.document
    if not run.settings.write_table or is_test_report(document):
        return
    day = partition_day(document, received=datetime.now(UTC).date())
    try:
        lines = table_lines(document, report_key=key, conflict=key != first_key(document))
    except TableTooLarge:  # only a hostile report: it is stored, it just gets no rows
        run.count(Metric.TABLE_SKIPPED)
        return
    run.store.put_new(table_key(key, day), lines, "application/x-ndjson", {"report-key": _safe_meta(key)})


def _write_report(run: _Run, placed: _Placed) -> str | None:
    """Write under the first key, or its version key when another content is there; ``None``: a duplicate."""
    key = first_key(placed.document)
    written = run.store.put_new(key, placed.body, "application/json", placed.metadata)
    existing = None if written else run.store.metadata(key)
    version = not written and (existing is None or existing.get("content-sha256") != placed.digest)
    if version:
        key = contract.version_key(placed.document, placed.digest)
        written = run.store.put_new(key, placed.body, "application/json", placed.metadata)
    _write_table(run, placed, key)
    if not written:
        run.outcome.duplicates.append(key)
        return None
    if version:
        run.outcome.versions.append(key)
        run.count(Metric.CONFLICTS)
    return key


def _store_parsed(run: _Run, parsed: ParsedReport) -> None:
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
        run.count(Metric.TEST_REPORTS)
    else:
        _count_report(run.settings, run.emit, report)


def store_result(
    result: ParseResult, *, raw_key: str, input_data: bytes, store: Store, settings: Settings, emit: Emit
) -> Outcome:
    run = _Run(store, settings, emit, raw_key)
    for parsed in result.reports:
        _store_parsed(run, parsed)
    for failure in result.failures:
        _quarantine(run, kind="invalid", data=failure.data or input_data, source=failure.source, reason=failure.error)
    return run.outcome


def _store_input(
    parse: Parser, data: bytes, source: str, raw_key: str, store: Store, settings: Settings, emit: Emit
) -> Outcome:
    """Parse and store ``data``; its raw copy gets ``JUNK_TAG`` when nothing in it was stored."""
    try:
        result = parse(data, source, DEFAULT_LIMITS)
    except Exception as exc:
        result = ParseResult(failures=[ParseFailure(source, unexpected_error_reason(exc), data)])
    outcome = store_result(result, raw_key=raw_key, input_data=data, store=store, settings=settings, emit=emit)
    if outcome.quarantined and not outcome.stored and not outcome.duplicates:
        store.tag(raw_key, JUNK_TAG)
    return outcome


def handle_raw(raw_key: str, store: Store, settings: Settings, emit: Emit = emit_stdout) -> Outcome:
    return _store_input(parse_input, store.get(raw_key), raw_key, raw_key, store, settings, emit)


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }


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
    """200 stored (or already); 403 foreign; 400 invalid; the body lists what became of what."""
    keys = ("stored", "duplicates", "quarantined", "test_reports")
    summary = {key: getattr(outcome, key) for key in keys}
    if outcome.stored or outcome.duplicates:
        status = "stored" if outcome.stored else "duplicate"
        return _response(200, {"status": status, "key": (outcome.stored or outcome.duplicates)[0], **summary})
    if outcome.foreign and not outcome.errors:
        return _response(403, {"error": "report is not about a domain this receiver serves", **summary})
    return _response(400, {"error": "; ".join(outcome.errors) or "not a TLS-RPT report", **summary})


def handle_http(event: dict[str, Any], store: Store, settings: Settings, emit: Emit = emit_stdout) -> dict[str, Any]:
    context = event.get("requestContext") or {}
    method = str((context.get("http") or {}).get("method", event.get("httpMethod", ""))).upper()
    if method != "POST":
        return _response(405, {"error": "POST a TLS-RPT report (RFC 8460 §5.4)"}, {"allow": "POST"})
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_CONTENT_TYPES:
        reason = f"content type {content_type or '(none)'!r}; use application/tlsrpt+gzip or +json"
        return _response(415, {"error": reason})
    data = _decode_body(event, settings)
    if isinstance(data, dict):
        return data
    request_id = str(context.get("requestId") or hashlib.sha256(data).hexdigest()[:32])
    safe_id = "".join(ch for ch in request_id if ch.isalnum() or ch in "-_.")[:100] or "request"
    raw_key = f"{contract.RAW_HTTPS_PREFIX}{datetime.now(UTC).strftime('%Y/%m/%d')}/{safe_id}"
    store.put_new(raw_key, data, content_type, {"content-type": _safe_meta(content_type)})
    return _outcome_response(_store_input(parse_body, data, f"https:{safe_id}", raw_key, store, settings, emit))


def _record_keys(event: dict[str, Any], settings: Settings) -> list[str]:
    keys: list[str] = []
    for record in event.get("Records") or []:
        source = record.get("eventSource") or record.get("EventSource")
        if source == "aws:ses":
            keys.append(settings.raw_email_prefix + record["ses"]["mail"]["messageId"])
        elif source == "aws:s3":
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
            if key.startswith(contract.RAW_PREFIX) and not key.startswith(contract.RAW_HTTPS_PREFIX):
                keys.append(key)
        else:
            raise ValueError(f"unsupported event record source {source!r}")
    return keys


def handler(event: dict[str, Any], context: Any = None, *, store: Store | None = None) -> dict[str, Any]:
    """Storage errors raise: asynchronous invocations are retried, then dead-lettered."""
    settings = Settings.from_env()
    the_store = store if store is not None else S3Store(settings.bucket)
    if "requestContext" in event and "Records" not in event:
        return handle_http(event, the_store, settings)
    outcomes = [asdict(handle_raw(key, the_store, settings)) for key in _record_keys(event, settings)]
    summary = {"results": outcomes}
    sys.stdout.write(json.dumps({"tlsrpt": summary}) + "\n")
    return summary
