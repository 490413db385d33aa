"""The parser function: its role, grants, log group, dead-letter queue and the Lambda itself.

The function ships the handler and the pure report parser only
(:mod:`pulumi_mta_sts.receiver.archive`). Its role may do what
:func:`~pulumi_mta_sts.receiver.documents.parser_access_document` lists and nothing more.
Every autonamed resource gets a logical name that still fits its provider's limit once Pulumi
adds its random suffix (:func:`~.naming.named_child`: today's names where they fit, an alias
where a name had to change, so nothing deployed is replaced). With ``reserved_concurrency``
the function reserves that many instances (optional: see :class:`~.args.EndpointBound`).
Asynchronous invocations (from SES) that failed :data:`ASYNC_RETRIES` retries, or waited longer than
:data:`ASYNC_MAX_EVENT_AGE_SECONDS`, go to an encrypted SQS queue kept for the SQS maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.defaults import DLQ_RETENTION_SECONDS, LOG_RETENTION_DAYS
from pulumi_mta_sts.core.names import IAM_POLICY, IAM_ROLE, LAMBDA_FUNCTION, LOG_GROUP, SQS_QUEUE
from pulumi_mta_sts.receiver_lambda.handler import DEFAULT_RAW_EMAIL_PREFIX

from .archive import HANDLER, RUNTIME, archive_files
from .args import CheckedReceiverArgs
from .documents import LAMBDA_ASSUME_ROLE_POLICY, parser_access_document
from .naming import named_child

__all__ = ["ParserFunction", "create_parser_function"]

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


def create_parser_function(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, bucket: aws.s3.Bucket
) -> ParserFunction:
    """Create the function that parses what lands in ``bucket``, as a child of ``parent``."""
    name, region = receiver.name, receiver.region
    queue_name, queue_opts = named_child(SQS_QUEUE, f"{name}-dead-letters", parent=parent)
    dead_letters = aws.sqs.Queue(
        queue_name,
        sqs_managed_sse_enabled=True,
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        region=region,
        opts=queue_opts,
    )
    logs_name, logs_opts = named_child(LOG_GROUP, f"{name}-parser-logs", parent=parent)
    log_group = aws.cloudwatch.LogGroup(logs_name, retention_in_days=LOG_RETENTION_DAYS, region=region, opts=logs_opts)
    write_table = receiver.settings.analytics
    role, role_policy = _parser_role(
        name, parent, bucket=bucket, log_group=log_group, dead_letters=dead_letters, write_table=write_table
    )
    function_name, function_opts = named_child(
        LAMBDA_FUNCTION, f"{name}-parser", parent=parent, depends_on=[role_policy, log_group]
    )
    function = aws.lambda_.Function(
        function_name,
        runtime=RUNTIME,
        handler=HANDLER,
        code=_code(),
        role=role.arn,
        architectures=[ARCHITECTURE],
        memory_size=MEMORY_MB,
        timeout=TIMEOUT_SECONDS,
        reserved_concurrent_executions=receiver.bound.reserved_concurrency,
        environment={"variables": _environment(receiver, bucket)},
        logging_config={"log_format": "Text", "log_group": log_group.name},
        region=region,
        opts=function_opts,
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


def _parser_role(
    name: str,
    parent: pulumi.Resource,
    *,
    bucket: aws.s3.Bucket,
    log_group: aws.cloudwatch.LogGroup,
    dead_letters: aws.sqs.Queue,
    write_table: bool = False,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The function's role and its one inline policy, naming each ARN it may touch."""
    role_name, role_opts = named_child(IAM_ROLE, f"{name}-parser-role", parent=parent)
    role = aws.iam.Role(role_name, assume_role_policy=LAMBDA_ASSUME_ROLE_POLICY, opts=role_opts)
    arns = pulumi.Output.all(bucket_arn=bucket.arn, log_group_arn=log_group.arn, queue_arn=dead_letters.arn)
    policy_name, policy_opts = named_child(IAM_POLICY, f"{name}-parser-access", parent=parent)
    role_policy = aws.iam.RolePolicy(
        policy_name,
        role=role.id,
        policy=arns.apply(lambda named: parser_access_document(**named, write_table=write_table)),
        opts=policy_opts,
    )
    return role, role_policy


def _code() -> pulumi.AssetArchive:
    """The deployment package: the handler and the parser, as text assets (stable hashes)."""
    return pulumi.AssetArchive(
        {path: pulumi.StringAsset(content.decode("utf-8")) for path, content in archive_files().items()}
    )


def _environment(receiver: CheckedReceiverArgs, bucket: aws.s3.Bucket) -> dict[str, pulumi.Input[str]]:
    """What the handler reads from its environment (see ``receiver_lambda.handler``)."""
    return {
        "BUCKET": bucket.bucket,
        "DOMAINS": ",".join(receiver.served),
        "METRIC_NAMESPACE": receiver.metric_namespace,
        "MAX_BODY_BYTES": str(receiver.settings.max_body_bytes),
        "RAW_EMAIL_PREFIX": DEFAULT_RAW_EMAIL_PREFIX,
        **({"WRITE_TABLE": "true"} if receiver.settings.analytics else {}),
    }
