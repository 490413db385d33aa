"""The scheduled watcher's function: one ``mta-sts watch --no-smtp`` round of the stack's domains (the
same code, :func:`pulumi_mta_sts.watch.run_round`), its state one S3 object, at most one notification.

A round: the previous state (none yet: a first round, every problem new), the receiver's stored reports
of the last day when there is a receiver (its MX certificate and STARTTLS results, as port 25 is closed
here), the round, the new state written, then one SNS message when something is new or recovered.
A round that fails (DNS unreachable, a bad state object) raises: the state is left as it was, nothing is
said, the function's error alarm counts it, and the next scheduled round tries again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pulumi_mta_sts.check.runner import CheckOptions
from pulumi_mta_sts.config.stack import load_any_config
from pulumi_mta_sts.core.bounded_json import load_bounded_json
from pulumi_mta_sts.receiver_lambda.contract import MAX_STORED_BYTES, REPORTS_PREFIX
from pulumi_mta_sts.watch import (
    RoundOutcome,
    expectations_of,
    problems_from_reports,
    run_round,
    state_from_bytes,
    watch_config,
)

from .contract import REPORT_HOURS, STATE_KEY, WatchEnv
from .notify import message_text, round_changes, subject_line

#: The domains to watch and what the stack declares, its ``mta-sts:`` settings: ``{"domains", "settings"}``,
#: shipped beside the code (receiver/watch_archive.py; a fleet's domains would not fit Lambda's 4 KB of
#: environment).
STACK_FILE = Path(__file__).resolve().parents[2] / "watch_stack.json"
#: Reports read in one round at most (the newest), and keys listed at most (the digest's bound: keys are
#: digests, not dates, so a round lists them all to find the last day's).
MAX_REPORTS = 2_000
MAX_LISTED = 200_000


@dataclass(frozen=True)
class WatchSettings:
    bucket: str
    topic_arn: str
    name: str
    reports_bucket: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WatchSettings:
        values = os.environ if env is None else env
        return cls(
            bucket=values[WatchEnv.BUCKET],
            topic_arn=values[WatchEnv.TOPIC_ARN],
            name=values.get(WatchEnv.NAME, "watch"),
            reports_bucket=values.get(WatchEnv.REPORTS_BUCKET) or None,
        )


def read_state(s3: Any, bucket: str) -> bytes | None:
    """The previous round's state, or ``None`` before the first round (listed first: a missing object
    is then told from one the function may not read, which must fail the round, not reset it)."""
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=STATE_KEY, MaxKeys=1)
    if not any(item.get("Key") == STATE_KEY for item in listed.get("Contents") or ()):
        return None
    body: bytes = s3.get_object(Bucket=bucket, Key=STATE_KEY)["Body"].read()
    return body


def recent_reports(s3: Any, bucket: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The receiver's reports stored in the last :data:`REPORT_HOURS` hours (newest :data:`MAX_REPORTS`)."""
    from pulumi_mta_sts.receiver_lambda.listing import list_objects
    from pulumi_mta_sts.reports.limits import ReportError
    from pulumi_mta_sts.reports.stored import stored_report

    since = now - dt.timedelta(hours=REPORT_HOURS)
    listed = list_objects(s3, bucket, REPORTS_PREFIX, max_keys=MAX_LISTED)
    chosen = [item for item in listed if item.last_modified >= since and item.size <= MAX_STORED_BYTES]
    chosen.sort(key=lambda item: (item.last_modified, item.key))
    reports = []
    for item in chosen[-MAX_REPORTS:]:
        try:
            reports.append(stored_report(s3.get_object(Bucket=bucket, Key=item.key)["Body"].read()))
        except ReportError:
            continue  # an unreadable stored report is the digest's business; it says nothing here
    return reports


def watch_round(
    settings: WatchSettings, s3: Any, now: dt.datetime, shipped: Mapping[str, Any], options: CheckOptions
) -> RoundOutcome:
    """The round's outcome, the state not yet written."""
    previous_bytes = read_state(s3, settings.bucket)
    previous = (
        None if previous_bytes is None else state_from_bytes(previous_bytes, f"s3://{settings.bucket}/{STATE_KEY}")
    )
    stack, domains = shipped["settings"], list(shipped["domains"])
    expectations = expectations_of(load_any_config(stack))
    reports = recent_reports(s3, settings.reports_bucket, now) if settings.reports_bucket else []
    from_reports = problems_from_reports(reports, now)
    reminder = watch_config(stack).testing_reminder_days
    return run_round(domains, expectations, previous, options, from_reports, now, reminder)


def handler(
    event: Any,
    context: Any = None,
    *,
    s3: Any = None,
    sns: Any = None,
    now: dt.datetime | None = None,
    shipped: Mapping[str, Any] | None = None,
    options: CheckOptions | None = None,
) -> dict[str, Any]:
    """The schedule's target: one round; returns (and logs as one JSON line) what it found and said.
    The keywords are the tests' (clients, clock, what the archive ships, connection options); the schedule
    passes none."""
    settings = WatchSettings.from_env()
    if s3 is None or sns is None:
        import boto3  # the Lambda runtime provides it

        s3 = s3 or boto3.client("s3")
        sns = sns or boto3.client("sns")
    moment = now or dt.datetime.now(dt.UTC)
    if shipped is None:
        shipped = load_bounded_json(STACK_FILE.read_bytes())
    options = options or CheckOptions(smtp=False)  # --no-smtp: outbound port 25 is closed on Lambda
    outcome = watch_round(settings, s3, moment, shipped, replace(options, smtp=False))
    changes = round_changes(outcome.as_json())
    message_id = None
    if changes.worth_saying:  # said before the state remembers it: a failed publish is said again next round
        subject, message = subject_line(changes, settings.name), message_text(changes, settings.name)
        message_id = sns.publish(TopicArn=settings.topic_arn, Subject=subject, Message=message).get("MessageId")
    state = json.dumps(outcome.state_json(), sort_keys=True).encode()
    s3.put_object(Bucket=settings.bucket, Key=STATE_KEY, Body=state, ContentType="application/json")
    result = {
        "domains": len(outcome.domains),
        "new": len(changes.new),
        "recovered": len(changes.recovered),
        "open": changes.still_open + len(changes.new),
        "exit_code": outcome.exit_code,
        "message_id": message_id,
    }
    sys.stdout.write(json.dumps({"mta_sts_watch": result}) + "\n")
    return result
