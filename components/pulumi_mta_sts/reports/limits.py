"""Caps that keep hostile input (gzip bombs, huge or deeply nested JSON, mail with thousands of
attachments) from exhausting the parser; each is checked while reading, never after.

They keep the worst input the receiver still accepts well inside the Lambda's ``memorySize``
(256 MB): a JSON value costs about 260 bytes at peak, so 200,000 cost about 52 MB; report text
costs at most about 9 times its size while decoded, the MIME parser about 8 times a message.
``bench/bench_reports.py`` prints the measured peak.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "MAX_COUNT", "Limits", "ReportError", "shown_count"]

MIB = 1024 * 1024

#: The largest session count a report may hold (2^63-1, the receiver's ``bigint``); a larger one
#: makes the report malformed, never summed. N reports then add up to at most N x (2^63-1): still
#: printable (Python's 4,300 digits) and a float (the HTML charts) for any real archive.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one input: a report body as received (``input``) and decompressed
    (``report``; for a message, all its report attachments together), a whole MIME message (SES
    accepts 40 MB; real report mail is tens of KB), JSON nesting (a real report nests 5 deep) and
    JSON values counted before any object is built (a few thousand in a real report; for a
    message, all its attachments together), and report attachments parsed from one message."""

    max_input_bytes: int = 5 * MIB
    max_report_bytes: int = 8 * MIB
    max_email_bytes: int = 10 * MIB
    max_json_depth: int = 32
    max_json_items: int = 200_000
    max_attachments: int = 20


DEFAULT_LIMITS = Limits()


class ReportError(ValueError):
    """The input is not a TLS-RPT report (or breaks a limit); ``reason`` says precisely why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def shown_count(value: object) -> str:
    """A count as a reason may quote it: one of more than 40 digits is cut to its first 20 and its
    length (a hostile count may have thousands, more than ``str`` of an ``int`` may give)."""
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
