"""``mta-sts plan``: the real stack program with ``Pulumi.NAME.yaml``'s config under Pulumi's mock
engine (no cloud account, no Pulumi CLI; with ``live_dns=False``, no network call at all).
"""

from __future__ import annotations

import hashlib
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.config.stack import find_stacks_dir, in_file, project_file
from pulumi_mta_sts.config.stack_file import SECRET, config_text, read_project_file
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy_change import PolicyState
from pulumi_mta_sts.core.record_resources import record_rows
from pulumi_mta_sts.core.records import policy_url
from pulumi_mta_sts.program.options import ProgramOptions, running_with

from .cloud import PLAN_CLOUD
from .domains import load_stack
from .engine import RecordedResource

GROUPS = ("DNS", "Hosting", "Reporting", "Other")
PROJECT = "mta-sts"


def config_for_engine(config: Mapping[str, Any]) -> dict[str, str]:
    """``config:`` entries as the Pulumi CLI passes them, secrets hidden."""
    return {str(key): SECRET if isinstance(text := config_text(v), Mapping) else text for key, v in config.items()}


def _program_path(stacks_dir: Path) -> Path:
    project = project_file(stacks_dir)  # of any kind: read_project_file says what is wrong with it
    if project is None:
        return stacks_dir / "__main__.py"
    main = read_project_file(project).get("main", ".")
    target = project.parent / (main if isinstance(main, str) else ".")
    return target / "__main__.py" if target.is_dir() else target


@dataclass(frozen=True)
class DomainPolicy:
    domain: str
    text: str
    id: str
    delegated: bool = False  # hosted mode: its DNS is its owner's
    mode: str = ""

    @property
    def url(self) -> str:
        return policy_url(self.domain)

    @property
    def state(self) -> PolicyState:
        return PolicyState(self.text, self.id)


@dataclass
class Plan:
    """What the program registered and each domain's policy; a fleet's renderings say each domain."""

    stack: str
    domains: list[DomainPolicy]
    resources: list[RecordedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    fleet: bool = False

    @property
    def first(self) -> DomainPolicy:
        return self.domains[0] if self.domains else DomainPolicy(self.stack, "", "")

    def resource_entries(self) -> list[dict[str, Any]]:
        by_urn = {r.urn: r for r in self.resources}
        return [
            {
                "name": r.name,
                "type": r.type,
                "group": group_of(r, by_urn),
                "inputs": clean_inputs(r.inputs),
                "parent": by_urn[r.parent].name if r.parent in by_urn else None,
                "dependencies": sorted({by_urn[u].name for u in r.all_dependencies() if u in by_urn}),
            }
            for r in self.resources
        ]

    def dns_entries(self) -> list[dict[str, str]]:
        return [row for r in self.resources for row in record_rows(r.type, r.inputs)]


def clean_inputs(value: Any) -> Any:
    """Inputs as JSON: the engine's internals left out, numbers as written, assets described."""
    if isinstance(value, dict):
        return {
            k: ("(dynamic provider)" if k == "__provider" else clean_inputs(v))
            for k, v in value.items()
            if not (k.startswith("__") and k != "__provider")
        }
    if isinstance(value, list | tuple):
        return [clean_inputs(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine passes numbers as floats; 300.0 is the TTL 300
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return describe_asset(value)
    return str(value)


def describe_asset(value: pulumi.Asset | pulumi.Archive) -> str:
    """``(archive: 9 files, sha256 1a2b…)``: changes exactly when the code the cloud receives does."""
    if isinstance(value, pulumi.AssetArchive):
        files = _archive_files(value)
        digest = hashlib.sha256()
        for path in sorted(files):
            digest.update(f"{path}\0{len(files[path])}\0".encode())
            digest.update(files[path])
        return f"(archive: {len(files)} files, sha256 {digest.hexdigest()[:16]})"
    if isinstance(value, pulumi.StringAsset):
        text = value.text.encode("utf-8")
        return f"(text: {len(text)} bytes, sha256 {hashlib.sha256(text).hexdigest()[:16]})"
    where = getattr(value, "path", None) or getattr(value, "uri", None)
    return f"({'remote' if hasattr(value, 'uri') else 'file'}: {where})"


def _archive_files(archive: pulumi.AssetArchive, prefix: str = "") -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name, member in archive.assets.items():
        path = f"{prefix}{name}"
        if isinstance(member, pulumi.AssetArchive):
            files.update(_archive_files(member, f"{path}/"))
        else:
            text = member.text if isinstance(member, pulumi.StringAsset) else describe_asset(member)
            files[path] = text.encode("utf-8")
    return files


_TYPE_GROUPS = (  # the toolkit's own components are grouped by group_of before this table
    ("DNS", ("aws:route53/", "cloudflare:index/dnsRecord:")),
    ("Hosting", ("aws:s3/", "aws:cloudfront/", "aws:acm/", "cloudflare:index/workers", "pulumi-python:dynamic")),
    ("Reporting", ("aws:ses/", "aws:lambda/", "aws:sns/", "aws:cloudwatch/", "aws:iam/", "aws:apigateway", "aws:sqs/")),
)


def group_of(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> str:
    """A resource's group: by the nearest toolkit component above it, else by its type."""
    node: RecordedResource | None = resource
    while node is not None:
        t = node.type.lower()
        if t.startswith("mta-sts:dns:"):
            return "DNS"
        if t.startswith("mta-sts:hosting:"):
            return "Hosting"
        if t.startswith("mta-sts:") and any(word in t for word in ("receiver", "report", "tlsrpt")):
            return "Reporting"
        node = by_urn.get(node.parent)
    return next((group for group, prefixes in _TYPE_GROUPS if resource.type.startswith(prefixes)), "Other")


def plan_stack(
    stack: str, *, stacks_dir: Path | None = None, options: ProgramOptions | None = None, program: Path | None = None
) -> Plan:
    """The :class:`Plan` of ``stack``; :class:`InputError` for any mistake of the user's."""
    folder = stacks_dir or find_stacks_dir()
    path, entries, cfg = load_stack(stack, folder)  # config errors: before the program runs
    program = program or _program_path(folder)
    if not program.is_file():
        raise InputError([Problem("--stack", stack, f"the stack program {program} does not exist")])
    options = options or ProgramOptions.from_environment()
    from pulumi_mta_sts.program.pipeline import StackInputError

    recorder = PLAN_CLOUD.recorder()
    try:
        recorder.install(project=PROJECT, stack=stack, config=config_for_engine(entries))
        with running_with(options):
            recorder.run(lambda: runpy.run_path(str(program), run_name="__main__"))
    except (StackInputError, InputError) as exc:
        raise in_file(exc.problems, path) from None
    finally:
        recorder.close()
    outputs = dict(recorder.stack_outputs)
    fleet = cfg.layout == "fleet"
    domains = [_domain_policy(d, _exported(outputs, d.domain, fleet)) for d in cfg.domains]
    return Plan(stack, domains, list(recorder.resources), outputs, recorder.warnings, fleet)


def _exported(outputs: Mapping[str, Any], domain: str, fleet: bool) -> Mapping[str, Any]:
    if not fleet:
        return outputs
    exported = outputs.get("domains")
    entry = exported.get(domain) if isinstance(exported, Mapping) else None
    return entry if isinstance(entry, Mapping) else {}


def _domain_policy(domain: DomainConfig, exported: Mapping[str, Any]) -> DomainPolicy:
    """The policy as the program exported it, else as the config serves it (offboarding: ``none``)."""
    text, policy_id = exported.get("policy_text"), exported.get("policy_id")
    policy = domain.served_policy
    return DomainPolicy(
        domain.domain, str(text or policy.render()), str(policy_id or policy.id), domain.delegated, policy.mode
    )
