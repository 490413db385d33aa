"""``ScheduledWatch`` under Pulumi mocks: a bounded function (timeout, one at a time, no retries), a
schedule that cannot storm, least-privilege roles naming exact ARNs, its state in the receiver's bucket or
a private one of its own, notices to the receiver's topic or its own; wrong arguments register nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.defaults import LOG_RETENTION_DAYS
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.receiver import watch_archive, watch_schedule
from pulumi_mta_sts.receiver.watch_archive import WATCH
from pulumi_mta_sts.receiver.watch_schedule import ScheduledWatch, ScheduledWatchArgs, check_watch_args
from pulumi_mta_sts.watch_lambda.contract import STATE_KEY, WatchEnv
from tests.pulumi_mock import ACCOUNT, Recorder, parent_name

STACK = {"domain": "example.com", "watch": {"enabled": True}}
RECEIVER_BUCKET = "example-com-tlsrpt-reports-abc"
RECEIVER_TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:example-com-tlsrpt-alarms"


def deploy(mocks: Recorder, **kwargs: Any) -> None:
    args = {"domains": ["example.com"], "stack": STACK, **kwargs}
    mocks.run(lambda: ScheduledWatch("example-com-watch", ScheduledWatchArgs(**args)))


def statements(resource: RecordedResource, key: str = "policy") -> dict[str, dict[str, Any]]:
    document: dict[str, Any] = json.loads(resource.inputs[key])
    return {statement.get("Sid", ""): statement for statement in document["Statement"]}


def access_policy(mocks: Recorder, role: str) -> RecordedResource:
    return next(r for r in mocks.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith(role + "-access"))


def test_without_a_receiver_it_has_a_private_bucket_and_a_topic_of_its_own(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, alarm_email="ops@example.com")
    bucket = pulumi_mocks.one("aws:s3/bucket:Bucket")
    block = pulumi_mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    pulumi_mocks.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    (tls_only,) = statements(pulumi_mocks.one("aws:s3/bucketPolicy:BucketPolicy")).values()
    assert tls_only["Effect"] == "Deny" and tls_only["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert bucket.inputs["forceDestroy"] is True  # only a state object a new round rebuilds
    subscription = pulumi_mocks.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ops@example.com")
    topic = pulumi_mocks.one("aws:sns/topic:Topic")
    variables = pulumi_mocks.one("aws:lambda/function:Function").inputs["environment"]["variables"]
    assert WatchEnv.REPORTS_BUCKET not in variables and len(variables) == 3  # the domains are in the archive
    grants = statements(access_policy(pulumi_mocks, "example-com-watch"))
    assert set(grants) == {"State", "Notify", "OwnLogs", "List"}
    assert grants["State"]["Resource"].endswith(f":::{bucket.state['bucket']}/{STATE_KEY}")
    assert grants["Notify"]["Resource"] == topic.state["arn"]
    assert grants["List"]["Condition"] == {"StringLike": {"s3:prefix": [STATE_KEY]}}


def test_with_a_receiver_it_uses_its_bucket_topic_and_reports(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, receiver_bucket=RECEIVER_BUCKET, receiver_topic=RECEIVER_TOPIC, region="eu-west-1")
    assert not pulumi_mocks.of_type("aws:s3/bucket:Bucket") and not pulumi_mocks.of_type("aws:sns/topic:Topic")
    function = pulumi_mocks.one("aws:lambda/function:Function").inputs
    variables = function["environment"]["variables"]
    assert variables[WatchEnv.BUCKET] == variables[WatchEnv.REPORTS_BUCKET] == RECEIVER_BUCKET
    assert variables[WatchEnv.TOPIC_ARN] == RECEIVER_TOPIC and function["region"] == "eu-west-1"
    grants = statements(access_policy(pulumi_mocks, "example-com-watch"))
    assert grants["ReadReports"] == {
        "Sid": "ReadReports",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{RECEIVER_BUCKET}/reports/*",
    }
    assert grants["State"]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert grants["State"]["Resource"] == f"arn:aws:s3:::{RECEIVER_BUCKET}/{STATE_KEY}"
    assert grants["List"]["Condition"] == {"StringLike": {"s3:prefix": [STATE_KEY, "reports/*"]}}
    assert grants["Notify"] == {"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": RECEIVER_TOPIC}
    alarm = pulumi_mocks.one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs
    assert alarm["alarmActions"] == [RECEIVER_TOPIC] and alarm["metricName"] == "Errors"


def test_the_domains_and_settings_are_shipped_in_the_archive(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped: list[tuple[Any, ...]] = []
    real = watch_archive.watch_files

    def spy(*args: Any) -> dict[str, bytes]:
        shipped.append(args)
        return real(*args)

    monkeypatch.setattr(watch_schedule, "watch_files", spy)
    deploy(pulumi_mocks, domains=["Example.COM.", "example.org", "example.com"])
    assert shipped == [(STACK, ("example.com", "example.org"))]


def test_the_function_is_bounded(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks)
    function = pulumi_mocks.one("aws:lambda/function:Function")
    inputs = function.inputs
    assert inputs["reservedConcurrentExecutions"] == 1  # rounds never overlap
    assert inputs["timeout"] == watch_schedule.TIMEOUT_SECONDS <= 900
    assert inputs["handler"] == WATCH.handler
    logs = pulumi_mocks.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert logs["retentionInDays"] == LOG_RETENTION_DAYS
    asynchronous = pulumi_mocks.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").inputs
    assert asynchronous["maximumRetryAttempts"] == 0 and 60 <= asynchronous["maximumEventAgeInSeconds"] <= 900
    for resource in pulumi_mocks.resources:
        if resource.type != "mta-sts:index:ScheduledWatch":
            assert parent_name(resource) == "example-com-watch", resource.name


def test_the_schedule_cannot_storm_and_its_role_invokes_one_function(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, schedule="cron(5 7 * * ? *)")
    schedule = pulumi_mocks.one("aws:scheduler/schedule:Schedule").inputs
    function = pulumi_mocks.one("aws:lambda/function:Function")
    assert schedule["scheduleExpression"] == "cron(5 7 * * ? *)" and schedule["scheduleExpressionTimezone"] == "UTC"
    assert schedule["target"]["retryPolicy"] == {"maximumRetryAttempts": 0, "maximumEventAgeInSeconds": 900}
    assert schedule["target"]["arn"] == function.state["arn"]
    (invoke,) = statements(access_policy(pulumi_mocks, "example-com-watch-schedule")).values()
    assert invoke == {
        "Sid": "InvokeWatch",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": function.state["arn"],
    }
    roles = {r.name: json.loads(r.inputs["assumeRolePolicy"]) for r in pulumi_mocks.of_type("aws:iam/role:Role")}
    (trust,) = roles["example-com-watch-schedule-role"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"domains": []}, "domains"),
        ({"domains": "example.com"}, "domains"),
        ({"domains": ["exa mple.com"]}, "domains[0]"),
        ({"schedule": "rate(5 minutes)"}, "schedule"),
        ({"schedule": "cron(0 7 * * * *)"}, "schedule"),
        ({"alarm_email": "not-an-address"}, "alarm_email"),
    ],
)
def test_wrong_arguments_name_the_field_and_register_nothing(
    pulumi_mocks: Recorder, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        check_watch_args(ScheduledWatchArgs(**{"domains": ["example.com"], **changes}))
    assert [p.field for p in caught.value.problems] == [field]
    with pytest.raises(Exception, match=field.replace("[", r"\[")):
        deploy(pulumi_mocks, **changes)
    assert [r for r in pulumi_mocks.resources if r.type.startswith("aws:")] == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["example.com", "Example.COM.", "example.org", "mail.example.net"]), min_size=1))
def test_domains_are_normalised_each_once(domains: list[str]) -> None:
    checked = check_watch_args(ScheduledWatchArgs(domains=domains))
    assert len(checked) == len(set(checked)) and all(d == d.lower().rstrip(".") for d in checked)
