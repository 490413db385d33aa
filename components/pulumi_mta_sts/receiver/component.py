"""``TlsRptReceiver`` (``mta-sts:receiver:TlsRptReceiver``): receive, keep and watch TLS-RPT reports.

What it deploys, all in one AWS region where SES receives mail:

- **By email**: an SES domain identity for a dedicated subdomain (default ``tlsrpt.<domain>``,
  never the apex: an MX on the apex would take the domain's real mail), its verification TXT and
  its MX to ``inbound-smtp.<region>.amazonaws.com`` (through the project's DNS backend), and a
  receipt rule for ``<mailbox>@<subdomain>`` that first stores the raw message in S3
  (``raw/email/``) and then invokes the parser Lambda asynchronously.
  SES has ONE active receipt rule set per account and region; activating another silently
  deactivates the account's current one (and whatever mail flows it carries). So by default the
  rule is added to an existing active rule set given by name; a rule set is only created and
  activated when ``create_rule_set`` is set.
- **By HTTPS**: a Lambda function URL (public, as RFC 8460 senders need) accepting ``POST``
  ``application/tlsrpt+gzip`` / ``+json``; its URL is added to :attr:`TlsRptReceiver.rua`.
- **Storage**: one private (public access blocked, bucket-owner-enforced), encrypted (SSE-S3),
  versioned bucket with ``raw/``, ``reports/`` and ``quarantine/``; lifecycle rules expire
  ``raw/`` and ``quarantine/`` after the configured days and old versions after 30 days.
- **Function**: the handler + the pure parser only (:mod:`pulumi_mta_sts.receiver.archive`);
  its role may read ``raw/``, write ``raw/https/``, ``reports/`` and ``quarantine/`` of this
  bucket, write its own log group (metrics go out as embedded metric format log lines) and
  send to its dead-letter queue, nothing more. Failed asynchronous invocations (after 2 retries)
  go to an encrypted SQS queue.
- **Alarms** to an SNS topic (optional e-mail subscription): per domain, failed sessions in a
  day ≥ threshold, and silence (no report for N days; missing data counts as silence, since a
  broken receiver looks like a quiet one); quarantined reports; function errors; dead letters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.config.receiver import (
    ReceiverSettings,
    check_receiver_settings,
    inbound_mx_value,
    mailto_rua,
    reports_subdomain,
)
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.records import tlsrpt_record_name, tlsrpt_record_value
from pulumi_mta_sts.dns.backends import DnsBackend
from pulumi_mta_sts.receiver_lambda.handler import DEFAULT_NAMESPACE, DEFAULT_RAW_EMAIL_PREFIX

from .archive import HANDLER, RUNTIME, archive_files

__all__ = ["TlsRptReceiver", "TlsRptReceiverArgs"]

LOG_RETENTION_DAYS = 90
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class TlsRptReceiverArgs:
    """Arguments of :class:`TlsRptReceiver`."""

    domain: str
    """The policy domain whose reports are received (e.g. ``example.com``); the reports
    subdomain is created under it."""
    dns: DnsBackend
    """Where the subdomain's MX and SES verification TXT are published (its zone must contain
    the subdomain)."""
    settings: ReceiverSettings = field(default_factory=ReceiverSettings)
    """Region, subdomain, rule set, thresholds, retention, body cap (see :class:`ReceiverSettings`)."""
    alarm_email: str | None = None
    """Subscribe this address to the alarm topic (the subscription must be confirmed by mail)."""
    extra_domains: Sequence[str] = ()
    """Other policy domains whose reports this receiver also counts (all others are quarantined
    as foreign)."""
    metric_namespace: str = DEFAULT_NAMESPACE
    """CloudWatch namespace of the report metrics."""


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


class TlsRptReceiver(pulumi.ComponentResource):
    """The TLS-RPT receiver: SES inbound mail + HTTPS endpoint → Lambda parser → S3, with alarms.

    Outputs: :attr:`rua` (the ``mailto:`` and, when enabled, ``https:`` URIs to publish in the
    ``_smtp._tls`` record), :attr:`bucket_name`, :attr:`topic_arn`, :attr:`function_url`,
    :attr:`mailbox`.
    """

    rua: pulumi.Output[list[str]]
    domain: str
    bucket_name: pulumi.Output[str]
    topic_arn: pulumi.Output[str]
    function_url: pulumi.Output[str] | None
    mailbox: str

    def __init__(self, name: str, args: TlsRptReceiverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mta-sts:receiver:TlsRptReceiver", name, None, opts)
        domain, problems = normalize_hostname(args.domain, "domain")
        if domain is not None:
            problems = problems + check_receiver_settings(domain, args.settings)
        served: list[str] = [domain] if domain else []
        for index, extra in enumerate(args.extra_domains):
            normal, extra_problems = normalize_hostname(extra, f"extra_domains[{index}]")
            problems = problems + extra_problems
            if normal:
                served.append(normal)
        if problems or domain is None:
            raise InputError(problems or [Problem("domain", args.domain, "is required")])
        s = args.settings
        region = s.region
        subdomain = reports_subdomain(domain, s)
        self.mailbox = f"{s.mailbox}@{subdomain}"
        child = pulumi.ResourceOptions(parent=self)

        def opts_with(**kwargs: Any) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(**kwargs))

        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        rule_set = s.effective_rule_set_name
        rule_name = f"{name}-tlsrpt"[:64]
        rule_arn = pulumi.Output.concat(
            "arn:aws:ses:", region, ":", account, ":receipt-rule-set/", rule_set, ":receipt-rule/", rule_name
        )

        # ---- storage ------------------------------------------------------------------------
        bucket = aws.s3.Bucket(f"{name}-reports", force_destroy=False, region=region, opts=child)
        public_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-reports-private",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            region=region,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-reports-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            region=region,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-reports-encryption",
            bucket=bucket.id,
            rules=[
                {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}
            ],
            region=region,
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-reports-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            region=region,
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-reports-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "raw-retention",
                    "status": "Enabled",
                    "filter": {"prefix": "raw/"},
                    "expiration": {"days": s.raw_retention_days},
                },
                {
                    "id": "quarantine-retention",
                    "status": "Enabled",
                    "filter": {"prefix": "quarantine/"},
                    "expiration": {"days": s.quarantine_retention_days},
                },
                {
                    "id": "old-versions",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {"noncurrent_days": 30},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                },
            ],
            region=region,
            opts=opts_with(depends_on=[versioning]),
        )
        bucket_policy = aws.s3.BucketPolicy(
            f"{name}-reports-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, account, rule_arn).apply(
                lambda v: _policy(
                    [
                        {
                            "Sid": "SesWritesRawMail",
                            "Effect": "Allow",
                            "Principal": {"Service": "ses.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": f"{v[0]}/{DEFAULT_RAW_EMAIL_PREFIX}*",
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": v[1]},
                                "ArnLike": {"aws:SourceArn": v[2]},
                            },
                        },
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [v[0], f"{v[0]}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ]
                )
            ),
            region=region,
            opts=opts_with(depends_on=[public_block]),
        )

        # ---- alarm topic and dead letters ----------------------------------------------------
        # Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed
        # SNS key, and a customer key would cost more than the whole receiver.
        topic = aws.sns.Topic(f"{name}-alarms", region=region, opts=child)
        if args.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-alarms-email",
                topic=topic.arn,
                protocol="email",
                endpoint=args.alarm_email,
                region=region,
                opts=child,
            )
        dead_letters = aws.sqs.Queue(
            f"{name}-dead-letters",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            region=region,
            opts=child,
        )

        # ---- function -------------------------------------------------------------------------
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-parser-logs", retention_in_days=LOG_RETENTION_DAYS, region=region, opts=child
        )
        role = aws.iam.Role(
            f"{name}-parser-role",
            assume_role_policy=_policy(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-parser-access",
            role=role.id,
            policy=pulumi.Output.all(bucket.arn, log_group.arn, dead_letters.arn).apply(
                lambda v: _policy(
                    [
                        {"Sid": "ReadRaw", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{v[0]}/raw/*"},
                        {
                            "Sid": "WriteResults",
                            "Effect": "Allow",
                            "Action": "s3:PutObject",
                            "Resource": [f"{v[0]}/raw/https/*", f"{v[0]}/reports/*", f"{v[0]}/quarantine/*"],
                        },
                        {
                            "Sid": "OwnLogsAndMetrics",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"{v[1]}:*",
                        },
                        {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": v[2]},
                    ]
                )
            ),
            opts=child,
        )
        code = pulumi.AssetArchive(
            {path: pulumi.StringAsset(content.decode("utf-8")) for path, content in archive_files().items()}
        )
        function = aws.lambda_.Function(
            f"{name}-parser",
            runtime=RUNTIME,
            handler=HANDLER,
            code=code,
            role=role.arn,
            architectures=["arm64"],
            memory_size=256,
            timeout=60,
            environment={
                "variables": {
                    "BUCKET": bucket.bucket,
                    "DOMAINS": ",".join(served),
                    "METRIC_NAMESPACE": args.metric_namespace,
                    "MAX_BODY_BYTES": str(s.max_body_bytes),
                    "RAW_EMAIL_PREFIX": DEFAULT_RAW_EMAIL_PREFIX,
                }
            },
            logging_config={"log_format": "Text", "log_group": log_group.name},
            region=region,
            opts=opts_with(depends_on=[role_policy, log_group]),
        )
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-parser-async",
            function_name=function.name,
            maximum_retry_attempts=2,
            maximum_event_age_in_seconds=6 * 3600,
            destination_config={"on_failure": {"destination": dead_letters.arn}},
            region=region,
            opts=opts_with(depends_on=[role_policy]),
        )

        # ---- SES inbound ----------------------------------------------------------------------
        identity = aws.ses.DomainIdentity(f"{name}-identity", domain=subdomain, region=region, opts=child)
        verification_records = args.dns.record(
            f"_amazonses.{subdomain}",
            "TXT",
            [identity.verification_token],
            resource_name=f"{name}-ses-verification",
        )
        # Records stay children of the DNS backend, so the providers given to it apply.
        args.dns.record(subdomain, "MX", [inbound_mx_value(region)], resource_name=f"{name}-mx")
        verified = aws.ses.DomainIdentityVerification(
            f"{name}-identity-verified",
            domain=identity.domain,
            region=region,
            opts=opts_with(depends_on=verification_records),
        )
        rule_dependencies: list[pulumi.Resource] = [bucket_policy, verified]
        if s.create_rule_set:
            created_set = aws.ses.ReceiptRuleSet(f"{name}-rule-set", rule_set_name=rule_set, region=region, opts=child)
            active = aws.ses.ActiveReceiptRuleSet(
                f"{name}-rule-set-active", rule_set_name=created_set.rule_set_name, region=region, opts=child
            )
            rule_dependencies += [created_set, active]
        ses_invoke = aws.lambda_.Permission(
            f"{name}-parser-from-ses",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="ses.amazonaws.com",
            source_account=account,
            source_arn=rule_arn,
            region=region,
            opts=child,
        )
        rule_dependencies.append(ses_invoke)
        rule = aws.ses.ReceiptRule(
            f"{name}-rule",
            name=rule_name,
            rule_set_name=rule_set,
            recipients=[self.mailbox],
            enabled=True,
            scan_enabled=True,
            tls_policy="Optional",
            s3_actions=[{"bucket_name": bucket.bucket, "object_key_prefix": DEFAULT_RAW_EMAIL_PREFIX, "position": 1}],
            lambda_actions=[{"function_arn": function.arn, "invocation_type": "Event", "position": 2}],
            region=region,
            opts=opts_with(depends_on=rule_dependencies),
        )

        # ---- HTTPS endpoint -------------------------------------------------------------------
        ruas: list[pulumi.Input[str]] = [mailto_rua(domain, s)]
        self.function_url = None
        if s.https:
            url = aws.lambda_.FunctionUrl(
                f"{name}-https",
                function_name=function.name,
                authorization_type="NONE",
                invoke_mode="BUFFERED",
                region=region,
                opts=child,
            )
            aws.lambda_.Permission(
                f"{name}-https-url-public",
                action="lambda:InvokeFunctionUrl",
                function=function.name,
                principal="*",
                function_url_auth_type="NONE",
                region=region,
                opts=child,
            )
            aws.lambda_.Permission(
                f"{name}-https-invoke-public",
                action="lambda:InvokeFunction",
                function=function.name,
                principal="*",
                invoked_via_function_url=True,
                region=region,
                opts=child,
            )
            self.function_url = url.function_url
            ruas.append(url.function_url)

        # ---- alarms ---------------------------------------------------------------------------
        actions = [topic.arn]

        def alarm(
            resource_name: str,
            description: str,
            namespace: pulumi.Input[str],
            metric: str,
            *,
            period: int,
            threshold: int = 1,
            statistic: str = "Sum",
            evaluation_periods: int = 1,
            datapoints_to_alarm: int | None = None,
            dimensions: Mapping[str, pulumi.Input[str]] | None = None,
            below: bool = False,
            missing_breaches: bool = False,
            notify_ok: bool = False,
        ) -> aws.cloudwatch.MetricAlarm:
            """An alarm to the topic: at or above ``threshold`` (``below``: under it)."""
            return aws.cloudwatch.MetricAlarm(
                resource_name,
                alarm_description=description,
                namespace=namespace,
                metric_name=metric,
                dimensions=dict(dimensions) if dimensions else None,
                statistic=statistic,
                period=period,
                evaluation_periods=evaluation_periods,
                datapoints_to_alarm=datapoints_to_alarm,
                threshold=threshold,
                comparison_operator="LessThanThreshold" if below else "GreaterThanOrEqualToThreshold",
                treat_missing_data="breaching" if missing_breaches else "notBreaching",
                alarm_actions=actions,
                ok_actions=actions if notify_ok else None,
                region=region,
                opts=child,
            )

        for policy_domain in served:
            slug = policy_domain.replace(".", "-")
            per_domain = {"PolicyDomain": policy_domain}
            alarm(
                f"{name}-failed-{slug}",
                f"TLS-RPT: failed TLS sessions to {policy_domain} reached {s.failed_sessions_threshold} in a day",
                args.metric_namespace,
                "FailedSessions",
                dimensions=per_domain,
                period=86400,
                threshold=s.failed_sessions_threshold,
                notify_ok=True,
            )
            alarm(
                f"{name}-silent-{slug}",
                f"TLS-RPT: no report about {policy_domain} for {s.silence_days} days "
                "(a broken receiver looks like a quiet one)",
                args.metric_namespace,
                "Reports",
                dimensions=per_domain,
                period=86400,
                evaluation_periods=s.silence_days,
                datapoints_to_alarm=s.silence_days,
                below=True,
                missing_breaches=True,
                notify_ok=True,
            )
        alarm(
            f"{name}-quarantined",
            "TLS-RPT: a report was quarantined (unparseable or about a foreign domain)",
            args.metric_namespace,
            "QuarantinedReports",
            period=3600,
        )
        alarm(
            f"{name}-parser-errors",
            "TLS-RPT: the parser function failed",
            "AWS/Lambda",
            "Errors",
            dimensions={"FunctionName": function.name},
            period=3600,
        )
        alarm(
            f"{name}-dead-letters",
            "TLS-RPT: messages the parser could not process are waiting in the dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": dead_letters.name},
            statistic="Maximum",
            period=300,
        )

        self.rua = pulumi.Output.all(*ruas).apply(lambda values: [str(v) for v in values])
        self.domain = domain
        self._dns = args.dns
        self.bucket_name = bucket.bucket
        self.topic_arn = topic.arn
        self.receipt_rule = rule
        self.register_outputs(
            {
                "rua": self.rua,
                "bucket_name": self.bucket_name,
                "topic_arn": self.topic_arn,
                "function_url": self.function_url,
                "mailbox": self.mailbox,
            }
        )

    def publish_tlsrpt_record(
        self, also: Sequence[str] = (), *, resource_name: str | None = None
    ) -> pulumi.Output[dict[str, str]]:
        """Publish the domain's one ``_smtp._tls`` record through the receiver's DNS backend:
        ``also`` (your other ``mailto:``/``https:`` destinations, checked here) followed by
        :attr:`rua`. A domain must have exactly one ``v=TLSRPTv1`` record, so do not publish
        another one (e.g. leave ``MtaStsArgs.rua`` empty). ``resource_name`` names the record's
        Pulumi resource (keep it when moving an existing record here, so it updates in place).
        Returns the record as ``{"name", "type", "value"}``."""
        configured = list(also)
        if configured:
            tlsrpt_record_value(configured)  # raises InputError naming rua[i]
        # The receiver's own URIs are not checked again: the mailto is built from validated
        # settings and the function URL is AWS's (under `mta-sts plan` it is "(known after deploy)").
        value = self.rua.apply(lambda own: tlsrpt_record_value([*configured, *own], check=False))
        name = tlsrpt_record_name(self.domain)
        self._dns.record(name, "TXT", [value], resource_name=resource_name)
        return value.apply(lambda v: {"name": name, "type": "TXT", "value": v})
