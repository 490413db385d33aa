"""The per-MX TLS-RPT records (``mta-sts:reporting.per_mx``, issue 27), a :class:`~.part.StackPart`:
``_smtp._tls.<mx host>`` for each MX host :mod:`pulumi_mta_sts.spec.dane_reporting` chose, with the
value of the domain's own ``_smtp._tls`` record as ``MtaSts`` built it (one builder, one value), in
the zone ``MtaSts`` publishes to, each under ``<name>-tlsrpt-<host>-txt``. Off by default: a stack
without the key registers exactly what it did before.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import dns.resolver
import pulumi

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.records import DnsRecord, tlsrpt_record_name
from pulumi_mta_sts.dns.base import slug
from pulumi_mta_sts.mtasts.component import MtaSts
from pulumi_mta_sts.net.existing_records import ADOPT_SECTION, unmanaged_record_warnings

from .part import BuiltPart, resource_name


def per_mx_records(cfg: DomainConfig, mtasts: MtaSts) -> list[tuple[str, DnsRecord]]:
    """(resource name, record) of each MX host, the value copied from the domain's ``_smtp._tls``."""
    own = tlsrpt_record_name(mtasts.domain)
    (value,) = [r.value for r in mtasts.txt_records if r.name == own]
    named: dict[str, str] = {}
    for host in cfg.reporting.per_mx:
        resource = f"{resource_name(cfg)}-tlsrpt-{slug(host)}-txt"
        if resource in named:
            reason = f"{host} and {named[resource]} would share the resource name {resource!r}; keep one of them"
            raise InputError([Problem(f"{cfg.prefix}reporting.per_mx_hosts", host, reason)])
        named[resource] = host
    return [(resource, DnsRecord(tlsrpt_record_name(host), "TXT", value)) for resource, host in named.items()]


class PerMxTlsRptPart:
    """Publishes the per-MX records; ``records`` lists them, a live check warns of hand-made ones."""

    def enabled(self, cfg: DomainConfig) -> bool:
        return bool(cfg.reporting.per_mx)

    def adjust(self, cfg: DomainConfig) -> DomainConfig:
        return cfg

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        made = per_mx_records(cfg, mtasts)
        for resource, record in made:
            mtasts.dns.record(record.name, "TXT", [record.value], resource_name=resource)
        listed = tuple(pulumi.Output.from_input(record.as_dict()) for _, record in made)
        return BuiltPart(records=listed, live_checks=(partial(_warn_unmanaged, mtasts, made),))


#: The part as :data:`pulumi_mta_sts.program.pipeline.PARTS` lists it.
PER_MX_TLSRPT = PerMxTlsRptPart()


def _warn_unmanaged(
    mtasts: MtaSts, made: Sequence[tuple[str, DnsRecord]], resolver: dns.resolver.Resolver
) -> list[str]:
    """A live ``v=TLSRPTv1`` record at ``_smtp._tls.<mx>`` that differs would be a second one (or be
    replaced): warn, with the ``pulumi import`` that adopts it."""
    prefix = mtasts.dns.resource_prefix
    hints = [
        f"`pulumi import {target.type_token} {resource} '{target.import_id}' --parent '{prefix}=<URN of {prefix}>'`"
        for resource, record in made
        for target in [mtasts.dns.txt_import(record.name)]
    ]
    hint = f"{ADOPT_SECTION}; e.g. " + " / ".join(hints)
    records = [record for _, record in made]
    warnings = unmanaged_record_warnings(mtasts.domain, records, resolver=resolver, import_hint=hint)
    for message in warnings:
        pulumi.log.warn(message, resource=mtasts)
    return warnings
