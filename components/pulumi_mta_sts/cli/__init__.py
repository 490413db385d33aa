"""The ``mta-sts`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (``args -> exit code``).
User mistakes are raised as :class:`~pulumi_mta_sts.core.errors.InputError` and printed here as
one line per problem on stderr with exit code 2; nothing the user does wrong prints a
traceback. A command that needs an extra which is not installed (``mta-sts plan`` runs the Pulumi
program, so it needs the SDKs) is a user mistake too: one line naming the extra, exit 2.

This module and ``render``, ``check`` and ``reports`` import no Pulumi; the base install runs them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pulumi_mta_sts.core.errors import InputError, MissingExtraError

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = ("render", "plan", "check", "reports")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mta-sts",
        description="MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for a mail domain: render, plan, check, reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a command another issue has not delivered yet
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"mta-sts {args.command}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:
        missing = MissingExtraError.from_import_error(exc, "this command")
        if missing is None:
            raise
        print(f"mta-sts {args.command}: {missing}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
