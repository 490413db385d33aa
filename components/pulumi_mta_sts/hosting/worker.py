"""Cloudflare policy host: a Worker bound to ``mta-sts.<domain>`` (no S3, no ACM).

What :class:`WorkerHost` (``mta-sts:hosting:WorkerHost``) creates:

- a ``WorkersScript`` (module syntax) generated from the rendered policy by
  :func:`pulumi_mta_sts.hosting.worker_script.worker_module`: exactly the policy bytes at the
  well-known path as ``text/plain; charset=utf-8``, 404 with a short text elsewhere, 403 for
  plain HTTP (no redirect);
- a ``WorkersCustomDomain`` binding ``mta-sts.<domain>`` to it; Cloudflare creates the DNS
  record and the certificate for that name itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, policy_url
from pulumi_mta_sts.dns.backends import CloudflareDns

from .base import HostRecord, PolicyHost
from .worker_script import MAIN_MODULE, worker_module

__all__ = ["COMPATIBILITY_DATE", "WorkerHost", "WorkerHostArgs", "script_name_for"]

COMPATIBILITY_DATE = "2024-09-23"


def script_name_for(domain: str) -> str:
    """The Worker's name: ``mta-sts-<domain with dots as dashes>`` (at most 63 characters)."""
    return f"mta-sts-{re.sub(r'[^a-z0-9-]+', '-', domain.lower())}"[:63].rstrip("-")


@dataclass(frozen=True)
class WorkerHostArgs:
    """Arguments of :class:`WorkerHost`."""

    domain: str
    """The mail domain (normal form); the host is ``mta-sts.<domain>``."""
    policy: Policy
    """The policy to serve (embedded in the script)."""
    dns: CloudflareDns
    """The Cloudflare zone of the domain (gives the zone id and the account id)."""
    script_name: str | None = None
    """The Worker's name; default :func:`script_name_for` of the domain."""


class WorkerHost(PolicyHost):
    """Serves the policy from a Cloudflare Worker on a custom domain."""

    kind: ClassVar[str] = "worker"

    def __init__(self, name: str, args: WorkerHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mta-sts:hosting:WorkerHost", name, None, opts)
        import pulumi_cloudflare as cloudflare

        domain = args.domain
        self.hostname = policy_host(domain)
        self.url = policy_url(domain)
        script_name = args.script_name or script_name_for(domain)
        account_id = args.dns.account_id
        script = cloudflare.WorkersScript(
            f"{name}-script",
            account_id=account_id,
            script_name=script_name,
            content=worker_module(args.policy.render(), domain, args.policy.id),
            main_module=MAIN_MODULE,
            compatibility_date=COMPATIBILITY_DATE,
            opts=pulumi.ResourceOptions(parent=self),
        )
        custom_domain = cloudflare.WorkersCustomDomain(
            f"{name}-domain",
            account_id=account_id,
            hostname=self.hostname,
            service=script.script_name,
            zone_id=args.dns.zone_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[script]),
        )
        self.script = script
        self.custom_domain = custom_domain
        self.serving = [script, custom_domain]
        self.host_records = [HostRecord(self.hostname, "WORKER", script_name)]
        self.details = {"kind": self.kind, "url": self.url, "script_name": script_name}
        self.register_outputs(self.details)
