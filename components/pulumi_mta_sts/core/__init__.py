"""The pure core: RFC 8461 / RFC 8460 logic with the standard library and ``idna`` only.

No Pulumi, no network, no ``boto3`` or ``dns``: this is what the CLI, the checker, the stack
program and the components all build on, and what other tools may import on their own.

- :mod:`.errors` — :class:`Problem` / :class:`InputError`, how every layer reports bad input;
- :mod:`.hostnames` — host names and MX patterns in their one normal form;
- :mod:`.policy` — the policy: model, canonical bytes, id, reading it as senders do, the RFC's
  violations (:func:`validate_policy_text`) apart from advice (:func:`lint_policy_text`);
- :mod:`.records` — the ``_mta-sts`` and ``_smtp._tls`` TXT records: values, names, parsing;
- :mod:`.matching` — MX hosts against ``mx`` patterns (RFC 8461 §4.1);
- :mod:`.txt_values` — TXT values as each DNS provider wants them written;
- :mod:`.acceptance` — what a sending MTA accepts when it fetches the policy (RFC 8461 §3.3),
  the one rule set the deploy gate and ``mta-sts check`` both judge by;
- :mod:`.defaults` — every default and fixed choice of the toolkit, defined once.
- :mod:`.bounded_json` — the one rule for reading JSON from outside (depth, number of values,
  no ``NaN``/``Infinity``, no number too long to print), for every reader of the toolkit.
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
