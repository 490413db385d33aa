"""How a command builds its parser, and the flags and argument types several commands share, so one
flag reads the same everywhere."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.files import file_kind
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.net.resolver import parse_nameserver

_CAFILE_FIX = "give a PEM file of CA certificates"


def add_command(
    sub: Any, name: str, run: Callable[[argparse.Namespace], int] | None, help: str, description: str | None = None
) -> argparse.ArgumentParser:
    """``run`` ``None``: a command of actions."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    if run is not None:
        parser.set_defaults(func=run)
    return parser


def whole_number(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """The argparse type of every whole-number flag: ASCII digits (not '¹²³' or '٣'), ``low`` to ``high``."""

    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit() and len(text) <= 12) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} from {low} to {high}")
        return int(text)

    return parse


port_number = whole_number(1, 65535, "a port number")


def timeout_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 600")
    return value


SHARED_FLAGS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "stack": (("-s", "--stack"), {"metavar": "NAME"}),
    "stacks-dir": (("--stacks-dir",), {"metavar": "DIR", "type": Path}),
    "format": (("-f", "--format"), {}),
    "nameserver": (("-n", "--nameserver"), {"action": "append", "default": [], "metavar": "ADDRESS[:PORT]"}),
    "cafile": (("--cafile",), {"type": Path, "metavar": "PEM"}),
    "https-port": (("--https-port",), {"type": port_number, "default": 443, "metavar": "N"}),
    "timeout": (("-t", "--timeout"), {"type": timeout_seconds, "default": None, "metavar": "S"}),
}
STACKS_DIR_HELP = "where stack files live (default: found from Pulumi.yaml)"


def add_flag(parser: Any, name: str, help: str, **settings: Any) -> argparse.Action:
    flags, own = SHARED_FLAGS[name]
    action: argparse.Action = parser.add_argument(*flags, **{**own, "help": help, **settings})
    return action


def cafile_path(path: Path | None) -> str | None:
    """Not a regular file is refused, naming what it is (loading a named pipe would wait for a writer)."""
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        reason = "does not exist"
    except (OSError, ValueError) as exc:
        reason = f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    else:
        if stat.S_ISREG(mode):
            return str(path)
        reason = f"is {file_kind(mode)}, not a file"
    raise InputError([Problem("--cafile", str(path), f"{path} {reason}; {_CAFILE_FIX}")])


def cafile_unusable(path: Path | str | None, exc: OSError) -> InputError:
    return InputError([Problem("--cafile", str(path), f"{path} cannot be used ({exc}); {_CAFILE_FIX}")])


def nameserver_problems(specs: Sequence[str]) -> list[Problem]:
    """Used or not: a wrong value is never ignored."""
    problems: list[Problem] = []
    for spec in specs:
        try:
            parse_nameserver(spec)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def network_problems(args: argparse.Namespace) -> list[Problem]:
    problems = nameserver_problems(args.nameserver)
    try:
        cafile_path(args.cafile)
    except InputError as exc:
        problems += exc.problems
    return problems
