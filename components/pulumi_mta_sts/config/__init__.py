"""Stack configuration → a checked :class:`~.sections.Deployment` (pure: no Pulumi, no network).

:mod:`.stack` finds and loads a stack file's ``mta-sts:`` keys (read as the Pulumi CLI reads them:
:mod:`.stack_file`, user-named files safely: :mod:`.files`), one domain's sections with
:mod:`.sections`, a fleet's entries with :mod:`.fleet_stack`. Every problem names its config key.
"""

from pulumi_mta_sts.spec import DnsConfig, ReceiverSettings

from .sections import Deployment, DomainConfig
from .stack import (
    NAMESPACE,
    find_stack_file,
    find_stacks_dir,
    load_any_config,
    load_deployment_file,
    load_stack_config,
    load_stack_file,
    read_stack_file,
    stack_values,
)
from .stack_file import decode_config_value, read_project_file

__all__ = [
    "NAMESPACE",
    "Deployment",
    "DnsConfig",
    "DomainConfig",
    "ReceiverSettings",
    "decode_config_value",
    "find_stack_file",
    "find_stacks_dir",
    "load_any_config",
    "load_deployment_file",
    "load_stack_config",
    "load_stack_file",
    "read_project_file",
    "read_stack_file",
    "stack_values",
]
