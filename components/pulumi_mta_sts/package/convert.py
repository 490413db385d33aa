"""Plain package inputs → the spec's values, which the component then checks as a Python program's."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.spec.deployment import DnsConfig


def plain(value: Any) -> Any:
    """``value`` as Python code would give it: enum members as values, whole numbers as ``int`` (the
    engine sends every number as a float), in lists and maps too."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


def _mapping(value: object, field: str, example: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise InputError([Problem(field, value, f"must be an object, e.g. {example}")])


def policy_of(value: object) -> Policy:
    """The ``policy`` input as a :class:`Policy`; raises :class:`InputError` naming ``policy.<key>``."""
    spec = _mapping(value, "policy", "{mode: testing, mx: [mx1.example.com]}")
    try:
        return Policy.build(
            plain(spec.get("mode", defaults.DEFAULT_MODE)),
            plain(spec.get("mx", [])),
            plain(spec.get("max_age", defaults.DEFAULT_MAX_AGE)),
            plain(spec.get("extensions")),
        )
    except InputError as exc:
        raise InputError([problem.under("policy") for problem in exc.problems]) from None


def dns_config(value: object) -> DnsConfig:
    """The ``dns`` input as a :class:`DnsConfig` (checked by the component that uses it)."""
    zone = _mapping(value, "dns", "{provider: route53, zone_name: example.com}")
    return DnsConfig(plain(zone.get("provider")), plain(zone.get("zone_id")), plain(zone.get("zone_name")))
