"""Preflight of the stack program: refuse to publish an ``enforce`` policy that would lose mail.

Before any resource is registered, when the configured mode is ``enforce``, the domain's live
MX hosts (or its implicit MX: the domain itself when it has no MX) are resolved and matched
against the policy's ``mx`` patterns (RFC 8461 §4.1). An uncovered MX stops the program with an
:class:`~pulumi_mta_sts.core.errors.InputError` naming the hosts and the patterns. The check is
skipped, with a warning:

- when ``mta-sts:preflight.mx_coverage`` is ``false`` (e.g. the MX moves in the same change);
- when DNS cannot be reached (timeout, server failure) or the run may not use live DNS
  (``--no-live-dns``, ``MTA_STS_NO_LIVE_DNS=1``: see :mod:`.options`);
- when the domain has no mail hosts to compare (NXDOMAIN, null MX, no MX and no address).

The look-ups go to the run's one resolver (:class:`~.options.LiveDns`). No Pulumi import: the
stack program (:func:`pulumi_mta_sts.program.pipeline.preflight`) calls :func:`run_preflight`
and reports the warnings.
"""

from __future__ import annotations

import dns.resolver

from pulumi_mta_sts.config.stack import StackConfig
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.net.lookup import Outcome, mail_hosts

from .options import LiveDns

__all__ = ["check_mx_coverage", "run_preflight"]

_SWITCH = "mta-sts:preflight.mx_coverage"


def check_mx_coverage(cfg: StackConfig, resolver: dns.resolver.Resolver) -> list[str]:
    """Compare the live MX hosts of ``cfg.domain`` with ``cfg.policy.mx`` when the mode is
    ``enforce``. Returns warnings (the check was skipped or partial); raises
    :class:`InputError` when an MX host is not covered."""
    policy, domain = cfg.policy, cfg.domain
    if policy.mode != "enforce":
        return []
    if not cfg.preflight.mx_coverage:
        return [_switched_off(domain)]
    mail = mail_hosts(resolver, domain)
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


def run_preflight(cfg: StackConfig, live: LiveDns) -> list[str]:
    """The stack program's preflight: :func:`check_mx_coverage` with the run's resolver; skipped
    with a warning saying why when the run has none (live DNS switched off, or no resolver)."""
    if cfg.policy.mode != "enforce":
        return []
    if not cfg.preflight.mx_coverage:
        return [_switched_off(cfg.domain)]
    if live.resolver is None:
        if live.disabled:
            return [f"preflight: {live.unavailable}; MX coverage of {cfg.domain} not checked"]
        return [_unreachable(cfg.domain, live.unavailable)]
    return check_mx_coverage(cfg, live.resolver)


def _switched_off(domain: str) -> str:
    return (
        f"preflight: MX coverage of {domain} not checked ({_SWITCH} is false); run "
        f"'mta-sts check {domain}' once the MX records are final — an uncovered MX loses mail in enforce"
    )


def _unreachable(domain: str, why: str) -> str:
    return (
        f"preflight: DNS could not be reached ({why}); MX coverage of "
        f"{domain} not checked — run 'mta-sts check {domain}' before relying on enforce"
    )
