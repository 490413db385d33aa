"""The Cloudflare Worker hosts: ``mta-sts:hosting:WorkerHost`` serves one domain's policy, and
``mta-sts:hosting:SharedWorkerHosting`` a fleet's, every policy embedded in one Worker (a change is
one atomic new version). Each ``mta-sts.<domain>`` is bound to its Worker by a ``WorkersCustomDomain``,
for which Cloudflare makes the DNS record and the certificate itself (no S3, no ACM); it can only be
a name in a zone of the Worker's account, so every site's ``dns`` is a ``CloudflareDns`` (delegated
domains go to CloudFront).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.names import WORKER_SCRIPT, physical_name
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, policy_url
from pulumi_mta_sts.dns import CloudflareDns
from pulumi_mta_sts.spec.rules import WORKER_NEEDS_CLOUDFLARE, id_problems

if TYPE_CHECKING:
    import pulumi_cloudflare as cloudflare

from .base import HostParts, HostRecord, PolicyHost
from .edge_code import (
    FLEET_MAIN_MODULE,
    WORKER_MAIN_MODULE,
    WORKER_SIZE_LIMIT,
    compressed_size,
    fleet_worker_module,
    worker_module,
)
from .shared import FleetSite, SharedHosting, SiteHosting, as_records, site_problems


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
        compatibility_date="2024-09-23",
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
        if not isinstance(args.dns, CloudflareDns):
            problems.insert(0, Problem("dns", args.dns, WORKER_NEEDS_CLOUDFLARE))
        return problems

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


@dataclass(frozen=True)
class SharedWorkerHostingArgs:
    """Arguments of :class:`SharedWorkerHosting`; defaults: the first site's zone's account, and
    :func:`script_name_for` the resource name."""

    sites: Sequence[FleetSite]
    account_id: str | None = None
    script_name: str | None = None


def _problems(args: SharedWorkerHostingArgs) -> list[Problem]:
    problems = site_problems(args.sites, allow_delegated=False)
    for index, site in enumerate(args.sites if isinstance(args.sites, Sequence) else []):
        if isinstance(site, FleetSite) and site.dns is not None and not isinstance(site.dns, CloudflareDns):
            problems.append(Problem(f"sites[{index}].dns", site.dns, WORKER_NEEDS_CLOUDFLARE))
    return problems + id_problems(args.account_id, "account_id", "account") + script_name_problems(args.script_name)


class SharedWorkerHosting(SharedHosting):
    """Serves every site's policy from one Cloudflare Worker (module docs)."""

    type_token: ClassVar[str] = "mta-sts:hosting:SharedWorkerHosting"

    script: pulumi.CustomResource
    custom_domains: dict[str, pulumi.CustomResource]

    def __init__(self, name: str, args: SharedWorkerHostingArgs, opts: pulumi.ResourceOptions | None = None):
        problems = _problems(args)
        source = "" if problems else fleet_worker_module({policy_host(s.domain): s.policy_text for s in args.sites})
        size = compressed_size(source)
        if not problems and size > WORKER_SIZE_LIMIT:
            reason = f"make a Worker of {size} bytes compressed, over {WORKER_SIZE_LIMIT}: split the fleet"
            problems.append(Problem("sites", len(args.sites), reason))
        if problems:
            raise InputError(problems)  # before anything is registered
        with provider_sdk("SharedWorkerHosting"):
            import pulumi_cloudflare  # noqa: F401

        sites = sorted(args.sites, key=lambda s: s.domain)
        super().__init__(self.type_token, name, None, opts)
        zones = [s.dns for s in sites if isinstance(s.dns, CloudflareDns)]
        account_id = pulumi.Output.from_input(args.account_id) if args.account_id else zones[0].account_id
        script_name = args.script_name or script_name_for(name)
        domains = {
            policy_host(s.domain): (f"{name}-{s.domain}-domain", z.zone_id) for s, z in zip(sites, zones, strict=True)
        }
        self.script, bound = worker(
            self, f"{name}-script", account_id, (script_name, source, FLEET_MAIN_MODULE), domains
        )
        self.custom_domains = {site.domain: bound[policy_host(site.domain)] for site in sites}
        self.hosted = {
            site.domain: SiteHosting(
                site.domain, policy_url(site.domain), (self.script, self.custom_domains[site.domain]), as_records([])
            )
            for site in sites
        }
        self.register_outputs({"script_name": self.script.script_name, "hosts": sorted(self.custom_domains)})
