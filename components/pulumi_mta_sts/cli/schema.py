"""``mta-sts schema``: the Pulumi package schema exactly as the SDK's analyzer infers it in-process
(no Pulumi CLI), the same bytes on every run; it needs the ``aws`` extra (one line, exit 2 without).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pulumi_mta_sts.core.errors import MissingExtraError

from .argtypes import add_command

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
