"""``MtaSts`` (one mail domain) and ``MtaStsFleet`` (many on shared hosting), and ``PolicyLive``
(:mod:`.policy_live`), which holds a new id back until its body is served."""

from .component import DelegationArgs, FleetDomainArgs, MtaSts, MtaStsArgs, MtaStsFleet, MtaStsFleetArgs

__all__ = ["DelegationArgs", "FleetDomainArgs", "MtaSts", "MtaStsArgs", "MtaStsFleet", "MtaStsFleetArgs"]
