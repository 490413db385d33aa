"""Caps that keep hostile input (gzip bombs, huge or deeply nested JSON, mail with thousands of
attachments) from exhausting the parser. Every cap is checked while reading, never after.

The caps are sized so that the worst input the receiver still ACCEPTS stays well inside the
Lambda's ``memorySize`` (256 MB): a parsed JSON value costs about 260 bytes of peak memory from
decoding to the stored document, so :attr:`Limits.max_json_items` (200,000) costs about 52 MB;
8 MiB of report text costs at most about 9 times that while decoded and re-encoded; the MIME
parser holds about 8 times a message, so a message is capped at 10 MiB. ``bench/bench_reports.py``
prints the measured peak beside ``memorySize``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "MAX_COUNT", "Limits", "ReportError", "shown_count"]

MIB = 1024 * 1024

#: The largest session count a report may hold (``total-successful-session-count``,
#: ``total-failure-session-count``, ``failed-session-count``): 2^63-1, the largest signed 64-bit
#: integer. A larger count is a malformed report (quarantined with the reason, never summed): no
#: mail system makes 9.2 quintillion sessions in a day, the receiver's table types these columns
#: ``bigint`` (Athena, DuckDB), and bounded counts keep every sum printable: N reports add up to
#: at most N x (2^63-1), which reaches Python's 4,300-digit limit on ``int`` -> ``str`` only
#: after about 10^4281 reports and a float's range (the HTML charts) after about 10^289.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one input.

    ``max_input_bytes``: a report body as received (gzip or JSON), before decompression.
    ``max_report_bytes``: a report after decompression (the JSON text); for a message, all its
    report attachments together.
    ``max_email_bytes``: a whole MIME message (SES accepts up to 40 MB; real report mail is tens
    of KB).
    ``max_json_depth``: nesting of arrays/objects in a report (a real one nests 5 deep).
    ``max_json_items``: JSON values (containers, members, elements) in a report, counted before
    any object is built; for a message, in all its report attachments together. A real report
    holds tens to a few thousand.
    ``max_attachments``: report attachments parsed from one email.
    """

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
