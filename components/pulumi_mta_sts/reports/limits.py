"""Caps that keep hostile input (gzip bombs, huge or deeply nested JSON, mail with thousands of
attachments) from exhausting the parser. Every cap is checked while reading, never after."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits", "ReportError"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one input.

    ``max_input_bytes``: a report body as received (gzip or JSON), before decompression.
    ``max_report_bytes``: a report after decompression (the JSON text).
    ``max_email_bytes``: a whole MIME message (SES accepts up to 40 MB).
    ``max_json_depth``: nesting of arrays/objects in a report (a real one nests 5 deep).
    ``max_attachments``: report attachments parsed from one email.
    """

    max_input_bytes: int = 5 * MIB
    max_report_bytes: int = 20 * MIB
    max_email_bytes: int = 40 * MIB
    max_json_depth: int = 32
    max_attachments: int = 20


DEFAULT_LIMITS = Limits()


class ReportError(ValueError):
    """The input is not a TLS-RPT report (or breaks a limit); ``reason`` says precisely why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
