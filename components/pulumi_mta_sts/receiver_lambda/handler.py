"""The TLS-RPT receiver Lambda: SES (Lambda action), S3 notification and function URL events.

Standard library + boto3 only (what the Lambda runtime provides); shipped with the
:mod:`pulumi_mta_sts.reports` package and nothing else.

Storage layout in the one bucket (``BUCKET``):

- ``raw/email/<message-id>``: written by the SES S3 action, before this function runs;
- ``raw/https/<yyyy>/<mm>/<dd>/<request-id>``: every HTTPS body, as received, written first;
- ``reports/<key>.json``: one normalised report, keyed on submitter + report-id
  (:func:`pulumi_mta_sts.reports.report_key`), written only if absent (``If-None-Match: *``),
  so a report delivered twice is stored — and counted — once;
- ``quarantine/invalid/<hash>`` and ``quarantine/foreign/<hash>``: the bytes that failed, with
  the reason in the object metadata.

Metrics go out in CloudWatch embedded metric format on stdout (namespace ``METRIC_NAMESPACE``):
per policy domain ``Reports``, ``SuccessfulSessions``, ``FailedSessions``; per domain and result
type ``FailedSessionsByResultType``; ``QuarantinedReports`` (all, and per ``Kind``).

Environment: ``BUCKET`` (required), ``DOMAINS`` (comma-separated policy domains served),
``METRIC_NAMESPACE``, ``MAX_BODY_BYTES`` (HTTPS body cap), ``RAW_EMAIL_PREFIX``.
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
from typing import Any, Protocol

from pulumi_mta_sts.reports import DEFAULT_LIMITS, Limits, ParseResult, parse_body, parse_input, report_key

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


class Store(Protocol):
    """Where objects go. ``put_new`` writes only when ``key`` is absent and says whether it did."""

    def get(self, key: str) -> bytes: ...

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool: ...


class S3Store:
    """:class:`Store` on one S3 bucket; ``put_new`` is an atomic conditional write."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        if client is None:
            import boto3  # the Lambda runtime provides it; imported late to keep cold start short

            client = boto3.client("s3")
        self.bucket = bucket
        self.client = client

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                Metadata=metadata,
                IfNoneMatch="*",
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412):
                return False
            raise
        return True


@dataclass
class MemoryStore:
    """:class:`Store` in a dict (tests and fuzzing)."""

    objects: dict[str, tuple[bytes, str, dict[str, str]]] = field(default_factory=dict)

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def put_new(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        if key in self.objects:
            return False
        self.objects[key] = (data, content_type, dict(metadata))
        return True


@dataclass(frozen=True)
class Settings:
    """What the function is configured with (from its environment)."""

    bucket: str
    domains: frozenset[str]
    namespace: str = DEFAULT_NAMESPACE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    raw_email_prefix: str = DEFAULT_RAW_EMAIL_PREFIX

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
        )

    @property
    def limits(self) -> Limits:
        """Parser limits. ``max_body_bytes`` caps HTTPS bodies only (checked before parsing);
        report attachments in mail keep the parser's own caps."""
        return DEFAULT_LIMITS


@dataclass
class Outcome:
    """What one input became: stored report keys, duplicates, quarantined keys (+ reasons)."""

    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "foreign": self.foreign,
            "errors": self.errors,
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


def _quarantine(
    store: Store,
    settings: Settings,
    emit: Emit,
    outcome: Outcome,
    *,
    kind: str,
    data: bytes,
    source: str,
    reason: str,
    raw_key: str,
) -> None:
    digest = hashlib.sha256(data + b"\x00" + reason.encode("utf-8", "replace")).hexdigest()[:40]
    key = f"quarantine/{kind}/{digest}"
    metadata = {
        "reason": _safe_meta(reason),
        "source": _safe_meta(source),
        "raw-key": _safe_meta(raw_key),
        "kind": kind,
    }
    created = store.put_new(key, data, "application/octet-stream", metadata)
    outcome.quarantined.append(key)
    if kind == "foreign":
        outcome.foreign.append(key)
    else:
        outcome.errors.append(f"{source}: {reason}")
    if created:
        emit(_emf(settings.namespace, [[], ["Kind"]], {"Kind": kind, "QuarantinedReports": 1}, ["QuarantinedReports"]))


def _count_report(settings: Settings, emit: Emit, report: dict[str, Any]) -> None:
    """One ``Reports`` per served domain in the report, its sessions summed over its policies."""
    totals: dict[str, list[int]] = {}
    by_type: dict[tuple[str, str], int] = {}
    for policy in report["policies"]:
        domain = policy["policy_domain"]
        if domain not in settings.domains:
            continue
        total = totals.setdefault(domain, [0, 0])
        total[0] += policy["successful"]
        total[1] += policy["failed"]
        for detail in policy["failure_details"]:
            key = (domain, detail["result_type"])
            by_type[key] = by_type.get(key, 0) + detail["failed_session_count"]
    for domain, (successful, failed) in sorted(totals.items()):
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


def store_result(
    result: ParseResult, *, raw_key: str, input_data: bytes, store: Store, settings: Settings, emit: Emit
) -> Outcome:
    """Store every parsed report about a served domain (once), quarantine the rest."""
    outcome = Outcome()
    for parsed in result.reports:
        report = parsed.report
        domains = {p["policy_domain"] for p in report["policies"]}
        if not domains & settings.domains:
            about = ", ".join(sorted(d or "(no domain)" for d in domains)) or "no policy domain"
            served = ", ".join(sorted(settings.domains)) or "none"
            reason = f"foreign report: it is about {about}; this receiver serves {served}"
            _quarantine(
                store,
                settings,
                emit,
                outcome,
                kind="foreign",
                data=parsed.data,
                source=parsed.source,
                reason=reason,
                raw_key=raw_key,
            )
            continue
        key = "reports/" + report_key(report)
        document = dict(report)
        document["received"] = {"source": parsed.source, "raw_key": raw_key, "at": _now()}
        body = json.dumps(document, sort_keys=True).encode()
        metadata = {"raw-key": _safe_meta(raw_key), "source": _safe_meta(parsed.source)}
        if store.put_new(key, body, "application/json", metadata):
            outcome.stored.append(key)
            _count_report(settings, emit, report)
        else:
            outcome.duplicates.append(key)
    for failure in result.failures:
        _quarantine(
            store,
            settings,
            emit,
            outcome,
            kind="invalid",
            data=failure.data or input_data,
            source=failure.source,
            reason=failure.error,
            raw_key=raw_key,
        )
    return outcome


def handle_raw(raw_key: str, store: Store, settings: Settings, emit: Emit = emit_stdout) -> Outcome:
    """Parse one stored raw message (``raw/email/...``) and store what it holds."""
    data = store.get(raw_key)
    result = parse_input(data, raw_key, settings.limits)
    return store_result(result, raw_key=raw_key, input_data=data, store=store, settings=settings, emit=emit)


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    out_headers = {"content-type": "application/json"}
    out_headers.update(headers or {})
    return {"statusCode": status, "headers": out_headers, "body": json.dumps(body)}


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
    body = event.get("body") or ""
    encoded = bool(event.get("isBase64Encoded"))
    approx = len(body) * 3 // 4 if encoded else len(body.encode("utf-8", "replace"))
    if approx > settings.max_body_bytes + 3:
        return _response(413, {"error": f"body over the limit of {settings.max_body_bytes} bytes"})
    try:
        data = base64.b64decode(body, validate=True) if encoded else body.encode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return _response(400, {"error": "body is not valid base64"})
    if len(data) > settings.max_body_bytes:
        return _response(413, {"error": f"body over the limit of {settings.max_body_bytes} bytes"})
    if not data:
        return _response(400, {"error": "empty body; POST the report"})
    request_id = str(context.get("requestId") or hashlib.sha256(data).hexdigest()[:32])
    safe_id = "".join(ch for ch in request_id if ch.isalnum() or ch in "-_.")[:100] or "request"
    raw_key = f"raw/https/{datetime.now(UTC).strftime('%Y/%m/%d')}/{safe_id}"
    store.put_new(raw_key, data, content_type, {"content-type": _safe_meta(content_type)})
    result = parse_body(data, "https:" + safe_id, settings.limits)
    outcome = store_result(result, raw_key=raw_key, input_data=data, store=store, settings=settings, emit=emit)
    if outcome.stored or outcome.duplicates:
        status = "stored" if outcome.stored else "duplicate"
        return _response(200, {"status": status, "key": (outcome.stored or outcome.duplicates)[0]})
    if outcome.foreign:
        return _response(403, {"error": "report is not about a domain this receiver serves"})
    return _response(400, {"error": "; ".join(outcome.errors) or "not a TLS-RPT report"})


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
