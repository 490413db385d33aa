"""``mta-sts plan (--stack NAME | --all)``: the stack program under the mock engine, compared with
live DNS. The flags become the program's :class:`~pulumi_mta_sts.program.options.ProgramOptions`
(the environment's switches are the defaults), which drive every look-up of the run too.
Exit 0 every stack planned; 2 a usage error or a stack not planned (``--all``: the worst).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi_mta_sts.core.defaults import DNS_TIMEOUT, HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.net.resolver import live_dns_enabled
from pulumi_mta_sts.program.options import ProgramOptions, check_nameservers, reachable_live_dns

from .argtypes import cafile_path, port_number, timeout_seconds

FORMATS = ("text", "markdown", "json")
_DESCRIPTION = (
    "Evaluate the stack program with stacks/Pulumi.NAME.yaml under Pulumi's mock engine and print "
    "the rendered policy and id, the resources (DNS, hosting, reporting) and every DNS record managed, "
    "each compared with what live DNS serves today (+ create, ~ change, = unchanged, ? known only after "
    "deploy), the policy diff and the safety notes. Values only the cloud knows print as "
    "'(known after deploy)'."
)


def register(sub: Any) -> None:
    helps = "show every resource and DNS record a stack would create or change (mock engine, nothing deployed)"
    parser: argparse.ArgumentParser = sub.add_parser("plan", help=helps, description=_DESCRIPTION)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("-s", "--stack", metavar="NAME", help="the stack (stacks/Pulumi.NAME.yaml)")
    which.add_argument("--all", action="store_true", help="plan every stack of the stacks folder")
    parser.add_argument(
        "--stacks-dir", metavar="DIR", type=Path, help="where stack files live (default: found from Pulumi.yaml)"
    )
    parser.add_argument("-f", "--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument(
        "--live-dns",
        dest="live_dns",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "compare with live DNS and the policy served today (default: on unless MTA_STS_NO_LIVE_DNS is set); "
            "--no-live-dns makes no network calls at all"
        ),
    )
    servers = "IP address of a DNS server every live look-up asks (repeatable; default MTA_STS_NAMESERVERS, else "
    add_nameserver(parser, servers + "the system's)")
    parser.add_argument(
        "--cafile", type=Path, metavar="PEM", help="trust only these CA certificates for the policy fetch"
    )
    port = "policy host port for the policy fetch (default 443)"
    parser.add_argument("--https-port", type=port_number, default=443, metavar="N", help=port)
    timeout = (
        f"seconds each DNS query (default {DNS_TIMEOUT:g}) and the policy fetch (default {HTTPS_REQUEST_TIMEOUT:g})"
    )
    parser.add_argument("-t", "--timeout", type=timeout_seconds, default=None, metavar="S", help=timeout + " may take")
    parser.set_defaults(func=run)


def add_nameserver(parser: argparse.ArgumentParser, helps: str) -> None:
    """``-n/--nameserver ADDRESS[:PORT]`` (repeatable), as ``plan`` and ``onboard`` read it."""
    parser.add_argument("-n", "--nameserver", action="append", default=[], metavar="ADDRESS[:PORT]", help=helps)


def program_options(args: argparse.Namespace) -> ProgramOptions:
    """The options the flags ask for, the environment's switches filling in what they leave open."""
    timeout = args.timeout if args.timeout is not None else DNS_TIMEOUT
    given = check_nameservers(args.nameserver, "--nameserver") if args.nameserver else None  # never ignored
    if args.live_dns is False:
        return ProgramOptions(live_dns=False)
    live = True if args.live_dns else live_dns_enabled()
    if given:
        return ProgramOptions(live, given, timeout)
    return ProgramOptions(live, ProgramOptions.from_environment().nameservers, timeout)


def run(args: argparse.Namespace) -> int:
    options, cafile = program_options(args), cafile_path(args.cafile)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Whether DNS can be reached is found out while Pulumi loads (the probe only waits).
        probing = pool.submit(reachable_live_dns, options)
        # imports Pulumi: only when this command runs
        from pulumi_mta_sts.plan.live_diff import LiveRun, LiveSettings
        from pulumi_mta_sts.plan.output import render_json, render_markdown, render_text
        from pulumi_mta_sts.plan.report import plan_reports, stack_names

        live = probing.result()
    timeout = args.timeout if args.timeout is not None else HTTPS_REQUEST_TIMEOUT
    settings = LiveSettings(options, cafile, args.https_port, timeout)
    stacks = stack_names(args.stacks_dir) if args.all else [args.stack]
    reports = plan_reports(stacks, args.stacks_dir, LiveRun(settings, live))
    for report in reports:
        for problem in report.problems:
            print(terminal.shown(f"mta-sts plan: {report.stack}: {problem}"), file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(terminal.json_text(render_json(reports, several=args.all)) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(reports))
    else:
        sys.stdout.write(render_text(reports))
    return max(report.exit_code for report in reports)
