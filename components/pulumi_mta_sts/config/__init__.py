"""Stack configuration → a checked :class:`~.sections.Deployment` (no Pulumi, no network); every
problem names its config key.
"""

from .sections import Deployment, DomainConfig
from .stack import load_any_config, load_stack_config, load_stack_file

__all__ = ["Deployment", "DomainConfig", "load_any_config", "load_stack_config", "load_stack_file"]
