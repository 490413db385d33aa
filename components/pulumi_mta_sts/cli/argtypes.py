"""Argument types shared by the commands, so one flag reads the same everywhere."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from pulumi_mta_sts.config.files import file_kind
from pulumi_mta_sts.core.errors import InputError, Problem
from pulumi_mta_sts.net.resolver import parse_nameserver

__all__ = ["cafile_path", "cafile_unusable", "nameserver_problems", "port_number", "timeout_seconds"]

_CAFILE = "--cafile"
_CAFILE_FIX = "give a PEM file of CA certificates"


def port_number(text: str) -> int:
    """A TCP port, 1-65535, in ASCII digits (``--https-port``, ``--smtp-port``)."""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def timeout_seconds(text: str) -> float:
    """A time limit in seconds, more than 0 and at most 600 (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 600")
    return value


def cafile_path(path: Path | None) -> str | None:
    """``--cafile`` as the TLS context takes it (``None``: the system's CAs), or
    :class:`InputError` naming the file and what it is when it is not a regular file (a named
    pipe is never opened: loading it would wait for a writer)."""
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
    raise InputError([Problem(_CAFILE, str(path), f"{path} {reason}; {_CAFILE_FIX}")])


def cafile_unusable(path: Path | str | None, exc: OSError) -> InputError:
    """The error for a ``--cafile`` the TLS library could not load (not PEM, unreadable)."""
    return InputError([Problem(_CAFILE, str(path), f"{path} cannot be used ({exc}); {_CAFILE_FIX}")])


def nameserver_problems(specs: Sequence[str]) -> list[Problem]:
    """What is wrong with each ``--nameserver`` given, whether or not the run gets to use it (a
    wrong value is never ignored)."""
    problems: list[Problem] = []
    for spec in specs:
        try:
            parse_nameserver(spec)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems
