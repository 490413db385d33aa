"""The stack program's steps for a fleet stack (``mta-sts:domains``, config/fleet.py): the same
pipeline as one domain (:mod:`.pipeline` dispatches here), with one :class:`MtaStsFleet` instead of
one ``MtaSts``.

- preflight: each domain's live MX coverage in enforce (and, for domains whose DNS the stack
  manages, what is already at ``mta-sts.<domain>``), problems named by entry
  (``mta-sts:domains[3].policy.mx``); without live DNS, one warning for the whole fleet;
- build: the fleet component;
- warnings: offboarding domains (when their entry may be removed), domains without a pinned shard;
- exports: ``domains`` (per domain: policy id, URL, mode, shard, records, and for a delegated
  domain the ``customer_records`` its owner publishes), ``shards`` (domain → shard: pin them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from pulumi_mta_sts.config.fleet import FleetConfig, FleetDomain
from pulumi_mta_sts.config.stack import NAMESPACE
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.mtasts.fleet import MtaStsFleet, MtaStsFleetArgs

from .options import LiveDns
from .preflight import check_mx_coverage, run_preflight

__all__ = ["FLEET_RESOURCE", "FleetDeployment", "build", "export", "lifecycle_warnings", "preflight"]

#: The resource name of the stack's one ``MtaStsFleet``.
FLEET_RESOURCE = "fleet"


@dataclass(frozen=True)
class FleetDeployment:
    """What :func:`build` registered."""

    fleet: MtaStsFleet
    config: FleetConfig


def _entry_problem(domain: FleetDomain, problem: Problem) -> Problem:
    """A single-domain key (``mta-sts:policy.mx``) as the key of the domain's entry."""
    prefix = f"{NAMESPACE}:"
    if problem.field.startswith(prefix):
        return Problem(f"{domain.key}.{problem.field[len(prefix) :]}", problem.value, problem.reason)
    return problem


def _domain_preflight(domain: FleetDomain, cfg: FleetConfig, live: LiveDns) -> list[str]:
    if live.resolver is None:
        return []
    if domain.delegated:  # its mta-sts.<domain> is its owner's CNAME to us: only the MX matter
        zone = cfg.delegation.dns if cfg.delegation else None
        return check_mx_coverage(domain.stack_config(zone), live.resolver)
    return run_preflight(domain.stack_config(), live)


def preflight(cfg: FleetConfig, live: LiveDns) -> list[str]:
    """Every domain's preflight; raises :class:`InputError` with the problems of every domain
    at once. Returns (and logs) the warnings."""
    warnings: list[str] = []
    problems: list[Problem] = []
    for domain in cfg.domains:
        try:
            warnings += _domain_preflight(domain, cfg, live)
        except InputError as exc:
            problems += [_entry_problem(domain, p) for p in exc.problems]
    if problems:
        raise InputError(problems)
    enforced = [d.domain for d in cfg.domains if d.served_policy.mode == "enforce"]
    if live.resolver is None and enforced:
        warnings.append(f"preflight: {live.unavailable}; MX coverage of {len(enforced)} enforce domains not checked")
    for warning in warnings:
        pulumi.log.warn(warning)
    return warnings


def build(cfg: FleetConfig) -> FleetDeployment:
    """The stack's :class:`MtaStsFleet` (resource name :data:`FLEET_RESOURCE`)."""
    try:
        fleet = MtaStsFleet(FLEET_RESOURCE, MtaStsFleetArgs.from_config(cfg))
    except InputError as exc:  # the config was checked; what is left names the component's fields
        raise InputError(p.under(f"{NAMESPACE}:") for p in exc.problems) from None
    return FleetDeployment(fleet, cfg)


def lifecycle_warnings(
    cfg: FleetConfig, today: dt.date | None = None, shards: Mapping[str, int] | None = None
) -> list[str]:
    """Offboarding domains (mode none served; when the entry may go) and unpinned shards (with
    the pin to write, from ``shards``: the plan places them exactly as ``pulumi up`` will)."""
    today = today or dt.datetime.now(dt.UTC).date()
    warnings = []
    for d in cfg.domains:
        if not d.offboard:
            continue
        removable = d.removable_on
        if removable is None:
            when = (
                f"set offboard to the day this was first deployed ('YYYY-MM-DD'); the entry may be removed "
                f"{d.policy.max_age} seconds (the old max_age) after that"
            )
        elif removable <= today:
            when = f"senders' cached policies have expired since {removable}: the entry may now be removed"
        else:
            when = f"keep the entry until {removable} (the old max_age after {d.offboard_since})"
        warnings.append(f"{d.key} ({d.domain}) is offboarding: mode none is served; {when}")
    unpinned = [d for d in cfg.domains if d.shard is None and (d.delegated or d.host.kind == "cloudfront")]
    if unpinned:
        warnings.append(_unpinned_warning(unpinned, shards or {}))
    return warnings


#: How many pins the warning spells out; the 'shards' output has them all.
_PINS_SHOWN = 10


def _unpinned_warning(unpinned: Sequence[FleetDomain], shards: Mapping[str, int]) -> str:
    """Which domains to pin and to what: the same placement `pulumi up` makes from this config,
    so the pins can go into the change that adds the domains, before any deploy."""
    pins = [f"{d.key} ({d.domain}): shard: {shards[d.domain]}" for d in unpinned if d.domain in shards]
    shown = "; ".join(pins[:_PINS_SHOWN]) + (f"; and {len(pins) - _PINS_SHOWN} more" if len(pins) > _PINS_SHOWN else "")
    return (
        f"{len(unpinned)} CloudFront-hosted domains have no pinned shard; add to each entry the shard this "
        f"plan (and `pulumi up`) places it in, so that later additions and removals never move it "
        f"(docs/fleets.md): {shown or unpinned[0].key} (all of them: the 'shards' output)"
    )


def export(deployment: FleetDeployment) -> None:
    """Stack outputs: ``domains`` (per domain) and ``shards`` (domain → shard, to pin)."""
    fleet = deployment.fleet
    shards = {d: m.hosting.shard for d, m in fleet.members.items() if m.hosting.shard is not None}
    for warning in lifecycle_warnings(deployment.config, shards=shards):
        pulumi.log.warn(warning, resource=fleet)
    pulumi.export("domains", fleet.domains)
    pulumi.export("shards", shards)
