"""The receiver's Lambda functions, each with its log group, role and one inline policy; the parser's
dead-letter queue (asynchronous invocations that failed :data:`ASYNC_RETRIES` retries or waited
:data:`ASYNC_MAX_EVENT_AGE_SECONDS`).
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

from .archive import PARSER, FunctionCode
from .args import CheckedReceiverArgs
from .documents import LAMBDA_ASSUME_ROLE_POLICY, parser_access_document
from .naming import named_child

ARCHITECTURE = "arm64"
MEMORY_MB = 256
TIMEOUT_SECONDS = 60
ASYNC_RETRIES = 2
ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class ParserFunction:
    """The function and the queue its failed invocations land in (both are alarmed on)."""

    function: aws.lambda_.Function
    dead_letters: aws.sqs.Queue


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
    ``arns``, ``bucket_arn`` and ``log_group_arn``), as children of ``parent``. Its environment:
    ``BUCKET`` and ``DOMAINS``, which both functions read, and ``environment``."""
    name, region = f"{receiver.name}-{code.name}", receiver.region
    logs_name, logs_opts = named_child(LOG_GROUP, f"{name}-logs", parent=parent)
    log_group = aws.cloudwatch.LogGroup(logs_name, retention_in_days=LOG_RETENTION_DAYS, region=region, opts=logs_opts)
    role_name, role_opts = named_child(IAM_ROLE, f"{name}-role", parent=parent)
    role = aws.iam.Role(role_name, assume_role_policy=LAMBDA_ASSUME_ROLE_POLICY, opts=role_opts)
    named_arns = pulumi.Output.all(**arns, bucket_arn=bucket.arn, log_group_arn=log_group.arn)
    policy_name, policy_opts = named_child(IAM_POLICY, f"{name}-access", parent=parent)
    policy = named_arns.apply(lambda named: access(**named))
    role_policy = aws.iam.RolePolicy(policy_name, role=role.id, policy=policy, opts=policy_opts)
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
        architectures=[ARCHITECTURE],
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
        reserved_concurrency=receiver.bound.reserved_concurrency,
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
