"""Preflight of the stack program: refuse to publish an ``enforce`` policy that would lose mail.

Before any resource is registered, when the configured mode is ``enforce``, the domain's live
MX hosts (or its implicit MX: the domain itself when it has no MX) are resolved and matched
against the policy's ``mx`` patterns (RFC 8461 §4.1). An uncovered MX stops the program with an
:class:`~pulumi_mta_sts.core.errors.InputError` naming the hosts and the patterns. The check is
skipped, with a warning:

- when ``mta-sts:preflight.mx_coverage`` is ``false`` (e.g. the MX moves in the same change);
- when DNS cannot be reached (timeout, server failure) or live DNS is disabled
  (``MTA_STS_NO_LIVE_DNS=1``);
- when the domain has no mail hosts to compare (NXDOMAIN, null MX, no MX and no address).

Uses :mod:`pulumi_mta_sts.net.resolver` for the resolver (``MTA_STS_NAMESERVERS`` applies). No
Pulumi import: the stack program calls :func:`run_preflight` and reports the warnings.
"""

from __future__ import annotations

import dns.resolver

from pulumi_mta_sts.config.stack import StackConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.net.lookup import Outcome, mail_hosts
from pulumi_mta_sts.net.resolver import NO_LIVE_DNS_ENV, live_dns_enabled, make_resolver

__all__ = ["PREFLIGHT_DNS_TIMEOUT", "check_mx_coverage", "run_preflight"]

#: Seconds to wait for each DNS answer before skipping the check with a warning.
PREFLIGHT_DNS_TIMEOUT = 5.0

_SWITCH = "mta-sts:preflight.mx_coverage"


def check_mx_coverage(cfg: StackConfig, resolver: dns.resolver.Resolver) -> list[str]:
    """Compare the live MX hosts of ``cfg.domain`` with ``cfg.policy.mx`` when the mode is
    ``enforce``. Returns warnings (the check was skipped or partial); raises
    :class:`InputError` when an MX host is not covered."""
    policy, domain = cfg.policy, cfg.domain
    if policy.mode != "enforce":
        return []
    if not cfg.preflight.mx_coverage:
        return [
            f"preflight: MX coverage of {domain} not checked ({_SWITCH} is false); run "
            f"'mta-sts check {domain}' once the MX records are final — an uncovered MX loses mail in enforce"
        ]
    mail = mail_hosts(resolver, domain)
    if mail.problem is not None:
        if mail.problem.outcome is Outcome.NXDOMAIN:
            return [f"preflight: {domain} does not exist in DNS yet; MX coverage not checked"]
        return [
            f"preflight: DNS could not be reached ({mail.problem.describe_failure()}); MX coverage of "
            f"{domain} not checked — run 'mta-sts check {domain}' before relying on enforce"
        ]
    if mail.null_mx or not mail.hosts:
        return [f"preflight: {domain} has no mail hosts (null MX, or no MX and no address); nothing to cover"]
    missing = uncovered(mail.hosts, policy.mx)
    if missing:
        kind = "implicit MX (the domain has no MX record)" if mail.implicit else "MX hosts"
        raise InputError(
            [
                Problem(
                    "mta-sts:policy.mx",
                    list(policy.mx),
                    f"mode is enforce, but the live {kind} of {domain} {', '.join(missing)} "
                    f"match no pattern ({', '.join(policy.mx)}): senders would not deliver to them. "
                    f"Add them to mta-sts:policy.mx (a '*.' pattern covers exactly one label), or set "
                    f"{_SWITCH}: false if the MX records change in this same deployment",
                )
            ]
        )
    return []


def run_preflight(cfg: StackConfig, resolver: dns.resolver.Resolver | None = None) -> list[str]:
    """The stack program's entry point: :func:`check_mx_coverage` with the environment's resolver
    (``MTA_STS_NAMESERVERS``), skipped with a warning when ``MTA_STS_NO_LIVE_DNS`` is set."""
    if cfg.policy.mode != "enforce":
        return []
    if resolver is None:
        if cfg.preflight.mx_coverage and not live_dns_enabled():
            return [f"preflight: live DNS disabled ({NO_LIVE_DNS_ENV}); MX coverage of {cfg.domain} not checked"]
        resolver = make_resolver(timeout=PREFLIGHT_DNS_TIMEOUT)
    return check_mx_coverage(cfg, resolver)
