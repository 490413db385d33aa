"""Argument types shared by the commands, so one flag reads the same everywhere."""

from __future__ import annotations

import argparse

__all__ = ["port_number", "timeout_seconds"]


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
