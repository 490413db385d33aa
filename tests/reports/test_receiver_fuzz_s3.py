"""Issue 11 acceptance: the receiver fuzz test on moto's S3. For every generated e-mail, mixing
good attachments with broken ones of every kind found (truncated gzip, unusual digits, date
offsets past the calendar, lone surrogates, deep JSON, junk, foreign reports), the handler never
raises; every good report is stored, every other attachment is quarantined with its reason."""

from __future__ import annotations

import gzip
import itertools
import json
import os
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from pulumi_mta_sts.receiver_lambda import handler as lam
from tests.reports.test_receiver_lambda import report, s3_event, url_event

BUCKET = "tlsrpt-fuzz"
_IDS = itertools.count()


@pytest.fixture(scope="module")
def bucket() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "BUCKET": BUCKET,
            "DOMAINS": "example.com",
            "MAX_BODY_BYTES": str(1024 * 1024),
        }.items():
            patch.setenv(name, value)
        with mock_aws():
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket=BUCKET)
            yield client


def _unique() -> str:
    return f"{os.getpid()}-{next(_IDS)}"


def _good(style: int) -> bytes:
    doc = report("good-" + _unique())
    if style == 1:
        doc["policies"][0]["summary"]["total-successful-session-count"] = "40"  # counts as strings
    if style == 2:
        doc["report-id"] = "\ud83d" + doc["report-id"]  # a lone surrogate, hashed as it is
    text = json.dumps(doc).encode()
    return gzip.compress(text) if style != 3 else text


def _bad(kind: int) -> bytes:
    doc = report("bad-" + _unique())
    if kind == 0:
        return gzip.compress(json.dumps(doc).encode())[:30]  # truncated
    if kind == 1:
        doc["policies"][0]["summary"]["total-failure-session-count"] = "²³"  # unusual digits
    elif kind == 2:
        doc["date-range"]["start-datetime"] = "0001-01-01T00:00:00+23:59"  # past the calendar
    elif kind == 3:
        return json.dumps({"nested": json.loads("[" * 40 + "]" * 40), "id": _unique()}).encode()
    elif kind == 4:
        return b"\x1f\x8b" + _unique().encode() + os.urandom(20)  # junk behind the gzip magic
    elif kind == 5:
        return json.dumps({"hello": _unique()}).encode()  # JSON, not a report
    elif kind == 6:
        doc["date-range"] = "yesterday"
    return json.dumps(doc).encode()


def _foreign(_: int = 0) -> bytes:
    return gzip.compress(json.dumps(report("foreign-" + _unique(), domain="victim.example")).encode())


BUILDERS: dict[str, Callable[[int], bytes]] = {"good": _good, "bad": _bad, "foreign": _foreign}


PART = st.one_of(
    st.integers(0, 3).map(lambda s: ("good", s)),
    st.integers(0, 6).map(lambda k: ("bad", k)),
    st.just(("foreign", 0)),
)


def _message(parts: list[tuple[str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "Report Domain: example.com Submitter: fuzz.example"
    msg.set_content("report")
    for i, (_, data) in enumerate(parts):
        msg.add_attachment(data, maintype="application", subtype="tlsrpt+gzip", filename=f"r{i}.json.gz")
    return msg.as_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(st.lists(PART, min_size=1, max_size=6))
def test_every_mixed_email_is_stored_or_quarantined_attachment_by_attachment(
    bucket: Any, plan: list[tuple[str, int]]
) -> None:
    parts = [(kind, BUILDERS[kind](arg)) for kind, arg in plan]
    key = f"raw/email/fuzz-{_unique()}"
    bucket.put_object(Bucket=BUCKET, Key=key, Body=_message(parts))
    outcome = lam.handler(s3_event(key))["results"][0]  # never raises
    kinds = [kind for kind, _ in parts]
    assert len(outcome["stored"]) == kinds.count("good")
    assert len(outcome["foreign"]) == kinds.count("foreign")
    assert len(outcome["quarantined"]) == kinds.count("bad") + kinds.count("foreign")
    for stored in outcome["stored"] + outcome["quarantined"]:
        assert bucket.head_object(Bucket=BUCKET, Key=stored)["ContentLength"] >= 0
    for quarantined in outcome["quarantined"]:
        assert bucket.head_object(Bucket=BUCKET, Key=quarantined)["Metadata"]["reason"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(PART)
def test_every_https_body_gets_a_clear_answer_and_is_stored_or_quarantined(bucket: Any, part: tuple[str, int]) -> None:
    kind, arg = part
    body = BUILDERS[kind](arg)
    response = lam.handler(url_event(body, request_id=_unique()))
    answer = json.loads(response["body"])
    assert response["statusCode"] == {"good": 200, "bad": 400, "foreign": 403}[kind]
    assert len(answer["stored"]) == (kind == "good")
    assert len(answer["quarantined"]) == (kind != "good")
    assert answer["test_reports"] == 0
