"""Preflight, before any resource is registered: refuse to publish an ``enforce`` policy that would
lose mail (the live MX hosts against the policy, RFC 8461 §4.1), and to start a deploy that records
already at ``mta-sts.<domain>`` would stop half-way. Every look-up goes to the run's one resolver.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.resolver

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.core.record_resources import CLOUDFLARE_RECORD
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.net.existing_records import LOOKUP_ERRORS, MIGRATE_SECTION, HostAnswer, live_host_records
from pulumi_mta_sts.net.lookup import Outcome, mail_hosts

from .options import LiveDns
from .part import resource_name

_SWITCH = "mta-sts:preflight.mx_coverage"
HOST_KIND_KEY = "mta-sts:host.kind"


def check_mx_coverage(cfg: DomainConfig, resolver: dns.resolver.Resolver | LiveDns) -> list[str]:
    """In ``enforce``, :class:`InputError` when a live MX host of ``cfg.domain`` matches no pattern;
    warnings when the check was skipped."""
    policy, domain = cfg.served_policy, cfg.domain
    live = resolver if isinstance(resolver, LiveDns) else LiveDns(resolver)
    if policy.mode != "enforce":
        return []
    if not cfg.preflight.mx_coverage:
        return [
            f"preflight: MX coverage of {domain} not checked ({_SWITCH} is false); run "
            f"'mta-sts check {domain}' once the MX records are final — an uncovered MX loses mail in enforce"
        ]
    if live.resolver is None and live.disabled:
        return [f"preflight: {live.unavailable}; MX coverage of {domain} not checked"]
    if live.resolver is None:
        return [_unreachable(domain, live.unavailable)]
    mail = mail_hosts(live.resolver, domain)
    if mail.problem is not None:
        if mail.problem.outcome is Outcome.NXDOMAIN:
            return [f"preflight: {domain} does not exist in DNS yet; MX coverage not checked"]
        return [_unreachable(domain, mail.problem.describe_failure())]
    if mail.null_mx or not mail.hosts:
        return [f"preflight: {domain} has no mail hosts (null MX, or no MX and no address); nothing to cover"]
    missing = uncovered(mail.hosts, policy.mx)
    if missing:
        kind = "implicit MX (the domain has no MX record)" if mail.implicit else "MX hosts"
        raise InputError(
            [
                Problem(
                    f"{cfg.prefix}policy.mx",
                    list(policy.mx),
                    f"mode is enforce, but the live {kind} of {domain} {', '.join(missing)} "
                    f"match no pattern ({', '.join(policy.mx)}): senders would not deliver to them. "
                    f"Add them to mta-sts:policy.mx (a '*.' pattern covers exactly one label), or set "
                    f"{_SWITCH}: false if the MX records change in this same deployment",
                )
            ]
        )
    return []


def run_preflight(cfg: DomainConfig, live: LiveDns) -> list[str]:
    """One domain's preflight; host records are not looked at without a resolver (the live step says
    so once) nor for a delegated domain (its owner's CNAME)."""
    warnings = check_mx_coverage(cfg, live)
    if live.resolver is not None and not cfg.delegated:
        warnings += check_host_records(cfg, live.resolver)
    return warnings


def check_host_records(cfg: DomainConfig, resolver: dns.resolver.Resolver) -> list[str]:
    """Stop where live DNS at ``mta-sts.<domain>`` blocks the host's own record, warn with the steps
    where a safe sequence exists."""
    host = policy_host(cfg.domain)
    try:
        answer = live_host_records(host, resolver)
    except LOOKUP_ERRORS as exc:
        reason = str(exc) or type(exc).__name__
        return [f"preflight: could not look up {host} ({reason}); records already there were not checked"]
    assert cfg.dns is not None  # not delegated
    situation = Situation(cfg.dns.provider, cfg.host.kind, resource_name(cfg), answer)
    blocking = blocking_reason(situation)
    if blocking:
        raise InputError([Problem(f"{cfg.prefix}host.kind", cfg.host.kind, blocking)])
    return takeover_warnings(situation)


def _unreachable(domain: str, why: str) -> str:
    return (
        f"preflight: DNS could not be reached ({why}); MX coverage of "
        f"{domain} not checked — run 'mta-sts check {domain}' before relying on enforce"
    )


# ---- what is already at mta-sts.<domain> ----------------------------------------------------------
@dataclass(frozen=True)
class Situation:
    """The stack's provider, host kind and ``MtaSts`` name, and what is at ``mta-sts.<domain>``."""

    provider: str
    kind: str
    resource: str
    answer: HostAnswer

    @property
    def target(self) -> str:
        return self.answer.cname or ""

    @property
    def addresses(self) -> str:
        return ", ".join(self.answer.addresses) or "none"


def blocking_reason(s: Situation) -> str | None:
    """Why the host's record cannot be created over a CNAME there: Route53 puts no alias beside one,
    Cloudflare binds no Worker custom domain over one (error 100117). A/AAAA records are no obstacle."""
    if s.answer.cname is None:
        return None
    if s.provider == "route53" and s.kind == "cloudfront":
        return (
            f"live DNS has a CNAME at {s.answer.name} (to {s.target}; a hand-made or hosted MTA-STS setup): Route53 "
            "cannot create this stack's alias A/AAAA records beside it, and `pulumi up` would stop after creating "
            "the certificate and the distribution. To take over with no moment without a policy: in the hosted "
            "zone, replace the CNAME by A/AAAA records with the addresses it resolves to now "
            f"({s.addresses}) in one change batch (DELETE the CNAME, CREATE the A/AAAA records); once the "
            "CNAME's TTL has passed (or with MTA_STS_NAMESERVERS set to the zone's name servers), run "
            "`pulumi up`: it overwrites those records with its alias in one step and the old host serves "
            f"until CloudFront does. See {MIGRATE_SECTION}"
        )
    if s.kind == "worker":
        return (
            f"live DNS has a CNAME at {s.answer.name} (to {s.target}): Cloudflare binds no Worker custom domain over "
            "an existing record (error 100117), and `pulumi up` would stop after uploading the Worker. If it is "
            f"this stack's CloudFront alias (switching {HOST_KIND_KEY} from cloudfront to worker), run "
            f"`pulumi destroy --target '<URN of {s.resource}-host-alias>'`; if it was made by hand or by a "
            "hosting service, delete it in the Cloudflare dashboard. Then run `pulumi up` at once (with "
            "MTA_STS_NAMESERVERS set to the zone's name servers, so this check sees the change), keeping the "
            "policy unchanged so its id stays: until the Worker serves, senders keep the policy they cached "
            f"and the others deliver as without MTA-STS. See {MIGRATE_SECTION}"
        )
    return None


def takeover_warnings(s: Situation) -> list[str]:
    """The safe sequence where the deploy would stop half-way but need not be stopped before: a
    CloudFront host on Cloudflare DNS, whose CNAME Cloudflare will not create over another record."""
    if s.provider != "cloudflare" or s.kind != "cloudfront" or s.answer.empty:
        return []
    if s.answer.cname is None:
        return [
            f"live DNS has A/AAAA records at {s.answer.name} ({s.addresses}): a hand-made setup, or this stack's "
            f"Worker when switching {HOST_KIND_KEY} from worker to cloudfront. Cloudflare will not create the "
            "stack's CNAME to CloudFront beside them (error 81053). Run `pulumi up` (it stops at that record once "
            "CloudFront serves, the old host still answering); then remove them (this stack's Worker: "
            f"`pulumi destroy --target '<URN of {s.resource}-host-domain>'`; by hand: the Cloudflare dashboard) "
            f"and run `pulumi up` again at once: the CNAME is created within seconds. See {MIGRATE_SECTION}"
        ]
    if s.target.endswith(".cloudfront.net"):
        return []
    return [
        f"live DNS has a CNAME at {s.answer.name} (to {s.target}) that this stack did not make; Cloudflare will not "
        "create the stack's CNAME to CloudFront over it (error 81053). To take it over with no gap: run "
        "`pulumi up` (it stops at that record once CloudFront serves, the old host still answering), then "
        f"`pulumi import {CLOUDFLARE_RECORD} {s.resource}-host-alias '<ZONE_ID>/<RECORD_ID>' "
        f"--parent '{s.resource}-dns=<URN of {s.resource}-dns>'`, then `pulumi up` again: it points the "
        f"record at CloudFront in place. See {MIGRATE_SECTION}"
    ]
