"""The reader function: the weekly digest to the alarm topic (per served domain, ``reports summary``
of 7 days and ``reports ready`` of 14, bounded whatever the bucket holds), and the table backfill."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.readiness import Verdict, readiness, render_verdict
from pulumi_mta_sts.reports.stored import stored_report
from pulumi_mta_sts.reports.summary import Summary
from pulumi_mta_sts.reports.summary_render import render_summary

from .backfill import backfill
from .contract import MAX_STORED_BYTES, REPORTS_PREFIX, Env, served_domains
from .listing import Listed, list_objects

#: Days left out before the run's day: a day's reports arrive during the next day.
REPORTING_DELAY_DAYS = 1
#: Days the text covers, and days the readiness verdict looks at (``reports ready`` defaults).
DIGEST_DAYS = 7
READINESS_DAYS = 14
READINESS_MIN_ORGS = 2
#: Reports read in one run at most (``MAX_REPORTS`` may lower or raise it).
DEFAULT_MAX_REPORTS = 5_000
#: Keys listed in one run at most (a page is 1,000 keys).
MAX_LISTED = 200_000
#: SNS takes messages up to 256 KiB (262,144 bytes); the digest stays well under.
MAX_MESSAGE_BYTES = 240 * 1024
#: SNS subjects: no line break or control character, fewer than 100 characters (kept ASCII here).
MAX_SUBJECT_CHARACTERS = 99
_CUT_NOTE = "\n[cut: the digest was longer than an SNS message may be; run the command below for all of it]\n"


@dataclass(frozen=True)
class DigestSettings:
    bucket: str
    domains: tuple[str, ...]
    topic_arn: str
    max_reports: int = DEFAULT_MAX_REPORTS
    workgroup: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DigestSettings:
        values = os.environ if env is None else env
        return cls(
            bucket=values[Env.BUCKET],
            domains=served_domains(values.get(Env.DOMAINS, "")),
            topic_arn=values[Env.TOPIC_ARN],
            max_reports=max(1, int(values.get(Env.MAX_REPORTS) or DEFAULT_MAX_REPORTS)),
            workgroup=values.get(Env.ANALYTICS_WORKGROUP) or None,
        )


@dataclass(frozen=True)
class Period:
    """The text's 7 days and the verdict's 14, all before ``as_of`` (the run's day less the delay)."""

    as_of: date
    until: date
    since: date
    readiness_since: date

    @classmethod
    def for_run(cls, today: date) -> Period:
        as_of = today - timedelta(days=REPORTING_DELAY_DAYS)
        return cls(as_of, *(as_of - timedelta(days=n) for n in (1, DIGEST_DAYS, READINESS_DAYS)))


@dataclass
class Digest:
    period: Period
    weekly: dict[str, Summary]
    window: Summary
    listed: int = 0
    candidates: int = 0

    @classmethod
    def empty(cls, period: Period, domains: Iterable[str]) -> Digest:
        weekly = {d: Summary(since=period.since, until=period.until, domain=d) for d in domains}
        return cls(period, weekly, Summary(since=period.readiness_since, until=period.until))

    def add(self, source: str, document: Mapping[str, Any]) -> None:
        try:
            self.window.add(document)
            for summary in self.weekly.values():
                summary.add(document)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.add_unreadable(source, f"not a normalised report ({type(exc).__name__}: {exc})"[:200])

    def add_unreadable(self, source: str, reason: str) -> None:
        for summary in (self.window, *self.weekly.values()):
            summary.add_unreadable(source, reason)

    def verdict(self, domain: str) -> Verdict:
        return readiness(self.window, domain, days=READINESS_DAYS, min_orgs=READINESS_MIN_ORGS, as_of=self.period.as_of)


def _candidates(settings: DigestSettings, client: Any, period: Period) -> tuple[list[Listed], int]:
    """The newest ``max_reports`` since the verdict's first day, oldest first (the first body counts)."""
    written_since = datetime.combine(period.readiness_since, time.min, tzinfo=UTC)
    listed = 0
    chosen: list[Listed] = []
    for item in list_objects(client, settings.bucket, REPORTS_PREFIX, max_keys=MAX_LISTED):
        listed += 1
        if item.key.endswith(".json") and item.last_modified >= written_since:
            chosen.append(item)
    chosen.sort(key=lambda item: (item.last_modified, item.key))
    return chosen[-settings.max_reports :], listed


def build_digest(settings: DigestSettings, client: Any, today: date) -> Digest:
    period = Period.for_run(today)
    digest = Digest.empty(period, settings.domains)
    chosen, digest.listed = _candidates(settings, client, period)
    for item in chosen:
        if item.size > MAX_STORED_BYTES:
            digest.add_unreadable(item.key, f"over {MAX_STORED_BYTES} bytes: not read by the digest")
            continue
        body = client.get_object(Bucket=settings.bucket, Key=item.key)["Body"].read()
        try:
            document = stored_report(body)  # the one reading of a stored report (reports summary's too)
        except ReportError as exc:
            digest.add_unreadable(item.key, str(exc)[:200])
            continue
        digest.add(item.key, document)
    digest.candidates = len(chosen)
    return digest


def _domain_section(digest: Digest, domain: str) -> str:
    shown = terminal.shown(domain)
    rule = "=" * min(len(shown) + 8, 72)
    summary, verdict = render_summary(digest.weekly[domain], "text"), render_verdict(digest.verdict(domain))
    return f"{rule}\n=== {shown} ===\n{rule}\n{summary}\n{verdict}"


def _footer(digest: Digest, settings: DigestSettings) -> str:
    period = digest.period
    lines = [
        f"Reports read: {digest.candidates} written since {period.readiness_since} "
        f"({digest.listed} object(s) listed under {REPORTS_PREFIX}).",
        "All of it, and more views: mta-sts reports summary "
        f"s3://{settings.bucket}/{REPORTS_PREFIX} --since {period.since} --until {period.until}",
        f"Ready to enforce?  mta-sts reports ready DOMAIN --source s3://{settings.bucket}/{REPORTS_PREFIX} "
        f"--as-of {period.as_of}",
    ]
    if digest.candidates >= settings.max_reports:
        lines.insert(0, f"Only the newest {settings.max_reports} reports were read (MAX_REPORTS).")
    if settings.workgroup:
        lines.append(f"SQL: Athena workgroup {settings.workgroup} (queries in docs/receiver.md).")
    return "\n".join(lines)


def message_text(digest: Digest, settings: DigestSettings) -> str:
    period = digest.period
    heading = (
        f"TLS-RPT weekly digest: {period.since} to {period.until} (UTC days; the verdicts look at the "
        f"{READINESS_DAYS} days to {period.until})\n"
    )
    footer = "\n" + _footer(digest, settings) + "\n"
    body = "\n\n".join(_domain_section(digest, d) for d in settings.domains) or "This receiver serves no domain."
    budget = MAX_MESSAGE_BYTES - len((heading + footer + _CUT_NOTE).encode())
    encoded = body.encode()
    if len(encoded) > budget:
        body = encoded[:budget].decode("utf-8", "ignore").rsplit("\n", 1)[0] + _CUT_NOTE
    return heading + "\n" + body + footer


def subject_line(digest: Digest, settings: DigestSettings) -> str:
    """ASCII, one line, under 100 characters (SNS)."""
    verdicts = []
    for domain in settings.domains:
        ready = "ready" if digest.verdict(domain).ready else "not ready"
        failed = sum(d["failed"] for d in digest.weekly[domain].as_json()["domains"])
        verdicts.append(f"{domain} {ready}, {failed} failed")
    text = terminal.shown(f"TLS-RPT digest {digest.period.since}..{digest.period.until}: " + "; ".join(verdicts))
    ascii_text = " ".join(text.encode("ascii", "replace").decode("ascii").split())
    if len(ascii_text) > MAX_SUBJECT_CHARACTERS:
        ascii_text = ascii_text[: MAX_SUBJECT_CHARACTERS - 3].rstrip() + "..."
    return ascii_text


def _today(event: Mapping[str, Any]) -> date:
    """The run's day: today (UTC), or the event's ``"today": "YYYY-MM-DD"`` for a manual re-run."""
    given = event.get("today") if isinstance(event, Mapping) else None
    return date.fromisoformat(given) if isinstance(given, str) else datetime.now(UTC).date()


def handler(event: Any, context: Any = None, *, s3: Any = None, sns: Any = None) -> dict[str, Any]:
    """The schedule's target, or for ``{"backfill": {...}}`` one run of :mod:`.backfill`."""
    settings = DigestSettings.from_env()
    if s3 is None or sns is None:
        import boto3  # the Lambda runtime provides it

        s3 = s3 or boto3.client("s3")
        sns = sns or boto3.client("sns")
    if isinstance(event, Mapping) and "backfill" in event:
        request = event["backfill"] if isinstance(event["backfill"], Mapping) else {}
        done = backfill(s3, settings.bucket, request)
        sys.stdout.write(json.dumps({"tlsrpt_backfill": done}) + "\n")
        return done
    digest = build_digest(settings, s3, _today(event or {}))
    subject, message = subject_line(digest, settings), message_text(digest, settings)
    answer = sns.publish(TopicArn=settings.topic_arn, Subject=subject, Message=message)
    result = {
        "subject": subject,
        "bytes": len(message.encode()),
        "reports_read": digest.candidates,
        "listed": digest.listed,
        "message_id": answer.get("MessageId"),
    }
    sys.stdout.write(json.dumps({"tlsrpt_digest": result}) + "\n")
    return result
