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

from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core.errors import Problem, provider_sdk
from pulumi_mta_sts.core.names import WORKER_SCRIPT, physical_name
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns
from pulumi_mta_sts.spec.rules import WORKER_NEEDS_CLOUDFLARE

from .base import HostParts, HostRecord, PolicyHost
from .worker_script import MAIN_MODULE, worker_module

__all__ = ["COMPATIBILITY_DATE", "WorkerHost", "WorkerHostArgs", "script_name_for"]

COMPATIBILITY_DATE = "2024-09-23"


def script_name_for(domain: str) -> str:
    """The Worker's name: ``mta-sts-<domain with dots as dashes>`` when that fits in 63
    characters, else cut with a hash of the whole (:func:`pulumi_mta_sts.core.names.physical_name`),
    so two long domains of one account never share a Worker."""
    return physical_name(WORKER_SCRIPT, "mta-sts", domain.lower())


@dataclass(frozen=True)
class WorkerHostArgs:
    """Arguments of :class:`WorkerHost`."""

    domain: str
    """The mail domain; the host is ``mta-sts.<domain>``."""
    policy: Policy
    """The policy to serve (embedded in the script)."""
    dns: CloudflareDns
    """The Cloudflare zone of the domain (gives the zone id and the account id)."""
    script_name: str | None = None
    """The Worker's name; default :func:`script_name_for` of the domain."""


class WorkerHost(PolicyHost[WorkerHostArgs]):
    """Serves the policy from a Cloudflare Worker on a custom domain."""

    kind: ClassVar[str] = "worker"
    type_token: ClassVar[str] = "mta-sts:hosting:WorkerHost"

    script: pulumi.CustomResource
    custom_domain: pulumi.CustomResource

    @classmethod
    def problems(cls, args: WorkerHostArgs) -> list[Problem]:
        problems = [] if isinstance(args.dns, CloudflareDns) else [Problem("dns", args.dns, WORKER_NEEDS_CLOUDFLARE)]
        name = args.script_name
        if name is not None and not (isinstance(name, str) and WORKER_SCRIPT.accepts(name)):
            reason = (
                "is not a Worker name; use 1 to 63 lowercase letters, digits, '-' or '_', "
                "starting and ending with a letter or a digit"
            )
            problems.append(Problem("script_name", name, reason))
        return problems

    def build(self, name: str, args: WorkerHostArgs) -> HostParts:
        with provider_sdk("WorkerHost"):
            import pulumi_cloudflare as cloudflare

        script_name = args.script_name or script_name_for(self.domain)
        account_id = args.dns.account_id
        self.script = cloudflare.WorkersScript(
            f"{name}-script",
            account_id=account_id,
            script_name=script_name,
            content=worker_module(args.policy.render(), self.domain, args.policy.id),
            main_module=MAIN_MODULE,
            compatibility_date=COMPATIBILITY_DATE,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.custom_domain = cloudflare.WorkersCustomDomain(
            f"{name}-domain",
            account_id=account_id,
            hostname=self.hostname,
            service=self.script.script_name,
            zone_id=args.dns.zone_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.script]),
        )
        return HostParts(
            serving=[self.script, self.custom_domain],
            host_records=[HostRecord(self.hostname, "WORKER", script_name)],
            details={"script_name": script_name},
        )
