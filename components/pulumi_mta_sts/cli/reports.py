"""``mta-sts reports parse PATH... [--json]``: parse TLS-RPT reports from files.

Files may be emails (``.eml``), report bodies (``.json``, ``.json.gz``, ``.gz``); which one is
decided from the bytes. With ``--json`` each report is one line (the normalised report plus
``source``); every failure is one line ``{"source": ..., "error": ...}`` naming the file and,
inside an email, the attachment. The command goes on after a failure. Exit 0 when everything
parsed, 1 when anything failed (a file without any report is a failure too), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.files import UnreadableFile, read_regular_file
from pulumi_mta_sts.reports import DEFAULT_LIMITS, ParseResult, parse_input
from pulumi_mta_sts.reports.parse import ParseFailure

EXIT_OK = 0
EXIT_FAILED = 1


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "reports",
        help="work with TLS-RPT reports (parse files)",
        description="Work with SMTP TLS reports (RFC 8460).",
    )
    actions = parser.add_subparsers(dest="reports_command", metavar="ACTION", required=True)
    parse = actions.add_parser(
        "parse",
        help="parse report files (.eml, .json, .json.gz, .gz) and print normalised reports",
        description=(
            "Parse TLS-RPT reports from emails or report bodies and print them normalised. "
            "Exit 0 if everything parsed, 1 if anything failed."
        ),
    )
    parse.add_argument("paths", metavar="PATH", nargs="+", type=Path, help="a report file or an email")
    parse.add_argument("--json", action="store_true", help="one JSON object per line (reports and errors)")
    parse.set_defaults(func=run_parse)


#: Formats a report file is sometimes mistaken for (a report is gzip or JSON, or inside an email),
#: by their magic bytes: the file is named for what it is, not for what its name says.
FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x9d", "compress (.Z) data"),
    (b"%PDF-", "a PDF document"),
)


def foreign_format(data: bytes) -> str | None:
    """What ``data`` really is when it is one of :data:`FOREIGN_FORMATS` (never a report), else None."""
    for magic, name in FOREIGN_FORMATS:
        if data.startswith(magic):
            return name
    return None


def parse_path(path: Path) -> ParseResult:
    """Parse one file; a path that is not a readable regular file (a named pipe is never opened
    for a blocking read), or a file in another format, is a failure of that file, not of the command."""
    source = str(path)
    try:
        data = read_regular_file(path, DEFAULT_LIMITS.max_email_bytes)
    except UnreadableFile as exc:
        return ParseResult(failures=[ParseFailure(source, f"cannot read the file: it {exc.reason}", b"")])
    real = foreign_format(data)
    if real is not None:
        reason = f"the file is {real}, not a TLS report (gzip or JSON) or an email; unpack it and parse what is inside"
        return ParseResult(failures=[ParseFailure(source, reason, b"")])
    return parse_input(data, source)


def _summary(source: str, report: dict[str, Any]) -> str:
    lines = [
        f"{source}: {report['organization_name']} report {report['report_id']} ({report['start']} .. {report['end']})"
    ]
    for policy in report["policies"]:
        types = ", ".join(f"{d['result_type']} x{d['failed_session_count']}" for d in policy["failure_details"])
        lines.append(
            f"  {policy['policy_type']} {policy['policy_domain'] or '(no domain)'}: "
            f"{policy['successful']} successful, {policy['failed']} failed" + (f" [{types}]" if types else "")
        )
    return "\n".join(lines)


def run_parse(args: argparse.Namespace) -> int:
    failed = False
    for path in args.paths:
        result = parse_path(path)
        for parsed in result.reports:
            if args.json:
                print(json.dumps({"source": parsed.source, **parsed.report}, sort_keys=False))
            else:
                print(_summary(parsed.source, parsed.report))
        for failure in result.failures:
            failed = True
            if args.json:
                print(json.dumps(failure.as_dict()))
            else:
                print(f"mta-sts reports: {failure.source}: {failure.error}", file=sys.stderr)
        sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK
