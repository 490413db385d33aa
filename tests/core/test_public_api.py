"""``pulumi_mta_sts.core`` is the public pure API: the names other tools import, with the
signatures they have always had, and nothing heavy behind them."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pulumi_mta_sts.core as core

EXPECTED_SIGNATURES = {
    "parse_policy": "(text: 'str | bytes') -> 'PolicyParse'",
    "validate_policy_text": "(text: 'str | bytes') -> 'list[Problem]'",
    "parse_sts_records": "(txts: 'Sequence[str]') -> 'StsRecordSet'",
    "parse_tlsrpt_records": "(txts: 'Sequence[str]') -> 'TlsRptRecordSet'",
    "matches": "(mx_host: 'str', patterns: 'Iterable[str]') -> 'bool'",
}


def test_the_core_exports_its_public_functions_with_their_signatures() -> None:
    for name, signature in EXPECTED_SIGNATURES.items():
        assert str(inspect.signature(getattr(core, name))) == signature, name
    assert core.Policy.build("testing", ["mx1.example.com"], 86401).id


def test_importing_the_core_loads_no_pulumi_boto3_or_dnspython() -> None:
    code = (
        "import sys, pulumi_mta_sts.core\n"
        "heavy = ('pulumi', 'boto3', 'botocore', 'dns')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
