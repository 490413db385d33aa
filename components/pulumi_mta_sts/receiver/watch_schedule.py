"""``ScheduledWatch`` (``mta-sts:index:ScheduledWatch``, docs/watch-scheduled.md): ``mta-sts watch --no-smtp`` for a
stack's domains on an EventBridge Scheduler schedule, as a Lambda function (outbound port 25 is closed
there; the TLS-RPT receiver's stored reports of the last day stand in for the STARTTLS probes).

Bounded: the function's timeout, a reserved concurrency of 1 (rounds never overlap), no retries of a
failed or throttled round (the next one comes), one notification per round, logs kept
:data:`~pulumi_mta_sts.core.defaults.LOG_RETENTION_DAYS`. Least privilege: the function may read and
write ``watch/`` of its bucket, list and read the receiver's ``reports/``, publish to its topic and
log; the schedule's role may invoke that one function. Private by default: without a receiver, the
state lives in a bucket of the toolkit's private kind (no public access, SSE-S3, TLS only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.spec.receiver_settings import alarm_email_problems
from pulumi_mta_sts.spec.watch_schedule import DEFAULT_SCHEDULE, schedule_problems

with provider_sdk("ScheduledWatch"):
    import pulumi
    import pulumi_aws as aws

from pulumi_mta_sts.core.defaults import LOG_RETENTION_DAYS
from pulumi_mta_sts.core.names import (
    CLOUDWATCH_ALARM,
    LAMBDA_FUNCTION,
    LOG_GROUP,
    S3_BUCKET,
    SNS_TOPIC,
    autoname_base,
)
from pulumi_mta_sts.hosting.private_bucket import BucketNames, private_bucket, tls_only_statement
from pulumi_mta_sts.receiver_lambda.contract import REPORTS_PREFIX, RUNTIME
from pulumi_mta_sts.watch_lambda.contract import STATE_KEY, WatchEnv

from .documents import (
    LAMBDA_ASSUME_ROLE_POLICY,
    policy_document,
    scheduler_access_document,
    scheduler_assume_role_document,
)
from .function import role_with_policy
from .naming import SCHEDULER_SCHEDULE, named_child
from .watch_archive import WATCH, watch_files

TYPE_TOKEN = "mta-sts:index:ScheduledWatch"
OUTPUTS = ("function_name", "schedule_name", "bucket_name", "topic_arn")
MEMORY_MB = 512
#: A round checks every domain concurrently (each fetch and query has its own timeout) and may list and
#: read the receiver's reports; Lambda allows 900.
TIMEOUT_SECONDS = 600
#: Lambda's own retries of a failed round, and how long a round waits for its turn: none, a quarter hour.
ASYNC_RETRIES = 0
ASYNC_MAX_EVENT_AGE_SECONDS = 900
#: Scheduler's retries of an invocation it could not deliver (0 to 185 allowed) and how long it tries.
SCHEDULE_RETRIES = 0
SCHEDULE_MAX_EVENT_AGE_SECONDS = 900
#: Failed rounds a day that page (through the topic, once: an alarm notifies when its state changes).
FAILED_ROUNDS_PER_DAY = 3


@dataclass(frozen=True)
class ScheduledWatchArgs:
    """Arguments of :class:`ScheduledWatch`: the ``domains`` to watch and the ``stack``'s ``mta-sts:``
    settings, checked (what ``mta-sts watch --stack`` compares live DNS with; JSON values); the ``schedule``
    (an EventBridge Scheduler ``rate(...)``/``cron(...)``, UTC); an ``alarm_email`` to subscribe to a
    topic of its own. With a TLS-RPT receiver, its ``receiver_bucket`` (name: the state object goes
    under ``watch/``, the round reads ``reports/``) and ``receiver_topic`` (ARN: notifications go there,
    and no topic of its own is made); ``region``: the receiver's (``None``: the provider's)."""

    domains: Sequence[str]
    stack: Mapping[str, Any] = field(default_factory=dict)
    schedule: str = DEFAULT_SCHEDULE
    alarm_email: str | None = None
    receiver_bucket: pulumi.Input[str] | None = None
    receiver_topic: pulumi.Input[str] | None = None
    region: str | None = None


def check_watch_args(args: ScheduledWatchArgs) -> tuple[str, ...]:
    """The normalised domains, or :class:`InputError` naming every wrong field (before anything registers)."""
    problems: list[Problem] = []
    domains: list[str] = []
    if isinstance(args.domains, str) or not args.domains:
        problems.append(Problem("domains", args.domains, "must be a non-empty list of domains, e.g. ['example.com']"))
    else:
        for index, domain in enumerate(args.domains):
            normal, found = normalize_hostname(domain, f"domains[{index}]")
            problems += found
            domains += [normal] if normal else []
    problems += schedule_problems(args.schedule)
    problems += alarm_email_problems(args.alarm_email)
    if not isinstance(args.stack, Mapping):
        problems.append(Problem("stack", "(settings)", "must be the stack's mta-sts: settings, as a mapping"))
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(domains))


class ScheduledWatch(pulumi.ComponentResource):
    """The scheduled watcher: function, schedule, state (an S3 object) and notifications (SNS).
    Outputs: :data:`OUTPUTS`."""

    def __init__(self, name: str, args: ScheduledWatchArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        domains = check_watch_args(args)  # before registering: a mistake registers nothing
        super().__init__(TYPE_TOKEN, name, None, opts)
        region, child = args.region, pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        if args.receiver_bucket is None:
            bucket = _own_bucket(name, region, self)
            self.bucket_name, bucket_arn = bucket.bucket, bucket.arn
        else:  # the receiver's bucket, in the partition the receiver is built for (receiver/inbound.py)
            self.bucket_name = pulumi.Output.from_input(args.receiver_bucket)
            bucket_arn = pulumi.Output.concat("arn:aws:s3:::", self.bucket_name)
        self.topic_arn = pulumi.Output.from_input(
            args.receiver_topic or _own_topic(name, args.alarm_email, region, self)
        )
        arns = pulumi.Output.all(bucket=bucket_arn, topic=self.topic_arn)
        function = _function(name, args, domains, Targets(self.bucket_name, self.topic_arn, arns), self)
        self.function_name = function.name
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=function.name,
            maximum_retry_attempts=ASYNC_RETRIES,
            maximum_event_age_in_seconds=ASYNC_MAX_EVENT_AGE_SECONDS,
            region=region,
            opts=child,
        )
        _failure_alarm(name, function, self.topic_arn, region, self)
        self.schedule_name = _schedule(name, args, domains, function, identity.account_id, self)
        self.register_outputs({output: getattr(self, output) for output in OUTPUTS})


def _own_bucket(name: str, region: str | None, parent: pulumi.Resource) -> aws.s3.Bucket:
    """A private bucket for the state (``force_destroy``: it holds nothing a new round cannot rebuild)."""
    names = BucketNames.around(autoname_base(S3_BUCKET, name, "state"), f"{name}-state")
    private = private_bucket(names, parent=parent, region=region, force_destroy=True)
    aws.s3.BucketPolicy(
        f"{name}-state-policy",
        bucket=private.bucket.id,
        policy=private.bucket.arn.apply(lambda arn: policy_document([tls_only_statement(arn, "TlsOnly")])),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.public_access]),
    )
    return private.bucket


def _own_topic(name: str, email: str | None, region: str | None, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A topic of its own, and ``email`` subscribed to it (confirmed by mail)."""
    topic_name, topic_opts = named_child(SNS_TOPIC, f"{name}-notices", parent=parent)
    topic = aws.sns.Topic(topic_name, region=region, opts=topic_opts)
    if email:
        aws.sns.TopicSubscription(
            f"{name}-notices-email",
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            region=region,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return topic.arn


def access_document(*, bucket_arn: str, topic_arn: str, log_group_arn: str, reports: bool) -> str:
    """The function's grants: its one state object (and listing its key: a first round tells "none yet"
    from "not allowed"), the receiver's ``reports/`` (``reports``), the topic, its logs."""
    state = f"{bucket_arn}/{STATE_KEY}"
    listed = [STATE_KEY, *([f"{REPORTS_PREFIX}*"] if reports else [])]
    statements: list[dict[str, Any]] = [
        {"Sid": "State", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": state},
        {"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:*",
        },
    ]
    listing = {"StringLike": {"s3:prefix": listed}}
    statements.append(
        {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn, "Condition": listing}
    )
    if reports:
        statements += [
            {
                "Sid": "ReadReports",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn}/{REPORTS_PREFIX}*",
            },
        ]
    return policy_document(statements)


@dataclass(frozen=True)
class Targets:
    """Where the function keeps its state (a bucket name) and sends its notices (a topic ARN), with their ARNs."""

    bucket_name: pulumi.Input[str]
    topic_arn: pulumi.Input[str]
    arns: pulumi.Output[dict[str, str]]


def _function(
    name: str, args: ScheduledWatchArgs, domains: tuple[str, ...], targets: Targets, parent: pulumi.Resource
) -> aws.lambda_.Function:
    """The function, its log group, role and the role's one policy."""
    region, reports = args.region, args.receiver_bucket is not None
    logs_name, logs_opts = named_child(LOG_GROUP, f"{name}-logs", parent=parent)
    log_group = aws.cloudwatch.LogGroup(logs_name, retention_in_days=LOG_RETENTION_DAYS, region=region, opts=logs_opts)
    access = pulumi.Output.all(targets.arns, log_group.arn).apply(
        lambda v: access_document(
            bucket_arn=v[0]["bucket"], topic_arn=v[0]["topic"], log_group_arn=v[1], reports=reports
        )
    )
    role, role_policy = role_with_policy(name, LAMBDA_ASSUME_ROLE_POLICY, access, parent)
    function_name, function_opts = named_child(
        LAMBDA_FUNCTION, name, parent=parent, depends_on=[role_policy, log_group]
    )
    files = watch_files(args.stack, domains)
    variables: dict[str, pulumi.Input[str]] = {
        WatchEnv.BUCKET: targets.bucket_name,
        WatchEnv.TOPIC_ARN: targets.topic_arn,
        WatchEnv.NAME: name,
        **({WatchEnv.REPORTS_BUCKET: args.receiver_bucket} if args.receiver_bucket is not None else {}),
    }
    return aws.lambda_.Function(
        function_name,
        runtime=RUNTIME,
        handler=WATCH.handler,
        code=pulumi.AssetArchive({path: pulumi.StringAsset(text.decode()) for path, text in sorted(files.items())}),
        role=role.arn,
        architectures=["arm64"],
        memory_size=MEMORY_MB,
        timeout=TIMEOUT_SECONDS,
        reserved_concurrent_executions=1,
        environment={"variables": variables},
        logging_config={"log_format": "Text", "log_group": log_group.name},
        region=region,
        opts=function_opts,
    )


def _failure_alarm(
    name: str, function: aws.lambda_.Function, topic_arn: pulumi.Input[str], region: str | None, parent: pulumi.Resource
) -> None:
    """The watcher failing :data:`FAILED_ROUNDS_PER_DAY` times in a day: one alarm, said when it changes state."""
    logical, opts = named_child(CLOUDWATCH_ALARM, f"{name}-errors", parent=parent)
    aws.cloudwatch.MetricAlarm(
        logical,
        alarm_description=f"mta-sts watch: the watcher failed {FAILED_ROUNDS_PER_DAY} or more times in a day",
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": function.name},
        statistic="Sum",
        period=86400,
        evaluation_periods=1,
        threshold=FAILED_ROUNDS_PER_DAY,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        region=region,
        opts=opts,
    )


def _schedule(
    name: str,
    args: ScheduledWatchArgs,
    domains: tuple[str, ...],
    function: aws.lambda_.Function,
    account: pulumi.Input[str],
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """The schedule and its role (only Scheduler acting for ``account`` assumes it; it invokes the function)."""
    trust = pulumi.Output.from_input(account).apply(scheduler_assume_role_document)
    role, role_policy = role_with_policy(
        f"{name}-schedule",
        trust,
        function.arn.apply(lambda arn: scheduler_access_document(function_arn=arn, sid="InvokeWatch")),
        parent,
    )
    schedule_name, schedule_opts = named_child(SCHEDULER_SCHEDULE, name, parent=parent, depends_on=[role_policy])
    shown = ", ".join(domains[:3]) + (f" and {len(domains) - 3} more" if len(domains) > 3 else "")
    schedule = aws.scheduler.Schedule(
        schedule_name,
        description=f"mta-sts watch of {shown} (pulumi-mta-sts)"[:512],
        schedule_expression=args.schedule,
        schedule_expression_timezone="UTC",
        flexible_time_window={"mode": "OFF"},
        target={
            "arn": function.arn,
            "role_arn": role.arn,
            "input": "{}",
            "retry_policy": {
                "maximum_retry_attempts": SCHEDULE_RETRIES,
                "maximum_event_age_in_seconds": SCHEDULE_MAX_EVENT_AGE_SECONDS,
            },
        },
        region=args.region,
        opts=schedule_opts,
    )
    return schedule.name
