"""``mta-sts:index:TlsRptReceiver`` for every Pulumi language: the Python receiver with plain inputs.
Other languages cannot create a DNS backend, so this class makes ``<name>-dns`` beside the receiver
(the URNs of a Python program). The analyzer reads the annotations: no ``from __future__``.
"""

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.dns import DnsBackend
from pulumi_mta_sts.mtasts.component import make_dns
from pulumi_mta_sts.receiver import component
from pulumi_mta_sts.receiver.args import check_receiver_args
from pulumi_mta_sts.spec.deployment import DnsConfig, dns_config_problems
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings

from .convert import dns_config, plain
from .types import DnsZone, Record


class ReceiverOptions(TypedDict):
    """How the receiver is deployed: safe defaults, except the SES rule set (name the active one or create one)."""

    region: NotRequired[str]
    """AWS region of SES inbound, the bucket and the function; it must receive mail (default: us-east-1)."""
    subdomain: NotRequired[str]
    """The reports mailbox's domain (default: tlsrpt.<domain>); never the domain itself."""
    mailbox: NotRequired[str]
    """Local part of the reports address (default: reports)."""
    rule_set_name: NotRequired[str]
    """The SES receipt rule set the rule is added to (the account's active one)."""
    create_rule_set: NotRequired[bool]
    """Create a rule set and make it the active one: this deactivates the account's current one in the region."""
    https: NotRequired[bool]
    """Also accept reports by HTTPS POST (default: true)."""
    failed_sessions_threshold: NotRequired[int]
    """Alarm when a domain's failed sessions in one day reach this many."""
    silence_days: NotRequired[int]
    """Alarm when no report arrived for a domain for this many days (1 to 7)."""
    raw_retention_days: NotRequired[int]
    """Days raw messages and bodies are kept."""
    quarantine_retention_days: NotRequired[int]
    """Days quarantined reports are kept."""
    max_body_bytes: NotRequired[int]
    """Largest HTTPS report body accepted (413 above)."""
    https_rate_limit: NotRequired[int]
    """Requests a second the HTTPS endpoint passes on to the function."""
    https_burst_limit: NotRequired[int]
    """Requests the HTTPS endpoint passes on in one burst."""
    reserved_concurrency: NotRequired[int]
    """Lambda instances reserved for the function (default: none)."""
    rule_after: NotRequired[str]
    """The receipt rule the receiver's rule is placed after (default: first)."""
    analytics: NotRequired[bool]
    """Also keep the reports as SQL tables: JSON lines, a Glue table and an Athena workgroup (default: true)."""
    digest: NotRequired[str]
    """The weekday the weekly digest goes to the alarm topic (monday ... sunday), or off (default: monday)."""
    force_destroy: NotRequired[bool]
    """Let a destroy delete the reports bucket with every report in it (default: false; deploy it, then destroy)."""


class TlsRptReceiverArgs(TypedDict):
    """The inputs of TlsRptReceiver."""

    domain: str
    """The policy domain whose reports are received (example.com)."""
    dns: DnsZone
    """The zone the reports subdomain's MX and SES verification records go into."""
    settings: NotRequired[ReceiverOptions]
    """Region, subdomain, SES rule set, alarm thresholds, retention."""
    alarm_email: NotRequired[str]
    """Subscribe this address to the alarm topic (confirm the subscription by mail)."""
    extra_domains: NotRequired[list[str]]
    """Other policy domains whose reports this receiver also counts."""
    metric_namespace: NotRequired[str]
    """CloudWatch namespace of the report metrics."""
    publish_tlsrpt_record: NotRequired[bool]
    """Publish the domain's one _smtp._tls record: extraRua, then the receiver's rua (default: false)."""
    extra_rua: NotRequired[list[str]]
    """Other report destinations listed before the receiver's own in the published _smtp._tls record."""


def dns_backend(name: str, zone: DnsConfig, opts: pulumi.ResourceOptions | None) -> DnsBackend:
    """``<name>-dns`` for ``zone``, beside the receiver as a Python program creates it."""
    given = opts or pulumi.ResourceOptions()
    providers = (
        given.providers if given.providers is None or isinstance(given.providers, Mapping) else list(given.providers)
    )
    beside = pulumi.ResourceOptions(parent=given.parent, provider=given.provider, providers=providers)
    return make_dns(f"{name}-dns", zone, beside)


def _settings(value: object) -> ReceiverSettings:
    settings: dict[str, Any] = plain(value or {})
    try:
        return ReceiverSettings(**settings)
    except TypeError:  # a key the settings do not have (the provider passes only schema keys)
        known = ", ".join(ReceiverSettings.__dataclass_fields__)
        raise InputError([Problem("settings", sorted(settings), f"takes only these keys: {known}")]) from None


def rich_receiver_args(args: TlsRptReceiverArgs, dns: DnsBackend | None) -> component.TlsRptReceiverArgs:
    """The Python receiver's arguments for the package inputs ``args`` and the backend ``dns``."""
    given = dict(args)
    return component.TlsRptReceiverArgs(
        domain=given.get("domain"),  # type: ignore[arg-type]  # checked by the component
        dns=dns,  # type: ignore[arg-type]  # None only in check_before_registering
        settings=_settings(given.get("settings")),
        **{key: plain(given[key]) for key in ("alarm_email", "extra_domains", "metric_namespace") if key in given},
    )


def check_before_registering(name: str, args: TlsRptReceiverArgs, zone: DnsConfig) -> None:
    """Every input checked, the zone included, before the backend (the first resource) registers."""
    problems = dns_config_problems(zone)
    try:
        check_receiver_args(name, rich_receiver_args(args, None))
    except InputError as exc:
        problems = [p for p in exc.problems if p.field != "dns"] + problems
    if problems:
        raise InputError(problems)


class TlsRptReceiver(component.TlsRptReceiver):
    """A TLS-RPT (RFC 8460) receiver: reports by mail (SES) and HTTPS, parsed and kept in S3, with alarms."""

    rua: pulumi.Output[list[str]]
    """The mailto: and (with https) https: URIs to publish in the _smtp._tls record."""
    domain: str
    """The policy domain (normal form)."""
    dns: Any
    """The DNS backend component the receiver's records go into (<name>-dns)."""
    bucket_name: pulumi.Output[str]
    """The private bucket that keeps every report."""
    topic_arn: pulumi.Output[str]
    """The SNS topic of the alarms."""
    https_endpoint: pulumi.Output[str] | None
    """The HTTPS report endpoint (with https)."""
    function_url: pulumi.Output[str] | None
    """The former name of httpsEndpoint."""
    mailbox: str
    """The reports address, <mailbox>@<subdomain>."""
    receipt_rule: aws.ses.ReceiptRule
    """The SES receipt rule that stores and parses report mail."""
    athena_workgroup: pulumi.Output[str] | None
    """The Athena workgroup that queries the report tables (with analytics)."""
    glue_database: pulumi.Output[str] | None
    """The Glue database of the report tables (with analytics)."""
    reader_function: pulumi.Output[str] | None
    """The function that sends the weekly digest (unless digest is off)."""
    tlsrpt_record: pulumi.Output[Record] | None
    """The _smtp._tls record, when publishTlsrptRecord is set."""

    def __init__(self, name: str, args: TlsRptReceiverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        given = dict(args)
        zone = dns_config(given.get("dns"))
        check_before_registering(name, args, zone)
        backend = dns_backend(name, zone, opts)
        super().__init__(name, rich_receiver_args(args, backend), opts)
        self.tlsrpt_record = None
        if plain(given.get("publish_tlsrpt_record", False)):
            self.tlsrpt_record = self.publish_tlsrpt_record(plain(given.get("extra_rua", [])))  # type: ignore[assignment]
