"""``mta-sts init DOMAIN [--stack NAME] [--stacks-dir DIR] [--nameserver HOST[:PORT] ...] [--force]
[--json]``: write ``Pulumi.<stack>.yaml`` for a domain from what live DNS already says.

The look-ups are ``net/domain_survey.py``; the choices (DNS provider, ``mx`` patterns, the file's
text) are ``config/init_stack.py``. Exit 0: written; 1: nothing written because DNS says the
domain cannot be set up as asked (no such domain, no answer, no mail, a DNS provider the stack
cannot manage); 2: usage (including an existing file without ``--force``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.init_stack import (
    INIT_DEFAULT_MAX_AGE,
    INIT_DEFAULT_MODE,
    InitChoices,
    dns_provider_of,
    mx_patterns,
    pattern_for,
    split_rua,
    stack_name_for,
    stack_text,
    unusable_patterns,
)
from pulumi_mta_sts.config.stack import find_stacks_dir, stack_name_problems, stacks_dir_problems
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.matching import uncovered
from pulumi_mta_sts.core.records import policy_host
from pulumi_mta_sts.net.domain_survey import Survey, survey_domain
from pulumi_mta_sts.net.existing_records import ADOPT_HINT
from pulumi_mta_sts.net.https_fetch import make_tls_context
from pulumi_mta_sts.net.resolver import make_resolver

from .argtypes import cafile_path, cafile_unusable, nameserver_problems, port_number

EXIT_WRITTEN = 0
EXIT_NOT_WRITTEN = 1
#: Seconds for each DNS query and for the policy fetch.
INIT_TIMEOUT = 5.0


def register(sub: Any) -> None:
    parser = sub.add_parser("init", help="write a stack file for a domain from what live DNS says")
    parser.add_argument("domain", metavar="DOMAIN", help="the mail domain, e.g. example.com")
    parser.add_argument(
        "-s", "--stack", metavar="NAME", help="the stack name (default: the domain with dots as dashes)"
    )
    parser.add_argument(
        "--stacks-dir", metavar="DIR", type=Path, help="where stack files live (default: found from Pulumi.yaml)"
    )
    parser.add_argument(
        "-n",
        "--nameserver",
        metavar="ADDRESS[:PORT]",
        action="append",
        default=[],
        help="ask this DNS server (repeatable)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing stack file")
    parser.add_argument("--json", action="store_true", help="print what was detected and written as JSON")
    parser.add_argument("--cafile", type=Path, metavar="PEM", help="trust only these CA certificates for the policy")
    parser.add_argument(
        "--https-port", type=port_number, default=443, metavar="PORT", help="the policy host's HTTPS port (default 443)"
    )
    parser.set_defaults(func=run)


def _target(args: argparse.Namespace, domain: str) -> Path:
    """The stack file to write; refuses a bad name, a missing folder, or an existing file."""
    stack = args.stack if args.stack is not None else stack_name_for(domain)
    problems = stack_name_problems(stack)
    folder = args.stacks_dir if args.stacks_dir is not None else find_stacks_dir()
    problems += stacks_dir_problems(folder, args.stacks_dir is not None)
    if problems:
        raise InputError(problems)
    path = folder / f"Pulumi.{stack}.yaml"
    if os.path.lexists(path) and not args.force:
        raise InputError([Problem(str(path), str(path), "the stack file exists; give --force to overwrite it")])
    return path


def _check_usage(args: argparse.Namespace) -> str:
    domain, problems = normalize_hostname(args.domain, "DOMAIN")
    problems += nameserver_problems(args.nameserver)
    try:
        cafile_path(args.cafile)
    except InputError as exc:
        problems += exc.problems
    if problems or domain is None:
        raise InputError(problems)
    return domain


def _survey(args: argparse.Namespace, domain: str) -> Survey:
    try:
        context = make_tls_context(str(args.cafile) if args.cafile is not None else None)
    except OSError as exc:
        raise cafile_unusable(args.cafile, exc) from None
    resolver = make_resolver(args.nameserver, INIT_TIMEOUT)
    return survey_domain(resolver, domain, context=context, https_port=args.https_port, timeout=INIT_TIMEOUT)


def _refusal(survey: Survey) -> str | None:
    """Why DNS says this domain cannot be set up as asked (``None``: it can)."""
    if survey.failure is not None:
        return f"DNS gave no usable answer for {survey.domain}: {survey.failure}"
    if survey.mail is not None and survey.mail.null_mx:
        return f"{survey.domain} has a null MX (RFC 7505): it receives no mail, so MTA-STS has nothing to protect"
    if dns_provider_of(survey.nameservers) is None:
        servers = ", ".join(survey.nameservers)
        return (
            f"the zone {survey.zone} is served by {servers}, not Route53 (awsdns-) or Cloudflare "
            "(*.ns.cloudflare.com); move the zone to one of them, or use the fleet's hosted mode once it exists"
        )
    return None


def _choices(survey: Survey) -> tuple[InitChoices, list[str]]:
    """The stack's values and the warnings about what was carried over."""
    hosts = survey.mail.hosts if survey.mail is not None else ()
    existing = survey.existing.policy if survey.existing is not None else None
    warnings: list[str] = []
    if survey.existing is not None and survey.existing.problem is not None:
        warnings.append(f"existing MTA-STS set-up not carried over: {survey.existing.problem}")
    mode, max_age, old = INIT_DEFAULT_MODE, INIT_DEFAULT_MAX_AGE, tuple[str, ...]()
    if existing is not None:
        mode, max_age, old = existing.mode, existing.max_age, tuple(existing.mx)
        for host in uncovered(hosts, old):
            warnings.append(f"the live policy does not cover MX {host}; a pattern for it was added")
    patterns, _ = mx_patterns(hosts, old)
    provider = dns_provider_of(survey.nameservers) or ""
    rua, rua_problems = split_rua(survey.tlsrpt.rua if survey.tlsrpt is not None else ())
    warnings += [f"live TLS-RPT rua not carried over: {problem}" for problem in rua_problems]
    warnings += [f"the live _smtp._tls record is not usable, not carried over: {p}" for p in survey.tlsrpt_problems]
    zone = survey.zone or ""
    return InitChoices(survey.domain, provider, zone, mode, max_age, tuple(patterns), tuple(rua)), warnings


def _host_warnings(survey: Survey) -> list[str]:
    host = policy_host(survey.domain)
    if survey.host_records_error is not None:
        return [survey.host_records_error]
    answer = survey.host_records
    if answer is None or answer.empty:
        return []
    found = f"CNAME {answer.cname}" if answer.cname else ", ".join(answer.addresses)
    return [
        f"{host} already has records ({found}); the stack creates its own there: remove them when the "
        f"new host is ready, or import them ({ADOPT_HINT})"
    ]


def _detected(survey: Survey, choices: InitChoices) -> dict[str, Any]:
    picks = [pattern_for(host) for host in (survey.mail.hosts if survey.mail else ())]
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
        "policy": {"mode": choices.mode, "max_age": choices.max_age, "mx": list(choices.mx)},
    }


def _print_text(detected: dict[str, Any], path: Path, warnings: list[str], stack: str) -> None:
    print(f"{detected['domain']}: zone {detected['zone']} on {detected['dns_provider']}")
    print(f"  MX: {', '.join(detected['mx_hosts'])}{' (implicit: no MX record)' if detected['implicit_mx'] else ''}")
    if detected["mail_providers"]:
        print(f"  mail provider: {', '.join(detected['mail_providers'])}")
    policy = detected["policy"]
    print(f"  policy: mode {policy['mode']}, max_age {policy['max_age']}, mx {', '.join(policy['mx'])}")
    for warning in warnings:
        print(f"  warning: {warning}")
    print(f"wrote {path}")
    print("next:")
    for command in _next_commands(stack):
        print(f"  {command}")


def _next_commands(stack: str) -> list[str]:
    return [f"mta-sts plan --stack {stack}", f"pulumi stack init {stack}", "pulumi up"]


def _refuse(args: argparse.Namespace, domain: str, reason: str) -> int:
    """Nothing written: say why on stderr (and as JSON with ``--json``); exit 1."""
    print(f"mta-sts init: {reason}; nothing written", file=sys.stderr)
    if args.json:
        print(json.dumps({"domain": domain, "written": None, "error": reason}, indent=2))
    return EXIT_NOT_WRITTEN


def run(args: argparse.Namespace) -> int:
    domain = _check_usage(args)
    path = _target(args, domain)
    survey = _survey(args, domain)
    refusal = _refusal(survey)
    if refusal is not None:
        return _refuse(args, domain, refusal)
    choices, warnings = _choices(survey)
    unusable = unusable_patterns(choices.mx)
    if unusable:
        reasons = "; ".join(map(str, unusable))
        return _refuse(args, domain, f"the live MX names cannot go into a policy as they are: {reasons}")
    warnings += _host_warnings(survey)
    path.write_text(stack_text(choices), encoding="utf-8")
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    detected = _detected(survey, choices)
    if args.json:
        out = {**detected, "warnings": warnings, "written": str(path), "next": _next_commands(stack)}
        print(json.dumps(out, indent=2))
    else:
        _print_text(detected, path, warnings, stack)
    return EXIT_WRITTEN
