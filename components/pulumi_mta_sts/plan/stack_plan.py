"""``mta-sts plan``: evaluate the real stack program under Pulumi's mock engine, without a cloud
account or the Pulumi CLI, and describe everything it asks the cloud for.

The program (``__main__.py`` of the project's ``main`` folder) runs with project ``mta-sts``,
stack ``NAME`` and every ``config:`` entry of ``stacks/Pulumi.NAME.yaml``, a single-domain stack
(``mta-sts:domain``) or a fleet (``mta-sts:domains``, docs/fleets.md): a fleet's plan has one
:class:`DomainPolicy` per domain, taken from the program's ``domains`` output. Values that only
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

from pulumi_mta_sts.config.sections import Deployment, DomainConfig
from pulumi_mta_sts.config.stack import find_stack_file, find_stacks_dir, load_deployment_file, read_stack_file
from pulumi_mta_sts.config.stack_file import SECRET, config_text, read_project_file
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.record_resources import record_rows
from pulumi_mta_sts.core.records import policy_url
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.program.options import ProgramOptions, running_with

from .cloud import PLAN_CLOUD, UNKNOWN
from .domains import DomainIndex, owner_of
from .engine import RecordedResource, Recorder
from .live_diff import LiveComparison
from .live_json import add_live
from .live_text import dns_lines, domain_status_lines, live_heading, notes_lines, policy_lines

__all__ = [
    "GROUPS",
    "UNKNOWN",
    "DomainPolicy",
    "Plan",
    "config_for_engine",
    "describe_asset",
    "dns_rows",
    "group_of",
    "plan_stack",
]

GROUPS = ("DNS", "Hosting", "Reporting", "Other")
#: How many of a fleet's domains a heading names.
_NAMED_DOMAINS = 5
_EVALUATED = "evaluated under the mock engine; nothing was deployed"
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
@dataclass(frozen=True)
class DomainPolicy:
    """One mail domain of the plan and the policy served for it (a fleet has one per domain)."""

    domain: str
    text: str
    id: str
    delegated: bool = False
    """Hosted mode: the domain's DNS is its owner's (its TXT records live in the provider zone)."""
    mode: str = ""
    """The policy's mode (``testing``, ``enforce``, ``none``)."""

    @property
    def url(self) -> str:
        return policy_url(self.domain)

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "policy": {"text": self.text, "id": self.id},
            "url": self.url,
            "mode": self.mode,
            "delegated": self.delegated,
        }

    def text_lines(self) -> list[str]:
        """The heading line and the indented policy, as a fleet's plan lists it."""
        hosted = " (delegated: its owner's CNAMEs point to the provider zone)" if self.delegated else ""
        lines = [f"  {self.domain}{hosted}: id {self.id}, served at {self.url}:"]
        return lines + [f"      {line}" for line in self.text.splitlines()]


@dataclass
class Plan:
    """What the program registered, shaped for people (``text()``) and scripts (``as_json()``).

    ``domain``, ``policy_text`` and ``policy_id`` are the stack's domain and policy; in a fleet
    (``fleet``) they are those of its first domain (the order of ``mta-sts:domains``), and
    ``fleet_domains`` holds every domain's policy."""

    stack: str
    domain: str
    policy_text: str
    policy_id: str
    resources: list[RecordedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    fleet_domains: list[DomainPolicy] | None = None
    """``None`` for a single-domain stack."""

    @property
    def fleet(self) -> bool:
        return self.fleet_domains is not None

    @property
    def domains(self) -> list[DomainPolicy]:
        """Every mail domain of the plan with its policy (one for a single-domain stack)."""
        if self.fleet_domains is not None:
            return list(self.fleet_domains)
        return [DomainPolicy(self.domain, self.policy_text, self.policy_id)]

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

    def policies(self) -> dict[str, str]:
        """Mail domain → the policy text the plan serves for it (every domain of a fleet)."""
        return {d.domain: d.text for d in self.domains}

    def as_json(self, live: LiveComparison | None = None) -> dict[str, Any]:
        """The plan for scripts; with ``live`` (the comparison with live DNS, or why there was
        none) every ``dns`` entry gains ``status`` and ``live``, and the policy diff and the
        safety notes are added (:func:`.live_json.add_live`)."""
        out: dict[str, Any] = {
            "stack": self.stack,
            "domain": self.domain,
            "policy": {"text": self.policy_text, "id": self.policy_id},
        }
        if self.fleet_domains is not None:  # a fleet: domain/policy are its first domain's
            out["domains"] = [d.as_json() for d in self.fleet_domains]
        out |= {
            "resources": self.resource_entries(),
            "dns": self._dns_json(),
            "outputs": _clean_inputs(self.outputs),
            "warnings": self.warnings,
        }
        return out if live is None else add_live(out, live)

    def _dns_json(self) -> list[dict[str, Any]]:
        """``dns`` entries; in a fleet each names its mail domain (``null``: shared, or not known yet)."""
        entries: list[dict[str, Any]] = list(self.dns_entries())
        if self.fleet_domains is None:
            return entries
        index = DomainIndex(d.domain for d in self.fleet_domains)
        return [{**e, "domain": owner_of(e["name"], index)} for e in entries]

    def text(self, live: LiveComparison | None = None) -> str:
        """The plan for people; with ``live``, the records marked against live DNS, the policy
        diff and the safety notes."""
        lines = [f"Stack {self.stack}: MTA-STS for {self.subject()} ({_EVALUATED})"]
        if live is not None:
            lines.append(live_heading(live))
        lines += ["", *self._policy_lines()]
        if live is not None and self.fleet:
            lines += domain_status_lines(live, [d.domain for d in self.domains])
        rows = sorted(self.dns_entries(), key=lambda r: (r["name"], r["type"], r["value"]))
        lines += ["", *self._resource_lines(), "", *dns_lines(rows, live)]
        if live is not None:
            lines += policy_lines(live) + notes_lines(live)
        if self.warnings:
            lines += ["", "Warnings"] + [f"  {w}" for w in self.warnings]
        lines += ["", f"Values shown as {UNKNOWN} are only known once the cloud creates the resource."]
        return "\n".join(terminal.shown(line) for line in lines) + "\n"

    def subject(self) -> str:
        """What the plan is for: the domain, or a fleet's domains (``3 domains: a, b, c``)."""
        if self.fleet_domains is None:
            return self.domain
        names = [d.domain for d in self.fleet_domains]
        shown = ", ".join(names[:_NAMED_DOMAINS]) + (", …" if len(names) > _NAMED_DOMAINS else "")
        return f"{len(names)} domain{'s' if len(names) > 1 else ''}: {shown}"

    def _policy_lines(self) -> list[str]:
        if self.fleet_domains is None:
            lines = [f"Policy id {self.policy_id}, served at {policy_url(self.domain)}:"]
            return lines + [f"    {line}" for line in self.policy_text.splitlines()]
        lines = [f"Policies ({len(self.fleet_domains)})"]
        for domain in self.fleet_domains:
            lines += domain.text_lines()
        return lines

    def _resource_lines(self) -> list[str]:
        entries = sorted(self.resource_entries(), key=lambda e: e["name"])
        lines = [f"Resources ({len(entries)})"]
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
        return lines


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
    """The DNS record(s) a recorded resource writes, as readers see them: ``name``, ``type``,
    ``value`` (the one reading of record resources, shared with ``preview-diff``)."""
    return record_rows(r.type, r.inputs)


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
    cfg = load_deployment_file(path, engine_config)  # config errors: before the program runs
    config = config_for_engine(engine_config)
    program = program or _program_path(folder)
    if not program.is_file():
        raise InputError([Problem("--stack", stack, f"the stack program {program} does not exist")])
    recorder = _run_program(program, stack, config, path.name, options or ProgramOptions.from_environment())
    outputs = dict(recorder.stack_outputs)
    if cfg.layout == "fleet":
        fleet: list[DomainPolicy] | None = _fleet_policies(cfg, outputs)
        first = fleet[0] if fleet else DomainPolicy(stack, "", "")
    else:
        fleet, first = None, _single_policy(cfg.domains[0], outputs)
    return Plan(
        stack=stack,
        domain=first.domain,
        policy_text=first.text,
        policy_id=first.id,
        resources=list(recorder.resources),
        outputs=outputs,
        warnings=recorder.warnings,
        fleet_domains=fleet,
    )


def _single_policy(cfg: DomainConfig, outputs: Mapping[str, Any]) -> DomainPolicy:
    """A single-domain stack's policy: the program's outputs, else the config's."""
    return DomainPolicy(
        str(outputs.get("domain") or cfg.domain),
        str(outputs.get("policy_text") or cfg.policy.render()),
        str(outputs.get("policy_id") or cfg.policy.id),
        mode=cfg.policy.mode,
    )


def _fleet_policies(cfg: Deployment, outputs: Mapping[str, Any]) -> list[DomainPolicy]:
    """Each fleet domain's policy, in the order of ``mta-sts:domains``: the program's ``domains``
    output (``policy_text``, ``policy_id``), else what the config serves (offboarding: ``mode: none``)."""
    exported = outputs.get("domains")
    found = exported if isinstance(exported, Mapping) else {}
    policies = []
    for d in cfg.domains:
        entry = found.get(d.domain)
        entry = entry if isinstance(entry, Mapping) else {}
        served = d.served_policy
        text = entry.get("policy_text") or served.render()
        policy_id = entry.get("policy_id") or served.id
        policies.append(DomainPolicy(d.domain, str(text), str(policy_id), d.delegated, served.mode))
    return policies


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
