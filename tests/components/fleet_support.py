"""Running the stack program on a fleet stack under the test cloud (shared by the fleet tests)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi_mta_sts.program.options import ProgramOptions, running_with
from tests.pulumi_mock import Recorder

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "stacks" / "__main__.py"
EXAMPLE_FLEET = ROOT / "stacks" / "Pulumi.example-fleet.yaml"


def engine_config(values: Mapping[str, Any]) -> dict[str, str]:
    """``mta-sts:`` values (keys without the namespace) as the engine hands them to the program."""
    config = {"aws:region": "eu-west-1"}
    for key, value in values.items():
        config[f"mta-sts:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return config


def run_program(
    recorder: Recorder, values: Mapping[str, Any], stack: str = "fleet", options: ProgramOptions | None = None
) -> Recorder:
    """Run ``stacks/__main__.py`` with ``values`` on ``recorder`` (default: no live DNS)."""
    recorder.install(project="mta-sts", stack=stack, config=engine_config(values))
    with running_with(options or ProgramOptions(live_dns=False)):
        recorder.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    return recorder


def three_domains(delegated_provider: str = "route53") -> dict[str, Any]:
    """A fleet of three: Route53, Cloudflare, and one delegated domain."""
    return {
        "defaults": {"dns": {"provider": "route53"}, "reporting": {"rua": ["mailto:tlsrpt@example.net"]}},
        "delegation": {"provider": delegated_provider, "zone_name": "mta-sts.example.net"},
        "domains": [
            {"domain": "example.com", "policy": {"mx": ["mx1.example.com"]}},
            {
                "domain": "example.org",
                "dns": {"provider": "cloudflare"},
                "policy": {"mode": "enforce", "max_age": 604800, "mx": ["*.mail.example.org"]},
            },
            {"domain": "customer.example", "delegated": True, "policy": {"mx": ["mx.customer.example"]}},
        ],
    }
