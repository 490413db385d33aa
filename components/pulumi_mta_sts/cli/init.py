"""``mta-sts init DOMAIN``: a stack (outside a Pulumi project, a project too) from what live DNS says;
an existing stack file's ``mta-sts:`` keys are replaced only with ``--force``. Exit 1: nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config import init_project, init_stack, stack_edit
from pulumi_mta_sts.config.files import UnwritableFile, write_file_atomically
from pulumi_mta_sts.config.init_stack import InitChoices, ReceiverChoice
from pulumi_mta_sts.config.sections import NAMESPACE
from pulumi_mta_sts.config.stack import (
    PROJECT_FILE,
    find_stacks_dir,
    no_reports_note,
    project_name,
    stack_name_problems,
    stacks_dir_problems,
)
from pulumi_mta_sts.config.stack_edit import EditRefused, StackText, edit_problem
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.core.records import policy_host, validate_rua
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.net.domain_survey import Survey, survey_domain
from pulumi_mta_sts.net.existing_records import MIGRATE_SECTION
from pulumi_mta_sts.net.https_fetch import make_tls_context
from pulumi_mta_sts.net.resolver import make_resolver
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings, alarm_email_problems, check_receiver_settings

from .argtypes import add_command, add_flag, cafile_unusable, network_problems

EXIT_WRITTEN = 0
EXIT_NOT_WRITTEN = 1
INIT_TIMEOUT = 5.0
_RECEIVER_FLAGS = ("receiver_region", "rule_set", "create_rule_set", "alarm_email")


@dataclass(frozen=True)
class Target:
    stack: str
    stack_file: StackText
    keys: tuple[str, ...]
    new_project: Path | None
    project: str | None


def register(sub: Any) -> None:
    parser = add_command(sub, "init", run, "write a Pulumi project (or a stack file) for a domain from live DNS")
    parser.add_argument("domain", metavar="DOMAIN", help="the mail domain, e.g. example.com")
    parser.add_argument("--dir", metavar="DIR", help="the project folder (default: the working directory)")
    add_flag(parser, "stack", "the stack name (default: the domain with dots as dashes)")
    add_flag(parser, "stacks-dir", "write only the stack file, into this folder")
    add_flag(parser, "nameserver", "ask this DNS server (repeatable)")
    parser.add_argument("--force", action="store_true", help="replace the mta-sts: keys of an existing stack file")
    parser.add_argument("--json", action="store_true", help="print what was detected and written as JSON")
    add_flag(parser, "cafile", "trust only these CA certificates for the policy")
    add_flag(parser, "https-port", "the policy host's HTTPS port (default 443)", metavar="PORT")
    rua = "send TLS-RPT reports here (repeatable)"
    parser.add_argument("--rua", metavar="URI", action="append", default=[], help=rua)
    parser.add_argument("--receiver", action="store_true", help="deploy the TLS-RPT receiver (AWS SES + Lambda)")
    region = f"the receiver's AWS region, one where SES receives mail (default {defaults.RECEIVER_REGION})"
    parser.add_argument("--receiver-region", metavar="REGION", help=region)
    parser.add_argument("--rule-set", metavar="NAME", help="the account's active SES receipt rule set (--receiver)")
    create = "create a rule set and make it the active one (--receiver)"
    parser.add_argument("--create-rule-set", action="store_true", help=create)
    parser.add_argument("--alarm-email", metavar="ADDRESS", help="who gets the receiver's alarms and digest")


def _receiver_choice(args: argparse.Namespace, domain: str) -> tuple[ReceiverChoice | None, list[Problem]]:
    given = [dest for dest in _RECEIVER_FLAGS if getattr(args, dest) not in (None, False)]
    if not args.receiver:
        reason = "is a receiver setting; give --receiver too"
        return None, [Problem("--" + d.replace("_", "-"), getattr(args, d), reason) for d in given]
    if args.rule_set is None and not args.create_rule_set:
        reason = "the receiver adds a rule to an SES receipt rule set"
        fix = "give --rule-set NAME (the account's active one) or --create-rule-set"
        return None, [Problem("--receiver", None, f"{reason}: {fix}")]
    region = args.receiver_region or defaults.RECEIVER_REGION
    settings = ReceiverSettings(region=region, rule_set_name=args.rule_set, create_rule_set=args.create_rule_set)
    names = {"region": "--receiver-region", "rule_set_name": "--rule-set", "create_rule_set": "--create-rule-set"}
    problems = [
        Problem(names.get(p.field, "--receiver"), p.value, p.reason) for p in check_receiver_settings(domain, settings)
    ]
    problems += [Problem("--alarm-email", p.value, p.reason) for p in alarm_email_problems(args.alarm_email)]
    return ReceiverChoice(region, args.rule_set, args.create_rule_set, args.alarm_email), problems


def _check_usage(args: argparse.Namespace) -> tuple[str, ReceiverChoice | None]:
    domain, problems = normalize_hostname(args.domain, "DOMAIN")
    problems += network_problems(args)
    for index, uri in enumerate(args.rua):
        problems += [Problem("--rua", p.value, p.reason) for p in validate_rua(uri, f"--rua[{index}]")]
    if args.dir is not None and args.stacks_dir is not None:
        reason = f"writes only a stack file, into {args.stacks_dir}; leave out --dir (or --stacks-dir)"
        problems.append(Problem("--stacks-dir", str(args.stacks_dir), reason))
    receiver, found = _receiver_choice(args, domain or "")
    problems += found
    if problems or domain is None:
        raise InputError(problems)
    return domain, receiver


def _folder(args: argparse.Namespace) -> Path:
    if args.dir is None:
        return Path.cwd()
    try:
        folder = Path(args.dir).resolve()
        if os.path.lexists(folder) and not folder.is_dir():
            raise InputError([Problem("--dir", args.dir, f"{folder} is not a directory; give a folder")])
    except (OSError, ValueError) as exc:
        reason = f"{terminal.shown(args.dir)} cannot be used as a folder ({getattr(exc, 'strerror', None) or exc})"
        raise InputError([Problem("--dir", args.dir, reason)]) from None
    return folder


def _stack_folder(args: argparse.Namespace, folder: Path) -> tuple[Path, Path | None]:
    """The stack folder, and a new project's folder, whose files must not exist (as ``pulumi new``)."""
    new_project = None
    if args.stacks_dir is not None:
        stacks, problems = args.stacks_dir, stacks_dir_problems(args.stacks_dir, True)
    elif any(os.path.lexists(f / PROJECT_FILE) for f in (folder, *folder.parents)):
        stacks = find_stacks_dir(folder)
        problems = stacks_dir_problems(stacks, False)
    else:
        stacks = new_project = folder
        there = ", ".join(name for name in init_project.PROJECT_FILES if os.path.lexists(folder / name))
        reason = f"{folder} has {there} but no {PROJECT_FILE}; init writes a new project there, so give --dir"
        flag = "--dir" if args.dir is not None else "DOMAIN"
        problems = [Problem(flag, str(folder), f"{reason} an empty folder")] if there else []
    if problems:
        raise InputError(problems)
    return stacks, new_project


def _target(args: argparse.Namespace, domain: str) -> Target:
    """Refused before DNS is asked anything."""
    stack = args.stack if args.stack is not None else init_stack.stack_name_for(domain)
    if problems := stack_name_problems(stack):
        raise InputError(problems)
    stacks, new_project = _stack_folder(args, _folder(args))
    path = stacks / f"Pulumi.{stack}.yaml"
    if os.path.islink(path):
        raise InputError([Problem(str(path), None, "is a symbolic link; init edits the stack file itself")])
    text = stack_edit.read_stack_text(path)
    project = init_project.PROJECT_NAME if new_project is not None else project_name(stacks)
    try:
        keys = tuple(stack_edit.namespace_keys(text.text, NAMESPACE, project))
    except EditRefused as exc:
        raise edit_problem(text, exc) from None
    if keys and not args.force:
        reason = f"the stack file {path} exists with {NAMESPACE}: settings; give --force to replace them (only those)"
        raise InputError([Problem("--force", None, reason)])
    return Target(stack, text, keys, new_project, project)


def _survey(args: argparse.Namespace, domain: str) -> Survey:
    try:
        context = make_tls_context(str(args.cafile) if args.cafile is not None else None)
    except OSError as exc:
        raise cafile_unusable(args.cafile, exc) from None
    resolver = make_resolver(args.nameserver, INIT_TIMEOUT)
    return survey_domain(resolver, domain, context=context, https_port=args.https_port, timeout=INIT_TIMEOUT)


def _refusal(survey: Survey) -> str | None:
    if survey.failure is not None:
        return f"DNS gave no usable answer for {survey.domain}: {survey.failure}"
    if survey.mail is not None and survey.mail.null_mx:
        return f"{survey.domain} has a null MX (RFC 7505): it receives no mail, so MTA-STS has nothing to protect"
    bad_hosts = init_stack.unusable_hosts(survey.mail.hosts if survey.mail is not None else ())
    if bad_hosts:
        reasons = "; ".join(f"{p.value}: {p.reason}" for p in bad_hosts)
        return (
            f"a live MX name of {survey.domain} is not a host name, so no policy pattern is written for it ({reasons})"
        )
    if init_stack.dns_provider_of(survey.nameservers) is None:
        servers = ", ".join(survey.nameservers)
        return (
            f"the zone {survey.zone} is served by {servers}, not Route53 (awsdns-) or Cloudflare "
            "(*.ns.cloudflare.com); move the zone to one of them, or serve the domain from a fleet stack in "
            "hosted mode, where its owner publishes CNAMEs (docs/fleets.md, 'Hosted mode')"
        )
    return None


def _choices(
    survey: Survey, args: argparse.Namespace, receiver: ReceiverChoice | None
) -> tuple[InitChoices, list[str]]:
    hosts = survey.mail.hosts if survey.mail is not None else ()
    existing = survey.existing.policy if survey.existing is not None else None
    warnings: list[str] = []
    if survey.existing is not None and survey.existing.problem is not None:
        warnings.append(f"existing MTA-STS set-up not carried over: {survey.existing.problem}")
    mode, max_age, old = defaults.DEFAULT_MODE, defaults.DEFAULT_MAX_AGE, tuple[str, ...]()
    if existing is not None:
        mode, max_age, old = existing.mode, existing.max_age, tuple(existing.mx)
        for host in uncovered(hosts, old):
            warnings.append(f"the live policy does not cover MX {host}; a pattern for it was added")
    patterns = init_stack.mx_patterns(hosts, old)
    provider = init_stack.dns_provider_of(survey.nameservers) or ""
    rua, rua_problems = init_stack.split_rua(survey.tlsrpt.rua if survey.tlsrpt is not None else ())
    if args.rua:
        rua, rua_problems = list(dict.fromkeys(u.strip() for u in args.rua)), []
    warnings += [f"live TLS-RPT rua not carried over: {problem}" for problem in rua_problems]
    warnings += [f"the live _smtp._tls record is not usable, not carried over: {p}" for p in survey.tlsrpt_problems]
    choices = InitChoices(
        survey.domain, provider, survey.zone or "", mode, max_age, tuple(patterns), tuple(rua), receiver
    )
    if not choices.rua and receiver is None:
        warnings.append(no_reports_note(survey.domain))
    return choices, warnings


def _host_warnings(survey: Survey) -> list[str]:
    host = policy_host(survey.domain)
    if survey.host_records_error is not None:
        return [survey.host_records_error]
    answer = survey.host_records
    if answer is None or answer.empty:
        return []
    found = f"CNAME {answer.cname}" if answer.cname else ", ".join(answer.addresses)
    return [
        f"{host} already has records ({found}); the stack creates its own there: `mta-sts plan` says whether "
        f"the deploy would stop and the steps to take them over ({MIGRATE_SECTION})"
    ]


def _stack_text(target: Target, choices: InitChoices) -> str:
    text = target.stack_file.text
    keys = {entry.key for entry in stack_edit.config_entries(text, target.project)}
    block = ("" if "aws:region" in keys else init_stack.region_entry(choices)) + init_stack.stack_entries(choices)
    try:
        return stack_edit.edit_config(
            text or init_stack.header(choices), remove=target.keys, block=block, project=target.project
        )
    except EditRefused as exc:
        raise edit_problem(target.stack_file, exc) from None


def _write_project(folder: Path, domain: str, requirement: init_project.Requirement) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = init_project.project_files(domain, requirement)
    for name, text in files.items():
        try:
            write_file_atomically(folder / name, text.encode("utf-8"))
        except UnwritableFile as exc:
            raise exc.input_error(folder / name) from None
    return [folder / name for name in files]


def next_commands(args: argparse.Namespace, target: Target, domain: str) -> list[str]:
    """The README's deploy steps, from where ``init`` ran."""
    commands = [f"cd {shlex.quote(args.dir)}"] if args.dir is not None and target.new_project else []
    if target.new_project is not None:
        commands.append("pulumi install")
    where = f" --stacks-dir {shlex.quote(str(args.stacks_dir))}" if args.stacks_dir is not None else ""
    commands.append(f"mta-sts plan --stack {target.stack}{where}")
    if not target.stack_file.text:
        commands.append(f"pulumi stack init {target.stack}")
    commands += [f"pulumi preview --stack {target.stack}", f"pulumi up --stack {target.stack}"]
    return [*commands, f"mta-sts check {domain}"]


def _detected(survey: Survey, choices: InitChoices) -> dict[str, Any]:
    picks = [init_stack.pattern_for(host) for host in (survey.mail.hosts if survey.mail else ())]
    return {
        "domain": survey.domain,
        "zone": survey.zone,
        "nameservers": list(survey.nameservers),
        "dns_provider": choices.provider,
        "mx_hosts": list(survey.mail.hosts) if survey.mail else [],
        "implicit_mx": bool(survey.mail and survey.mail.implicit),
        "mail_providers": sorted({p.provider for p in picks if p.provider}),
        "existing_policy": survey.existing is not None and survey.existing.policy is not None,
        "tlsrpt_rua": list(choices.rua),
        "receiver": choices.receiver is not None,
        "policy": {"mode": choices.mode, "max_age": choices.max_age, "mx": list(choices.mx)},
    }


def _print_text(detected: dict[str, Any], written: list[Path], warnings: list[str], commands: list[str]) -> None:
    """Through :mod:`~pulumi_mta_sts.escape.terminal`: it quotes live DNS."""
    lines = [f"{detected['domain']}: zone {detected['zone']} on {detected['dns_provider']}"]
    implicit = " (implicit: no MX record)" if detected["implicit_mx"] else ""
    lines.append(f"  MX: {', '.join(detected['mx_hosts'])}{implicit}")
    if detected["mail_providers"]:
        lines.append(f"  mail provider: {', '.join(detected['mail_providers'])}")
    policy = detected["policy"]
    lines.append(f"  policy: mode {policy['mode']}, max_age {policy['max_age']}, mx {', '.join(policy['mx'])}")
    lines += [f"  warning: {warning}" for warning in warnings]
    lines += [f"wrote {path}" for path in written]
    lines += ["next:", *(f"  {command}" for command in commands)]
    for line in lines:
        print(terminal.shown(line))


def _refuse(args: argparse.Namespace, domain: str, reason: str) -> int:
    print(terminal.shown(f"mta-sts init: {reason}; nothing written"), file=sys.stderr)
    if args.json:
        print(json.dumps({"domain": domain, "written": None, "error": reason}, indent=2))
    return EXIT_NOT_WRITTEN


def run(args: argparse.Namespace) -> int:
    domain, receiver = _check_usage(args)
    target = _target(args, domain)
    survey = _survey(args, domain)
    refusal = _refusal(survey)
    if refusal is not None:
        return _refuse(args, domain, refusal)
    choices, warnings = _choices(survey, args, receiver)
    unusable = init_stack.unusable_patterns(choices.mx)
    if unusable:
        reasons = "; ".join(map(str, unusable))
        return _refuse(args, domain, f"the live MX names cannot go into a policy as they are: {reasons}")
    warnings += _host_warnings(survey)
    text = _stack_text(target, choices)
    written: list[Path] = []
    if target.new_project is not None:
        requirement = init_project.installed_requirement(choices.extras)
        warnings += [requirement.warning] if requirement.warning else []
        written = _write_project(target.new_project, domain, requirement)
    stack_edit.write_stack_text(target.stack_file, text)
    written.append(target.stack_file.path)
    commands = next_commands(args, target, domain)
    detected = _detected(survey, choices)
    if args.json:
        out = {**detected, "warnings": warnings, "written": str(target.stack_file.path)}
        print(json.dumps({**out, "files": [str(p) for p in written], "next": commands}, indent=2))
    else:
        _print_text(detected, written, warnings, commands)
    return EXIT_WRITTEN
