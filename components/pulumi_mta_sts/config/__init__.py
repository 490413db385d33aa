"""Stack configuration → typed, validated objects (pure: no Pulumi, no network).

:mod:`.stack` reads the ``mta-sts:`` namespace of ``stacks/Pulumi.<stack>.yaml``, which
:mod:`.stack_file` reads exactly as the Pulumi CLI does (:mod:`.files`: user-named files, safely);
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
    project_name,
    read_stack_file,
    stack_values,
)
from .stack_file import decode_config_value, read_project_file

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
    "decode_config_value",
    "find_stack_file",
    "find_stacks_dir",
    "load_stack_config",
    "load_stack_file",
    "mailto_rua",
    "project_name",
    "read_project_file",
    "read_stack_file",
    "settings_from_mapping",
    "stack_values",
]
