"""The receiver Lambda end to end on moto's S3: real SES (S3 action + Lambda action), S3
notification and function URL event shapes in; stored reports, quarantine and metrics out."""

from __future__ import annotations

import base64
import gzip
import json
import urllib.parse
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore

BUCKET = "tlsrpt-reports-test"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "tlsrpt"


def report(report_id: str = "r-1", domain: str = "example.com", failed: int = 2) -> dict[str, Any]:
    return {
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@google.example",
        "report-id": report_id,
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-domain": domain, "mx-host": ["mx1.example.com"]},
                "summary": {"total-successful-session-count": 40, "total-failure-session-count": failed},
                "failure-details": [
                    {"result-type": "certificate-expired", "failed-session-count": failed},
                ],
            }
        ],
    }


def email(*attachments: tuple[str, bytes], message_id: str = "<m1@google.example>") -> bytes:
    msg = EmailMessage()
    msg["From"] = "noreply-smtp-tls-reporting@google.example"
    msg["To"] = "reports@tlsrpt.example.com"
    msg["Subject"] = "Report Domain: example.com Submitter: google.com Report-ID: <r-1>"
    msg["Message-ID"] = message_id
    msg.set_content("TLS report")
    for filename, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="tlsrpt+gzip", filename=filename)
    return msg.as_bytes()


def gz(doc: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(doc).encode())


def ses_lambda_action_event(message_id: str) -> dict[str, Any]:
    """The event SES sends to a Lambda action (receipt rule: S3 action first, then this)."""
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": "2024-03-02T07:00:00.000Z",
                        "source": "noreply-smtp-tls-reporting@google.example",
                        "messageId": message_id,
                        "destination": ["reports@tlsrpt.example.com"],
                        "headersTruncated": False,
                        "headers": [{"name": "Subject", "value": "Report Domain: example.com"}],
                        "commonHeaders": {"returnPath": "x@google.example", "subject": "Report Domain: example.com"},
                    },
                    "receipt": {
                        "timestamp": "2024-03-02T07:00:00.000Z",
                        "processingTimeMillis": 420,
                        "recipients": ["reports@tlsrpt.example.com"],
                        "spamVerdict": {"status": "PASS"},
                        "virusVerdict": {"status": "PASS"},
                        "spfVerdict": {"status": "PASS"},
                        "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": "PASS"},
                        "action": {
                            "type": "Lambda",
                            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:tlsrpt",
                            "invocationType": "Event",
                        },
                    },
                },
            }
        ]
    }


def s3_event(key: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2024-03-02T07:00:01.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "raw-email",
                    "bucket": {"name": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"},
                    "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": 1, "eTag": "x"},
                },
            }
        ]
    }


def url_event(
    body: bytes, content_type: str = "application/tlsrpt+gzip", method: str = "POST", request_id: str = "req-1"
) -> dict[str, Any]:
    """A Lambda function URL request (payload format 2.0); binary bodies arrive base64-encoded."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {"content-type": content_type, "host": "abc.lambda-url.us-east-1.on.aws"},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc",
            "domainName": "abc.lambda-url.us-east-1.on.aws",
            "http": {"method": method, "path": "/", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "x"},
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": 1709362800000,
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "BUCKET": BUCKET,
        "DOMAINS": "example.com,Example.ORG.",
        "MAX_BODY_BYTES": "4096",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


def keys(client: Any, prefix: str) -> list[str]:
    listing = client.list_object_versions(Bucket=BUCKET, Prefix=prefix)
    return sorted(v["Key"] for v in listing.get("Versions", []))


def stored_json(client: Any, key: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(client.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    return doc


def metrics(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def deliver_email(client: Any, message_id: str, raw: bytes) -> None:
    """What the receipt rule's S3 action does before the Lambda action runs."""
    client.put_object(Bucket=BUCKET, Key=f"raw/email/{message_id}", Body=raw)


def test_ses_s3_then_lambda_action_stores_the_normalised_report_and_emits_metrics(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deliver_email(s3, "msg-1", email(("google.com!example.com!1709251200!1709337599.json.gz", gz(report()))))
    result = lam.handler(ses_lambda_action_event("msg-1"))
    [stored] = keys(s3, "reports/")
    assert result["results"][0]["stored"] == [stored]
    doc = stored_json(s3, stored)
    assert doc["organization_name"] == "Google Inc."
    assert doc["report_id"] == "r-1"
    assert doc["policies"][0]["failed"] == 2
    assert doc["received"]["raw_key"] == "raw/email/msg-1"
    emitted = metrics(capsys.readouterr().out)
    by_domain = [m for m in emitted if m.get("PolicyDomain") == "example.com" and "Reports" in m]
    assert by_domain[0]["SuccessfulSessions"] == 40 and by_domain[0]["FailedSessions"] == 2
    assert by_domain[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "MtaSts/TlsRpt"
    by_type = [m for m in emitted if "FailedSessionsByResultType" in m]
    assert by_type[0]["ResultType"] == "certificate-expired" and by_type[0]["FailedSessionsByResultType"] == 2
    assert keys(s3, "quarantine/") == []


def test_the_same_s3_event_twice_stores_and_counts_one_report(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    deliver_email(s3, "msg-2", email(("r.json.gz", gz(report()))))
    lam.handler(s3_event("raw/email/msg-2"))
    second = lam.handler(s3_event("raw/email/msg-2"))
    assert len(keys(s3, "reports/")) == 1  # one object, one version, in a versioned bucket
    assert second["results"][0]["stored"] == [] and len(second["results"][0]["duplicates"]) == 1
    assert len([m for m in metrics(capsys.readouterr().out) if "Reports" in m]) == 1


def test_the_same_report_in_two_emails_is_stored_once(s3: Any) -> None:
    deliver_email(s3, "msg-a", email(("r.json.gz", gz(report())), message_id="<a@x>"))
    deliver_email(s3, "msg-b", email(("again.json.gz", gz(report())), message_id="<b@x>"))
    lam.handler(ses_lambda_action_event("msg-a"))
    lam.handler(ses_lambda_action_event("msg-b"))
    assert len(keys(s3, "reports/")) == 1


def test_one_good_and_one_broken_attachment_store_the_good_and_quarantine_the_broken(s3: Any) -> None:
    broken = gz(report("r-2"))[:30]
    deliver_email(s3, "msg-3", email(("good.json.gz", gz(report())), ("broken.json.gz", broken)))
    result = lam.handler(ses_lambda_action_event("msg-3"))["results"][0]
    assert len(keys(s3, "reports/")) == 1
    [quarantined] = keys(s3, "quarantine/invalid/")
    obj = s3.get_object(Bucket=BUCKET, Key=quarantined)
    assert obj["Body"].read() == broken
    assert "truncated gzip data" in obj["Metadata"]["reason"]
    assert obj["Metadata"]["source"] == "raw/email/msg-3#broken.json.gz"
    assert result["errors"] == ["raw/email/msg-3#broken.json.gz: " + obj["Metadata"]["reason"]]


def test_a_report_about_another_domain_is_quarantined_as_foreign_and_counted_there(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deliver_email(s3, "msg-4", email(("r.json.gz", gz(report(domain="victim.example")))))
    lam.handler(ses_lambda_action_event("msg-4"))
    assert keys(s3, "reports/") == []
    [foreign] = keys(s3, "quarantine/foreign/")
    assert "victim.example" in s3.head_object(Bucket=BUCKET, Key=foreign)["Metadata"]["reason"]
    emitted = metrics(capsys.readouterr().out)
    assert [m["Kind"] for m in emitted if "QuarantinedReports" in m] == ["foreign"]
    assert not [m for m in emitted if "Reports" in m]


def test_an_email_without_any_report_is_quarantined_whole(s3: Any) -> None:
    raw = b"From: a@b.example\r\nSubject: hello\r\n\r\nnot a report\r\n"
    deliver_email(s3, "msg-5", raw)
    lam.handler(ses_lambda_action_event("msg-5"))
    [q] = keys(s3, "quarantine/invalid/")
    assert s3.get_object(Bucket=BUCKET, Key=q)["Body"].read() == raw


def test_storage_failures_raise_so_async_invocations_are_retried_then_dead_lettered(s3: Any) -> None:
    with pytest.raises(s3.exceptions.NoSuchKey):
        lam.handler(ses_lambda_action_event("never-stored"))


# --- function URL (HTTPS rua) -----------------------------------------------------------


def test_https_post_gzip_is_stored_raw_and_normalised_and_answers_200(s3: Any) -> None:
    body = gz(report("https-1"))
    response = lam.handler(url_event(body))
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["status"] == "stored"
    [raw] = keys(s3, "raw/https/")
    assert s3.get_object(Bucket=BUCKET, Key=raw)["Body"].read() == body
    [stored] = keys(s3, "reports/")
    assert stored_json(s3, stored)["report_id"] == "https-1"


def test_https_post_json_with_charset_for_a_second_served_domain(s3: Any) -> None:
    body = json.dumps(report("https-2", domain="example.org")).encode()
    response = lam.handler(url_event(body, "application/tlsrpt+json; charset=utf-8", request_id="req-2"))
    assert response["statusCode"] == 200


def test_https_repeat_delivery_answers_200_duplicate_and_stores_once(s3: Any) -> None:
    body = gz(report("https-3"))
    lam.handler(url_event(body, request_id="req-a"))
    response = lam.handler(url_event(body, request_id="req-b"))
    assert (response["statusCode"], json.loads(response["body"])["status"]) == (200, "duplicate")
    assert len(keys(s3, "reports/")) == 1
    assert len(keys(s3, "raw/https/")) == 2  # every body as received


def test_https_bad_input_answers_400_and_is_quarantined_with_the_reason(s3: Any) -> None:
    response = lam.handler(url_event(b'{"organization-name": "x"}', "application/tlsrpt+json"))
    assert response["statusCode"] == 400
    assert "date-range is missing" in json.loads(response["body"])["error"]
    [q] = keys(s3, "quarantine/invalid/")
    assert s3.head_object(Bucket=BUCKET, Key=q)["Metadata"]["reason"] == "date-range is missing"


def test_https_body_over_the_size_cap_answers_413_and_stores_nothing(s3: Any) -> None:
    response = lam.handler(url_event(b"{" + b" " * 5000 + b"}", "application/tlsrpt+json"))
    assert response["statusCode"] == 413
    assert keys(s3, "") == []


def test_https_foreign_report_answers_403(s3: Any) -> None:
    response = lam.handler(url_event(gz(report(domain="other.example"))))
    assert response["statusCode"] == 403
    assert len(keys(s3, "quarantine/foreign/")) == 1


@pytest.mark.parametrize(
    ("method", "content_type", "status"),
    [("GET", "application/tlsrpt+gzip", 405), ("POST", "text/html", 415), ("POST", "", 415)],
)
def test_https_wrong_method_or_type_is_refused(s3: Any, method: str, content_type: str, status: int) -> None:
    assert lam.handler(url_event(b"{}", content_type, method))["statusCode"] == status


def test_https_invalid_base64_answers_400(s3: Any) -> None:
    event = url_event(b"{}")
    event["body"] = "not base64!!"
    assert lam.handler(event)["statusCode"] == 400


def test_the_whole_corpus_through_the_handler_is_stored_or_quarantined(s3: Any) -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in {".json", ".gz", ".eml"})
    for i, path in enumerate(files):
        deliver_email(s3, f"corpus-{i}", path.read_bytes())
        outcome = lam.handler(s3_event(f"raw/email/corpus-{i}"))["results"][0]
        assert outcome["stored"] or outcome["duplicates"] or outcome["quarantined"], path.name


def test_the_https_body_cap_does_not_apply_to_report_attachments_in_mail(s3: Any) -> None:
    big = report("big-1")
    big["policies"][0]["failure-details"] = [
        {"result-type": "certificate-expired", "failed-session-count": 1, "sending-mta-ip": f"192.0.2.{i % 250}"}
        for i in range(400)
    ]
    attachment = json.dumps(big).encode()
    assert len(attachment) > 4096  # MAX_BODY_BYTES of this test environment
    msg = EmailMessage()
    msg["Subject"] = "big"
    msg.set_content("x")
    msg.add_attachment(attachment, maintype="application", subtype="tlsrpt+json", filename="big.json")
    deliver_email(s3, "msg-big", msg.as_bytes())
    assert len(lam.handler(ses_lambda_action_event("msg-big"))["results"][0]["stored"]) == 1


def test_only_served_domains_are_counted_and_a_domain_counts_one_report_per_report() -> None:
    doc = report("mixed-1")
    doc["policies"].append(
        {
            "policy": {"policy-type": "tlsa", "policy-domain": "example.com"},
            "summary": {"total-successful-session-count": 10, "total-failure-session-count": 1},
            "failure-details": [{"result-type": "tlsa-invalid", "failed-session-count": 1}],
        }
    )
    doc["policies"].append(
        {
            "policy": {"policy-type": "sts", "policy-domain": "elsewhere.example"},
            "summary": {"total-successful-session-count": 99, "total-failure-session-count": 99},
        }
    )
    emitted: list[dict[str, Any]] = []
    store = MemoryStore()
    settings = lam.Settings(bucket="b", domains=frozenset({"example.com"}))
    result = parse_body(json.dumps(doc).encode(), "t")
    outcome = lam.store_result(
        result, raw_key="raw/x", input_data=b"", store=store, settings=settings, emit=emitted.append
    )
    assert len(outcome.stored) == 1
    [per_domain] = [m for m in emitted if "Reports" in m]
    assert (per_domain["PolicyDomain"], per_domain["Reports"]) == ("example.com", 1)
    # The domain's tlsa policy lists the same sessions as its sts one (40/2): counted once, the
    # larger of each (reports/sessions.py), as the summary counts them; result types keep every count.
    assert (per_domain["SuccessfulSessions"], per_domain["FailedSessions"]) == (40, 2)
    assert {(m["ResultType"], m["FailedSessionsByResultType"]) for m in emitted if "ResultType" in m} == {
        ("certificate-expired", 2),
        ("tlsa-invalid", 1),
    }
