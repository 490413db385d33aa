"""The receiver's Lambda functions, each with its log group, role and one inline policy.

The parser has a dead-letter queue (asynchronous invocations that failed :data:`ASYNC_RETRIES`
retries or waited :data:`ASYNC_MAX_EVENT_AGE_SECONDS`). The reader (weekly digest, backfill) is
private: nothing public can invoke it, and the parser gets none of its grants. Its schedule is an
EventBridge Scheduler schedule (AWS calls scheduled EventBridge rules legacy:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html), whose
role only Scheduler acting for this account may assume.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.defaults import DLQ_RETENTION_SECONDS, LOG_RETENTION_DAYS
from pulumi_mta_sts.core.names import IAM_POLICY, IAM_ROLE, LAMBDA_FUNCTION, LOG_GROUP, SQS_QUEUE
from pulumi_mta_sts.receiver_lambda.contract import RAW_EMAIL_PREFIX, RUNTIME, Env

from .alarms import metric_alarm, reader_alarm
from .archive import PARSER, READER, FunctionCode
from .args import CheckedReceiverArgs
from .documents import (
    LAMBDA_ASSUME_ROLE_POLICY,
    parser_access_document,
    reader_access_document,
    scheduler_access_document,
    scheduler_assume_role_document,
)
from .naming import SCHEDULER_SCHEDULE, named_child

MEMORY_MB = 256
TIMEOUT_SECONDS = 60
ASYNC_RETRIES = 2
ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 3600

#: The hour (UTC) the digest goes out on its day.
DIGEST_HOUR_UTC = 6
READER_MEMORY_MB = 512
#: Reading 5,000 reports one GET at a time takes minutes; Lambda allows 15.
READER_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class ParserFunction:
    """The function and the queue its failed invocations land in (both are alarmed on)."""

    function: aws.lambda_.Function
    dead_letters: aws.sqs.Queue


def role_with_policy(
    base: str, trust: pulumi.Input[str], access: pulumi.Input[str], parent: pulumi.Resource
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """``<base>-role``, assumed as ``trust`` allows, and its one inline policy ``<base>-access``."""
    role_name, role_opts = named_child(IAM_ROLE, f"{base}-role", parent=parent)
    role = aws.iam.Role(role_name, assume_role_policy=trust, opts=role_opts)
    policy_name, policy_opts = named_child(IAM_POLICY, f"{base}-access", parent=parent)
    return role, aws.iam.RolePolicy(policy_name, role=role.id, policy=access, opts=policy_opts)


def lambda_function(
    receiver: CheckedReceiverArgs,
    parent: pulumi.Resource,
    bucket: aws.s3.Bucket,
    code: FunctionCode,
    *,
    memory_mb: int,
    timeout_seconds: int,
    environment: Mapping[str, pulumi.Input[str]],
    access: Callable[..., str],
    arns: Mapping[str, pulumi.Input[str]],
    reserved_concurrency: int | None = None,
) -> tuple[aws.lambda_.Function, aws.iam.RolePolicy]:
    """The function running ``code``, its log group, role and the role's one policy (``access`` of
    ``arns``, ``bucket_arn`` and ``log_group_arn``); ``environment`` beside ``BUCKET`` and ``DOMAINS``."""
    name, region = f"{receiver.name}-{code.name}", receiver.region
    logs_name, logs_opts = named_child(LOG_GROUP, f"{name}-logs", parent=parent)
    log_group = aws.cloudwatch.LogGroup(logs_name, retention_in_days=LOG_RETENTION_DAYS, region=region, opts=logs_opts)
    named_arns = pulumi.Output.all(**arns, bucket_arn=bucket.arn, log_group_arn=log_group.arn)
    policy = named_arns.apply(lambda named: access(**named))
    role, role_policy = role_with_policy(name, LAMBDA_ASSUME_ROLE_POLICY, policy, parent)
    function_name, function_opts = named_child(
        LAMBDA_FUNCTION, name, parent=parent, depends_on=[role_policy, log_group]
    )
    variables = {Env.BUCKET: bucket.bucket, Env.DOMAINS: ",".join(receiver.served), **environment}
    function = aws.lambda_.Function(
        function_name,
        runtime=RUNTIME,
        handler=code.handler,
        code=pulumi.AssetArchive({path: pulumi.StringAsset(text.decode()) for path, text in code.files().items()}),
        role=role.arn,
        architectures=["arm64"],
        memory_size=memory_mb,
        timeout=timeout_seconds,
        reserved_concurrent_executions=reserved_concurrency,
        environment={"variables": variables},
        logging_config={"log_format": "Text", "log_group": log_group.name},
        region=region,
        opts=function_opts,
    )
    return function, role_policy


def create_parser_function(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, bucket: aws.s3.Bucket
) -> ParserFunction:
    """The function that parses what lands in ``bucket``, and its dead-letter queue."""
    name, region, analytics = receiver.name, receiver.region, receiver.settings.analytics
    queue_name, queue_opts = named_child(SQS_QUEUE, f"{name}-dead-letters", parent=parent)
    dead_letters = aws.sqs.Queue(
        queue_name,
        sqs_managed_sse_enabled=True,
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        region=region,
        opts=queue_opts,
    )
    environment: dict[str, pulumi.Input[str]] = {
        Env.METRIC_NAMESPACE: receiver.metric_namespace,
        Env.MAX_BODY_BYTES: str(receiver.settings.max_body_bytes),
        Env.RAW_EMAIL_PREFIX: RAW_EMAIL_PREFIX,
        **({Env.WRITE_TABLE: "true"} if analytics else {}),
    }
    function, role_policy = lambda_function(
        receiver,
        parent,
        bucket,
        PARSER,
        memory_mb=MEMORY_MB,
        timeout_seconds=TIMEOUT_SECONDS,
        environment=environment,
        access=functools.partial(parser_access_document, write_table=analytics),
        arns={"queue_arn": dead_letters.arn},
        reserved_concurrency=receiver.settings.reserved_concurrency,
    )
    aws.lambda_.FunctionEventInvokeConfig(
        f"{name}-parser-async",
        function_name=function.name,
        maximum_retry_attempts=ASYNC_RETRIES,
        maximum_event_age_in_seconds=ASYNC_MAX_EVENT_AGE_SECONDS,
        destination_config={"on_failure": {"destination": dead_letters.arn}},
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[role_policy]),
    )
    return ParserFunction(function=function, dead_letters=dead_letters)


def schedule_expression(day: str) -> str:
    """Scheduler's cron (minutes, hours, day of month, month, weekday, year) for ``day`` (``monday`` ...)."""
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
    """The reader function, its alarm and its schedule; ``None`` without the digest and ``analytics``."""
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
    if settings.digest == "off":
        return function
    trust = pulumi.Output.from_input(account).apply(scheduler_assume_role_document)
    access = function.arn.apply(lambda arn: scheduler_access_document(function_arn=arn))
    role, role_policy = role_with_policy(f"{receiver.name}-digest-schedule", trust, access, parent)
    schedule_name, schedule_opts = named_child(
        SCHEDULER_SCHEDULE, f"{receiver.name}-digest", parent=parent, depends_on=[role_policy]
    )
    aws.scheduler.Schedule(
        schedule_name,
        description=f"Weekly TLS-RPT digest for {', '.join(receiver.served)} (pulumi-mta-sts)",
        schedule_expression=schedule_expression(settings.digest),
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
    return function
