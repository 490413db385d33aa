"""``mta-sts plan``: evaluate the real stack program under Pulumi's mock engine, without a cloud
account or the Pulumi CLI, and describe everything it asks the cloud for.

The program (``__main__.py`` of the project's ``main`` folder) runs with project ``mta-sts``,
stack ``NAME`` and every ``config:`` entry of ``stacks/Pulumi.NAME.yaml``. Values that only
the cloud knows (a CloudFront domain name, a bucket's generated name, a zone id that is looked
up) come back as :data:`UNKNOWN`. Nothing is created anywhere; the policy URL is never
fetched (``PolicyLive`` only runs in a real deploy). The program's options are an argument
(:class:`~pulumi_mta_sts.program.options.ProgramOptions`); with ``live_dns=False``
(``--no-live-dns``) it makes no network calls at all. The mock cloud's answers are
:data:`pulumi_mta_sts.plan.cloud.PLAN_CLOUD`.
"""

from __future__ import annotations

import hashlib
import os
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from pulumi_mta_sts.config.stack import (
    find_stack_file,
    find_stacks_dir,
    load_stack_config,
    read_stack_file,
    stack_values,
)
from pulumi_mta_sts.config.stack_file import SECRET, config_text, read_project_file
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.txt_values import decode_txt
from pulumi_mta_sts.program.options import ProgramOptions, running_with

from .cloud import PLAN_CLOUD, UNKNOWN
from .engine import RecordedResource, Recorder

__all__ = [
    "GROUPS",
    "UNKNOWN",
    "Plan",
    "config_for_engine",
    "describe_asset",
    "dns_rows",
    "group_of",
    "plan_stack",
]

GROUPS = ("DNS", "Hosting", "Reporting", "Other")
PROJECT = "mta-sts"


# ---- running the program ------------------------------------------------------------------------
def config_for_engine(config: Mapping[str, Any]) -> dict[str, str]:
    """A stack file's ``config:`` entries as the engine passes them to the program: text as it is
    (:func:`~pulumi_mta_sts.config.stack.read_stack_file` already gives what ``pulumi up`` passes),
    other values as the Pulumi CLI writes them (JSON as Go writes it), secrets hidden."""
    out: dict[str, str] = {}
    for key, value in config.items():
        text = config_text(value)
        out[str(key)] = SECRET if isinstance(text, Mapping) else text
    return out


def _program_path(stacks_dir: Path) -> Path:
    """``__main__.py`` of the project's ``main`` folder (``Pulumi.yaml`` above the stack dir)."""
    for folder in (stacks_dir, *stacks_dir.parents):
        project = folder / "Pulumi.yaml"
        if os.path.lexists(project):  # of any kind: read_project_file says what is wrong with it
            main = read_project_file(project).get("main", ".")
            target = folder / (main if isinstance(main, str) else ".")
            return target / "__main__.py" if target.is_dir() else target
    return stacks_dir / "__main__.py"


# ---- the result ---------------------------------------------------------------------------------
@dataclass
class Plan:
    """What the program registered, shaped for people (``text()``) and scripts (``as_json()``)."""

    stack: str
    domain: str
    policy_text: str
    policy_id: str
    resources: list[RecordedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def _names(self) -> dict[str, str]:
        return {r.urn: r.name for r in self.resources}

    def resource_entries(self) -> list[dict[str, Any]]:
        names = self._names()
        by_urn = {r.urn: r for r in self.resources}
        entries = []
        for r in self.resources:
            entries.append(
                {
                    "name": r.name,
                    "type": r.type,
                    "group": group_of(r, by_urn),
                    "inputs": _clean_inputs(r.inputs),
                    "parent": names.get(r.parent),
                    "dependencies": sorted({names[u] for u in r.all_dependencies() if u in names}),
                }
            )
        return entries

    def dns_entries(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for r in self.resources:
            out += dns_rows(r)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "domain": self.domain,
            "policy": {"text": self.policy_text, "id": self.policy_id},
            "resources": self.resource_entries(),
            "dns": self.dns_entries(),
            "outputs": _clean_inputs(self.outputs),
            "warnings": self.warnings,
        }

    def text(self) -> str:
        lines = [
            f"Stack {self.stack}: MTA-STS for {self.domain} (evaluated under the mock engine; nothing was deployed)",
            "",
            f"Policy id {self.policy_id}, served at https://mta-sts.{self.domain}/.well-known/mta-sts.txt:",
        ]
        lines += [f"    {line}" for line in self.policy_text.splitlines()]
        entries = self.resource_entries()
        lines += ["", f"Resources ({len(entries)})"]
        for group in GROUPS:
            members = [e for e in entries if e["group"] == group]
            if not members:
                continue
            lines.append(f"  {group}")
            width = max(len(e["name"]) for e in members)
            for e in members:
                lines.append(f"    {e['name']:<{width}}  {e['type']}")
                if e["dependencies"]:
                    lines.append(f"    {'':<{width}}    after: {', '.join(e['dependencies'])}")
        rows = self.dns_entries()
        lines += ["", f"DNS records managed ({len(rows)})"]
        if rows:
            name_w = max(len(r["name"]) for r in rows)
            type_w = max(len(r["type"]) for r in rows)
            lines += [f"  {r['name']:<{name_w}}  {r['type']:<{type_w}}  {r['value']}" for r in rows]
        if self.warnings:
            lines += ["", "Warnings"] + [f"  {w}" for w in self.warnings]
        lines += ["", f"Values shown as {UNKNOWN} are only known once the cloud creates the resource."]
        return "\n".join(lines) + "\n"


def _clean_inputs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("(dynamic provider)" if k == "__provider" else _clean_inputs(v))
            for k, v in value.items()
            if not (k.startswith("__") and k != "__provider")
        }
    if isinstance(value, list | tuple):
        return [_clean_inputs(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine passes numbers as floats; 300.0 is the TTL 300
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return describe_asset(value)
    return str(value)


def describe_asset(value: pulumi.Asset | pulumi.Archive) -> str:
    """A stable description of an asset or archive input (a Lambda's code): ``(archive: 9 files,
    sha256 1a2b…)``. The digest covers every file's path and content, so it changes exactly when
    the code the cloud would receive does; ``(file: PATH)`` / ``(remote: URI)`` for references."""
    if isinstance(value, pulumi.AssetArchive):
        files = _archive_files(value)
        return f"(archive: {len(files)} files, sha256 {_digest(files)})"
    if isinstance(value, pulumi.StringAsset):
        text = value.text.encode("utf-8")
        return f"(text: {len(text)} bytes, sha256 {hashlib.sha256(text).hexdigest()[:16]})"
    path = getattr(value, "path", None) or getattr(value, "uri", None)
    kind = "remote" if hasattr(value, "uri") else "file"
    return f"({kind}: {path})"


def _archive_files(archive: pulumi.AssetArchive, prefix: str = "") -> dict[str, bytes]:
    """Path → what identifies the content (the text; a description for references), nested archives flattened."""
    files: dict[str, bytes] = {}
    for name, member in archive.assets.items():
        path = f"{prefix}{name}"
        if isinstance(member, pulumi.AssetArchive):
            files.update(_archive_files(member, f"{path}/"))
        elif isinstance(member, pulumi.StringAsset):
            files[path] = member.text.encode("utf-8")
        else:
            files[path] = describe_asset(member).encode("utf-8")
    return files


def _digest(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        content = files[path]
        digest.update(f"{path}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


_TYPE_GROUPS = (
    ("DNS", ("aws:route53/", "cloudflare:index/dnsRecord:", "mta-sts:dns:")),
    (
        "Hosting",
        (
            "aws:s3/",
            "aws:cloudfront/",
            "aws:acm/",
            "cloudflare:index/workers",
            "mta-sts:hosting:",
            "pulumi-python:dynamic",
        ),
    ),
    ("Reporting", ("aws:ses/", "aws:lambda/", "aws:sns/", "aws:cloudwatch/", "aws:iam/", "aws:apigateway", "aws:sqs/")),
)


def group_of(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> str:
    """``DNS``, ``Hosting``, ``Reporting`` or ``Other``: by the nearest toolkit component above
    the resource (its DNS backend, policy host, or a reporting/receiver component), else by type."""
    node: RecordedResource | None = resource
    while node is not None:
        t = node.type.lower()
        if t.startswith("mta-sts:"):
            if t.startswith("mta-sts:dns:"):
                return "DNS"
            if t.startswith("mta-sts:hosting:"):
                return "Hosting"
            if any(word in t for word in ("receiver", "report", "tlsrpt")):
                return "Reporting"
        node = by_urn.get(node.parent)
    for group, prefixes in _TYPE_GROUPS:
        if resource.type.startswith(prefixes):
            return group
    return "Other"


def dns_rows(r: RecordedResource) -> list[dict[str, str]]:
    """The DNS record(s) a recorded resource writes, as readers see them: ``name``, ``type``, ``value``."""
    inputs = r.inputs
    if r.type == "aws:route53/record:Record":
        name, rtype = str(inputs.get("name", "")), str(inputs.get("type", ""))
        if inputs.get("aliases"):
            return [
                {"name": name, "type": rtype, "value": f"ALIAS {a.get('name')} (zone {a.get('zoneId')})"}
                for a in inputs["aliases"]
            ]
        values = [str(v) for v in inputs.get("records", [])]
        return [{"name": name, "type": rtype, "value": decode_txt(v) if rtype == "TXT" else v} for v in values]
    if r.type == "cloudflare:index/dnsRecord:DnsRecord":
        name, rtype, content = str(inputs.get("name", "")), str(inputs.get("type", "")), str(inputs.get("content", ""))
        if rtype == "TXT":
            content = decode_txt(content)
        elif rtype == "MX" and inputs.get("priority") is not None:
            content = f"{int(inputs['priority'])} {content}"
        suffix = " (proxied)" if inputs.get("proxied") else ""
        return [{"name": name, "type": rtype, "value": content + suffix}]
    if r.type == "cloudflare:index/workersCustomDomain:WorkersCustomDomain":
        host = str(inputs.get("hostname", ""))
        return [
            {"name": host, "type": "WORKER", "value": f"Worker {inputs.get('service')} (record made by Cloudflare)"}
        ]
    return []


def plan_stack(
    stack: str,
    *,
    stacks_dir: Path | None = None,
    options: ProgramOptions | None = None,
    program: Path | None = None,
) -> Plan:
    """Run the stack program for ``stack`` under the mock engine and return the :class:`Plan`.

    ``options`` are handed to the program (:func:`~pulumi_mta_sts.program.options.running_with`):
    ``ProgramOptions(live_dns=False)`` makes it query no DNS; default: the environment's
    (:meth:`~pulumi_mta_sts.program.options.ProgramOptions.from_environment`). Raises
    :class:`InputError` for an unknown stack, an invalid stack file or any user mistake the
    program reports (config, preflight). ``program`` overrides the stack program found from
    ``Pulumi.yaml``."""
    folder = stacks_dir or find_stacks_dir()
    path = find_stack_file(stack, folder)
    engine_config = read_stack_file(path)  # read once: the program sees exactly what this validates
    try:
        cfg = load_stack_config(stack_values(engine_config))  # config errors: before the program runs
    except InputError as exc:
        raise InputError(Problem(f"{path.name}: {p.field}", p.value, p.reason) for p in exc.problems) from None
    config = config_for_engine(engine_config)
    program = program or _program_path(folder)
    if not program.is_file():
        raise InputError([Problem("--stack", stack, f"the stack program {program} does not exist")])
    recorder = _run_program(program, stack, config, path.name, options or ProgramOptions.from_environment())
    outputs = dict(recorder.stack_outputs)
    return Plan(
        stack=stack,
        domain=str(outputs.get("domain") or cfg.domain),
        policy_text=str(outputs.get("policy_text") or cfg.policy.render()),
        policy_id=str(outputs.get("policy_id") or cfg.policy.id),
        resources=list(recorder.resources),
        outputs=outputs,
        warnings=recorder.warnings,
    )


def _run_program(
    program: Path, stack: str, config: dict[str, str], file_name: str, options: ProgramOptions
) -> Recorder:
    """The recorder after ``program`` ran with ``options``; user mistakes as :class:`InputError`
    with fields prefixed by the stack file's name."""
    from pulumi_mta_sts.program.pipeline import StackInputError

    recorder = PLAN_CLOUD.recorder()
    try:
        recorder.install(project=PROJECT, stack=stack, config=config)
        with running_with(options):
            recorder.run(lambda: runpy.run_path(str(program), run_name="__main__"))
    except (StackInputError, InputError) as exc:
        raise InputError(Problem(f"{file_name}: {p.field}", p.value, p.reason) for p in exc.problems) from None
    finally:
        recorder.close()
    return recorder
