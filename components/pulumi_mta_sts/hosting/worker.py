"""Cloudflare policy host (``mta-sts:hosting:WorkerHost``): a ``WorkersScript`` serving the policy
(:func:`.edge_code.worker_module`) and a ``WorkersCustomDomain`` binding ``mta-sts.<domain>`` to it,
for which Cloudflare makes the DNS record and the certificate itself (no S3, no ACM).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pulumi

from pulumi_mta_sts.core.errors import Problem, provider_sdk
from pulumi_mta_sts.core.names import WORKER_SCRIPT, physical_name
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns
from pulumi_mta_sts.spec.rules import WORKER_NEEDS_CLOUDFLARE

if TYPE_CHECKING:
    import pulumi_cloudflare as cloudflare

from .base import HostParts, HostRecord, PolicyHost
from .edge_code import WORKER_MAIN_MODULE, worker_module

COMPATIBILITY_DATE = "2024-09-23"


def script_name_for(domain: str) -> str:
    """``mta-sts-<domain>``, cut with a hash: two long domains of one account never share a Worker."""
    return physical_name(WORKER_SCRIPT, "mta-sts", domain.lower())


def script_name_problems(name: object) -> list[Problem]:
    """A Worker name given must be one Cloudflare takes."""
    if name is None or (isinstance(name, str) and WORKER_SCRIPT.accepts(name)):
        return []
    reason = (
        "is not a Worker name; use 1 to 63 lowercase letters, digits, '-' or '_', "
        "starting and ending with a letter or a digit"
    )
    return [Problem("script_name", name, reason)]


def worker(
    parent: pulumi.Resource,
    resource_name: str,
    account_id: pulumi.Input[str],
    script: tuple[str, str, str],
    domains: Mapping[str, tuple[str, pulumi.Input[str]]],
) -> tuple[cloudflare.WorkersScript, dict[str, cloudflare.WorkersCustomDomain]]:
    """A ``WorkersScript`` (``script``: name, content, main module) and a ``WorkersCustomDomain``
    binding each host of ``domains`` (host -> resource name, zone id) to it."""
    with provider_sdk(type(parent).__name__):
        import pulumi_cloudflare as cloudflare

    script_name, content, main_module = script
    made = cloudflare.WorkersScript(
        resource_name,
        account_id=account_id,
        script_name=script_name,
        content=content,
        main_module=main_module,
        compatibility_date=COMPATIBILITY_DATE,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    bound = {
        host: cloudflare.WorkersCustomDomain(
            domain_resource,
            account_id=account_id,
            hostname=host,
            service=made.script_name,
            zone_id=zone_id,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[made]),
        )
        for host, (domain_resource, zone_id) in domains.items()
    }
    return made, bound


@dataclass(frozen=True)
class WorkerHostArgs:
    """Arguments of :class:`WorkerHost`: ``dns`` is the domain's Cloudflare zone (its account runs
    the Worker); ``script_name`` defaults to :func:`script_name_for` the domain."""

    domain: str
    policy: Policy
    dns: CloudflareDns
    script_name: str | None = None


class WorkerHost(PolicyHost[WorkerHostArgs]):
    """Serves the policy from a Cloudflare Worker on a custom domain."""

    kind: ClassVar[str] = "worker"
    type_token: ClassVar[str] = "mta-sts:hosting:WorkerHost"

    script: pulumi.CustomResource
    custom_domain: pulumi.CustomResource

    @classmethod
    def problems(cls, args: WorkerHostArgs) -> list[Problem]:
        problems = script_name_problems(args.script_name)
        return (
            problems
            if isinstance(args.dns, CloudflareDns)
            else [Problem("dns", args.dns, WORKER_NEEDS_CLOUDFLARE), *problems]
        )

    def build(self, name: str, args: WorkerHostArgs) -> HostParts:
        script_name = args.script_name or script_name_for(self.domain)
        script = (script_name, worker_module(args.policy.render(), self.domain, args.policy.id), WORKER_MAIN_MODULE)
        domains = {self.hostname: (f"{name}-domain", args.dns.zone_id)}
        self.script, bound = worker(self, f"{name}-script", args.dns.account_id, script, domains)
        self.custom_domain = bound[self.hostname]
        return HostParts(
            serving=[self.script, self.custom_domain],
            host_records=[HostRecord(self.hostname, "WORKER", script_name)],
            details={"script_name": script_name},
        )
