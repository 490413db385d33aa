"""Writes tests/data/preview/*.json: what ``pulumi preview --json`` prints for each scenario.

Run from the repository root: ``.venv/bin/python -m tests.preview.make_fixtures`` (needs the
``[all]`` extra: it runs ``mta-sts plan`` on the example stacks). The resources and their inputs
are the real program's (``mta-sts plan --format json`` for the stack file before and after the
change); the document around them is the Pulumi CLI's form (:mod:`.pulumi_json`). Values only a
cloud knows (ids, a bucket's name, a distribution's domain) are made-up but well-formed; in new
state they stay unknown where a real preview cannot know them (resources being created), and
zone / account ids are known (a real preview runs the look-ups).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pulumi_json as pj

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "preview"
PLAN_UNKNOWN = "(known after deploy)"
ZONE = {"aws": "Z04213392QF4M3BVQ2XKE", "cloudflare": "023e105f4ecef8ad9ca31a8372d0c353"}
ACCOUNT = "f037e56e89293a057740de681ac9abbe"
VERSIONS = {"aws": "7.12.0", "cloudflare": "6.10.1", "pulumi-python": ""}
CREATED = "2026-11-02T09:14:27.318205Z"
#: Properties whose change makes the provider replace the resource (the providers' ForceNew).
REPLACE_KEYS = {
    "aws:route53/record:Record": ("name", "type", "zoneId"),
    "cloudflare:index/dnsRecord:DnsRecord": ("zoneId",),
    "aws:acm/certificate:Certificate": ("domainName", "keyAlgorithm", "subjectAlternativeNames"),
    "aws:acm/certificateValidation:CertificateValidation": ("certificateArn",),
    "aws:sns/topicSubscription:TopicSubscription": ("endpoint", "protocol", "topic"),
}


# ---- the program's resources --------------------------------------------------------------------
def plan(stack: str, stack_file: str) -> dict[str, Any]:
    """``mta-sts plan --format json --no-live-dns`` of ``stack_file`` (run in a temporary project
    whose program is the repository's ``stacks/__main__.py``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "Pulumi.yaml").write_text(
            f"name: mta-sts\nruntime: python\nmain: {ROOT / 'stacks'}\nstackConfigDir: .\n"
        )
        (folder / f"Pulumi.{stack}.yaml").write_text(stack_file)
        command = [str(ROOT / ".venv" / "bin" / "mta-sts"), "plan", "--stack", stack, "--stacks-dir", tmp]
        done = subprocess.run(
            [*command, "--no-live-dns", "--format", "json"], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        sys.exit(f"mta-sts plan failed: {done.stderr}")
    return dict(json.loads(done.stdout))


def stack_file(stack: str) -> str:
    return (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()


def _package(type_: str) -> str | None:
    head = type_.split(":", 1)[0]
    return head if head in VERSIONS else None


def _fake(name: str, key: str) -> str:
    digest = hashlib.sha256(f"{name}/{key}".encode()).hexdigest()
    domain = name.split("-host-")[0].replace("-", ".")
    if name.endswith("validation-cname") and key == "name":
        return f"_{digest[:32]}.mta-sts.{domain}."
    if name.endswith("validation-cname") and key == "records":
        return f"_{digest[32:64]}.jkddzztszm.acm-validations.aws."
    if key == "aliases.name" or (key.endswith("domainName") and "origins" not in key):
        return f"d{digest[:13]}.cloudfront.net"
    if key.endswith("Arn") or key.endswith("arn"):
        return f"arn:aws:acm:us-east-1:123456789012:certificate/{uuid.UUID(digest[:32])}"
    return f"{name}-{digest[:7]}"


def resolve(value: Any, name: str, type_: str, key: str = "", *, creating: bool = False) -> Any:
    """Plan values as a cloud (old state) or a real preview (new state) holds them: unknowns
    resolved, except what a resource being created cannot know yet; ``(secret)`` hidden."""
    if isinstance(value, dict):
        return {k: resolve(v, name, type_, f"{key}.{k}".lstrip("."), creating=creating) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, name, type_, key, creating=creating) for v in value]
    if value in ("(secret)", "(dynamic provider)"):
        return pj.SECRET
    if value != PLAN_UNKNOWN:
        return value
    package = _package(type_)
    if key == "zoneId" and package in ZONE:
        return ZONE[package]
    if key == "accountId":
        return ACCOUNT
    return pj.UNKNOWN if creating else _fake(name, key)


@dataclass
class Resource:
    name: str
    type: str
    parent: str | None
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)

    @property
    def custom(self) -> bool:
        return not self.type.startswith("mta-sts:")


def resources(planned: Mapping[str, Any]) -> dict[str, Resource]:
    """The plan's resources in an order the engine could step them (parents and dependencies
    first), the same on every run: the mock engine registers concurrently, in no fixed order."""
    pending = {
        r["name"]: Resource(r["name"], r["type"], r["parent"], dict(r["inputs"]), list(r["dependencies"]))
        for r in planned["resources"]
    }
    ordered: dict[str, Resource] = {}
    while pending:
        ready = [
            name
            for name, r in pending.items()
            if all(d not in pending for d in [*r.dependencies, r.parent or ""] if d != name)
        ]
        name = min(ready or pending)
        ordered[name] = pending.pop(name)
    return ordered


# ---- states and steps ---------------------------------------------------------------------------
@dataclass
class Stack:
    name: str
    by_name: dict[str, Resource]
    existing_providers: bool = True

    def urn(self, r: Resource) -> str:
        chain = [r.type]
        parent = self.by_name.get(r.parent or "")
        while parent is not None:
            chain.insert(0, parent.type)
            parent = self.by_name.get(parent.parent or "")
        return pj.urn(self.name, "$".join(chain), r.name)

    def parent_urn(self, r: Resource) -> str:
        parent = self.by_name.get(r.parent or "")
        return self.urn(parent) if parent is not None else pj.root_urn(self.name)

    def provider(self, r: Resource) -> str:
        package = _package(r.type)
        if package is None:
            return ""
        ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.name}/{package}")) if self.existing_providers else pj.UNKNOWN
        return pj.provider_ref(self.name, package, VERSIONS[package], ident)

    def ident(self, r: Resource, inputs: Mapping[str, Any]) -> str:
        if r.type == "aws:route53/record:Record":
            return f"{ZONE['aws']}_{inputs.get('name')}_{inputs.get('type')}"
        return hashlib.md5(f"{self.name}/{r.name}".encode()).hexdigest()

    def state(self, r: Resource, *, old: bool, creating: bool = False) -> dict[str, Any]:
        inputs = resolve(r.inputs, r.name, r.type, creating=creating)
        fields: dict[str, Any] = {
            "custom": r.custom,
            "inputs": inputs,
            "parent": self.parent_urn(r),
            "dependencies": [self.urn(self.by_name[d]) for d in r.dependencies if d in self.by_name],
            "provider": self.provider(r) if r.custom else "",
            "sourcePosition": f"project:///components/pulumi_mta_sts/{r.type.split(':')[1].split('/')[0]}.py",
        }
        if old:
            ident = self.ident(r, inputs) if r.custom else ""
            outputs = {**inputs, "id": ident} if r.custom else {}
            fields.update(id=ident, outputs=outputs, created=CREATED, modified=CREATED)
        return pj.state(self.urn(r), r.type, **fields)


def _paths(old: Any, new: Any, path: str) -> dict[str, tuple[str, bool]]:
    """Property paths that differ, as the engine names them (``records[0]``, ``aliases[0].name``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: dict[str, tuple[str, bool]] = {}
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in old:
                out[sub] = ("add", False)
            elif key not in new:
                out[sub] = ("delete", False)
            else:
                out.update(_paths(old[key], new[key], sub))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = {}
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            out.update(_paths(a, b, f"{path}[{index}]"))
        return out
    return {} if old == new else {path: ("update", False)}


def change_step(
    stack: Stack, before: Resource, after: Resource, replacement_steps: bool, *, unknown: bool = False
) -> list[dict[str, Any]]:
    """The step(s) for an existing resource; ``unknown``: it uses outputs of a resource being
    created or replaced, which a preview does not know yet."""
    old = stack.state(before, old=True)
    new_inputs = resolve(after.inputs, after.name, after.type, creating=unknown)
    new = stack.state(after, old=False, creating=unknown)
    paths = _paths(old.get("inputs", {}), new_inputs, "")
    if not paths:
        return [pj.step("same", old["urn"], provider=stack.provider(after), old=old, new=new)]
    replace = sorted({p.split(".")[0].split("[")[0] for p in paths} & set(REPLACE_KEYS.get(after.type, ())))
    reasons = sorted({p.split(".")[0].split("[")[0] for p in paths})
    kinds = {p: (f"{k}-replace" if p.split(".")[0].split("[")[0] in replace else k, i) for p, (k, i) in paths.items()}
    provider = stack.provider(after)
    if not replace:
        return [
            pj.step(
                "update", old["urn"], provider=provider, old=old, new=new, diff_reasons=reasons, detailed_diff=kinds
            )
        ]
    new = stack.state(after, old=False, creating=True)
    args = {"provider": provider, "diff_reasons": reasons, "replace_reasons": replace, "detailed_diff": kinds}
    steps = [pj.step("replace", old["urn"], old=old, new=new, **args)]  # type: ignore[arg-type]
    if replacement_steps:
        steps.insert(0, pj.step("create-replacement", old["urn"], old=old, new=new, **args))  # type: ignore[arg-type]
        steps.append(pj.step("delete-replaced", old["urn"], provider=provider, old=old))
    return steps


@dataclass
class Scenario:
    stack: str
    before: str | None  # stack file before (None: first deploy)
    after: str
    show_sames: bool = False
    replacement_steps: bool = False
    config: dict[str, str] = field(default_factory=dict)
    tweak: Callable[[dict[str, Resource], dict[str, Resource]], None] | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    stop_after: str | None = None  # a failed preview: no steps after this resource


def root_steps(stack: Stack, first: bool, outputs: Mapping[str, Any]) -> dict[str, Any]:
    root = pj.root_urn(stack.name)
    new = pj.state(root, pj.ROOT_TYPE)
    if first:
        return pj.step("create", root, new=new)
    old = pj.state(root, pj.ROOT_TYPE, outputs=outputs, created=CREATED, modified=CREATED)
    return pj.step("same", root, old=old, new=new)


def build(s: Scenario) -> dict[str, Any]:
    after_plan = plan(s.stack, s.after)
    new_res = resources(after_plan)
    old_res = resources(plan(s.stack, s.before)) if s.before is not None else {}
    if s.tweak is not None:
        s.tweak(old_res, new_res)
    stack = Stack(s.stack, {**old_res, **new_res}, existing_providers=bool(old_res))
    steps = [root_steps(stack, not old_res, {"domain": after_plan["domain"]})]
    remade: set[str] = set()  # created or replaced: their outputs are unknown in the preview
    for name, after in new_res.items():
        if name in old_res:
            unknown = bool(remade & set(after.dependencies))
            made = change_step(stack, old_res[name], after, s.replacement_steps, unknown=unknown)
            steps += made
            if any(x["op"] == "replace" for x in made):
                remade.add(name)
        else:
            remade.add(name)
            steps.append(
                pj.step(
                    "create",
                    stack.urn(after),
                    provider=stack.provider(after),
                    new=stack.state(after, old=False, creating=True),
                )
            )
        if name == s.stop_after:
            break
    for name in reversed(list(old_res)):
        if name not in new_res and s.stop_after is None:
            before = old_res[name]
            steps.append(
                pj.step("delete", stack.urn(before), provider=stack.provider(before), old=stack.state(before, old=True))
            )
    summary_source = steps
    shown = [x for x in steps if s.show_sames or x["op"] != "same" or x["urn"] == pj.root_urn(s.stack)]
    document = pj.digest(shown, config=s.config, diagnostics=s.diagnostics, duration=4_812_345_678)
    document.pop("changeSummary", None)
    summary = pj.digest(summary_source).get("changeSummary")
    if summary:
        document["changeSummary"] = summary
    if "maybeCorrupt" in document:
        document["maybeCorrupt"] = document.pop("maybeCorrupt")
    return document


# ---- the scenarios ------------------------------------------------------------------------------
def _edit(stack: str, *pairs: tuple[str, str]) -> str:
    text = stack_file(stack)
    for old, new in pairs:
        assert old in text, (stack, old)
        text = text.replace(old, new)
    return text


def _config(stack: str) -> dict[str, str]:
    values = {"example-com": {"aws:region": "eu-west-1", "mta-sts:domain": "example.com"}}
    return values.get(stack, {"mta-sts:domain": stack.replace("-", ".")})


def _new_certificate(old: dict[str, Resource], new: dict[str, Resource]) -> None:
    old["example-com-host-certificate"].inputs["keyAlgorithm"] = "RSA_2048"
    new["example-com-host-certificate"].inputs["keyAlgorithm"] = "EC_prime256v1"


def _secret_values(old: dict[str, Resource], new: dict[str, Resource]) -> None:
    """The new policy and reporting address made secret (as `pulumi config set --secret` does)."""
    new["example-org-tlsrpt-txt"].inputs["content"] = "(secret)"
    new["example-org-host-script"].inputs["content"] = "(secret)"
    new["example-org-policy-live"].inputs["policy_text"] = "(secret)"


ENFORCE = (("mode: testing\n    max_age: 86401", "mode: enforce\n    max_age: 604800"),)
WARNING = pj.diagnostic(
    "warning: mta-sts: _mta-sts.example.com also has a TXT record this stack does not manage "
    '("v=STSv1; id=20240101;"): senders then see two records and ignore MTA-STS. Delete it, or import it.\n',
    "warning",
    pj.root_urn("example-com"),
)
FAILED = [
    pj.diagnostic(
        "error: Program failed with an unhandled exception:\nTraceback (most recent call last):\n"
        '  File "/home/runner/work/mail/mail/stacks/__main__.py", line 12, in <module>\n    main()\n'
        "Exception: invoke of aws:route53/getZone:getZone failed: invocation of aws:route53/getZone:getZone "
        "returned an error: no matching Route 53 Hosted Zone found\n",
        "error",
        pj.root_urn("example-com"),
    ),
    pj.diagnostic("Checking the live DNS of example.com ...\n", "info"),
]

SCENARIOS: dict[str, Scenario] = {
    "first-deploy": Scenario("example-com", None, stack_file("example-com"), config=_config("example-com")),
    "first-deploy-cloudflare": Scenario("example-org", None, stack_file("example-org"), config=_config("example-org")),
    "policy-edit": Scenario(
        "example-com", stack_file("example-com"), _edit("example-com", *ENFORCE), diagnostics=[WARNING]
    ),
    "show-sames": Scenario("example-com", stack_file("example-com"), _edit("example-com", *ENFORCE), show_sames=True),
    "host-switch": Scenario(
        "example-com",
        stack_file("example-com"),
        stack_file("example-com"),
        replacement_steps=True,
        tweak=_new_certificate,
    ),
    "record-deletion": Scenario(
        "example-com",
        stack_file("example-com"),
        _edit("example-com", ("  mta-sts:reporting:\n    rua:\n      - mailto:tlsrpt@example.com\n", "")),
    ),
    "retirement": Scenario(
        "example-org",
        stack_file("example-org"),
        _edit(
            "example-org",
            ("mode: enforce", "mode: none"),
            ('    mx:\n      - "*.mail.example.org"\n      - mx.example.org\n', ""),
        ),
    ),
    "no-dns-change": Scenario(
        "example-net",
        stack_file("example-net"),
        _edit("example-net", ("alarm_email: ops@example.net", "alarm_email: noc@example.net")),
    ),
    "secrets": Scenario(
        "example-org",
        stack_file("example-org"),
        _edit("example-org", ("max_age: 604800", "max_age: 1209600")),
        config={**_config("example-org"), "cloudflare:apiToken": pj.SECRET},
        tweak=_secret_values,
    ),
    "failed": Scenario(
        "example-com", None, stack_file("example-com"), diagnostics=FAILED, stop_after="example-com-host-policy"
    ),
}


def main() -> None:
    for name, scenario in SCENARIOS.items():
        (OUT / f"{name}.json").write_text(pj.go_json(build(scenario)))
        print(f"wrote tests/data/preview/{name}.json")


if __name__ == "__main__":
    main()
