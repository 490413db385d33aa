"""The ``mta-sts`` command: each sub-command is a module here with ``register(subparsers)``. No
traceback for a user's mistake (one line per problem, exit 2) or unreachable DNS (one line, exit 3).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

import pulumi_mta_sts
from pulumi_mta_sts.core.errors import InputError, MissingExtraError
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.net.resolver import DnsUnreachable

from .parser import CommandParser

#: Sub-commands, in the order ``--help`` lists them (module: the name with ``_`` for ``-``).
_BEFORE_DEPLOY = ("init", "render", "plan", "preview-diff", "onboard")
COMMANDS = (*_BEFORE_DEPLOY, "check", "watch", "migrate", "reports", "receiver", "schema")

EXIT_USAGE = 2
#: DNS could not be reached at all: nothing was looked up, so nothing was judged.
EXIT_UNREACHABLE = 3
#: The reader of the output went away (``mta-sts ... | head``): what a process killed by SIGPIPE reports.
EXIT_BROKEN_PIPE = 128 + 13
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="mta-sts",
        description="MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for a mail domain: render, plan, check, reports.",
    )
    parser.add_argument(
        "-V", "--version", action="version", version=f"%(prog)s {pulumi_mta_sts.__version__}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name.replace('-', '_')}").register(sub)
    return parser


def _tolerant_streams() -> None:
    """A lone surrogate (from a file name or a report) prints as ``\\udcff``, not a ``UnicodeEncodeError``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a stream that cannot change
                reconfigure(errors="backslashreplace")


def _drop_stdout() -> None:
    """So the last flush prints no ``BrokenPipeError``."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
        pass


def _report(command: str, problems: Sequence[object]) -> int:
    for problem in problems:
        print(terminal.shown(f"mta-sts {command}: {problem}"), file=sys.stderr)
    return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except InputError as exc:
        return _report(args.command, exc.problems)
    except DnsUnreachable as exc:
        line = f"mta-sts {args.command}: {exc}; nothing was looked up, so no domain was judged ({exc.fix})"
        print(terminal.shown(line), file=sys.stderr)
        return EXIT_UNREACHABLE
    except ImportError as exc:
        missing = MissingExtraError.from_import_error(exc, "this command")
        if missing is None:
            raise
        return _report(args.command, [missing])
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Never a traceback for what the user did, the pipe reader or Ctrl-C."""
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
