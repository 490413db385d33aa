"""Stack configuration → a checked :class:`~.sections.Deployment` (pure: no Pulumi, no network).

:mod:`.stack` finds and loads a stack file's ``mta-sts:`` keys (read as the Pulumi CLI reads them:
:mod:`.stack_file`; user-named files safely: :mod:`.files`), one domain's sections with
:mod:`.sections`, a fleet's entries with :mod:`.fleet_stack`. Every problem names its config key.
"""

from .sections import Deployment, DomainConfig
from .stack import load_any_config, load_stack_config, load_stack_file

__all__ = ["Deployment", "DomainConfig", "load_any_config", "load_stack_config", "load_stack_file"]
