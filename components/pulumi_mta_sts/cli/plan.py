"""``mta-sts plan (--stack NAME | --all)``: the stack program under the mock engine, compared with
live DNS. The flags become the program's :class:`~pulumi_mta_sts.program.options.ProgramOptions`
(the environment's switches are the defaults), which drive every look-up of the run too.
Exit 0 every stack planned; 2 a usage error or a stack not planned (``--all``: the worst).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi_mta_sts.config.stack import stack_names
from pulumi_mta_sts.core.defaults import DNS_TIMEOUT, HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.net.resolver import live_dns_enabled
from pulumi_mta_sts.program.options import ProgramOptions, check_nameservers, reachable_live_dns

from .argtypes import STACKS_DIR_HELP, add_command, add_flag, cafile_path

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
    parser = add_command(sub, "plan", run, helps, _DESCRIPTION)
    which = parser.add_mutually_exclusive_group(required=True)
    add_flag(which, "stack", "the stack (stacks/Pulumi.NAME.yaml)")
    which.add_argument("--all", action="store_true", help="plan every stack of the stacks folder")
    add_flag(parser, "stacks-dir", STACKS_DIR_HELP)
    add_flag(parser, "format", "output format (default text)", choices=FORMATS, default="text")
    parser.add_argument(
        "--live-dns",
        action=argparse.BooleanOptionalAction,
        help=(
            "compare with live DNS and the policy served today (default: on unless MTA_STS_NO_LIVE_DNS is set); "
            "--no-live-dns makes no network calls at all"
        ),
    )
    servers = "IP address of a DNS server every live look-up asks (repeatable; default MTA_STS_NAMESERVERS, else "
    add_flag(parser, "nameserver", servers + "the system's)")
    add_flag(parser, "cafile", "trust only these CA certificates for the policy fetch")
    add_flag(parser, "https-port", "policy host port for the policy fetch (default 443)")
    timeout = (
        f"seconds each DNS query (default {DNS_TIMEOUT:g}) and the policy fetch (default {HTTPS_REQUEST_TIMEOUT:g})"
    )
    add_flag(parser, "timeout", timeout + " may take")


def program_options(args: argparse.Namespace) -> ProgramOptions:
    """The options the flags ask for, the environment's switches filling in what they leave open."""
    given = check_nameservers(args.nameserver, "--nameserver") if args.nameserver else None  # never ignored
    if args.live_dns is False:
        return ProgramOptions(live_dns=False)
    live = True if args.live_dns else live_dns_enabled()
    timeout = args.timeout if args.timeout is not None else DNS_TIMEOUT
    return ProgramOptions(live, given or ProgramOptions.from_environment().nameservers, timeout)


def run(args: argparse.Namespace) -> int:
    options, cafile = program_options(args), cafile_path(args.cafile)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Whether DNS can be reached is found out while Pulumi loads (the probe only waits).
        probing = pool.submit(reachable_live_dns, options)
        # imports Pulumi: only when this command runs
        from pulumi_mta_sts.plan.live_diff import LiveRun, LiveSettings
        from pulumi_mta_sts.plan.output import render_json, render_markdown, render_text
        from pulumi_mta_sts.plan.report import plan_reports

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
