"""The pack's policies: each rule of :mod:`pulumi_mta_sts.guard` wrapped as a CrossGuard policy.

The rules are pure functions (tested directly in tests/guard/); this module only hands them
what pulumi-policy passes (``resource_type`` and ``props`` of a resource, or the stack's
resources) and reports what they find at the rule's level. ``__main__.py`` builds the
``PolicyPack`` from :data:`POLICIES` (its constructor starts the pack's server, so nothing else
constructs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)

from pulumi_mta_sts.guard import RULES, Resource, Rule
from pulumi_mta_sts.guard import UNKNOWN as RULES_UNKNOWN
from pulumi_mta_sts.guard.rules import ResourceCheck, StackCheck

__all__ = ["LEVELS", "PACK_NAME", "POLICIES", "known", "policy_of"]

PACK_NAME = "mta-sts"
LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY}
#: The sentinels pulumi-policy puts where a value is not known yet (during preview).
UNKNOWN = {
    proxy.UNKNOWN_BOOLEAN_VALUE, proxy.UNKNOWN_NUMBER_VALUE, proxy.UNKNOWN_STRING_VALUE, proxy.UNKNOWN_ARRAY_VALUE,
    proxy.UNKNOWN_ASSET_VALUE, proxy.UNKNOWN_ARCHIVE_VALUE, proxy.UNKNOWN_OBJECT_VALUE,
}  # fmt: skip


def known(value: Any) -> Any:
    """``value`` as plain data, a value not known yet as the rules' ``UNKNOWN`` (at any depth).

    pulumi-policy 1.21 (``policy.py``, ``Analyze`` and ``AnalyzeStack``) deserializes the engine's
    properties, where an unknown value of any type (a string, a list, an object) is one of the
    sentinel strings of ``proxy.py``, then wraps them in ``unknown_checking_proxy``: a
    ``_DictProxy``/``_ListProxy`` whose item access raises ``UnknownValueError``. The analyzer turns
    that error into an advisory "can't run policy ... during preview" and skips the whole policy,
    so one unknown value (say an ACM validation record's name) would stop a stack rule for every
    resource. Reading through ``__target`` never raises; the rules treat ``UNKNOWN`` as "cannot
    tell" (docs/packaging.md)."""
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        value = value["__target"]
    if isinstance(value, Mapping):
        return {key: known(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [known(item) for item in value]
    return RULES_UNKNOWN if isinstance(value, str) and value in UNKNOWN else value


def _validate_resource(check: ResourceCheck) -> Any:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in check(args.resource_type, known(args.props)):
            report_violation(message, None)

    return validate


def _validate_stack(check: StackCheck) -> Any:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [Resource(r.resource_type, known(r.props), r.urn or "", r.name or "") for r in args.resources]
        for violation in check(resources):
            report_violation(violation.message, violation.urn or None)

    return validate


def policy_of(rule: Rule) -> Policy:
    """The CrossGuard policy for ``rule``."""
    level = LEVELS[rule.level]
    if rule.resource_check is not None:
        return ResourceValidationPolicy(
            rule.name, rule.description, _validate_resource(rule.resource_check), enforcement_level=level
        )
    assert rule.stack_check is not None
    return StackValidationPolicy(
        rule.name, rule.description, _validate_stack(rule.stack_check), enforcement_level=level
    )


POLICIES: list[Policy] = [policy_of(rule) for rule in RULES]
