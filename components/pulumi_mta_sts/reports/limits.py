"""Caps that keep hostile input (gzip bombs, huge or deep JSON, mail of many attachments) from
exhausting the parser, checked while reading. The worst accepted input stays well inside the Lambda's
256 MB (a JSON value costs about 260 bytes at peak, 200,000 about 52 MB; ``bench/bench_reports.py``)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
#: The largest session count (the receiver's ``bigint``); a larger one makes the report malformed.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True)
class Limits:
    """Bounds for one input or message; a real report is tens of KB, 5 deep, a few thousand values."""

    max_input_bytes: int = 5 * MIB
    max_report_bytes: int = 8 * MIB
    max_email_bytes: int = 10 * MIB
    max_json_depth: int = 32
    max_json_items: int = 200_000
    max_attachments: int = 20


DEFAULT_LIMITS = Limits()


class ReportError(ValueError):
    """The input is not a TLS-RPT report (or breaks a limit); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def shown_count(value: object) -> str:
    """A count as a reason quotes it: over 40 digits, its first 20 and its length (``str`` may refuse)."""
    if type(value) is int and value.bit_length() >= 14_000:  # about 4,200 digits: str() may refuse
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    if type(value) is int:
        value = str(value)
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()):
        shown = repr(value)
        return shown if len(shown) <= 60 else f"{shown[:40]}..."
    significant = text.lstrip("0")
    return text if len(significant) <= 40 else f"{significant[:20]}... ({len(significant)} digits)"
