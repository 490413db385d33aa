"""``MtaSts`` (one mail domain) and ``MtaStsFleet`` (many on shared hosting): :mod:`.component`;
what each domain gets either way: :mod:`.domain`; and ``PolicyLive`` (:mod:`.policy_live`), the
dynamic resource that holds a new id back until its body is served."""

from .component import DelegationArgs, FleetDomainArgs, MtaSts, MtaStsArgs, MtaStsFleet, MtaStsFleetArgs

__all__ = ["DelegationArgs", "FleetDomainArgs", "MtaSts", "MtaStsArgs", "MtaStsFleet", "MtaStsFleetArgs"]
