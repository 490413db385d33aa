"""``mta-sts migrate DOMAIN --to MX...``: the step a mail-provider change is in (widen, wait, switch,
narrow; :mod:`pulumi_mta_sts.core.migrate_steps`) from live DNS and the stack file, and that step's
stack-file change, written with every other byte kept. Exit 0: told (and written); 1: refused or
live DNS could not be read; 2: usage (one line per problem, naming the flag)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config import stack_edit
from pulumi_mta_sts.config.init_stack import pattern_for, stack_name_for
from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.config.stack import find_stack_file, load_deployment_file, load_stack_file, project_name
from pulumi_mta_sts.config.stack_edit import EditRefused, StackText, edit_problem
from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname, normalize_mx_pattern
from pulumi_mta_sts.core.matching import matches
from pulumi_mta_sts.core.migrate_patterns import one_label_notes, parent_wildcard
from pulumi_mta_sts.core.migrate_steps import Record, Step, plan_step, stamp
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.migrate import output, stack_mx
from pulumi_mta_sts.migrate.live import read_live
from pulumi_mta_sts.net.https_fetch import make_tls_context
from pulumi_mta_sts.net.resolver import ensure_reachable, make_resolver

from .argtypes import add_command, add_flag, cafile_unusable, network_problems

EXIT_OK, EXIT_REFUSED = 0, 1
#: Step 3 happens outside: a stack manages no domain's own MX records (only the receiver's, at its subdomain).
OUTSIDE = "(outside this stack: it does not manage the domain's MX records)"
#: The clock of a run (tests replace it: nothing else reads the time).
clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731


def register(sub: Any) -> None:
    parser = add_command(sub, "migrate", run, "move a domain's MX to another provider in the order senders need")
    parser.add_argument("domain", metavar="DOMAIN", help="the mail domain, e.g. example.com")
    to = "the new MX host names, as DNS will list them after the switch"
    parser.add_argument("--to", metavar="MX", nargs="+", action="extend", required=True, help=to)
    pattern = "the policy pattern for new hosts (default: the mail provider's preset, else the exact name)"
    parser.add_argument("--pattern", metavar="PATTERN", action="append", default=[], help=pattern)
    add_flag(parser, "stack", "the stack of DOMAIN (default: the domain with dots as dashes)")
    add_flag(parser, "stacks-dir", "where stack files live (default: found from Pulumi.yaml)")
    narrow = "narrow the policy to the new patterns (refused before the computed date)"
    parser.add_argument("--narrow", action="store_true", help=narrow)
    parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    add_flag(parser, "format", "output format (default text)", choices=("text", "json"), default="text")
    add_flag(parser, "nameserver", "ask this DNS server (repeatable)")
    add_flag(parser, "cafile", "trust only these CA certificates for the policy")
    add_flag(parser, "https-port", "the policy host's HTTPS port (default 443)", metavar="PORT")
    add_flag(parser, "timeout", f"seconds for each DNS query and the policy fetch (default {DNS_TIMEOUT:g})")


def _new_hosts(values: list[str]) -> tuple[tuple[str, ...], list[Problem]]:
    hosts: list[str] = []
    problems: list[Problem] = []
    for value in values:
        if value.strip().startswith("*"):
            reason = "is a pattern; give the new MX host names as DNS will list them (patterns go in --pattern)"
            problems.append(Problem("--to", value, reason))
            continue
        host, found = normalize_hostname(value, "--to")
        problems += [Problem("--to", p.value, f"{p.reason}; give the new MX host names") for p in found]
        if host is not None and host not in hosts:
            hosts.append(host)
    return tuple(hosts), problems


def _new_patterns(values: list[str], hosts: tuple[str, ...]) -> tuple[list[str], list[Problem]]:
    """The ``--pattern`` values, each covering a new host, then the preset pattern of each host left."""
    patterns: list[str] = []
    problems: list[Problem] = []
    for value in values:
        pattern, found = normalize_mx_pattern(value, "--pattern")
        problems += found
        if pattern is None or any(matches(h, [pattern]) for h in hosts):
            patterns += [pattern] if pattern is not None else []
            continue
        notes = one_label_notes(hosts, [pattern]) or [f"give an exact --to name or {parent_wildcard(hosts[0])}"]
        problems.append(
            Problem("--pattern", value, f"matches none of the new MX hosts ({', '.join(hosts)}); {notes[0]}")
        )
    patterns += [pattern_for(h).pattern for h in hosts if not matches(h, patterns)]
    return list(dict.fromkeys(patterns)), problems


def _usage(args: argparse.Namespace) -> tuple[str, tuple[str, ...], list[str]]:
    domain, problems = normalize_hostname(args.domain, "DOMAIN")
    hosts, found = _new_hosts(args.to)
    problems += found + network_problems(args)
    patterns, found = _new_patterns(args.pattern, hosts) if hosts and not found else ([], [])
    problems += found
    if problems or domain is None:
        raise InputError(problems)
    return domain, hosts, patterns


@dataclass(frozen=True)
class _Stack:
    """The stack of a migrated domain: its name and text, its project, the domain's policy mx and, in a
    fleet stack, the domain whose ``mta-sts:domains`` entry is edited (``None``: a one-domain stack)."""

    name: str
    text: StackText
    project: str | None
    mx: tuple[str, ...]
    entry: str | None

    def rewrite(self, mx: tuple[str, ...] | None, record: Record | None) -> str:
        return stack_mx.rewrite(self.text.text, self.project, mx, record, self.entry)


def _domain_config(path: Path, domain: str, fleet: bool) -> DomainConfig:
    if not fleet:
        return load_stack_file(path)
    found = [d for d in load_deployment_file(path).domains if d.domain == domain]
    if not found:
        reason = f"{path.name} is a fleet stack without {domain} in mta-sts:domains; give the stack of {domain}"
        raise InputError([Problem("--stack", path.name[len("Pulumi.") : -len(".yaml")], reason)])
    return found[0]


def _stack(args: argparse.Namespace, domain: str) -> _Stack:
    """The stack of ``domain`` (a one-domain stack, or a fleet listing it); refused before DNS is asked."""
    stack = args.stack or stack_name_for(domain)
    path = find_stack_file(stack, args.stacks_dir)
    text, project = stack_edit.read_stack_text(path), project_name(path.parent)
    try:
        fleet = "mta-sts:domains" in {entry.key for entry in stack_edit.config_entries(text.text, project)}
        config = _domain_config(path, domain, fleet)
        if config.domain != domain:
            reason = f"{path.name} is the stack of {config.domain}, not {domain}; give the stack of {domain}"
            raise InputError([Problem("--stack", stack, reason)])
        if config.policy.mode == "none":
            reason = f"{path.name}'s policy of {domain} has mode none (no mx list): there is nothing to migrate"
            raise InputError([Problem("--stack", stack, reason)])
        found = _Stack(stack, text, project, config.policy.mx, domain if fleet else None)
        found.rewrite(config.policy.mx, None)  # can the mx list be edited at all?
    except EditRefused as exc:
        raise edit_problem(text, exc) from None
    return found


def _next(args: argparse.Namespace, domain: str, stack: str, hosts: tuple[str, ...], step: Step) -> list[str]:
    where = f" --stacks-dir {shlex.quote(str(args.stacks_dir))}" if args.stacks_dir is not None else ""
    again = f"mta-sts migrate {domain} --to {' '.join(hosts)} --stack {stack}{where}"
    deploy = [f"mta-sts plan --stack {stack}{where}", f"pulumi preview --stack {stack}", f"pulumi up --stack {stack}"]
    after = stamp(step.record.narrow_after) if step.record is not None else "-"
    commit = "commit the stack file (it holds the migration's record) and open the pull request"
    by_state = {
        "widen": [commit, *deploy, again],
        "deploy-widened": [*deploy, again],
        "wait": [f"wait until {after}", again],
        "switch": [f"switch the MX records of {domain} to {', '.join(hosts)} where they are managed {OUTSIDE}", again],
        "narrow": [f"{again} --narrow"] if step.mx is None and not step.refused else [f"wait until {after}", again],
        "deploy-narrowed": [*deploy[1:], f"mta-sts check {domain}"],
        "done": [f"mta-sts check {domain}"],
    }
    if step.state == "narrow" and step.mx is not None:
        return [commit, *deploy, f"mta-sts check {domain}"]
    return by_state[step.state]


def run(args: argparse.Namespace) -> int:
    domain, hosts, patterns = _usage(args)
    found = _stack(args, domain)
    stack, text, mx = found.name, found.text, found.mx
    timeout = DNS_TIMEOUT if args.timeout is None else args.timeout
    try:
        context = make_tls_context(str(args.cafile) if args.cafile is not None else None)
    except OSError as exc:
        raise cafile_unusable(args.cafile, exc) from None
    resolver = make_resolver(args.nameserver, timeout)
    ensure_reachable(resolver, timeout)
    read = read_live(resolver, domain, context=context, https_port=args.https_port, timeout=timeout)
    if read.live is None:
        print(terminal.shown(f"mta-sts migrate: {read.problem}; nothing written"), file=sys.stderr)
        if args.format == "json":
            print(json.dumps({"domain": domain, "stack": stack, "written": False, "error": read.problem}, indent=2))
        return EXIT_REFUSED
    record = stack_mx.read_record(text.text, found.project, found.entry)
    step = plan_step(mx, hosts, patterns, read.live, record, clock(), narrow=args.narrow)
    out = output.Outcome(domain, stack, text.path, hosts, mx, read.live, step)
    new_text = found.rewrite(None if step.refused else step.mx, step.record)
    if new_text != text.text and not args.dry_run:
        stack_edit.write_stack_text(text, new_text)
        out.written = True
    out.next = _next(args, domain, stack, hosts, step)
    print(output.json_text(out) if args.format == "json" else "\n".join(output.text_lines(out)))
    if step.refused:
        print(terminal.shown(f"mta-sts migrate: {step.refused}"), file=sys.stderr)
    return EXIT_REFUSED if step.refused else EXIT_OK
