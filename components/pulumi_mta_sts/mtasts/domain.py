"""What every mail domain gets, whoever serves its policy (its own host in ``MtaSts``, a fleet's shared
one in ``MtaStsFleet``, injected as the URL and what serves it): a ``PolicyLive`` gate that waits until
the URL serves exactly the new bytes, and its TXT records, the ``_mta-sts`` one after the gate (RFC 8461
§3.3: a new id is never published before its body). One piece for both, so names and rule cannot drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from pulumi_mta_sts.core.records import DnsRecord
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.spec.deployment import CheckedDomain, DnsConfig

from .policy_live import PolicyLive, PolicyLiveArgs


def make_dns(name: str, cfg: DnsConfig, opts: pulumi.ResourceOptions) -> DnsBackend:
    if cfg.provider == "cloudflare":
        return CloudflareDns(name, CloudflareDnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
    return Route53Dns(name, Route53DnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)


def record_label(record: DnsRecord) -> str:
    return "mta-sts" if record.name.startswith("_mta-sts.") else "tlsrpt"


def publish_domain(
    name: str,
    parent: pulumi.Resource,
    checked: CheckedDomain,
    url: str,
    serving: Sequence[pulumi.Resource],
    dns: DnsBackend,
    records: Sequence[DnsRecord],
) -> None:
    """``<name>-policy-live`` (a child of ``parent``, after ``serving``) and ``records`` through ``dns``
    (``<name>-mta-sts-txt`` after the gate, or with ``verify_live`` off after ``serving`` only)."""
    args = checked.args
    after = list(serving)
    if args.verify_live:
        gate = PolicyLiveArgs(url=url, policy_text=args.policy.render(), timeout=args.verify_timeout)
        after = [PolicyLive(f"{name}-policy-live", gate, pulumi.ResourceOptions(parent=parent, depends_on=after))]
    for record in records:
        label = record_label(record)
        opts = pulumi.ResourceOptions(depends_on=after) if label == "mta-sts" else None
        dns.record(record.name, "TXT", [record.value], resource_name=f"{name}-{label}-txt", opts=opts)
