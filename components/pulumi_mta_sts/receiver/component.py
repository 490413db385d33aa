"""``TlsRptReceiver`` (``mta-sts:index:TlsRptReceiver``): receive, keep and watch TLS-RPT reports.

What it deploys, all in one AWS region where SES receives mail (one module per part; each is a
plain function creating its resources as children of the receiver, so no URN depends on how the
code is split; the arguments are checked in :mod:`.args` before anything is registered):

- **By email**: an SES domain identity for a dedicated subdomain (default ``tlsrpt.<domain>``,
  never the apex: an MX on the apex would take the domain's real mail), its verification TXT and
  its MX to ``inbound-smtp.<region>.amazonaws.com`` (through the project's DNS backend), and a
  receipt rule for ``<mailbox>@<subdomain>`` that first stores the raw message in S3
  (``raw/email/``), then invokes the parser Lambda asynchronously, then stops the rule set (so
  no later catch-all rule acts on report mail); it is placed first, or after ``rule_after``.
  SES has ONE active receipt rule set per account and region; activating another silently
  deactivates the account's current one (and whatever mail flows it carries). So by default the
  rule is added to an existing active rule set given by name; a rule set is only created and
  activated when ``create_rule_set`` is set. (:mod:`.inbound`)
- **By HTTPS**: an API Gateway HTTP API (public, as RFC 8460 senders need; throttled, so nobody
  can use up the account's Lambda concurrency or the owner's money) whose ``POST /`` goes to the
  function; its URL is added to :attr:`TlsRptReceiver.rua`. (:mod:`.https`)
- **Storage**: one private (public access blocked, bucket-owner-enforced), encrypted (SSE-S3),
  versioned bucket with ``raw/``, ``reports/`` and ``quarantine/``; lifecycle rules expire
  ``raw/`` and ``quarantine/`` after the configured days and old versions after 30 days.
  (:mod:`.storage`)
- **Function**: the handler + the pure parser only (:mod:`pulumi_mta_sts.receiver.archive`);
  its role may read ``raw/``, write ``raw/https/``, ``reports/`` and ``quarantine/`` of this
  bucket, write its own log group (metrics go out as embedded metric format log lines) and
  send to its dead-letter queue, nothing more. Failed asynchronous invocations (after 2 retries)
  go to an encrypted SQS queue. (:mod:`.function`; the policy documents: :mod:`.documents`)
- **Alarms** to an SNS topic (optional e-mail subscription), each on whole days and only when
  its condition lasts (never on one anonymous request): per domain, failed sessions a day ≥
  threshold, and silence (no report for N days, after the first one); quarantined reports;
  function errors; dead letters. (:mod:`.alarms`)
- **SQL** (``analytics``, on by default): the reports also as JSON lines under ``tables/``, a Glue
  database and table with partition projection, an enforced Athena workgroup. (:mod:`.analytics`)
- **Weekly digest** (``digest``, Mondays by default): a schedule invokes a private reader function
  that sends last week's summary and readiness verdict per domain to the topic. (:mod:`.digest`)
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_mta_sts.core.errors import provider_sdk

with provider_sdk("TlsRptReceiver"):  # the base install has neither; say which extra brings them
    import pulumi
    import pulumi_aws as aws

from pulumi_mta_sts.core.records import tlsrpt_record_name, tlsrpt_record_value
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.spec.receiver_settings import mailto_rua

from .alarms import create_alarms
from .analytics import create_analytics
from .args import CheckedReceiverArgs, TlsRptReceiverArgs, check_receiver_args
from .digest import create_reader
from .function import create_parser_function
from .https import create_https_endpoint
from .inbound import create_inbound, receipt_rule_arn
from .storage import create_storage

__all__ = ["TlsRptReceiver", "TlsRptReceiverArgs"]

TYPE_TOKEN = "mta-sts:index:TlsRptReceiver"  # the package token (docs/packaging.md)


class TlsRptReceiver(pulumi.ComponentResource):
    """The TLS-RPT receiver: SES inbound mail + HTTPS endpoint → Lambda parser → S3, with alarms.

    Outputs: :attr:`rua` (the ``mailto:`` and, when enabled, ``https:`` URIs to publish in the
    ``_smtp._tls`` record), :attr:`bucket_name`, :attr:`topic_arn`, :attr:`https_endpoint`
    (also as :attr:`function_url`, its former name), :attr:`mailbox`. Its records go through
    :attr:`dns`.
    """

    rua: pulumi.Output[list[str]]
    domain: str
    dns: DnsBackend
    bucket_name: pulumi.Output[str]
    topic_arn: pulumi.Output[str]
    https_endpoint: pulumi.Output[str] | None
    function_url: pulumi.Output[str] | None
    mailbox: str
    receipt_rule: aws.ses.ReceiptRule
    athena_workgroup: pulumi.Output[str] | None
    glue_database: pulumi.Output[str] | None
    reader_function: pulumi.Output[str] | None

    def __init__(self, name: str, args: TlsRptReceiverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Every argument is checked before the component registers: a mistake registers nothing.
        receiver = check_receiver_args(name, args)
        former = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mta-sts:receiver:TlsRptReceiver")])
        # The alias keeps stacks made before the type token moved to mta-sts:index from replacing it.
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(opts, former))
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        rule_arn = receipt_rule_arn(receiver, account)
        storage = create_storage(receiver, parent=self, account=account, rule_arn=rule_arn)
        parser = create_parser_function(receiver, parent=self, bucket=storage.bucket)
        self.receipt_rule = create_inbound(
            receiver, parent=self, storage=storage, parser=parser, account=account, rule_arn=rule_arn
        )
        self.https_endpoint = create_https_endpoint(receiver, parent=self, function=parser.function)
        self.function_url = self.https_endpoint
        topic = create_alarms(receiver, parent=self, parser=parser)
        analytics = create_analytics(receiver, parent=self, bucket=storage.bucket, account=account)
        self.athena_workgroup = analytics.workgroup.name if analytics else None
        self.glue_database = analytics.database.name if analytics else None
        reader = create_reader(
            receiver, parent=self, bucket=storage.bucket, topic=topic, account=account, workgroup=self.athena_workgroup
        )
        self.reader_function = reader.function.name if reader else None
        self._set_outputs(receiver, bucket_name=storage.bucket.bucket, topic_arn=topic.arn)

    def _set_outputs(
        self, receiver: CheckedReceiverArgs, *, bucket_name: pulumi.Output[str], topic_arn: pulumi.Output[str]
    ) -> None:
        """Set the public attributes and register them as the component's outputs."""
        ruas: list[pulumi.Input[str]] = [mailto_rua(receiver.domain, receiver.settings)]
        if self.https_endpoint is not None:
            ruas.append(self.https_endpoint)
        self.rua = pulumi.Output.all(*ruas).apply(lambda values: [str(v) for v in values])
        self.domain = receiver.domain
        self.dns = receiver.dns
        self.mailbox = receiver.mailbox
        self.bucket_name = bucket_name
        self.topic_arn = topic_arn
        self.register_outputs(
            {
                "rua": self.rua,
                "bucket_name": self.bucket_name,
                "topic_arn": self.topic_arn,
                "https_endpoint": self.https_endpoint,
                "function_url": self.function_url,
                "mailbox": self.mailbox,
                "athena_workgroup": self.athena_workgroup,
                "glue_database": self.glue_database,
                "reader_function": self.reader_function,
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
        # settings and the endpoint URL is AWS's (under `mta-sts plan` it is "(known after deploy)").
        value = self.rua.apply(lambda own: tlsrpt_record_value([*configured, *own], check=False))
        name = tlsrpt_record_name(self.domain)
        self.dns.record(name, "TXT", [value], resource_name=resource_name)
        return value.apply(lambda v: {"name": name, "type": "TXT", "value": v})
