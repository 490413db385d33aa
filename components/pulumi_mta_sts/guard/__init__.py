"""The MTA-STS rules of the CrossGuard policy pack (``policypack/``) as pure functions: they read
the providers' resource shapes (:mod:`.shapes`) and judge with the core, so any Pulumi program is
checked alike. The core only: no Pulumi SDK, no pulumi-policy (docs/packaging.md)."""

from .rules import RULES, Resource, Rule, Violation
from .shapes import UNKNOWN

__all__ = ["RULES", "UNKNOWN", "Resource", "Rule", "Violation"]
