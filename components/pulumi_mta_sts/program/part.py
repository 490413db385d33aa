"""The optional parts of a one-domain stack, deployed on top of its ``MtaSts`` when its config asks
(listed once, :data:`pulumi_mta_sts.program.pipeline.PARTS`): a :class:`StackPart` is ``enabled(cfg)``;
``adjust(cfg)``, the config ``MtaSts`` is built from; ``build(cfg, mtasts)``, its resources.

The TLS-RPT receiver (:data:`TLSRPT_RECEIVER`, ``mta-sts:reporting.receiver``): its ``rua`` holds its
endpoint, known only once deployed, so ``MtaSts`` (plain strings) cannot write the ``_smtp._tls``
record: ``adjust`` drops ``rua`` and ``build`` has the receiver publish the one record, configured URIs
and its own, under the name ``MtaSts`` uses (``<name>-tlsrpt-txt``), so turning it on or off updates it
in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

import dns.resolver
import pulumi

from pulumi_mta_sts.config.sections import DomainConfig, tlsrpt_record_from_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.records import DnsRecord, parse_tlsrpt_records, tlsrpt_record_name
from pulumi_mta_sts.mtasts.component import MtaSts
from pulumi_mta_sts.spec.receiver_settings import mailto_rua

#: A live DNS look-up a part wants made after it is built: ``resolver -> warnings`` (it logs them).
LiveCheck = Callable[[dns.resolver.Resolver], list[str]]


def resource_name(cfg: DomainConfig) -> str:
    """The stack's ``MtaSts`` resource name, which the parts prefix theirs with (``example-com``)."""
    return cfg.domain.replace(".", "-")


@dataclass(frozen=True)
class BuiltPart:
    """What a built part adds to the later steps: DNS records it publishes itself (to the ``records``
    output), stack outputs of its own, and live look-ups (hand-made records it would not own)."""

    records: tuple[pulumi.Output[dict[str, str]], ...] = ()
    exports: Mapping[str, Any] = field(default_factory=dict)
    live_checks: tuple[LiveCheck, ...] = ()


class StackPart(Protocol):
    """An optional part (see the module docs)."""

    def enabled(self, cfg: DomainConfig) -> bool: ...

    def adjust(self, cfg: DomainConfig) -> DomainConfig: ...

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        """Its resources; an :class:`~pulumi_mta_sts.core.errors.InputError` names the stack config's keys."""
        ...


class TlsRptReceiverPart:
    """The receiver and the ``_smtp._tls`` record that lists it; exports ``tlsrpt_receiver``."""

    def enabled(self, cfg: DomainConfig) -> bool:
        return cfg.reporting.receiver.enabled

    def adjust(self, cfg: DomainConfig) -> DomainConfig:
        return replace(cfg, reporting=replace(cfg.reporting, rua=()))

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        """Deploy the receiver and publish ``_smtp._tls`` with every ``rua``: the record is checked first
        (also for a config no loader checked), problems named ``mta-sts:reporting.receiver.<key>``."""
        configured = list(cfg.reporting.rua)
        settings = cfg.reporting.receiver.settings
        known, mailbox = tlsrpt_record_from_config(configured, cfg.domain, settings), mailto_rua(cfg.domain, settings)
        from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs  # pulumi_aws: only when used

        args = TlsRptReceiverArgs(cfg.domain, mtasts.dns, settings, cfg.reporting.alarm_email)
        try:
            receiver = TlsRptReceiver(f"{resource_name(cfg)}-tlsrpt-receiver", args)
        except InputError as exc:
            raise InputError(p.under("mta-sts:reporting.receiver") for p in exc.problems) from None
        expected = DnsRecord(tlsrpt_record_name(cfg.domain), "TXT", known)
        record = receiver.publish_tlsrpt_record(configured, resource_name=f"{resource_name(cfg)}-tlsrpt-txt")
        exports = {
            "tlsrpt_receiver": {
                "rua": receiver.rua,
                "mailbox": receiver.mailbox,
                "bucket": receiver.bucket_name,
                "alarm_topic": receiver.topic_arn,
                "https_endpoint": receiver.https_endpoint,
                "athena_workgroup": receiver.athena_workgroup,
                "glue_database": receiver.glue_database,
                "reader_function": receiver.reader_function,
            }
        }
        return BuiltPart(
            records=(record,), exports=exports, live_checks=(partial(_warn_unmanaged, mtasts, expected, mailbox),)
        )


#: The part as :data:`pulumi_mta_sts.program.pipeline.PARTS` lists it.
TLSRPT_RECEIVER = TlsRptReceiverPart()


def _warn_unmanaged(mtasts: MtaSts, expected: DnsRecord, mailbox: str, resolver: dns.resolver.Resolver) -> list[str]:
    """A live ``_smtp._tls`` record that names the receiver's mailbox is this stack's (its
    endpoint is known only after deploy); any other one would be a second ``v=TLSRPTv1`` record,
    and senders then send no reports."""

    def is_ours(live: str) -> bool:
        record = parse_tlsrpt_records([live]).record
        return record is not None and mailbox in record.rua

    return mtasts.warn_unmanaged_records(resolver, [expected], is_ours=is_ours)
