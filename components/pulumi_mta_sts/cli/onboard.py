"""``mta-sts onboard DOMAIN --stack NAME``: the records the owner of a delegated domain publishes
(docs/fleets.md), from the plan or ``--outputs`` (a ``pulumi stack export`` keeps the validation
record when a deploy stopped waiting for it). Exit 0 printed (and in place), 1 not in place, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pulumi_mta_sts.change.model import KNOWN_AFTER_DEPLOY as UNKNOWN
from pulumi_mta_sts.check.model import DomainReport
from pulumi_mta_sts.config.files import UnreadableFile, read_regular_file
from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.core.bounded_json import JsonInputError, json_kind, load_bounded_json
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.records import policy_host, sts_record_name, tlsrpt_record_name
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.plan.domains import load_stack

from .argtypes import STACKS_DIR_HELP, add_command, add_flag, nameserver_problems

EXIT_OK = 0
EXIT_NOT_IN_PLACE = 1
#: The most bytes of ``--outputs`` read (a fleet of thousands of domains fits easily).
MAX_OUTPUTS_BYTES = 64 * 1024 * 1024
_DESCRIPTION: Final = (
    "Print exactly the records the owner of DOMAIN (delegated: true in the fleet stack NAME) publishes, "
    f"in the order to publish them: from the plan (values only the cloud knows print as '{UNKNOWN}'), "
    "or from the deployed stack's outputs with --outputs."
)


def register(sub: Any) -> None:
    helps = "print the CNAMEs the owner of a delegated domain publishes (hosted mode of a fleet stack)"
    parser = add_command(sub, "onboard", run, helps, _DESCRIPTION)
    parser.add_argument("domain", metavar="DOMAIN", help="the delegated mail domain")
    add_flag(parser, "stack", "the fleet stack (stacks/Pulumi.NAME.yaml)", required=True)
    add_flag(parser, "stacks-dir", STACKS_DIR_HELP)
    add_flag(parser, "format", "output format (default text)", choices=("text", "json"), default="text")
    outputs = "the deployed stack's outputs: the file `pulumi stack output --json --show-secrets` wrote"
    parser.add_argument("--outputs", metavar="FILE", type=Path, help=outputs)
    check = "also look each record up in live DNS: found, missing or wrong"
    parser.add_argument("--check", action="store_true", help=check)
    servers = "with --check: IP address of a DNS server to ask instead of the system resolver (repeatable)"
    add_flag(parser, "nameserver", servers)


def delegated_entry(domains: Sequence[DomainConfig], domain: str, stack: str, path: Path) -> DomainConfig:
    entry = next((d for d in domains if d.domain == domain), None)
    if entry is None:
        delegated = ", ".join(d.domain for d in domains if d.delegated) or "none"
        reason = f"is not a domain of the stack {stack} ({path.name}); its delegated domains: {delegated}"
        raise InputError([Problem("DOMAIN", domain, reason)])
    if not entry.delegated:
        reason = (
            f"is not delegated ({path.name}: {entry.key}): the stack publishes its records in its own zone, "
            "so its owner publishes nothing; hosted mode is an entry of mta-sts:domains with delegated: true"
        )
        raise InputError([Problem("DOMAIN", domain, reason)])
    return entry


def planned_outputs(stack: str, path: Path) -> dict[str, Any]:
    """The stack outputs as ``mta-sts plan --no-live-dns`` sees them."""
    from pulumi_mta_sts.plan.stack_plan import plan_stack  # imports Pulumi: only without --outputs
    from pulumi_mta_sts.program.options import ProgramOptions

    return plan_stack(stack, stacks_dir=path.parent, options=ProgramOptions(live_dns=False)).outputs


def read_outputs(path: Path) -> dict[str, Any]:
    try:
        document = load_bounded_json(read_regular_file(path, MAX_OUTPUTS_BYTES))
    except UnreadableFile as exc:
        raise InputError([Problem("--outputs", str(path), f"{path} {exc.reason}")]) from None
    except JsonInputError as exc:
        reason = f"{path} {exc.reason}; write it with `pulumi stack output --json --show-secrets > FILE`"
        raise InputError([Problem("--outputs", str(path), reason)]) from None
    if is_state(document):
        return dict(document)
    if not isinstance(document, dict) or document.get("domains") is None:
        reason = f"{path} has no 'domains' output: is it the output of a fleet stack (pulumi stack output --json)?"
        raise InputError([Problem("--outputs", str(path), reason)])
    _need(document["domains"], dict, "domains", str(path))
    return document


def is_state(document: object) -> bool:
    """Whether ``document`` is a ``pulumi stack export`` (kept even when a deploy stopped half way)."""
    return isinstance(document, dict) and isinstance(document.get("deployment"), dict)


def _need(value: Any, kind: type, where: str, source: str) -> Any:
    """``value`` if of the JSON type ``kind`` (an absent array: empty); ``source``: the file, or "the plan"."""
    if value is None and kind is list:
        return []
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    field = "DOMAIN" if source == "the plan" else "--outputs"
    raise InputError([Problem(field, source, f"{source}: {where} is {json_kind(value)}, not {json_kind(kind())}")])


def validation_from_state(state: Mapping[str, Any], domain: str, source: str) -> dict[str, str] | None:
    host = policy_host(domain)
    for index, item in enumerate(_need(state["deployment"].get("resources"), list, "deployment.resources", source)):
        where = f"deployment.resources[{index}]"
        resource = _need(item, dict, where, source)
        if _need(resource.get("type"), str, f"{where}.type", source) != "aws:acm/certificate:Certificate":
            continue
        outputs = resource.get("outputs")
        outputs = {} if outputs is None else _need(outputs, dict, f"{where}.outputs", source)
        place = f"{where}.outputs.domainValidationOptions"
        options = _need(outputs.get("domainValidationOptions"), list, place, source)
        for number, option in enumerate([_need(o, dict, f"{place}[{i}]", source) for i, o in enumerate(options)]):
            at = f"{place}[{number}]"
            if _need(option.get("domainName"), str, f"{at}.domainName", source).rstrip(".").lower() == host:
                name = _need(option.get("resourceRecordName"), str, f"{at}.resourceRecordName", source)
                value = _need(option.get("resourceRecordValue"), str, f"{at}.resourceRecordValue", source)
                return {"name": name.rstrip("."), "type": "CNAME", "value": value.rstrip(".")}
    return None


def customer_records(outputs: Mapping[str, Any], domain: str, source: str) -> list[dict[str, str]]:
    where = f"domains[{json.dumps(domain)}]"
    domains = outputs.get("domains")
    entry = domains.get(domain) if isinstance(domains, dict) else None
    records = None if entry is None else _need(entry, dict, where, source).get("customer_records")
    if not records:
        reason = f"{source} has no customer_records for {domain}: deploy the stack with it delegated first"
        raise InputError([Problem("--outputs" if source != "the plan" else "DOMAIN", domain, reason)])
    rows = _need(records, list, f"{where}.customer_records", source)
    return [_record(row, f"{where}.customer_records[{i}]", source) for i, row in enumerate(rows)]


def _record(row: Any, where: str, source: str) -> dict[str, str]:
    fields = _need(row, dict, where, source)
    return {key: _need(fields.get(key), str, f"{where}.{key}", source) for key in ("name", "type", "value")}


def purpose(domain: str, name: str) -> str:
    if name == policy_host(domain):
        return f"policy host: the fleet serves https://{name}/.well-known/mta-sts.txt"
    if name == sts_record_name(domain):
        return "MTA-STS record (publish last: senders then fetch the policy)"
    if name == tlsrpt_record_name(domain):
        return "TLS-RPT record"
    return "certificate validation (the policy host's certificate)"


def as_json(domain: str, stack: str, source: str, records: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    rows = [{**r, "purpose": purpose(domain, r["name"])} for r in records]
    complete = not any(UNKNOWN in (r["name"], r["value"]) for r in records)
    return {"domain": domain, "stack": stack, "source": source, "complete": complete, "records": rows}


def as_text(document: Mapping[str, Any]) -> str:
    domain, source = terminal.shown(document["domain"]), terminal.shown(document["source"])
    records = [{k: terminal.shown(v) for k, v in r.items()} for r in document["records"]]
    lines = [f"Records the owner of {domain} publishes (stack {terminal.shown(document['stack'])}, from {source}):", ""]
    name_w = max(len(r["name"]) for r in records)
    for number, r in enumerate(records, 1):
        lines += [
            f"  {number}. {r['name']:<{name_w}}  {r['type']:<5}  {r['value']}",
            f"     {'':<{name_w}}  {r['purpose']}",
        ]
    lines += [
        "",
        "Publish them in this order, each as the only record at its name (remove any other record there:",
        f"a CNAME cannot share its name). Then: mta-sts check {domain}",
    ]
    if not document["complete"]:
        lines.append(
            f"Values shown as {UNKNOWN} exist once the stack is deployed: run `pulumi stack output --json "
            "--show-secrets > outputs.json`, then this command with --outputs outputs.json."
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    domain, problems = normalize_hostname(args.domain, "DOMAIN")
    problems += nameserver_problems(args.nameserver)  # checked with or without --check
    if problems or domain is None:
        raise InputError(problems)
    path, _, cfg = load_stack(args.stack, args.stacks_dir)
    delegated_entry(cfg.domains, domain, args.stack, path)
    records, kind, source = _records(args, domain, path)
    document = as_json(domain, args.stack, kind, records)
    report = _check(domain, args.nameserver, records) if args.check else None
    if args.format == "json":
        if report is not None:
            document["check"] = {"ok": report.ok, "checks": [c.as_dict() for c in report.checks]}
        sys.stdout.write(terminal.json_text(document) + "\n")
    else:
        sys.stdout.write(as_text({**document, "source": source}))
        if report is not None:
            from pulumi_mta_sts.check.output import render_table

            sys.stdout.write("\n")
            render_table([report], sys.stdout)
    return EXIT_NOT_IN_PLACE if report is not None and not report.ok else EXIT_OK


def _records(args: argparse.Namespace, domain: str, path: Path) -> tuple[list[dict[str, str]], str, str]:
    """The records, their source (``plan``, ``outputs``, ``plan+state``) and that in words."""
    given = read_outputs(args.outputs) if args.outputs is not None else None
    if given is not None and not is_state(given):
        source = f"the outputs in {args.outputs}"
        return customer_records(given, domain, source), "outputs", source
    records = customer_records(planned_outputs(args.stack, path), domain, "the plan")
    if given is None:
        return records, "plan", "the plan"
    found = validation_from_state(given, domain, str(args.outputs))
    if found is not None:  # the plan's validation record (known after deploy) as the state holds it
        records = [dict(found) if UNKNOWN in (r["name"], r["value"]) else r for r in records]
    return records, "plan+state", f"the plan and the state in {args.outputs}"


def _check(domain: str, nameservers: Sequence[str], records: Sequence[Mapping[str, str]]) -> DomainReport:
    from pulumi_mta_sts.check.delegation import compare_records
    from pulumi_mta_sts.net.resolver import make_resolver

    return DomainReport(domain, compare_records(make_resolver(list(nameservers)), records))
