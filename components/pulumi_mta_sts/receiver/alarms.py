"""Alarms to an SNS topic (with an optional e-mail subscription), on sustained conditions only.

Anyone can post to the endpoint or mail the mailbox, so every alarm counts over whole days and
fires when its condition held :data:`SUSTAINED_DAYS` days in a row, notifying once per episode.
Per served domain: failed sessions a day at the threshold, and silence. For the receiver: inputs
quarantined, function errors, dead letters. Silence treats missing data as ``missing`` (not
``breaching``, which would fire right after deploy): the alarm stays INSUFFICIENT_DATA until the
first report, and notifies when it goes back there. The topic is not KMS-encrypted: alarms cannot
publish to a topic under the AWS-managed SNS key. docs/receiver.md says all this to owners.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import CLOUDWATCH_ALARM, SNS_TOPIC
from pulumi_mta_sts.receiver_lambda.contract import Metric

from .args import CheckedReceiverArgs
from .function import ParserFunction
from .naming import named_child

__all__ = [
    "ERRORS_PER_DAY",
    "QUARANTINED_PER_DAY",
    "SUSTAINED_DAYS",
    "AlarmSpec",
    "create_alarms",
    "domain_alarms",
    "health_alarms",
    "metric_alarm",
    "reader_alarm",
]

DAY_SECONDS = 86400
#: Days in a row a condition must hold before an alarm fires (a day's junk never pages).
SUSTAINED_DAYS = 2
#: Quarantined inputs a day that count as trouble (real senders' reports failing to parse).
QUARANTINED_PER_DAY = 5
#: Function errors a day that count as trouble (one bad mail makes three: 2 retries).
ERRORS_PER_DAY = 5


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm over days: it fires at or above ``threshold``."""

    resource_name: str
    """The name the receiver has always given it (cut to fit, with an alias, where too long)."""
    description: str
    namespace: pulumi.Input[str]
    metric: str
    period: int = DAY_SECONDS
    threshold: int = 1
    statistic: str = "Sum"
    evaluation_periods: int = SUSTAINED_DAYS
    datapoints_to_alarm: int | None = SUSTAINED_DAYS
    dimensions: Mapping[str, pulumi.Input[str]] | None = None
    silence: bool = False
    """Fire under ``threshold``, and notify on INSUFFICIENT_DATA: no data is the condition watched."""


def create_alarms(receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, parser: ParserFunction) -> aws.sns.Topic:
    """Create the topic, its subscription (with ``alarm_email``) and every alarm; returns the topic."""
    child = pulumi.ResourceOptions(parent=parent)
    topic_name, topic_opts = named_child(SNS_TOPIC, f"{receiver.name}-alarms", parent=parent)
    topic = aws.sns.Topic(topic_name, region=receiver.region, opts=topic_opts)
    if receiver.alarm_email:
        aws.sns.TopicSubscription(
            f"{receiver.name}-alarms-email",
            topic=topic.arn,
            protocol="email",
            endpoint=receiver.alarm_email,
            region=receiver.region,
            opts=child,
        )
    specs = [spec for domain in receiver.served for spec in domain_alarms(receiver, domain)]
    for spec in [*specs, *health_alarms(receiver, parser)]:
        metric_alarm(spec, topic, region=receiver.region, parent=parent)
    return topic


def domain_alarms(receiver: CheckedReceiverArgs, domain: str) -> list[AlarmSpec]:
    """Failed sessions reaching the threshold in a day, and silence, for one policy domain."""
    settings, slug = receiver.settings, domain.replace(".", "-")
    per_domain = {Metric.POLICY_DOMAIN: domain}
    failed = AlarmSpec(
        f"{receiver.name}-failed-{slug}",
        f"TLS-RPT: failed TLS sessions to {domain} reached {settings.failed_sessions_threshold} a day "
        f"on {SUSTAINED_DAYS} days in a row",
        receiver.metric_namespace,
        Metric.FAILED_SESSIONS,
        dimensions=per_domain,
        threshold=settings.failed_sessions_threshold,
    )
    silent = AlarmSpec(
        f"{receiver.name}-silent-{slug}",
        f"TLS-RPT: no report about {domain} for {settings.silence_days} days "
        "(INSUFFICIENT_DATA; a broken receiver looks like a quiet one)",
        receiver.metric_namespace,
        Metric.REPORTS,
        dimensions=per_domain,
        evaluation_periods=settings.silence_days,
        datapoints_to_alarm=settings.silence_days,
        silence=True,
    )
    return [failed, silent]


def health_alarms(receiver: CheckedReceiverArgs, parser: ParserFunction) -> list[AlarmSpec]:
    """The receiver's own trouble: quarantined reports, function errors, dead letters."""
    name = receiver.name
    return [
        AlarmSpec(
            f"{name}-quarantined",
            f"TLS-RPT: {QUARANTINED_PER_DAY} or more inputs a day were quarantined (unparseable or about a "
            f"foreign domain) on {SUSTAINED_DAYS} days in a row",
            receiver.metric_namespace,
            Metric.QUARANTINED,
            threshold=QUARANTINED_PER_DAY,
        ),
        AlarmSpec(
            f"{name}-parser-errors",
            f"TLS-RPT: the parser function failed {ERRORS_PER_DAY} or more times a day "
            f"on {SUSTAINED_DAYS} days in a row",
            "AWS/Lambda",
            "Errors",
            dimensions={"FunctionName": parser.function.name},
            threshold=ERRORS_PER_DAY,
        ),
        AlarmSpec(
            f"{name}-dead-letters",
            f"TLS-RPT: mail the parser could not process has waited in the dead-letter queue for {SUSTAINED_DAYS} days",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": parser.dead_letters.name},
            statistic="Maximum",
        ),
    ]


def reader_alarm(receiver: CheckedReceiverArgs, function_name: pulumi.Input[str]) -> AlarmSpec:
    """The reader (weekly digest, backfill) failing. Only the schedule and the owner can invoke it,
    so nobody outside can make it fail: one error in a day is trouble (a digest that did not go)."""
    return AlarmSpec(
        f"{receiver.name}-reader-errors",
        "TLS-RPT: the reader function (weekly digest, backfill) failed; the digest may not have been sent",
        "AWS/Lambda",
        "Errors",
        dimensions={"FunctionName": function_name},
        evaluation_periods=1,
        datapoints_to_alarm=1,
    )


def metric_alarm(
    spec: AlarmSpec, topic: aws.sns.Topic, *, region: str, parent: pulumi.Resource
) -> aws.cloudwatch.MetricAlarm:
    """The CloudWatch alarm ``spec`` describes, notifying ``topic``."""
    actions = [topic.arn]
    logical, opts = named_child(CLOUDWATCH_ALARM, spec.resource_name, parent=parent)
    return aws.cloudwatch.MetricAlarm(
        logical,
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions=dict(spec.dimensions) if spec.dimensions else None,
        statistic=spec.statistic,
        period=spec.period,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        threshold=spec.threshold,
        comparison_operator="LessThanThreshold" if spec.silence else "GreaterThanOrEqualToThreshold",
        treat_missing_data="missing" if spec.silence else "notBreaching",
        alarm_actions=actions,
        insufficient_data_actions=actions if spec.silence else None,
        region=region,
        opts=opts,
    )
