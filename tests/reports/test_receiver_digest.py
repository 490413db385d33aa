"""Issue 15, the weekly digest under moto: reports in the receiver's bucket (as the function stores
them, with or without the table) → ``receiver_lambda.digest.handler`` → one SNS message (read
back through an SQS subscription) with each domain's summary text and readiness verdict; bounded
in reports read, subject length and message size."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.receiver.queries import VIEWS
from pulumi_mta_sts.receiver_lambda import digest as dig
from pulumi_mta_sts.receiver_lambda.backfill import backfill
from pulumi_mta_sts.receiver_lambda.contract import TABLE_PREFIX
from pulumi_mta_sts.receiver_lambda.store import S3Store
from tests.reports.conftest import DIGEST_BUCKET
from tests.reports.memory_store import MemoryStore
from tests.reports.receiver_corpus import deliver, sample_report
from tests.reports.summary_corpus import summarise
from tests.reports.test_receiver_sql import connect, run

BUCKET = DIGEST_BUCKET


@pytest.fixture
def aws(digest_aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The receiver's bucket, the alarm topic and a queue subscribed to it (``digest_aws``), the
    digest serving example.com and example.org."""
    monkeypatch.setenv("DOMAINS", "example.com,example.org")
    return digest_aws


def received(aws: dict[str, Any]) -> list[dict[str, Any]]:
    answer = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def today() -> date:
    return datetime.now(UTC).date()


def store_reports(aws: dict[str, Any], reports: list[dict[str, Any]], *, write_table: bool = True) -> None:
    deliver(S3Store(BUCKET, aws["s3"]), reports, write_table=write_table)


def clean_fortnight(as_of: date) -> list[dict[str, Any]]:
    """Two organisations reporting every one of the 14 days before ``as_of``, no failure."""
    return [
        sample_report(as_of - timedelta(days=n), org, f"{org}-{n}", failed=0)
        for n in range(1, 15)
        for org in ("google.com", "Microsoft Corporation")
    ]


def test_the_digest_sends_each_domain_its_week_and_its_verdict(aws: dict[str, Any]) -> None:
    as_of = today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    failing = sample_report(as_of - timedelta(days=2), "Yahoo", "y-1", failed=7)
    failing["policies"][0]["policy"]["policy-domain"] = "example.org"
    store_reports(aws, [*clean_fortnight(as_of), failing, failing])  # the failing one arrives twice
    result = dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    [message] = received(aws)
    subject, text = message["Subject"], message["Message"]
    assert subject == result["subject"] and len(subject) < 100 and subject.isascii()
    assert subject.startswith(f"TLS-RPT digest {as_of - timedelta(days=7)}..{as_of - timedelta(days=1)}")
    assert "example.com ready, 0 failed" in subject and "example.org not ready, 7 failed" in subject
    assert "example.com: ready to enforce" in text
    assert "example.org: not ready" in text and "Yahoo saw 7 failed session(s) of type certificate-expired" in text
    week = text.split("=== example.com ===", 1)[1].split("example.com: ready", 1)[0]
    assert "14 report(s) counted" in week  # 2 organisations x the 7 days of the text
    assert "1 report(s) counted" in text.split("=== example.org ===", 1)[1]  # the twice-delivered one once
    assert f"mta-sts reports summary s3://{BUCKET}/reports/" in text
    assert result["reports_read"] == 29


def test_reports_stored_before_the_table_existed_are_read_the_same(aws: dict[str, Any]) -> None:
    as_of = today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    store_reports(aws, clean_fortnight(as_of), write_table=False)  # the previous receiver's layout
    dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    [message] = received(aws)
    assert "example.com: ready to enforce" in message["Message"]


def test_reports_read_are_capped_and_the_message_says_so(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    as_of = today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    store_reports(aws, clean_fortnight(as_of))
    monkeypatch.setenv("MAX_REPORTS", "5")
    result = dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    assert result["reports_read"] == 5
    [message] = received(aws)
    assert "Only the newest 5 reports were read (MAX_REPORTS)." in message["Message"]


def _crowded_report(as_of: date, domain: str, hosts: int) -> dict[str, Any]:
    """One report naming ``hosts`` different receiving MX hosts with long names."""
    report = sample_report(as_of - timedelta(days=1), "big.example", f"big-{domain}", failed=hosts)
    report["policies"][0]["policy"]["policy-domain"] = domain
    report["policies"][0]["failure-details"] = [
        {
            "result-type": "certificate-host-mismatch",
            "failed-session-count": 1,
            "receiving-mx-hostname": f"mx-{n:05d}-{'x' * 60}.{domain}",
            "receiving-ip": f"10.0.{n // 250}.{n % 250}",
        }
        for n in range(hosts)
    ]
    return report


def test_a_digest_too_long_for_sns_is_cut_on_a_line_and_says_how_to_see_all(aws: dict[str, Any]) -> None:
    as_of = today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    store_reports(aws, [_crowded_report(as_of, "example.com", 3000), _crowded_report(as_of, "example.org", 3000)])
    result = dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    [message] = received(aws)
    text = message["Message"]
    assert result["bytes"] == len(text.encode()) <= dig.MAX_MESSAGE_BYTES < 256 * 1024
    assert "[cut: the digest was longer than an SNS message may be" in text
    assert "mta-sts reports summary s3://" in text.rsplit("[cut:", 1)[1]


def test_a_domain_without_reports_is_not_ready_and_the_subject_stays_short(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    long_domains = [f"{'d' * 60}.{'e' * 60}.example{n}.com" for n in range(3)]
    monkeypatch.setenv("DOMAINS", ",".join(long_domains))
    dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    [message] = received(aws)
    assert len(message["Subject"]) <= dig.MAX_SUBJECT_CHARACTERS and message["Subject"].endswith("...")
    for domain in long_domains:
        assert f"{domain}: not ready" in message["Message"]
        assert f"no report of the sts policy of {domain}" in message["Message"]


def test_a_manual_run_may_name_its_day(aws: dict[str, Any]) -> None:
    result = dig.handler({"today": "2026-11-09"}, None, s3=aws["s3"], sns=aws["sns"])
    assert result["subject"].startswith("TLS-RPT digest 2026-11-01..2026-11-07")


def test_unreadable_objects_are_counted_not_fatal(aws: dict[str, Any]) -> None:
    aws["s3"].put_object(Bucket=BUCKET, Key="reports/broken.json", Body=b"{not json")
    aws["s3"].put_object(Bucket=BUCKET, Key="reports/list.json", Body=b"[1, 2]")
    aws["s3"].put_object(
        Bucket=BUCKET,
        Key="reports/odd.json",
        Body=json.dumps({"start": f"{today() - timedelta(days=3)}T00:00:00Z"}).encode(),
    )
    result = dig.handler({}, None, s3=aws["s3"], sns=aws["sns"])
    assert result["reports_read"] == 3
    [message] = received(aws)
    assert "3 unreadable input(s)" in message["Message"]


def _backfill_all(aws: dict[str, Any], batch: int) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    request: dict[str, Any] = {"max_reports": batch}
    while True:
        runs.append(dig.handler({"backfill": request}, None, s3=aws["s3"], sns=aws["sns"]))
        if runs[-1]["next"] is None:
            return runs
        request = {"max_reports": batch, "start_after": runs[-1]["next"]}


def _objects(aws: dict[str, Any], prefix: str) -> dict[str, bytes]:
    listed = aws["s3"].list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"]: aws["s3"].get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def test_the_backfill_lays_out_the_previous_layout_as_the_parser_would(aws: dict[str, Any], tmp_path: Path) -> None:
    as_of = today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    reports = clean_fortnight(as_of)[:9]
    changed = json.loads(json.dumps(reports[0]))
    changed["policies"][0]["summary"]["total-successful-session-count"] += 1  # a conflict, kept as a version
    store_reports(aws, [*reports, changed], write_table=False)  # what the previous receiver left
    assert _objects(aws, TABLE_PREFIX) == {}
    runs = _backfill_all(aws, batch=4)
    assert [r["written"] for r in runs] == [4, 4, 2] and all(r["unreadable"] == [] for r in runs)
    backfilled = _objects(aws, TABLE_PREFIX)
    direct = MemoryStore()
    deliver(direct, [*reports, changed])  # the parser with the table on, for the same reports
    assert sorted(backfilled) == sorted(k for k in direct.objects if k.startswith(TABLE_PREFIX))
    for key, data in backfilled.items():
        rows = [{**json.loads(line), "received_at": None} for line in data.splitlines()]
        expected = [{**json.loads(line), "received_at": None} for line in direct.objects[key][0].splitlines()]
        assert rows == expected, key
    assert sum(r["written"] for r in _backfill_all(aws, batch=50)) == 0  # again: nothing to do
    for key, data in {**_objects(aws, "reports/"), **backfilled}.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(data)
    period = (as_of - timedelta(days=14), as_of)
    stored = _objects(aws, "reports/")
    first_bodies_first = sorted(stored, key=lambda key: key.count("."))  # <id>.json before <id>.<digest>.json
    summary = summarise((json.loads(stored[k]) for k in first_bodies_first), since=period[0], until=period[1])
    [org] = [o for o in summary.as_json()["organizations"] if o["organization"] == "google.com"]
    [row] = [r for r in run(connect(tmp_path), VIEWS["organizations"], *period) if r["organization"] == "google.com"]
    assert (row["reports"], row["successful"]) == (org["reports"], org["successful"])


def test_a_bad_backfill_request_is_refused() -> None:
    with pytest.raises(ValueError, match="max_reports"):
        backfill(None, BUCKET, {"max_reports": 0})


DOMAIN_LABELS = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=63)


@given(st.lists(st.lists(DOMAIN_LABELS, min_size=2, max_size=4).map(".".join), min_size=1, max_size=5, unique=True))
def test_every_subject_is_one_ascii_line_under_100_characters(domains: list[str]) -> None:
    settings = dig.DigestSettings(bucket=BUCKET, domains=tuple(sorted(domains)), topic_arn="arn:aws:sns:x")
    digest = dig.Digest.empty(dig.Period.for_run(date(2026, 12, 1)), settings.domains)
    subject = dig.subject_line(digest, settings)
    assert subject.isascii() and subject.isprintable() and len(subject) <= dig.MAX_SUBJECT_CHARACTERS
    assert subject.startswith("TLS-RPT digest 2026-11-23..2026-11-29: ")
