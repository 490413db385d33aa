"""The TLS-RPT receiver in the domain stack (``stacks/__main__.py``), when
``mta-sts:reporting.receiver`` is enabled.

The receiver's ``rua`` holds its function URL, which exists only once deployed, so the
``_smtp._tls`` record cannot be written by :class:`~pulumi_mta_sts.mtasts.component.MtaSts` (it takes plain
strings). Instead :func:`mtasts_config` hands ``MtaSts`` the config without ``rua`` and
:func:`add_receiver` has the receiver publish the one ``_smtp._tls`` record with the configured
URIs plus its own (:meth:`~pulumi_mta_sts.receiver.component.TlsRptReceiver.publish_tlsrpt_record`), under
the resource name ``MtaSts`` uses (``<name>-tlsrpt-txt``, child of the same DNS backend), so
turning the receiver on or off updates that record in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pulumi

from pulumi_mta_sts.config.receiver import mailto_rua
from pulumi_mta_sts.config.stack import StackConfig
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.records import DnsRecord, parse_tlsrpt_records, tlsrpt_record_name, tlsrpt_record_value
from pulumi_mta_sts.mtasts.component import MtaSts

if TYPE_CHECKING:
    from pulumi_mta_sts.receiver.component import TlsRptReceiver

__all__ = ["CONFIG_KEY", "ReceiverDeployment", "add_receiver", "mtasts_config"]

CONFIG_KEY = "mta-sts:reporting.receiver"


def mtasts_config(cfg: StackConfig) -> StackConfig:
    """The config for ``MtaSts``: unchanged, or without ``rua`` when the receiver publishes it."""
    if not cfg.reporting.receiver.enabled:
        return cfg
    return replace(cfg, reporting=replace(cfg.reporting, rua=()))


@dataclass(frozen=True)
class ReceiverDeployment:
    """What :func:`add_receiver` made: the component and the ``_smtp._tls`` record it published
    (``{"name", "type", "value"}``, for the stack's ``records`` output)."""

    receiver: TlsRptReceiver
    tlsrpt_record: pulumi.Output[dict[str, str]]


def add_receiver(
    cfg: StackConfig, mtasts: MtaSts, opts: pulumi.ResourceOptions | None = None
) -> ReceiverDeployment | None:
    """Deploy the receiver (when enabled), publish ``_smtp._tls`` with every ``rua`` and export
    ``tlsrpt_receiver``.

    Problems with the receiver settings are raised as :class:`InputError` naming
    ``mta-sts:reporting.receiver.<key>``.
    """
    if not cfg.reporting.receiver.enabled:
        return None
    from pulumi_mta_sts.receiver.component import (  # pulumi_aws: imported only when used
        TlsRptReceiver,
        TlsRptReceiverArgs,
    )

    name = cfg.domain.replace(".", "-")
    receiver_mailto = mailto_rua(cfg.domain, cfg.reporting.receiver.settings)
    try:
        receiver = TlsRptReceiver(
            f"{name}-tlsrpt-receiver",
            TlsRptReceiverArgs(
                domain=cfg.domain,
                dns=mtasts.dns,
                settings=cfg.reporting.receiver.settings,
                alarm_email=cfg.reporting.alarm_email,
            ),
            opts,
        )
    except InputError as exc:
        raise InputError(p.under(CONFIG_KEY) for p in exc.problems) from None
    configured = list(cfg.reporting.rua)
    record_name = tlsrpt_record_name(cfg.domain)
    known = tlsrpt_record_value([*configured, receiver_mailto])  # the user's URIs are refused here

    # A live _smtp._tls record that names the receiver's mailbox is this stack's (its endpoint is
    # known only after deploy); any other one would be a second v=TLSRPTv1 record: senders then
    # send no reports.
    def is_ours(live: str) -> bool:
        record = parse_tlsrpt_records([live]).record
        return record is not None and receiver_mailto in record.rua

    mtasts.warn_unmanaged_records([DnsRecord(record_name, "TXT", known)], is_ours=is_ours)
    record = receiver.publish_tlsrpt_record(configured, resource_name=f"{name}-tlsrpt-txt")
    pulumi.export(
        "tlsrpt_receiver",
        {
            "rua": receiver.rua,
            "mailbox": receiver.mailbox,
            "bucket": receiver.bucket_name,
            "alarm_topic": receiver.topic_arn,
            "https_endpoint": receiver.function_url,
        },
    )
    return ReceiverDeployment(receiver, record)
