"""``mta-sts schema``: the ``mta-sts`` Pulumi package schema, exactly as Pulumi's analyzer infers it.

``pulumi package add`` generates the other languages' SDKs from it (docs/packaging.md). The SDK's
own analyzer runs in-process (:func:`pulumi_mta_sts.package.package_schema`: no Pulumi CLI, no
engine); the JSON is the same bytes on every run for one version of the package and its SDKs.
It needs the Pulumi SDK and pulumi-aws (the package hosts the AWS receiver): without them, one
line names the extra, exit 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pulumi_mta_sts.core.errors import MissingExtraError

from .parser import add_command

#: The extra that brings everything the hosted components import at module level.
EXTRA = "aws"


def register(sub: Any) -> None:
    what = "the schema of the mta-sts Pulumi component package as Pulumi's analyzer infers it"
    add_command(sub, "schema", run, "print the mta-sts Pulumi package schema (JSON)", f"Print {what}.")


def schema_text() -> str:
    """The schema as the command prints it (JSON, trailing newline)."""
    try:
        from pulumi_mta_sts.package import package_schema
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("pulumi", "pulumi_aws", "pulumi_cloudflare"):
            raise
        raise MissingExtraError(
            f"mta-sts schema needs the Python package {exc.name!r}, which is not installed; install it with "
            f"pip install 'pulumi-mta-sts[{EXTRA}]' (from a checkout: pip install -e '.[{EXTRA}]')",
            name=exc.name,
        ) from None
    return json.dumps(package_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    print(schema_text(), end="")
    return 0
