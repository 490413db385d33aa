"""TLS-RPT (RFC 8460) report parsing, standard library only: the receiver Lambda ships it."""

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
