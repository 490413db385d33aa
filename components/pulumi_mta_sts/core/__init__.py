"""The pure core: RFC 8461 / RFC 8460 logic with the standard library and ``idna`` only (no Pulumi, no
network), which other tools may import on their own; docs/architecture.md names its modules.
"""

from .errors import InputError, Problem
from .matching import matches, matching_pattern, uncovered, unused_patterns
from .policy import (
    Policy,
    PolicyParse,
    is_toolkit_id,
    lint_policy_text,
    parse_policy,
    policy_id,
    validate_policy,
    validate_policy_text,
)
from .records import (
    DnsRecord,
    StsRecord,
    StsRecordSet,
    TlsRptRecord,
    TlsRptRecordSet,
    parse_sts_records,
    parse_tlsrpt_records,
    policy_url,
    records_for,
    sts_record_value,
    tlsrpt_record_value,
    validate_rua,
)

__all__ = [
    "DnsRecord",
    "InputError",
    "Policy",
    "PolicyParse",
    "Problem",
    "StsRecord",
    "StsRecordSet",
    "TlsRptRecord",
    "TlsRptRecordSet",
    "is_toolkit_id",
    "lint_policy_text",
    "matches",
    "matching_pattern",
    "parse_policy",
    "parse_sts_records",
    "parse_tlsrpt_records",
    "policy_id",
    "policy_url",
    "records_for",
    "sts_record_value",
    "tlsrpt_record_value",
    "uncovered",
    "unused_patterns",
    "validate_policy",
    "validate_policy_text",
    "validate_rua",
]
