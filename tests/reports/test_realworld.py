"""Every real sender's report in /work/shared/tlsrpt-realworld/files/ (Google, Microsoft, Mail.ru,
SocketLabs, Postfix's tlsrpt-reporter, ...; provenance in that folder), read in place, parses with
nothing lost: each count, each failure row and its fields, the MX hosts of every sts policy that
names them, the TLSA records one by one, and every key the parser does not know, in ``extra``.

The expectations are computed here from the raw JSON with the standard library alone, not by the
parser under test. Skipped when the shared folder is absent."""

from __future__ import annotations

import email
import email.policy
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.reports.parse import parse_input

from .realworld_files import REALWORLD_FILES, needs_real_reports

FILES = REALWORLD_FILES
NAMES = sorted(p.name for p in FILES.iterdir()) if FILES.is_dir() else []

pytestmark = needs_real_reports

NOT_A_REPORT = {"tlsrpt-rs__not_a_report_cron.eml"}
#: Real senders' names for RFC keys (SocketLabs, the RFC's drafts).
ALIASES = {
    "receiving-mx-host-name": "receiving-mx-hostname",
    "additional-info-uri": "additional-information",
    "mx-host-pattern": "mx-host",
}
DETAIL_FIELDS = [
    "sending-mta-ip",
    "receiving-mx-hostname",
    "receiving-mx-helo",
    "receiving-ip",
    "additional-information",
    "failure-reason-code",
]
KNOWN = {
    "report": {"organization-name", "date-range", "contact-info", "report-id", "policies"},
    "date-range": {"start-datetime", "end-datetime"},
    "entry": {"policy", "summary", "failure-details"},
    "policy": {"policy-type", "policy-string", "policy-domain", "mx-host"},
    "summary": {"total-successful-session-count", "total-failure-session-count"},
    "detail": {"result-type", "failed-session-count", *DETAIL_FIELDS},
}


def _json_or_none(data: bytes) -> Any:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return json.loads(data)
    except ValueError:
        return None


def raw_reports(path: Path) -> list[dict[str, Any]]:
    """The report JSON objects in ``path``: the file itself, or each application/* part of an e-mail."""
    data = path.read_bytes()
    if path.suffix != ".eml":
        return [_json_or_none(data)]
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    found = []
    for part in message.walk():
        if part.get_content_maintype() == "application":
            payload = part.get_payload(decode=True)
            doc = _json_or_none(payload) if isinstance(payload, bytes) else None
            if isinstance(doc, dict):
                found.append(doc)
    return found


def _text(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def expected_mx(policy: dict[str, Any]) -> tuple[list[str], str | None]:
    declared = policy.get("mx-host") or policy.get("mx-host-pattern") or []
    if declared:
        return [h.lower().rstrip(".") for h in declared], "mx-host"
    lines = [line.strip() for line in policy.get("policy-string") or []]
    values = [line.partition(":")[2].strip().lower().rstrip(".") for line in lines if line.startswith("mx:")]
    if policy["policy-type"] == "sts" and values:
        return values, "policy-string"
    return [], None


def expected_strings(policy: dict[str, Any]) -> list[str]:
    strings = [s.strip() for s in policy.get("policy-string") or [] if s.strip()]
    if policy["policy-type"] == "tlsa" and len(strings) == 1 and strings[0].startswith("["):
        return list(json.loads(strings[0]))
    return strings


def _extra_of(raw: dict[str, Any], known: set[str], prefix: str = "") -> dict[str, Any]:
    out = {}
    for key, value in raw.items():
        rfc = ALIASES.get(key)
        if key in known or (rfc is not None and raw.get(rfc) is None):
            continue
        out[prefix + key] = value
    return out


def check_detail(raw: dict[str, Any], got: dict[str, Any]) -> None:
    assert got["result_type"] == raw["result-type"].lower()
    assert got["failed_session_count"] == raw["failed-session-count"]
    for key in DETAIL_FIELDS:
        alias = next((a for a, r in ALIASES.items() if r == key and a in raw), None)
        value = raw.get(key) if raw.get(key) is not None else (raw.get(alias) if alias else None)
        assert got[key.replace("-", "_")] == _text(value), key
    assert got["extra"] == (_extra_of(raw, KNOWN["detail"]) or None)


def check_policy(raw: dict[str, Any], got: dict[str, Any]) -> None:
    policy, summary = raw["policy"], raw["summary"]
    assert got["policy_type"] == policy["policy-type"]
    assert got["policy_strings"] == expected_strings(policy)
    assert (got["mx_hosts"], got["mx_hosts_source"]) == expected_mx(policy)
    assert got["successful"] == summary["total-successful-session-count"]
    assert got["failed"] == summary["total-failure-session-count"]
    rows = raw.get("failure-details") or []
    assert len(got["failure_details"]) == len(rows)
    for row, detail in zip(rows, got["failure_details"], strict=True):
        check_detail(row, detail)
    assert got["extra"] == (
        {
            **_extra_of(raw, KNOWN["entry"]),
            **_extra_of(policy, KNOWN["policy"], "policy."),
            **_extra_of(summary, KNOWN["summary"], "summary."),
        }
        or None
    )


def check_report(raw: dict[str, Any], got: dict[str, Any]) -> None:
    assert got["organization_name"] == raw["organization-name"]
    assert got["report_id"] == str(raw["report-id"])
    assert got["contact_info"] == _text(raw.get("contact-info"))
    assert len(got["policies"]) == len(raw["policies"])
    for entry, policy in zip(raw["policies"], got["policies"], strict=True):
        check_policy(entry, policy)
    assert got["extra"] == (
        {**_extra_of(raw, KNOWN["report"]), **_extra_of(raw["date-range"], KNOWN["date-range"], "date-range.")} or None
    )
    disagreeing = [
        i
        for i, entry in enumerate(raw["policies"])
        if entry.get("failure-details")
        and sum(d["failed-session-count"] for d in entry["failure-details"])
        != entry["summary"]["total-failure-session-count"]
    ]
    assert [w.partition(":")[0] for w in got["warnings"]] == [f"policies[{i}]" for i in disagreeing]


@pytest.mark.parametrize("name", [n for n in NAMES if n not in NOT_A_REPORT])
def test_a_real_senders_report_parses_with_nothing_lost(name: str) -> None:
    result = parse_input((FILES / name).read_bytes(), name)
    assert result.reports and not result.failures, [f.as_dict() for f in result.failures]
    raws = raw_reports(FILES / name)
    assert len(result.reports) == len(raws)
    for raw, parsed in zip(raws, result.reports, strict=True):
        check_report(raw, parsed.report)


@pytest.mark.parametrize("name", sorted(NOT_A_REPORT))
def test_a_real_message_without_a_report_is_refused_cleanly(name: str) -> None:
    result = parse_input((FILES / name).read_bytes(), name)
    assert not result.reports
    assert "no TLS-RPT report in this message" in result.failures[0].error


def _all_policies() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in NAMES:
        for parsed in parse_input((FILES / name).read_bytes(), name).reports:
            for policy in parsed.report["policies"]:
                yield name, policy


def test_the_whole_set_parses_and_every_sts_policy_with_a_policy_string_has_its_mx_hosts() -> None:
    parsed = [n for n in NAMES if (r := parse_input((FILES / n).read_bytes(), n)).reports and not r.failures]
    assert len(parsed) == len(NAMES) - len(NOT_A_REPORT) == 35
    missing = [
        name
        for name, policy in _all_policies()
        if policy["policy_type"] == "sts" and policy["policy_strings"] and not policy["mx_hosts"]
    ]
    assert missing == []


def test_the_named_real_world_examples() -> None:
    """The examples the issue names, each from the real sender that sent it."""

    def report(name: str) -> dict[str, Any]:
        return parse_input((FILES / name).read_bytes(), name).reports[0].report

    microsoft = report("tlsrpt-rs__microsoft1.eml")  # no mx-host; TLSA records as one JSON string
    assert microsoft["policies"][0]["mx_hosts"] == ["carp-20.krvtz.net"]
    assert microsoft["policies"][0]["mx_hosts_source"] == "policy-string"
    assert len(microsoft["policies"][1]["policy_strings"]) == 13
    assert all(s.startswith("2 1 1 ") for s in microsoft["policies"][1]["policy_strings"])
    socketlabs = report("bigquery-fn__socketlabs.json")  # receiving-mx-host-name
    assert socketlabs["policies"][1]["failure_details"][0]["receiving_mx_hostname"] == "mta-sts.test.mailflow.ovh"
    mailru = report("parsedmarc__mailru.json")  # rows add up to 2, total says 1
    assert mailru["policies"][0]["failed"] == 1
    assert "add up to 2" in mailru["warnings"][0]
    stalwart = report("mail-auth__rpt02_application_tlsrpt.eml")  # bare application/tlsrpt, *.json
    assert stalwart["report_id"] == "2020-01-01T00:00:00Z_example.com"
