"""``TlsRptReceiver`` (``mta-sts:index:TlsRptReceiver``, docs/receiver.md): once :mod:`.args` has
checked every argument, one function per part creates its resources as children of the receiver.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_mta_sts.core.errors import provider_sdk

with provider_sdk("TlsRptReceiver"):  # the base install has neither; say which extra brings them
    import pulumi
    import pulumi_aws as aws

from pulumi_mta_sts.core.records import tlsrpt_record_name, tlsrpt_record_value
from pulumi_mta_sts.spec.receiver_settings import mailto_rua

from .alarms import create_alarms
from .analytics import create_analytics
from .args import TlsRptReceiverArgs, check_receiver_args
from .function import create_parser_function, create_reader
from .inbound import create_https_endpoint, create_inbound, receipt_rule_arn
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
    Outputs: :data:`OUTPUTS` (:attr:`rua` lists the URIs for the ``_smtp._tls`` record;
    :attr:`function_url` is :attr:`https_endpoint`'s former name)."""

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
        """Publish the domain's one ``_smtp._tls`` record (do not publish another, e.g. leave
        ``MtaStsArgs.rua`` empty): ``also`` (your other destinations, checked here), then :attr:`rua`.
        Keep an existing record's ``resource_name`` so it updates in place. Returns the record as
        ``{"name", "type", "value"}``."""
        configured = list(also)
        if configured:
            tlsrpt_record_value(configured)  # raises InputError naming rua[i]
        # The receiver's own URIs are not checked again: the mailto is built from validated
        # settings and the endpoint URL is AWS's (under `mta-sts plan` it is "(known after deploy)").
        value = self.rua.apply(lambda own: tlsrpt_record_value([*configured, *own], check=False))
        name = tlsrpt_record_name(self.domain)
        self.dns.record(name, "TXT", [value], resource_name=resource_name)
        return value.apply(lambda v: {"name": name, "type": "TXT", "value": v})
