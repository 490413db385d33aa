"""What every mail domain gets, whoever serves its policy: its own host (``MtaSts``) or a fleet's
shared one (``MtaStsFleet``), injected as the URL and the resources that serve it.

The ``PolicyLive`` gate waits until that URL serves exactly the domain's new bytes, and its
``_mta-sts`` record depends on the gate, so a new id is never published before its body is served
(RFC 8461 §3.3); the ``_smtp._tls`` record needs no wait. One piece of code for both components,
so the rule and the resource names (``<name>-policy-live``, ``<name>-mta-sts-txt``) cannot drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from pulumi_mta_sts.core.records import DnsRecord
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.spec.deployment import CheckedDomain, DnsConfig

from .policy_live import PolicyLive, PolicyLiveArgs

__all__ = ["make_dns", "publish_domain", "record_label"]


def make_dns(name: str, cfg: DnsConfig, opts: pulumi.ResourceOptions) -> DnsBackend:
    """The DNS backend ``cfg`` asks for, named ``name``."""
    if cfg.provider == "cloudflare":
        return CloudflareDns(name, CloudflareDnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)
    return Route53Dns(name, Route53DnsArgs(zone_id=cfg.zone_id, zone_name=cfg.zone_name), opts)


def record_label(record: DnsRecord) -> str:
    """A TXT record's part of its resource name: ``mta-sts`` or ``tlsrpt``."""
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
    """``checked``'s gate (``<name>-policy-live``, a child of ``parent``, after ``serving``: what serves
    ``url``) and its TXT ``records`` through ``dns`` (``<name>-mta-sts-txt`` after the gate; with
    ``verify_live`` off, after ``serving`` only)."""
    args = checked.args
    after = list(serving)
    if args.verify_live:
        gate = PolicyLiveArgs(url=url, policy_text=args.policy.render(), timeout=args.verify_timeout)
        after = [PolicyLive(f"{name}-policy-live", gate, pulumi.ResourceOptions(parent=parent, depends_on=after))]
    for record in records:
        label = record_label(record)
        opts = pulumi.ResourceOptions(depends_on=after) if label == "mta-sts" else None
        dns.record(record.name, "TXT", [record.value], resource_name=f"{name}-{label}-txt", opts=opts)
