"""The scheduled watcher's deployment archive: :mod:`.archive`'s way (the explicit list of exactly the
modules its handler imports, a test checks), plus what the Lambda runtime lacks and the check code needs,
dnspython and idna, shipped whole from the installed distributions with their licences (dnspython loads
record types on demand, so a list of its modules would miss some), and what the stack declares,
its ``mta-sts:`` settings (``watch_stack.json``, beside the code: the handler reads them as ``mta-sts watch
--stack`` reads a stack file, and a new declaration deploys with the code that reads it).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from pulumi_mta_sts.watch_lambda.contract import WATCH_HANDLER

from .archive import FunctionCode

#: The file the handler reads the stack's ``mta-sts:`` settings from (the archive's root).
STACK_FILE = "watch_stack.json"
#: Third-party packages shipped whole: (import name, distribution name).
VENDORED = (("dns", "dnspython"), ("idna", "idna"))

WATCH = FunctionCode(
    "watch",
    WATCH_HANDLER,
    (
        "escape",
        "escape.terminal",
        "escape.visible",
        "watch_lambda",
        "watch_lambda.contract",
        "watch_lambda.handler",
        "watch_lambda.notify",
    ),
)


def vendored_files() -> dict[str, bytes]:
    """Every ``.py`` file of each :data:`VENDORED` package, and its distribution's licence files."""
    files: dict[str, bytes] = {}
    for package, distribution in VENDORED:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations, package  # a dependency of the base install
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*.py")):
            files[f"{package}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
        for licence in metadata.distribution(distribution).files or ():
            if "LICEN" in licence.name.upper():
                files[f"THIRD_PARTY/{distribution}/{licence.name}"] = Path(str(licence.locate())).read_bytes()
    return files


def watch_files(stack: Mapping[str, Any]) -> dict[str, bytes]:
    """The watcher's whole archive: its modules (:data:`WATCH`), the vendored packages and ``stack``, the
    ``mta-sts:`` settings, as sorted JSON (unchanged settings: an unchanged archive)."""
    settings = json.dumps(stack, sort_keys=True, separators=(",", ":")).encode()
    return {**WATCH.files(), **vendored_files(), STACK_FILE: settings}
