"""A deployment as plain, checked data (pure: no Pulumi, no network), between the core's rules and
the stack config that reads it from YAML: the components' arguments (:mod:`.deployment`), the
TLS-RPT receiver's settings (:mod:`.receiver_settings`) and the field rules they share (:mod:`.rules`).
"""

from .deployment import DelegationArgs, DnsConfig, FleetDomainArgs, MtaStsArgs, MtaStsFleetArgs
from .receiver_settings import ReceiverSettings

__all__ = ["DelegationArgs", "DnsConfig", "FleetDomainArgs", "MtaStsArgs", "MtaStsFleetArgs", "ReceiverSettings"]
