"""Alarms to an SNS topic, on sustained conditions only: anyone can post or mail junk, so every
alarm counts whole days and fires when its condition held :data:`SUSTAINED_DAYS` days in a row.
Silence treats missing data as ``missing`` (``breaching`` would fire right after deploy) and
notifies on INSUFFICIENT_DATA. No KMS: alarms cannot publish under the AWS-managed SNS key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import CLOUDWATCH_ALARM, SNS_TOPIC
from pulumi_mta_sts.receiver_lambda.contract import Metric

from .args import CheckedReceiverArgs
from .naming import named_child

if TYPE_CHECKING:
    from .function import ParserFunction

DAY_SECONDS = 86400
#: Days in a row a condition must hold before an alarm fires (a day's junk never pages).
SUSTAINED_DAYS = 2
#: Quarantined inputs a day that count as trouble (real senders' reports failing to parse).
QUARANTINED_PER_DAY = 5
#: Function errors a day that count as trouble (one bad mail makes three: 2 retries).
ERRORS_PER_DAY = 5


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm over whole days: it fires at or above ``threshold`` on ``days`` days
    (``silence``: under it, and on INSUFFICIENT_DATA: no data is the condition watched)."""

    resource_name: str
    description: str
    namespace: pulumi.Input[str]
    metric: str
    dimensions: Mapping[str, pulumi.Input[str]] | None = None
    threshold: int = 1
    statistic: str = "Sum"
    days: int = SUSTAINED_DAYS
    silence: bool = False


def create_alarms(receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, parser: ParserFunction) -> aws.sns.Topic:
    """The topic, its subscription (with ``alarm_email``) and every alarm; returns the topic."""
    topic_name, topic_opts = named_child(SNS_TOPIC, f"{receiver.name}-alarms", parent=parent)
    topic = aws.sns.Topic(topic_name, region=receiver.region, opts=topic_opts)
    if receiver.alarm_email:
        aws.sns.TopicSubscription(
            f"{receiver.name}-alarms-email",
            topic=topic.arn,
            protocol="email",
            endpoint=receiver.alarm_email,
            region=receiver.region,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    specs = [spec for domain in receiver.served for spec in _domain_alarms(receiver, domain)]
    for spec in [*specs, *_health_alarms(receiver, parser)]:
        metric_alarm(spec, topic, region=receiver.region, parent=parent)
    return topic


def _domain_alarms(receiver: CheckedReceiverArgs, domain: str) -> list[AlarmSpec]:
    """Failed sessions reaching the threshold in a day, and silence, for one policy domain."""
    name, slug, namespace = receiver.name, domain.replace(".", "-"), receiver.metric_namespace
    threshold, silence = receiver.settings.failed_sessions_threshold, receiver.settings.silence_days
    per_domain = {Metric.POLICY_DOMAIN: domain}
    failed = f"TLS-RPT: failed TLS sessions to {domain} reached {threshold} a day on {SUSTAINED_DAYS} days in a row"
    silent = (
        f"TLS-RPT: no report about {domain} for {silence} days "
        "(INSUFFICIENT_DATA; a broken receiver looks like a quiet one)"
    )
    return [
        AlarmSpec(f"{name}-failed-{slug}", failed, namespace, Metric.FAILED_SESSIONS, per_domain, threshold),
        AlarmSpec(f"{name}-silent-{slug}", silent, namespace, Metric.REPORTS, per_domain, days=silence, silence=True),
    ]


def _health_alarms(receiver: CheckedReceiverArgs, parser: ParserFunction) -> list[AlarmSpec]:
    """The receiver's own trouble: quarantined reports, function errors, dead letters."""
    name, in_a_row, namespace = receiver.name, f"on {SUSTAINED_DAYS} days in a row", receiver.metric_namespace
    quarantined = (
        f"TLS-RPT: {QUARANTINED_PER_DAY} or more inputs a day were quarantined "
        f"(unparseable or about a foreign domain) {in_a_row}"
    )
    errors = f"TLS-RPT: the parser function failed {ERRORS_PER_DAY} or more times a day {in_a_row}"
    dead = f"TLS-RPT: mail the parser could not process has waited in the dead-letter queue for {SUSTAINED_DAYS} days"
    function, queue = {"FunctionName": parser.function.name}, {"QueueName": parser.dead_letters.name}
    waiting = "ApproximateNumberOfMessagesVisible"
    return [
        AlarmSpec(f"{name}-quarantined", quarantined, namespace, Metric.QUARANTINED, None, QUARANTINED_PER_DAY),
        AlarmSpec(f"{name}-parser-errors", errors, "AWS/Lambda", "Errors", function, ERRORS_PER_DAY),
        AlarmSpec(f"{name}-dead-letters", dead, "AWS/SQS", waiting, queue, statistic="Maximum"),
    ]


def reader_alarm(receiver: CheckedReceiverArgs, function_name: pulumi.Input[str]) -> AlarmSpec:
    """The reader failing: only the schedule and the owner invoke it, so one error is a lost digest."""
    description = "TLS-RPT: the reader function (weekly digest, backfill) failed; the digest may not have been sent"
    return AlarmSpec(
        f"{receiver.name}-reader-errors", description, "AWS/Lambda", "Errors", {"FunctionName": function_name}, days=1
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
        period=DAY_SECONDS,
        evaluation_periods=spec.days,
        datapoints_to_alarm=spec.days,
        threshold=spec.threshold,
        comparison_operator="LessThanThreshold" if spec.silence else "GreaterThanOrEqualToThreshold",
        treat_missing_data="missing" if spec.silence else "notBreaching",
        alarm_actions=actions,
        insufficient_data_actions=actions if spec.silence else None,
        region=region,
        opts=opts,
    )
