"""Logical names of the receiver's autonamed resources, and the alias that keeps a renamed one.

Pulumi names an autonamed resource ``<logical name>-<7 random characters>``, so the logical name
must leave room for that within the provider's limit
(:func:`~pulumi_mta_sts.core.names.autoname_base`, which keeps every name that already fits).
Where that changes a name the receiver used before (a long name cut and hashed), the former name
becomes an alias: a resource deployed under it is adopted under the new name, not replaced.
"""

from __future__ import annotations

import pulumi

from pulumi_mta_sts.core.names import NameRule, autoname_base

__all__ = ["named_child"]


def named_child(
    rule: NameRule, former: str, *, parent: pulumi.Resource, depends_on: list[pulumi.Resource] | None = None
) -> tuple[str, pulumi.ResourceOptions]:
    """The logical name for the resource the receiver used to call ``former``, and its options
    (child of ``parent``; aliased to ``former`` when the name had to change)."""
    logical = autoname_base(rule, former)
    aliases: list[pulumi.Input[str | pulumi.Alias]] | None = None
    if logical != former:
        aliases = [pulumi.Alias(name=former)]
    return logical, pulumi.ResourceOptions(parent=parent, depends_on=depends_on, aliases=aliases)
