"""TLS-RPT (RFC 8460) report parsing: pure, standard library only.

This package is shipped inside the receiver Lambda's archive, so it must never import
Pulumi or any third-party package. Entry points live in :mod:`.parse`.
"""

from .limits import DEFAULT_LIMITS, Limits, ReportError
from .parse import (
    ParsedReport,
    ParseFailure,
    ParseResult,
    parse_body,
    parse_email,
    parse_input,
    parse_report,
    report_key,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParseFailure",
    "ParseResult",
    "ParsedReport",
    "ReportError",
    "parse_body",
    "parse_email",
    "parse_input",
    "parse_report",
    "report_key",
]
