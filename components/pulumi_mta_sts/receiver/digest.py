"""The weekly digest: a schedule, and the reader function it invokes.

The **reader** is a second function from the same archive as the parser
(:mod:`pulumi_mta_sts.receiver_lambda.digest`), with its own role: it may list and read
``reports/``, publish to the alarm topic and write its log group; with ``analytics`` on it may also
write ``tables/`` (the backfill that lays out reports stored before the table existed:
``{"backfill": {}}``, see docs/receiver.md). It is private: nothing public can invoke it (the
parser, which the public HTTPS endpoint reaches, gets none of these grants). It exists when the
digest or ``analytics`` is on.

The **schedule** (only with ``digest`` set to a weekday) is an EventBridge Scheduler schedule,
``cron(0 6 ? * <DAY> *)`` in UTC: AWS calls scheduled EventBridge rules a legacy feature and
recommends Scheduler for invoking targets on a schedule
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html). Scheduler
invokes the function with a role of its own, which may invoke this function only; the role trusts
``scheduler.amazonaws.com`` for this account only (the confused-deputy condition).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.defaults import LOG_RETENTION_DAYS
from pulumi_mta_sts.core.names import IAM_POLICY, IAM_ROLE, LAMBDA_FUNCTION, LOG_GROUP, NameRule
from pulumi_mta_sts.receiver_lambda.placement import REPORTS_PREFIX
from pulumi_mta_sts.receiver_lambda.table import TABLE_PREFIX

from .alarms import metric_alarm, reader_alarm
from .archive import RUNTIME
from .args import CheckedReceiverArgs
from .documents import LAMBDA_ASSUME_ROLE_POLICY, policy_document
from .function import ARCHITECTURE, _code
from .naming import named_child

__all__ = [
    "DIGEST_HOUR_UTC",
    "READER_HANDLER",
    "SCHEDULER_SCHEDULE",
    "Reader",
    "create_reader",
    "reader_access_document",
    "schedule_expression",
    "scheduler_access_document",
    "scheduler_assume_role_document",
]

#: The reader's handler (digest; backfill with ``{"backfill": ...}``).
READER_HANDLER = "pulumi_mta_sts.receiver_lambda.digest.handler"
#: The hour (UTC) the digest goes out on its day.
DIGEST_HOUR_UTC = 6
READER_MEMORY_MB = 512
#: Reading 5,000 reports one GET at a time takes minutes; Lambda allows 15.
READER_TIMEOUT_SECONDS = 900
#: EventBridge Scheduler schedule names: 1 to 64 of ``0-9a-zA-Z-_.``.
SCHEDULER_SCHEDULE = NameRule(
    "scheduler-schedule",
    64,
    r"0-9a-zA-Z_.-",
    "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
)
_CRON_DAYS = {
    "monday": "MON",
    "tuesday": "TUE",
    "wednesday": "WED",
    "thursday": "THU",
    "friday": "FRI",
    "saturday": "SAT",
    "sunday": "SUN",
}


@dataclass(frozen=True)
class Reader:
    """The reader function and, with the digest on, its schedule."""

    function: aws.lambda_.Function
    schedule: aws.scheduler.Schedule | None


def schedule_expression(day: str) -> str:
    """The Scheduler cron expression for ``day`` (``monday`` ... ``sunday``) at :data:`DIGEST_HOUR_UTC`:
    minutes, hours, day of month (``?``), month, day of week, year."""
    return f"cron(0 {DIGEST_HOUR_UTC} ? * {_CRON_DAYS[day]} *)"


def reader_access_document(*, bucket_arn: str, log_group_arn: str, topic_arn: str, write_table: bool) -> str:
    """The reader's grants: list and read ``reports/``, publish to the topic, write its log group;
    with ``write_table``, create objects under ``tables/`` (the backfill)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ListReports",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{REPORTS_PREFIX}*"]}},
        },
        {
            "Sid": "ReadReports",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/{REPORTS_PREFIX}*",
        },
        {"Sid": "PublishDigest", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:*",
        },
    ]
    if write_table:
        statements.append(
            {
                "Sid": "WriteTable",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{TABLE_PREFIX}*",
            }
        )
    return policy_document(statements)


def scheduler_assume_role_document(account: str) -> str:
    """Only EventBridge Scheduler acting for ``account`` may assume the schedule's role."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ]
    )


def scheduler_access_document(*, function_arn: str) -> str:
    """The schedule's role may invoke the reader function, nothing else."""
    return policy_document(
        [{"Sid": "InvokeDigest", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": function_arn}]
    )


def create_reader(
    receiver: CheckedReceiverArgs,
    *,
    parent: pulumi.Resource,
    bucket: aws.s3.Bucket,
    topic: aws.sns.Topic,
    account: pulumi.Input[str],
    workgroup: pulumi.Input[str] | None,
) -> Reader | None:
    """The reader function and its schedule as children of ``parent``; ``None`` when neither the
    digest nor ``analytics`` is on."""
    settings = receiver.settings
    if settings.digest == "off" and not settings.analytics:
        return None
    function = _reader_function(receiver, parent, bucket=bucket, topic=topic, workgroup=workgroup)
    metric_alarm(reader_alarm(receiver, function.name), topic, region=receiver.region, parent=parent)
    schedule = None
    if settings.digest != "off":
        schedule = _schedule(receiver, parent, function=function, account=account)
    return Reader(function=function, schedule=schedule)


def _reader_function(
    receiver: CheckedReceiverArgs,
    parent: pulumi.Resource,
    *,
    bucket: aws.s3.Bucket,
    topic: aws.sns.Topic,
    workgroup: pulumi.Input[str] | None,
) -> aws.lambda_.Function:
    name, region = receiver.name, receiver.region
    logs_name, logs_opts = named_child(LOG_GROUP, f"{name}-reader-logs", parent=parent)
    log_group = aws.cloudwatch.LogGroup(logs_name, retention_in_days=LOG_RETENTION_DAYS, region=region, opts=logs_opts)
    role_name, role_opts = named_child(IAM_ROLE, f"{name}-reader-role", parent=parent)
    role = aws.iam.Role(role_name, assume_role_policy=LAMBDA_ASSUME_ROLE_POLICY, opts=role_opts)
    write_table = receiver.settings.analytics
    arns = pulumi.Output.all(bucket_arn=bucket.arn, log_group_arn=log_group.arn, topic_arn=topic.arn)
    policy_name, policy_opts = named_child(IAM_POLICY, f"{name}-reader-access", parent=parent)
    role_policy = aws.iam.RolePolicy(
        policy_name,
        role=role.id,
        policy=arns.apply(lambda named: reader_access_document(**named, write_table=write_table)),
        opts=policy_opts,
    )
    environment: dict[str, pulumi.Input[str]] = {
        "BUCKET": bucket.bucket,
        "DOMAINS": ",".join(receiver.served),
        "TOPIC_ARN": topic.arn,
    }
    if workgroup is not None:
        environment["ANALYTICS_WORKGROUP"] = workgroup
    function_name, function_opts = named_child(
        LAMBDA_FUNCTION, f"{name}-reader", parent=parent, depends_on=[role_policy, log_group]
    )
    return aws.lambda_.Function(
        function_name,
        runtime=RUNTIME,
        handler=READER_HANDLER,
        code=_code(),
        role=role.arn,
        architectures=[ARCHITECTURE],
        memory_size=READER_MEMORY_MB,
        timeout=READER_TIMEOUT_SECONDS,
        environment={"variables": environment},
        logging_config={"log_format": "Text", "log_group": log_group.name},
        region=region,
        opts=function_opts,
    )


def _schedule(
    receiver: CheckedReceiverArgs,
    parent: pulumi.Resource,
    *,
    function: aws.lambda_.Function,
    account: pulumi.Input[str],
) -> aws.scheduler.Schedule:
    name = receiver.name
    role_name, role_opts = named_child(IAM_ROLE, f"{name}-digest-schedule-role", parent=parent)
    role = aws.iam.Role(
        role_name,
        assume_role_policy=pulumi.Output.from_input(account).apply(scheduler_assume_role_document),
        opts=role_opts,
    )
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
