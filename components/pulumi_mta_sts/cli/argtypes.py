"""Argument types shared by the commands, so one flag reads the same everywhere."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from pulumi_mta_sts.config.files import file_kind
from pulumi_mta_sts.core.errors import Problem

__all__ = ["cafile_problems", "port_number", "timeout_seconds"]


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


def cafile_problems(path: Path | None) -> list[Problem]:
    """``--cafile``: a regular file (``None``: not given). A name the system refuses (too long, a
    NUL) is a problem like a missing file, never an error of the command."""
    if path is None:
        return []
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        reason = "does not exist; give a PEM file of CA certificates"
    except (OSError, ValueError) as exc:
        reason = f"cannot be read ({getattr(exc, 'strerror', None) or exc}); give a PEM file of CA certificates"
    else:
        if stat.S_ISREG(mode):
            return []
        reason = f"is {file_kind(mode)}; give a PEM file of CA certificates"
    return [Problem("--cafile", str(path), reason)]
