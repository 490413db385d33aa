"""``TlsRptReceiver`` (``mta-sts:index:TlsRptReceiver``): receive, keep and watch TLS-RPT reports.

One plain function per part creates its resources as children of the receiver (no URN depends on
how the code is split), after :mod:`.args` checked every argument. docs/receiver.md describes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_mta_sts.core.errors import provider_sdk

with provider_sdk("TlsRptReceiver"):  # the base install has neither; say which extra brings them
    import pulumi
    import pulumi_aws as aws

from pulumi_mta_sts.config.receiver import mailto_rua
from pulumi_mta_sts.core.records import tlsrpt_record_name, tlsrpt_record_value

from .alarms import create_alarms
from .analytics import create_analytics
from .args import TlsRptReceiverArgs, check_receiver_args
from .function import create_parser_function
from .https import create_https_endpoint
from .inbound import create_inbound, receipt_rule_arn
from .reader import create_reader
from .storage import create_storage

__all__ = ["TlsRptReceiver", "TlsRptReceiverArgs"]

TYPE_TOKEN = "mta-sts:index:TlsRptReceiver"  # the package token (docs/packaging.md)


#: The component's outputs (the stack exports them under ``tlsrpt_receiver``).
OUTPUTS = (
    "rua",
    "bucket_name",
    "topic_arn",
    "https_endpoint",
    "function_url",
    "mailbox",
    "athena_workgroup",
    "glue_database",
    "reader_function",
)


class TlsRptReceiver(pulumi.ComponentResource):
    """The TLS-RPT receiver: SES inbound mail + HTTPS endpoint → Lambda parser → S3, with alarms.

    Outputs (:data:`OUTPUTS`): :attr:`rua` (the ``mailto:`` and, with ``https``, ``https:`` URIs
    for the ``_smtp._tls`` record), :attr:`bucket_name`, :attr:`topic_arn`, :attr:`https_endpoint`
    (also :attr:`function_url`, its former name), :attr:`mailbox`, and with ``analytics`` or the
    digest :attr:`athena_workgroup`, :attr:`glue_database`, :attr:`reader_function`. Its records go
    through :attr:`dns`.
    """

    def __init__(self, name: str, args: TlsRptReceiverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        receiver = check_receiver_args(name, args)  # before registering: a mistake registers nothing
        # The alias keeps stacks made before the type token moved to mta-sts:index from replacing it.
        former = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mta-sts:receiver:TlsRptReceiver")])
        super().__init__(TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(opts, former))
        self.domain, self.dns, self.mailbox = receiver.domain, receiver.dns, receiver.mailbox
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
        self.reader_function = reader.name if reader else None
        self.bucket_name, self.topic_arn = storage.bucket.bucket, topic.arn
        endpoint = [] if self.https_endpoint is None else [self.https_endpoint]
        ruas: list[pulumi.Input[str]] = [mailto_rua(receiver.domain, receiver.settings), *endpoint]
        self.rua: pulumi.Output[list[str]] = pulumi.Output.all(*ruas).apply(lambda values: [str(v) for v in values])
        self.register_outputs({output: getattr(self, output) for output in OUTPUTS})

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
