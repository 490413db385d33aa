"""The two stack layouts, decided once (:data:`LAYOUTS`, by the config's ``layout``); every other step
treats a stack as the list of its domains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import ClassVar

import pulumi

from pulumi_mta_sts.config.sections import Deployment, DomainConfig
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs, MtaStsFleet, first_and_more

from .options import LiveDns
from .part import BuiltPart, StackPart, resource_name
from .preflight import run_preflight


@dataclass(frozen=True)
class OneDomain:
    """One domain's ``MtaSts`` and each enabled part's share. A layout's steps: :meth:`build`, then on
    what it built :meth:`warn_unmanaged_records`, :meth:`export`; ``has_parts``: whether optional parts
    can be built (they stand on one domain's ``MtaSts``)."""

    mtasts: MtaSts
    parts: tuple[BuiltPart, ...] = ()
    has_parts: ClassVar[bool] = True

    @staticmethod
    def offline_preflight(cfg: Deployment, live: LiveDns) -> list[str]:
        return run_preflight(cfg.domains[0], live)  # it says why MX coverage was not checked

    @classmethod
    def build(cls, cfg: Deployment, parts: tuple[StackPart, ...]) -> OneDomain:
        """``MtaSts`` from the domain's config as every part adjusts it, then each part on top of it."""
        (domain,) = cfg.domains
        adjusted = reduce(lambda each, part: part.adjust(each), parts, domain)
        mtasts = MtaSts(resource_name(domain), MtaStsArgs(**vars(adjusted.args())))
        return cls(mtasts, tuple(part.build(domain, mtasts) for part in parts))

    def warn_unmanaged_records(self, live: LiveDns) -> list[str]:
        """``MtaSts``'s own records, then each part's; without a resolver, one warning saying why."""
        mtasts = self.mtasts
        if live.resolver is None:
            if live.disabled:
                return []
            domain, why = mtasts.domain, live.unavailable
            warning = f"could not check live DNS for existing MTA-STS records of {domain}: {why}; continuing"
            pulumi.log.warn(warning, resource=mtasts)
            return [warning]
        warnings = mtasts.warn_unmanaged_records(live.resolver)
        for part in self.parts:
            for check in part.live_checks:
                warnings += check(live.resolver)
        return warnings

    def export(self) -> None:
        """``domain``, ``policy_*``, ``records`` (the parts' too), ``host``, then each part's own."""
        mtasts = self.mtasts
        pulumi.export("domain", mtasts.domain)
        for name in ("policy_id", "policy_text", "policy_url"):
            pulumi.export(name, getattr(mtasts, name))
        extra = [record for part in self.parts for record in part.records]
        pulumi.export("records", pulumi.Output.all(mtasts.records, *extra).apply(lambda v: [*v[0], *v[1:]]))
        pulumi.export("host", mtasts.host)
        for part in self.parts:
            for name, value in part.exports.items():
                pulumi.export(name, value)


@dataclass(frozen=True)
class Fleet:
    """The fleet's ``MtaStsFleet`` (named ``fleet``); exports ``domains`` and ``shards`` (pin them)."""

    fleet: MtaStsFleet
    config: Deployment
    has_parts: ClassVar[bool] = False

    @staticmethod
    def offline_preflight(cfg: Deployment, live: LiveDns) -> list[str]:
        enforced = [d for d in cfg.domains if d.served_policy.mode == "enforce"]
        if not enforced:
            return []
        return [f"preflight: {live.unavailable}; MX coverage of {len(enforced)} enforce domains not checked"]

    @classmethod
    def build(cls, cfg: Deployment, parts: tuple[StackPart, ...]) -> Fleet:
        try:
            fleet = MtaStsFleet("fleet", cfg.fleet_args())
        except InputError as exc:  # the config was checked; what is left names the component's fields
            raise InputError(p.under("mta-sts:") for p in exc.problems) from None
        return cls(fleet, cfg)

    def warn_unmanaged_records(self, live: LiveDns) -> list[str]:
        return []  # a fleet's records are not looked up: docs/fleets.md, `mta-sts check` per domain

    def export(self) -> None:
        shards = {d: m.hosting.shard for d, m in self.fleet.members.items() if m.hosting.shard is not None}
        for warning in lifecycle_warnings(self.config, shards=shards):
            pulumi.log.warn(warning, resource=self.fleet)
        pulumi.export("domains", self.fleet.domains)
        pulumi.export("shards", shards)


Layout = OneDomain | Fleet
#: The layouts, by :attr:`Deployment.layout`.
LAYOUTS: dict[str, type[Layout]] = {"domain": OneDomain, "fleet": Fleet}


def lifecycle_warnings(
    cfg: Deployment, today: dt.date | None = None, shards: Mapping[str, int] | None = None
) -> list[str]:
    """Offboarding domains (when the entry may go) and unpinned shards (the pins to write, from ``shards``)."""
    today = today or dt.datetime.now(dt.UTC).date()
    warnings = []
    for d in cfg.domains:
        removable = d.removable_on
        if not d.offboard:
            continue
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


def _unpinned_warning(unpinned: Sequence[DomainConfig], shards: Mapping[str, int]) -> str:
    pins = [f"{d.key} ({d.domain}): shard: {shards[d.domain]}" for d in unpinned if d.domain in shards]
    shown = first_and_more(pins, _PINS_SHOWN, "; ", "; ")
    return (
        f"{len(unpinned)} CloudFront-hosted domains have no pinned shard; add to each entry the shard this "
        f"plan (and `pulumi up`) places it in, so that later additions and removals never move it "
        f"(docs/fleets.md): {shown or unpinned[0].key} (all of them: the 'shards' output)"
    )
