"""The reader function (weekly digest, table backfill) and the schedule that invokes it.

Private: nothing public can invoke it, and the parser gets none of its grants. The schedule is an
EventBridge Scheduler schedule (AWS calls scheduled EventBridge rules legacy:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html), whose
role only Scheduler acting for this account may assume.
"""

from __future__ import annotations

import functools

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import IAM_POLICY, IAM_ROLE
from pulumi_mta_sts.receiver_lambda.contract import Env

from .alarms import metric_alarm, reader_alarm
from .archive import READER
from .args import CheckedReceiverArgs
from .documents import reader_access_document, scheduler_access_document, scheduler_assume_role_document
from .function import lambda_function
from .naming import SCHEDULER_SCHEDULE, named_child

#: The hour (UTC) the digest goes out on its day.
DIGEST_HOUR_UTC = 6
READER_MEMORY_MB = 512
#: Reading 5,000 reports one GET at a time takes minutes; Lambda allows 15.
READER_TIMEOUT_SECONDS = 900


def schedule_expression(day: str) -> str:
    """The Scheduler cron expression for ``day`` (``monday`` ... ``sunday``) at :data:`DIGEST_HOUR_UTC`:
    minutes, hours, day of month (``?``), month, day of week, year."""
    return f"cron(0 {DIGEST_HOUR_UTC} ? * {day[:3].upper()} *)"


def create_reader(
    receiver: CheckedReceiverArgs,
    *,
    parent: pulumi.Resource,
    bucket: aws.s3.Bucket,
    topic: aws.sns.Topic,
    account: pulumi.Input[str],
    workgroup: pulumi.Input[str] | None,
) -> aws.lambda_.Function | None:
    """The reader function, its alarm and (with the digest on) its schedule as children of
    ``parent``; ``None`` when neither the digest nor ``analytics`` is on."""
    settings = receiver.settings
    if settings.digest == "off" and not settings.analytics:
        return None
    workgroup_variable = {} if workgroup is None else {Env.ANALYTICS_WORKGROUP: workgroup}
    function, _ = lambda_function(
        receiver,
        parent,
        bucket,
        READER,
        memory_mb=READER_MEMORY_MB,
        timeout_seconds=READER_TIMEOUT_SECONDS,
        environment={Env.TOPIC_ARN: topic.arn, **workgroup_variable},
        access=functools.partial(reader_access_document, write_table=settings.analytics),
        arns={"topic_arn": topic.arn},
    )
    metric_alarm(reader_alarm(receiver, function.name), topic, region=receiver.region, parent=parent)
    if settings.digest != "off":
        _schedule(receiver, parent, function=function, account=account)
    return function


def _schedule(
    receiver: CheckedReceiverArgs,
    parent: pulumi.Resource,
    *,
    function: aws.lambda_.Function,
    account: pulumi.Input[str],
) -> aws.scheduler.Schedule:
    name = receiver.name
    role_name, role_opts = named_child(IAM_ROLE, f"{name}-digest-schedule-role", parent=parent)
    trust = pulumi.Output.from_input(account).apply(scheduler_assume_role_document)
    role = aws.iam.Role(role_name, assume_role_policy=trust, opts=role_opts)
    policy_name, policy_opts = named_child(IAM_POLICY, f"{name}-digest-schedule-access", parent=parent)
    role_policy = aws.iam.RolePolicy(
        policy_name,
        role=role.id,
        policy=function.arn.apply(lambda arn: scheduler_access_document(function_arn=arn)),
        opts=policy_opts,
    )
    schedule_name, schedule_opts = named_child(
        SCHEDULER_SCHEDULE, f"{name}-digest", parent=parent, depends_on=[role_policy]
    )
    return aws.scheduler.Schedule(
        schedule_name,
        description=f"Weekly TLS-RPT digest for {', '.join(receiver.served)} (pulumi-mta-sts)",
        schedule_expression=schedule_expression(receiver.settings.digest),
        schedule_expression_timezone="UTC",
        flexible_time_window={"mode": "OFF"},
        target={
            "arn": function.arn,
            "role_arn": role.arn,
            "input": "{}",
            "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
        },
        region=receiver.region,
        opts=schedule_opts,
    )
