"""Cloudflare shared policy host of a fleet (``mta-sts:hosting:SharedWorkerHosting``): one Worker
with every policy embedded (a change is one atomic new version), and per domain a custom domain
binding ``mta-sts.<domain>`` to it. A custom domain can only be a name in a zone of the Worker's
account, so every site's ``dns`` is a ``CloudflareDns`` (delegated domains go to CloudFront).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.dns import CloudflareDns
from pulumi_mta_sts.spec.rules import WORKER_NEEDS_CLOUDFLARE, id_problems

from .edge_code import FLEET_MAIN_MODULE, WORKER_SIZE_LIMIT, compressed_size, fleet_worker_module
from .shared import FleetSite, SharedHosting, SiteHosting, checked_sites, no_records, site_problems
from .worker import script_name_for, script_name_problems, worker


@dataclass(frozen=True)
class SharedWorkerHostingArgs:
    """Arguments of :class:`SharedWorkerHosting`; defaults: the first site's zone's account, and
    :func:`.worker.script_name_for` the resource name."""

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
        if not problems and compressed_size(source) > WORKER_SIZE_LIMIT:
            size = compressed_size(source)
            reason = f"make a Worker of {size} bytes compressed, over {WORKER_SIZE_LIMIT}: split the fleet"
            problems.append(Problem("sites", len(args.sites), reason))
        if problems:
            raise InputError(problems)  # before anything is registered
        with provider_sdk("SharedWorkerHosting"):
            import pulumi_cloudflare  # noqa: F401

        sites = checked_sites(args.sites, allow_delegated=False)
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
                site.domain, self._url_of(site), (self.script, self.custom_domains[site.domain]), no_records()
            )
            for site in sites
        }
        self.register_outputs({"script_name": self.script.script_name, "hosts": sorted(self.custom_domains)})
