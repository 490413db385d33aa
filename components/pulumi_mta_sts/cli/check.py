"""``mta-sts check DOMAIN...``: verify live domains the way a sending MTA would. Exit 0 no check
failed, 1 one did, 2 usage, 3 DNS unreachable (nothing checked; said once, no domain blamed).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pulumi_mta_sts.check import CheckOptions, check_domains, dane
from pulumi_mta_sts.check.output import render_json, render_table
from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.hostnames import normalize_hostname

from .argtypes import add_command, add_flag, cafile_unusable, network_problems, port_number, whole_number

EXIT_OK, EXIT_FAILED = 0, 1
#: The checker's own defaults, shown and used by the options.
_DEFAULTS = CheckOptions()
_count = whole_number(1, 1000)


def register(sub: Any) -> None:
    parser = add_command(
        sub,
        "check",
        run,
        "verify live domains like a sending MTA (MTA-STS, TLS-RPT, STARTTLS, DANE, CAA)",
        "Check each DOMAIN like a sending MTA: the _mta-sts and _smtp._tls records, the policy fetch and content, "
        "MX coverage, STARTTLS and DANE on every MX, IPv4/IPv6 and CAA. "
        "Exit 0 when no check failed, 1 when one did, 2 for usage errors, 3 when DNS cannot be reached.",
    )
    parser.add_argument("domains", nargs="+", metavar="DOMAIN", help="mail domains to check")
    add_connection_flags(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    add_flag(parser, "nameserver", "IP address of a DNS server to ask instead of the system resolver (repeatable)")
    add_flag(parser, "cafile", "trust only these CA certificates")
    add_flag(parser, "https-port", f"policy host port (default {_DEFAULTS.https_port})")
    smtp_port = f"SMTP port of MX hosts (default {_DEFAULTS.smtp_port})"
    parser.add_argument("--smtp-port", type=port_number, default=_DEFAULTS.smtp_port, metavar="N", help=smtp_port)
    parser.add_argument("--no-smtp", action="store_true", help="do not probe STARTTLS on the MX hosts")
    parser.add_argument(dane.FLAG, metavar="HOST[:PORT]", help=dane.FLAG_HELP)
    timeouts = f"(default {DNS_TIMEOUT:g}), each whole HTTPS fetch and each whole SMTP dialogue"
    add_flag(parser, "timeout", f"seconds each DNS query {timeouts} (default {_DEFAULTS.timeout:g}) may take")
    concurrency = f"domains checked at once (default {_DEFAULTS.concurrency})"
    parser.add_argument("--concurrency", type=_count, default=_DEFAULTS.concurrency, metavar="N", help=concurrency)


def options_from(args: argparse.Namespace) -> tuple[list[str], CheckOptions]:
    problems = []
    domains: list[str] = []
    for raw in args.domains:
        domain, found = normalize_hostname(raw, "DOMAIN")
        problems += found
        if domain is not None and domain not in domains:
            domains.append(domain)
    problems += network_problems(args) + dane.resolver_problems(args.dnssec_resolver)
    if problems:
        raise InputError(problems)
    return domains, CheckOptions(
        nameservers=tuple(args.nameserver),
        cafile=None if args.cafile is None else str(args.cafile),
        https_port=args.https_port,
        smtp_port=args.smtp_port,
        smtp=not args.no_smtp,
        timeout=_DEFAULTS.timeout if args.timeout is None else args.timeout,
        concurrency=args.concurrency,
        dns_timeout=DNS_TIMEOUT if args.timeout is None else args.timeout,
        dnssec_resolver=args.dnssec_resolver or "",
    )


def run(args: argparse.Namespace) -> int:
    domains, options = options_from(args)
    try:
        reports = check_domains(domains, options)
    except OSError as exc:  # e.g. an unreadable --cafile; without one, not the user's doing
        if args.cafile is None:
            raise
        raise cafile_unusable(args.cafile, exc) from None
    if args.json:
        print(render_json(reports))
    else:
        render_table(reports, sys.stdout)
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED
