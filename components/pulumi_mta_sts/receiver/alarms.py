"""Alarms to an SNS topic (with an optional e-mail subscription).

Per served domain: failed sessions in a day at or above the threshold, and silence (no report
for ``silence_days``; missing data counts as silence, since a broken receiver looks like a quiet
one). For the receiver itself: a quarantined report, function errors, dead letters waiting.

The topic is not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the
AWS-managed SNS key, and a customer key would cost more than the whole receiver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .args import CheckedReceiverArgs
from .function import ParserFunction

__all__ = ["AlarmSpec", "create_alarms", "domain_alarms", "health_alarms"]

DAY_SECONDS = 86400
HOUR_SECONDS = 3600
DEAD_LETTER_PERIOD_SECONDS = 300


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm: it fires at or above ``threshold`` (``below``: under it)."""

    resource_name: str
    description: str
    namespace: pulumi.Input[str]
    metric: str
    period: int
    threshold: int = 1
    statistic: str = "Sum"
    evaluation_periods: int = 1
    datapoints_to_alarm: int | None = None
    dimensions: Mapping[str, pulumi.Input[str]] | None = None
    below: bool = False
    """Fire when the metric is under ``threshold`` (silence) instead of at or above it."""
    missing_breaches: bool = False
    """Count periods without data as breaching (a dead receiver sends no data at all)."""
    notify_ok: bool = False
    """Also tell the topic when the alarm clears."""


def create_alarms(receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, parser: ParserFunction) -> aws.sns.Topic:
    """Create the topic, its subscription (with ``alarm_email``) and every alarm; returns the topic."""
    child = pulumi.ResourceOptions(parent=parent)
    topic = aws.sns.Topic(f"{receiver.name}-alarms", region=receiver.region, opts=child)
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
        _metric_alarm(spec, topic, region=receiver.region, opts=child)
    return topic


def domain_alarms(receiver: CheckedReceiverArgs, domain: str) -> list[AlarmSpec]:
    """Failed sessions reaching the threshold in a day, and silence, for one policy domain."""
    settings, slug = receiver.settings, domain.replace(".", "-")
    per_domain = {"PolicyDomain": domain}
    failed = AlarmSpec(
        f"{receiver.name}-failed-{slug}",
        f"TLS-RPT: failed TLS sessions to {domain} reached {settings.failed_sessions_threshold} in a day",
        receiver.metric_namespace,
        "FailedSessions",
        dimensions=per_domain,
        period=DAY_SECONDS,
        threshold=settings.failed_sessions_threshold,
        notify_ok=True,
    )
    silent = AlarmSpec(
        f"{receiver.name}-silent-{slug}",
        f"TLS-RPT: no report about {domain} for {settings.silence_days} days "
        "(a broken receiver looks like a quiet one)",
        receiver.metric_namespace,
        "Reports",
        dimensions=per_domain,
        period=DAY_SECONDS,
        evaluation_periods=settings.silence_days,
        datapoints_to_alarm=settings.silence_days,
        below=True,
        missing_breaches=True,
        notify_ok=True,
    )
    return [failed, silent]


def health_alarms(receiver: CheckedReceiverArgs, parser: ParserFunction) -> list[AlarmSpec]:
    """The receiver's own trouble: quarantined reports, function errors, dead letters."""
    name = receiver.name
    return [
        AlarmSpec(
            f"{name}-quarantined",
            "TLS-RPT: a report was quarantined (unparseable or about a foreign domain)",
            receiver.metric_namespace,
            "QuarantinedReports",
            period=HOUR_SECONDS,
        ),
        AlarmSpec(
            f"{name}-parser-errors",
            "TLS-RPT: the parser function failed",
            "AWS/Lambda",
            "Errors",
            dimensions={"FunctionName": parser.function.name},
            period=HOUR_SECONDS,
        ),
        AlarmSpec(
            f"{name}-dead-letters",
            "TLS-RPT: messages the parser could not process are waiting in the dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": parser.dead_letters.name},
            statistic="Maximum",
            period=DEAD_LETTER_PERIOD_SECONDS,
        ),
    ]


def _metric_alarm(
    spec: AlarmSpec, topic: aws.sns.Topic, *, region: str, opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    actions = [topic.arn]
    return aws.cloudwatch.MetricAlarm(
        spec.resource_name,
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions=dict(spec.dimensions) if spec.dimensions else None,
        statistic=spec.statistic,
        period=spec.period,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        threshold=spec.threshold,
        comparison_operator="LessThanThreshold" if spec.below else "GreaterThanOrEqualToThreshold",
        treat_missing_data="breaching" if spec.missing_breaches else "notBreaching",
        alarm_actions=actions,
        ok_actions=actions if spec.notify_ok else None,
        region=region,
        opts=opts,
    )
