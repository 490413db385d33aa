"""Stack configuration → typed, validated objects (pure: no Pulumi, no network).

:mod:`.stack` reads the ``mta-sts:`` namespace of ``stacks/Pulumi.<stack>.yaml``;
:mod:`.receiver` holds the TLS-RPT receiver's settings. Every problem names its config key.
"""

from .receiver import ReceiverSettings, check_receiver_settings, mailto_rua, settings_from_mapping
from .stack import (
    DNS_PROVIDERS,
    HOST_KINDS,
    NAMESPACE,
    DnsConfig,
    HostConfig,
    PreflightConfig,
    ReceiverConfig,
    ReportingConfig,
    StackConfig,
    find_stack_file,
    find_stacks_dir,
    load_stack_config,
    load_stack_file,
    read_stack_file,
)

__all__ = [
    "DNS_PROVIDERS",
    "HOST_KINDS",
    "NAMESPACE",
    "DnsConfig",
    "HostConfig",
    "PreflightConfig",
    "ReceiverConfig",
    "ReceiverSettings",
    "ReportingConfig",
    "StackConfig",
    "check_receiver_settings",
    "find_stack_file",
    "find_stacks_dir",
    "load_stack_config",
    "load_stack_file",
    "mailto_rua",
    "read_stack_file",
    "settings_from_mapping",
]
