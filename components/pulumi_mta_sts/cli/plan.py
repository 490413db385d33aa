"""``mta-sts plan (--stack NAME | --all) [--format text|markdown|json] [--live-dns | --no-live-dns]
[--nameserver ADDRESS[:PORT] ...]``: the whole deployment of a stack, evaluated from the real
stack program under Pulumi's mock engine (no cloud account, no Pulumi CLI), and compared with
what live DNS and the policy host serve today. See :mod:`pulumi_mta_sts.plan.stack_plan` and
:mod:`pulumi_mta_sts.plan.live_diff`.

The flags become the program's :class:`~pulumi_mta_sts.program.options.ProgramOptions`, handed to
it as an argument, and the same options drive the comparison with live DNS, so ``--nameserver``
applies to every live look-up of the run; the environment's switches (``MTA_STS_NO_LIVE_DNS``,
``MTA_STS_NAMESERVERS``) are the defaults, and nothing here changes the environment.

Exit codes: 0 when every stack was planned, 2 for a usage error or a stack that could not be
planned (with ``--all`` the others are still planned and shown; the exit code is the worst).
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


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "plan",
        help="show every resource and DNS record a stack would create or change (mock engine, nothing deployed)",
        description=(
            "Evaluate the stack program with stacks/Pulumi.NAME.yaml under Pulumi's mock engine and print "
            "the rendered policy and id, the resources (DNS, hosting, reporting) and every DNS record managed, "
            "each compared with what live DNS serves today (+ create, ~ change, = unchanged, ? known only after "
            "deploy), the policy diff and the safety notes. Values only the cloud knows print as "
            "'(known after deploy)'."
        ),
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("-s", "--stack", metavar="NAME", help="the stack (stacks/Pulumi.NAME.yaml)")
    which.add_argument("--all", action="store_true", help="plan every stack of the stacks folder")
    parser.add_argument(
        "--stacks-dir", metavar="DIR", type=Path, help="where stack files live (default: found from Pulumi.yaml)"
    )
    parser.add_argument("-f", "--format", choices=FORMATS, default="text", help="output format (default text)")
    _live_arguments(parser)
    parser.set_defaults(func=run)


def _live_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "-n",
        "--nameserver",
        action="append",
        default=[],
        metavar="ADDRESS[:PORT]",
        help=(
            "IP address of a DNS server every live look-up asks "
            "(repeatable; default MTA_STS_NAMESERVERS, else the system's)"
        ),
    )
    parser.add_argument(
        "--cafile", type=Path, metavar="PEM", help="trust only these CA certificates for the policy fetch"
    )
    parser.add_argument(
        "--https-port",
        type=port_number,
        default=443,
        metavar="N",
        help="policy host port for the policy fetch (default 443)",
    )
    parser.add_argument(
        "-t",
        "--timeout",
        type=timeout_seconds,
        default=None,
        metavar="S",
        help=(
            f"seconds each DNS query (default {DNS_TIMEOUT:g}) and the policy fetch "
            f"(default {HTTPS_REQUEST_TIMEOUT:g}) may take"
        ),
    )


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
        from pulumi_mta_sts.plan.markdown import render_markdown
        from pulumi_mta_sts.plan.report import plan_reports, render_json, render_text, stack_names

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
