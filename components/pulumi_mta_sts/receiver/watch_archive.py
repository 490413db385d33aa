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
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pulumi_mta_sts.watch_lambda.contract import WATCH_HANDLER

from .archive import FunctionCode, shipped

#: The file the handler reads the stack's ``mta-sts:`` settings from (the archive's root).
STACK_FILE = "watch_stack.json"
#: Third-party packages shipped whole: (import name, distribution name).
VENDORED = (("dns", "dnspython"), ("idna", "idna"))

#: The handler's modules: the watch round (``check``'s code with its DNS, HTTPS and config readers), the
#: receiver's contract and stored-report reader, plain-text escaping.
WATCH = FunctionCode(
    "watch",
    WATCH_HANDLER,
    (
        "check",
        "check.caa",
        "check.dane",
        "check.dane_presented",
        "check.delegation",
        "check.dns_checks",
        "check.model",
        "check.policy_checks",
        "check.runner",
        "check.smtp_tls",
        "check.watch_facts",
        "config",
        "config.files",
        "config.fleet_stack",
        "config.migrate_record",
        "config.sections",
        "config.stack",
        "config.stack_edit",
        "config.stack_file",
        "config.watch",
        "config.yaml_scalars",
        "core.acceptance",
        "core.bounded_json",
        "core.defaults",
        "core.errors",
        "core.hostnames",
        "core.matching",
        "core.migrate_patterns",
        "core.migrate_steps",
        "core.names",
        "core.policy",
        "core.records",
        "core.shards",
        "core.tlsa",
        "core.txt_values",
        "escape",
        "escape.terminal",
        "escape.visible",
        "net",
        "net.dane_lookup",
        "net.deadline",
        "net.https_fetch",
        "net.lookup",
        "net.resolver",
        "net.tlsinfo",
        "receiver_lambda",
        "receiver_lambda.contract",
        "receiver_lambda.listing",
        "reports",
        "reports.decompress",
        "reports.extract",
        "reports.json_text",
        "reports.limits",
        "reports.normalise",
        "reports.parse",
        "reports.stored",
        "spec",
        "spec.dane_reporting",
        "spec.deployment",
        "spec.receiver_settings",
        "spec.rules",
        "spec.watch_schedule",
        "watch",
        "watch.migration",
        "watch.model",
        "watch.problems",
        "watch.reports",
        "watch.round",
        "watch.state",
        "watch_lambda",
        "watch_lambda.contract",
        "watch_lambda.handler",
        "watch_lambda.notify",
    ),
)


def _core_init() -> dict[str, bytes]:
    """The core's own ``__init__`` (the check code imports names from the package), not the receiver's stub."""
    path = Path(__file__).parents[1] / "core" / "__init__.py"
    return {"pulumi_mta_sts/core/__init__.py": shipped(path.read_bytes())}


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


def watch_files(stack: Mapping[str, Any], domains: Sequence[str] = ()) -> dict[str, bytes]:
    """The watcher's whole archive: its modules (:data:`WATCH`), the vendored packages, and the ``domains``
    to watch with ``stack``, the ``mta-sts:`` settings, as sorted JSON (unchanged: an unchanged archive)."""
    shipped = {"domains": list(domains), "settings": stack}
    settings = json.dumps(shipped, sort_keys=True, separators=(",", ":")).encode()
    return {**WATCH.files(), **_core_init(), **vendored_files(), STACK_FILE: settings}
