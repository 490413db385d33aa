"""The MTA-STS rules of the CrossGuard policy pack (``policypack/``), as pure functions.

:data:`~.rules.RULES` lists each rule with its level (advisory or mandatory) and its check: a
function of a resource's type token and properties, or of the stack's resources. They read the
shapes the AWS and Cloudflare providers give resources (:mod:`.shapes`) and judge with the core's
RFC 8461 logic, so any Pulumi program, hand-made or built with these components, is checked the
same way. The core only: no Pulumi SDK, no pulumi-policy (docs/packaging.md).
"""

from .rules import RULES, Resource, Rule, Violation
from .shapes import UNKNOWN

__all__ = ["RULES", "UNKNOWN", "Resource", "Rule", "Violation"]
