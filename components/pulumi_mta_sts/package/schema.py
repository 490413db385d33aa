"""What the component provider hosts, and the package schema exactly as Pulumi infers it.

:func:`package_schema` builds the SDK's own ``ComponentProvider`` in-process (no Pulumi CLI, no
engine: its constructor only runs the analyzer over :data:`COMPONENTS` and generates the schema)
and returns that schema, so ``mta-sts schema``, the golden test and ``pulumi package add`` all
see the same JSON.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.provider.experimental.component import ComponentProvider

from pulumi_mta_sts import __version__
from pulumi_mta_sts.core.bounded_json import load_bounded_json

from .fleet import MtaStsFleet
from .mtasts import MtaSts
from .receiver import TlsRptReceiver

__all__ = ["COMPONENTS", "PACKAGE_NAME", "package_schema"]

#: The package name: the type tokens are ``mta-sts:index:<Component>``.
PACKAGE_NAME = "mta-sts"


#: The components the provider hosts (``provider/__main__.py``).
COMPONENTS: list[type[pulumi.ComponentResource]] = [MtaSts, TlsRptReceiver, MtaStsFleet]


def package_schema(version: str = __version__) -> dict[str, Any]:
    """The package schema Pulumi's analyzer infers from :data:`COMPONENTS` (JSON-ready)."""
    provider = ComponentProvider(COMPONENTS, PACKAGE_NAME, version=version)
    schema: dict[str, Any] = load_bounded_json(provider.schema or "{}")
    return schema
