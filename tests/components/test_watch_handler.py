"""The scheduled watcher's handler called in-process, round after round, with moto's S3 and SNS (an SQS
queue subscribed to the topic counts what was said) against real DNS, HTTPS and SMTP servers on
loopback: the state is one S3 object, a round says at most one thing, nothing when nothing is new, a
recovery once; the receiver's stored reports stand in for the STARTTLS probes it never makes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from pulumi_mta_sts.check.runner import CheckOptions
from pulumi_mta_sts.watch_lambda import handler as watch_handler
from pulumi_mta_sts.watch_lambda.contract import STATE_KEY, WatchEnv
from tests.livefixture import LiveFixture, live_fixture

REGION: Final = "eu-west-1"
BUCKET = "watch-state"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


class Aws:
    """moto's S3 bucket and SNS topic, and a queue on the topic that receives what was published."""

    def __init__(self) -> None:
        self.s3 = boto3.client("s3", region_name=REGION)
        self.sns = boto3.client("sns", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.topic = self.sns.create_topic(Name="watch-notices")["TopicArn"]
        queue = self.sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn)
        self.queue = queue

    def said(self) -> list[dict[str, Any]]:
        """The notifications published since the last call (subject and message)."""
        got = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
        for message in got:
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in got]

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read()))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield Aws()


def run(
    live: LiveFixture, aws: Aws, stack: dict[str, Any], days: float = 0, env: dict[str, str] | None = None
) -> dict[str, Any]:
    environment = {
        WatchEnv.BUCKET: BUCKET,
        WatchEnv.TOPIC_ARN: aws.topic,
        WatchEnv.NAME: "example-watch",
        **(env or {}),
    }
    options = CheckOptions(nameservers=(live.nameserver,), cafile=live.cafile, https_port=live.https.port, timeout=3)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        result: dict[str, Any] = watch_handler.handler(
            {},
            s3=aws.s3,
            sns=aws.sns,
            now=NOW + dt.timedelta(days=days),
            shipped={"domains": [stack["domain"]], "settings": stack},
            options=options,
        )
    return result


def stack_of(domain: str, mx: list[str]) -> dict[str, Any]:
    policy = {"mode": "enforce", "mx": mx, "max_age": 604800}
    return {
        "domain": domain,
        "dns": {"provider": "route53"},
        "policy": policy,
        "reporting": {"rua": [f"mailto:tlsrpt@{domain}"]},
    }


def test_one_notice_per_round_none_when_nothing_is_new_and_a_recovery_once(live: LiveFixture, aws: Aws) -> None:
    domain = "sched.watch.test"
    published = live.publish(domain, mode="enforce")
    stack = stack_of(domain, list(published.mx_hosts))
    first = run(live, aws, stack)
    assert (first["new"], first["message_id"], aws.said()) == (0, None, [])
    assert domain in json.dumps(aws.state())  # the state is written after a quiet round too
    for host in ("mx3.elsewhere.test", "mx4.elsewhere.test"):  # two problems, one notice
        live.zone.add(domain, "MX", (30, host))
        live.zone.add(host, "A", "127.0.0.1")
    broken = run(live, aws, stack, 1)
    (notice,) = aws.said()
    assert broken["new"] == 2 and broken["exit_code"] == 1
    assert "mx-not-covered:mx3.elsewhere.test" in notice["Message"] and "mx4.elsewhere.test" in notice["Message"]
    assert notice["Subject"].startswith("mta-sts watch example-watch: 2 new (2 failing), 0 recovered")
    assert run(live, aws, stack, 2)["message_id"] is None and aws.said() == []  # said already
    live.zone.remove(domain, "MX")
    for preference, host in enumerate(published.mx_hosts, start=1):
        live.zone.add(domain, "MX", (preference * 10, host))
    fixed = run(live, aws, stack, 3)
    (recovery,) = aws.said()
    assert fixed["recovered"] == 2 and "Recovered" in recovery["Message"]
    assert run(live, aws, stack, 4)["message_id"] is None and aws.said() == []


def test_the_receivers_reports_of_the_last_day_stand_in_for_starttls(live: LiveFixture, aws: Aws) -> None:
    domain = "reports.watch.test"
    published = live.publish(domain, mode="enforce")
    mx = published.mx_hosts[0]
    report = {
        "organization_name": "Big Mail <script>",
        "report_id": "r1",
        "start": (NOW - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "policies": [
            {
                "policy_type": "sts",
                "policy_domain": domain,
                "policy_strings": ["version: STSv1", "mode: enforce"],
                "mx_hosts": [mx],
                "successful": 0,
                "failed": 3,
                "failure_details": [
                    {"result_type": "certificate-expired", "receiving_mx_hostname": mx, "failed_session_count": 3}
                ],
            }
        ],
    }
    aws.s3.put_object(
        Bucket=BUCKET, Key="reports/0123456789abcdef0123456789abcdef01234567.json", Body=json.dumps(report)
    )
    result = run(live, aws, stack_of(domain, list(published.mx_hosts)), env={WatchEnv.REPORTS_BUCKET: BUCKET})
    (notice,) = aws.said()
    assert result["new"] == 1 and f"report-certificate-expired:{mx}" in notice["Message"]
    assert "Big Mail <script>" in notice["Message"]  # plain text for e-mail: shown, one line, never markup


def test_a_state_object_it_cannot_read_fails_the_round_and_changes_nothing(live: LiveFixture, aws: Aws) -> None:
    domain = "badstate.watch.test"
    published = live.publish(domain, mode="enforce")
    aws.s3.put_object(Bucket=BUCKET, Key=STATE_KEY, Body=b"{not json")
    with pytest.raises(Exception, match="state"):
        run(live, aws, stack_of(domain, list(published.mx_hosts)))
    assert aws.s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read() == b"{not json"
    assert aws.said() == []
