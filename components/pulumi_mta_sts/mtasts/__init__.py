"""``MtaSts``: the composite for one mail domain; ``MtaStsFleet``: many domains on shared hosting;
and ``PolicyLive``, the dynamic resource that holds the new id back until its body is served."""

from .component import MtaSts, MtaStsArgs
from .fleet import DelegationArgs, FleetDomainArgs, MtaStsFleet, MtaStsFleetArgs

__all__ = ["DelegationArgs", "FleetDomainArgs", "MtaSts", "MtaStsArgs", "MtaStsFleet", "MtaStsFleetArgs"]
