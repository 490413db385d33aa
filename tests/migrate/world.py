"""A loopback world for ``mta-sts migrate``: the live fixture's DNS and HTTPS servers with a TTL per
record set, a stack file on disk, a "deploy" that serves the stack's policy as ``pulumi up`` would
(body first, then the id), and the command run at a chosen moment (the CLI's injected clock)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi_mta_sts.cli.migrate as migrate_cli
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.stack import load_stack_file
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, sts_record_name, sts_record_value
from tests.livefixture import LiveFixture, Site

#: A stack file with comments, quoting styles and other namespaces: everything but the mx items must survive.
STACK_TEMPLATE = """\
# {domain}: the stack migrate edits (comments, quoting, other keys stay as written)
encryptionsalt: v1:c2FsdA==:v1:AAAA
config:
  aws:region: eu-west-1   # where the AWS resources live
  mta-sts:domain: '{domain}'
  mta-sts:dns:
    provider: route53
    zone_name: "{domain}"
  mta-sts:host:
    kind: cloudfront
  # the policy senders cache
  mta-sts:policy:
    mode: {mode}   # kept
    max_age: {max_age}
    mx:
{items}
  mta-sts:reporting:
    rua: ["mailto:tlsrpt@{domain}"]
  other:setting: {{a: 1}}
"""
ITEM_PREFIX = "      - "


def stack_text(domain: str, mode: str, max_age: int, mx: Sequence[str], newline: str = "\n") -> str:
    items = "\n".join(f"{ITEM_PREFIX}{json.dumps(p)}" for p in mx)
    return STACK_TEMPLATE.format(domain=domain, mode=mode, max_age=max_age, items=items).replace("\n", newline)


def without_edited_lines(text: str) -> list[str]:
    """The lines migrate may not touch: all but the mx items and its record line (line ends kept)."""
    return [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(ITEM_PREFIX) and not line.lstrip().startswith("# mta-sts migrate:")
    ]


def with_ttls(live: LiveFixture, ttls: dict[tuple[str, str], int]) -> None:
    """Answers carry ``ttls[(name, type)]`` (else 60), as a zone's own server gives them."""
    original = live.zone.rr

    def rr(name: str, rtype: str, value: Any) -> Any:
        record = original(name, rtype, value)
        record.ttl = ttls.get((name.lower(), rtype), 60)
        return record

    live.zone.rr = rr  # type: ignore[method-assign]


@dataclass
class Domain:
    """One domain of the world: its stack file and what it serves."""

    live: LiveFixture
    name: str
    folder: Path

    @property
    def stack(self) -> str:
        return self.name.replace(".", "-")

    @property
    def path(self) -> Path:
        return self.folder / f"Pulumi.{self.stack}.yaml"

    def set_mx(self, hosts: Sequence[str]) -> None:
        self.live.zone.remove(self.name, "MX")
        for preference, host in enumerate(hosts, start=1):
            self.live.zone.add(self.name, "MX", (preference * 10, host))

    def policy(self) -> Policy:
        """The policy the stack file declares for this domain."""
        return load_stack_file(self.path).policy

    def deploy(self) -> Policy:
        """What ``pulumi up`` does: serve the stack's policy, then publish its id."""
        policy = self.policy()
        host = policy_host(self.name)
        self.live.https.serve(host, Site(body=policy.render_bytes()), self.live.pki.server_context(host))
        self.live.zone.remove(sts_record_name(self.name), "TXT")
        self.live.zone.add(sts_record_name(self.name), "TXT", sts_record_value(policy.id))
        self.live.zone.add(host, "A", "127.0.0.1")
        return policy

    def migrate(self, now: dt.datetime, to: Sequence[str], *extra: str) -> tuple[int, dict[str, Any], str]:
        args = ["migrate", self.name, "--to", *to, "--stack", self.stack, "--stacks-dir", str(self.folder)]
        args += ["--nameserver", self.live.nameserver, "--cafile", self.live.cafile]
        args += ["--https-port", str(self.live.https.port), "--format", "json", *extra]
        saved = migrate_cli.clock
        migrate_cli.clock = lambda: now
        try:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(args)
        finally:
            migrate_cli.clock = saved
        return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()
