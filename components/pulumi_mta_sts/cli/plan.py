"""``mta-sts plan --stack NAME [--format text|json] [--no-live-dns] [--nameserver ADDRESS[:PORT]]``:
the whole deployment of a stack, evaluated from the real stack program under Pulumi's mock
engine (no cloud account, no Pulumi CLI). See :mod:`pulumi_mta_sts.plan.stack_plan`.

The flags become the program's :class:`~pulumi_mta_sts.program.options.ProgramOptions`, handed to
it as an argument; the environment's switches (``MTA_STS_NO_LIVE_DNS``, ``MTA_STS_NAMESERVERS``)
are the defaults, and nothing here changes the environment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pulumi_mta_sts.net.resolver import live_dns_enabled
from pulumi_mta_sts.program.options import ProgramOptions, check_nameservers


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "plan",
        help="show every resource and DNS record a stack would create (mock engine, nothing deployed)",
        description=(
            "Evaluate the stack program with stacks/Pulumi.NAME.yaml under Pulumi's mock engine and print "
            "the rendered policy and id, the resources (DNS, hosting, reporting) and every DNS record managed. "
            "Values only the cloud knows print as '(known after deploy)'."
        ),
    )
    parser.add_argument("--stack", metavar="NAME", required=True, help="the stack (stacks/Pulumi.NAME.yaml)")
    parser.add_argument(
        "--stacks-dir", metavar="DIR", type=Path, help="where stack files live (default: found from Pulumi.yaml)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument(
        "--no-live-dns",
        dest="live_dns",
        action="store_false",
        help="make no network calls (skips the live-DNS checks of the program: existing records, preflight)",
    )
    parser.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="ADDRESS[:PORT]",
        help=(
            "IP address of a DNS server the program's live checks ask "
            "(repeatable; default MTA_STS_NAMESERVERS, else the system's)"
        ),
    )
    parser.set_defaults(func=run)


def program_options(args: argparse.Namespace) -> ProgramOptions:
    """The options the flags ask for, the environment's switches filling in what they leave open."""
    if not args.live_dns:
        return ProgramOptions(live_dns=False)
    if args.nameserver:
        return ProgramOptions(
            live_dns=live_dns_enabled(), nameservers=check_nameservers(args.nameserver, "--nameserver")
        )
    return ProgramOptions.from_environment()


def run(args: argparse.Namespace) -> int:
    from pulumi_mta_sts.plan.stack_plan import plan_stack  # imports Pulumi: only when this command runs

    plan = plan_stack(args.stack, stacks_dir=args.stacks_dir, options=program_options(args))
    if args.format == "json":
        json.dump(plan.as_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(plan.text())
    return 0
