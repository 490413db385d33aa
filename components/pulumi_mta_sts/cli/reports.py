"""``mta-sts reports``: ``parse`` report files, ``summary``, ``ready`` (the enforce-readiness
verdict) and ``html`` over SOURCEs (:mod:`.report_sources`) read one report at a time. docs/cli.md
has every flag and exit code.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.files import UnwritableFile, write_file_atomically
from pulumi_mta_sts.core.defaults import READINESS_DAYS, READINESS_MIN_ORGS
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.core.policy import parse_policy
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.readiness import readiness, render_verdict, window
from pulumi_mta_sts.reports.sessions import NO_DOMAIN
from pulumi_mta_sts.reports.summary import Summary
from pulumi_mta_sts.reports.summary_render import FORMATS, render_summary

from .argtypes import add_command, add_flag, whole_number
from .report_sources import check_sources, read_path, read_sources

EXIT_OK, EXIT_FAILED, EXIT_NOT_READY = 0, 1, 1
#: The longest window ``reports ready`` judges (a year: older reports say nothing about today).
MAX_READY_DAYS = 366
SOURCE_HELP = "a report file, a directory of them, or s3://BUCKET[/PREFIX] (the receiver's bucket; needs [aws])"


def register(sub: Any) -> None:
    what = "work with TLS-RPT reports (parse, summary, ready, html)"
    reports = sub.add_parser("reports", help=what, description="Work with SMTP TLS reports (RFC 8460).")
    actions = reports.add_subparsers(dest="reports_command", metavar="ACTION", required=True)
    parse = _action(
        actions,
        run_parse,
        "parse report files (.eml, .json, .json.gz, .gz) and print normalised reports",
        "Parse TLS-RPT reports from emails or report bodies and print them normalised. "
        "Exit 0 if everything parsed, 1 if anything failed.",
    )
    parse.add_argument("paths", metavar="PATH", nargs="+", type=Path, help="a report file or an email")
    parse.add_argument("--json", action="store_true", help="one JSON object per line (reports and errors)")
    summary = _action(
        actions,
        run_summary,
        "what the reports say: per domain and day, organisation, result type, MX host, policy",
        "Summarise TLS-RPT reports, each counted once per (organisation, report-id). "
        "Exit 0, or 1 when some input could not be read (the summary is printed anyway).",
        filters=True,
    )
    add_flag(summary, "format", "output format (default: text)", choices=FORMATS, default="text")
    _register_ready(actions)
    html = _action(
        actions,
        run_html,
        "the summary as one self-contained HTML file (charts and tables)",
        "Write the summary as one HTML file that opens without network access.",
        filters=True,
    )
    html.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the HTML file to write")


def _action(
    actions: Any, run: Callable[[argparse.Namespace], int], help_text: str, description: str, *, filters: bool = False
) -> argparse.ArgumentParser:
    """The parser of the action its ``run_<name>`` names, with the SOURCE filters if asked."""
    parser = add_command(actions, run.__name__.removeprefix("run_"), run, help_text, description)
    if filters:
        parser.add_argument("sources", metavar="SOURCE", nargs="+", help=SOURCE_HELP)
        parser.add_argument("--since", type=day_argument, metavar="DATE", help="only reports from this UTC day on")
        parser.add_argument("--until", type=day_argument, metavar="DATE", help="only reports up to this UTC day")
        parser.add_argument("--domain", metavar="D", help="only the policies of this policy domain")
    return parser


def _register_ready(actions: Any) -> None:
    ready = _action(
        actions,
        run_ready,
        "is DOMAIN ready to go from mode testing to enforce?",
        "Ready to enforce when, over the N days before --as-of, reports from at least K organisations "
        "cover each day and show no failed session of the sts policy. Exit 0 ready, 1 not ready, 2 usage.",
    )
    ready.add_argument("domain", metavar="DOMAIN", help="the policy domain")
    ready.add_argument(
        "--source", dest="sources", metavar="SOURCE", nargs="+", action="extend", required=True, help=SOURCE_HELP
    )
    days = f"days to look at (default {READINESS_DAYS})"
    ready.add_argument("--days", type=days_argument, default=READINESS_DAYS, metavar="N", help=days)
    orgs = f"organisations that must report every day (default {READINESS_MIN_ORGS})"
    ready.add_argument("--min-orgs", type=positive_argument, default=READINESS_MIN_ORGS, metavar="K", help=orgs)
    as_of = "judge the N days before this UTC day (default: today)"
    ready.add_argument("--as-of", type=day_argument, metavar="DATE", help=as_of)
    add_flag(ready, "format", "output format (default: text)", choices=("text", "json"), default="text")


days_argument = whole_number(1, MAX_READY_DAYS, "a number of days")
positive_argument = whole_number(1, 100_000)  # more organisations than report on any one domain


def day_argument(text: str) -> date:
    """A ``YYYY-MM-DD`` day (argparse type: a bad one is a usage error naming the flag)."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; write YYYY-MM-DD, e.g. 2024-03-01") from None


@functools.lru_cache(maxsize=4096)
def toolkit_policy_id(policy_strings: tuple[str, ...]) -> str | None:
    """The id this toolkit publishes for the policy in ``policy_strings``, ``None`` if it is none."""
    parsed = parse_policy("".join(line + "\r\n" for line in policy_strings))
    return parsed.policy.id if parsed.policy is not None else None


def build_summary(
    sources: Sequence[str],
    *,
    since: date | None = None,
    until: date | None = None,
    domain: str | None = None,
    domain_flag: str = "--domain",
) -> Summary:
    if since is not None and until is not None and since > until:
        raise InputError([Problem("--since", since.isoformat(), f"is after --until {until.isoformat()}")])
    checked = check_sources(sources)
    try:
        summary = Summary(since=since, until=until, domain=domain, policy_id=toolkit_policy_id)
    except ReportError as exc:
        raise InputError([Problem(domain_flag, domain, exc.reason.removeprefix("domain "))]) from None
    for result in read_sources(checked):
        for parsed in result.reports:
            summary.add(parsed.report)
        for failure in result.failures:
            summary.add_unreadable(failure.source, failure.error)
            _warn(f"{failure.source}: {failure.error}")
    return summary


def _warn(message: str) -> None:
    print(f"mta-sts reports: {terminal.shown(message)}", file=sys.stderr)


def _filtered(args: argparse.Namespace) -> Summary:
    return build_summary(args.sources, since=args.since, until=args.until, domain=args.domain)


def run_summary(args: argparse.Namespace) -> int:
    summary = _filtered(args)
    if args.format == "json":
        print(json.dumps(summary.as_json(), indent=2))
    else:
        sys.stdout.write(render_summary(summary, args.format))
    return EXIT_FAILED if summary.unreadable else EXIT_OK


def today_utc() -> date:
    return datetime.now(UTC).date()


def run_ready(args: argparse.Namespace) -> int:
    as_of: date = args.as_of or today_utc()
    try:
        first = date.fromisoformat(window(as_of, args.days)[0])
    except OverflowError:
        raise InputError([Problem("--as-of", as_of.isoformat(), f"leaves no {args.days} days before it")]) from None
    until = as_of - timedelta(days=1)
    summary = build_summary(args.sources, since=first, until=until, domain=args.domain, domain_flag="DOMAIN")
    verdict = readiness(summary, args.domain, days=args.days, min_orgs=args.min_orgs, as_of=as_of)
    if args.format == "json":
        print(json.dumps({**verdict.as_json(), "unreadable": summary.unreadable}, indent=2))
    else:
        sys.stdout.write(render_verdict(verdict))
        if summary.unreadable:
            print(f"  note: {summary.unreadable} input(s) could not be read (listed on stderr) and are not counted.")
    return EXIT_OK if verdict.ready else EXIT_NOT_READY


def run_html(args: argparse.Namespace) -> int:
    from pulumi_mta_sts.reports.report_page import render_html  # only this action needs the page's code

    summary = _filtered(args)
    try:
        write_file_atomically(args.output, render_html(summary.as_json()).encode("utf-8"))
    except UnwritableFile as exc:
        raise InputError([Problem("--output", str(args.output), f"{args.output} {exc.reason}")]) from None
    print(f"wrote {terminal.shown(args.output)} ({summary.counted} report(s))")
    return EXIT_FAILED if summary.unreadable else EXIT_OK


def _summary(source: str, report: dict[str, Any]) -> str:
    """One report for people, what its sender wrote through :mod:`~pulumi_mta_sts.escape.terminal`."""
    lines = [
        f"{source}: {report['organization_name']} report {report['report_id']} ({report['start']} .. {report['end']})"
    ]
    for policy in report["policies"]:
        types = ", ".join(f"{d['result_type']} x{d['failed_session_count']}" for d in policy["failure_details"])
        lines.append(
            f"  {policy['policy_type']} {policy['policy_domain'] or NO_DOMAIN}: "
            f"{policy['successful']} successful, {policy['failed']} failed" + (f" [{types}]" if types else "")
        )
    return "\n".join(terminal.shown(line) for line in lines)


def run_parse(args: argparse.Namespace) -> int:
    failed = False
    for path in args.paths:
        result = read_path(path, stored=False)
        for parsed in result.reports:
            print(
                json.dumps({"source": parsed.source, **parsed.report})
                if args.json
                else _summary(parsed.source, parsed.report)
            )
        for failure in result.failures:
            failed = True
            if args.json:
                print(json.dumps(failure.as_dict()))
            else:
                _warn(f"{failure.source}: {failure.error}")
        sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK
