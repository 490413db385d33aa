"""Fixtures shared by the reports tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

#: The receiver's bucket and region in :func:`digest_aws`.
DIGEST_BUCKET: Final = "tlsrpt-digest-reports"
DIGEST_REGION: Final = "eu-west-1"


@pytest.fixture
def digest_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Moto's S3 and SNS for the reader function: the receiver's bucket (:data:`DIGEST_BUCKET`), the
    alarm topic and an SQS queue subscribed to it (raw delivery off: the envelope keeps the
    subject); the digest's environment points at them and serves ``example.com``."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": DIGEST_REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=DIGEST_REGION)
        s3.create_bucket(Bucket=DIGEST_BUCKET, CreateBucketConfiguration={"LocationConstraint": DIGEST_REGION})
        sns, sqs = boto3.client("sns", region_name=DIGEST_REGION), boto3.client("sqs", region_name=DIGEST_REGION)
        topic = sns.create_topic(Name="alarms")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        monkeypatch.setenv("BUCKET", DIGEST_BUCKET)
        monkeypatch.setenv("DOMAINS", "example.com")
        monkeypatch.setenv("TOPIC_ARN", topic)
        yield {"s3": s3, "sns": sns, "sqs": sqs, "queue": queue}


def published_digest(aws: dict[str, Any]) -> dict[str, Any]:
    """The one message the digest published (its SNS envelope: ``Subject``, ``Message``)."""
    [message] = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10)["Messages"]
    body: dict[str, Any] = json.loads(message["Body"])
    return body
