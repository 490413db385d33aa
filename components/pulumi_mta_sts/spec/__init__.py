"""A deployment as plain, checked data (no Pulumi, no network): the components' arguments, the
receiver's settings and the field rules they share.
"""

from .deployment import DelegationArgs, DnsConfig, FleetDomainArgs, MtaStsArgs, MtaStsFleetArgs
from .receiver_settings import ReceiverSettings

__all__ = ["DelegationArgs", "DnsConfig", "FleetDomainArgs", "MtaStsArgs", "MtaStsFleetArgs", "ReceiverSettings"]
