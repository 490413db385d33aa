"""`mta-sts reports summary s3://bucket`: the receiver's own bucket under moto, filled by the
receiver's handler itself (so the layout is the real one): only stored reports are read (not raw
inputs, not the quarantine), versions of one identity count once, and the summary equals the one
over the same reports as files. Without boto3, one line names the `[aws]` extra (exit 2)."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda.store import S3Store

from .summary_corpus import raw_reports, write_corpus
from .test_summary import run

BUCKET = "tlsrpt-reports-test"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def _post(store: S3Store, doc: dict[str, Any] | bytes, request_id: str) -> dict[str, Any]:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    event = {
        "requestContext": {"http": {"method": "POST"}, "requestId": request_id},
        "headers": {"content-type": "application/tlsrpt+json"},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }
    settings = lam.Settings(bucket=BUCKET, domains=frozenset({"example.com", "example.org"}))
    return lam.handle_http(event, store, settings, emit=lambda _: None)


def _fill(client: Any) -> None:
    store = S3Store(BUCKET, client)
    for i, doc in enumerate(raw_reports()):
        assert _post(store, doc, f"r{i}")["statusCode"] == 200
    assert _post(store, raw_reports()[0], "again")["statusCode"] == 200  # exact duplicate: not stored again
    changed = {**raw_reports()[1], "contact-info": "someone-else@example.net"}
    assert _post(store, changed, "conflict")["statusCode"] == 200  # same identity, other content: a version
    _post(store, b"{not a report", "junk")  # quarantined
    foreign = {**raw_reports()[2], "report-id": "foreign"}
    foreign["policies"] = [
        {**p, "policy": {**p["policy"], "policy-domain": "other.example"}} for p in foreign["policies"]
    ]
    _post(store, foreign, "foreign")  # quarantined: not a served domain


def _views(text: str) -> dict[str, Any]:
    data = json.loads(text)
    return {k: v for k, v in data.items() if k != "reports"}


def test_the_bucket_summary_equals_the_files_summary(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(s3)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert any(k.startswith("quarantine/") for k in keys) and any(k.startswith("raw/https/") for k in keys)
    assert sum(1 for k in keys if k.startswith("reports/") and k.count(".") == 2) == 1  # the version
    code, from_s3, err = run(capsys, "reports", "summary", f"s3://{BUCKET}", "--format", "json")
    assert (code, err) == (0, "")
    _, from_files, _ = run(capsys, "reports", "summary", str(write_corpus(tmp_path)), "--format", "json")
    assert _views(from_s3) == _views(from_files)
    counts = json.loads(from_s3)["reports"]
    total = len(raw_reports())
    assert counts == {**counts, "read": total + 1, "counted": total, "duplicates": 1, "unreadable": 0}


def test_first_body_counts_before_its_version(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The receiver's first body for an identity is the one counted, whatever the key order."""
    store = S3Store(BUCKET, s3)
    first = raw_reports()[0]
    second = {
        **first,
        "policies": [
            {**first["policies"][0], "summary": {"total-successful-session-count": 7, "total-failure-session-count": 0}}
        ],
    }
    _post(store, first, "a")
    _post(store, second, "b")
    _, out, _ = run(capsys, "reports", "summary", f"s3://{BUCKET}/reports/", "--format", "json")
    data = json.loads(out)
    assert data["reports"]["duplicates"] == 1
    assert data["domains"][0]["successful"] == first["policies"][0]["summary"]["total-successful-session-count"]


def test_a_foreign_object_under_reports_is_unreadable_not_a_crash(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s3.put_object(Bucket=BUCKET, Key="reports/" + "a" * 40 + ".json", Body=b'{"organization_name": 1}')
    s3.put_object(Bucket=BUCKET, Key="reports/notes.txt", Body=b"not read")
    code, out, err = run(capsys, "reports", "summary", f"s3://{BUCKET}", "--format", "json")
    assert code == 1
    assert json.loads(out)["reports"]["unreadable"] == 1
    assert "organization_name" in err


def test_a_missing_bucket_is_a_usage_error(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "reports", "summary", "s3://no-such-bucket-here")
    assert code == 2
    assert "s3://no-such-bucket-here: cannot be read (NoSuchBucket)" in err


def test_without_boto3_one_line_names_the_aws_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    code, out, err = run(capsys, "reports", "summary", f"s3://{BUCKET}")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "pulumi-mta-sts[aws]" in err


def test_in_the_base_install_s3_names_the_extra_and_files_still_work(tmp_path: Path) -> None:
    """Where no extra is installed (tests/cli/without_extras.py): files are summarised; an s3://
    source is one line naming the extra, exit 2, no traceback."""
    from tests.cli.without_extras import cli_without_extras

    corpus = write_corpus(tmp_path)
    files = cli_without_extras("reports", "summary", str(corpus), "--format", "json")
    assert files.returncode == 0, files.stderr
    assert json.loads(files.stdout)["reports"]["counted"] == len(raw_reports())
    s3 = cli_without_extras("reports", "summary", f"s3://{BUCKET}")
    assert s3.returncode == 2
    assert s3.stderr.strip().count("\n") == 0 and "pulumi-mta-sts[aws]" in s3.stderr
