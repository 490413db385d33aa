"""Which attachments of a report e-mail are reports, and MIME nesting that can never raise
``RecursionError`` (issue 12 "Reports", issue 11 §2)."""

from __future__ import annotations

import gzip
import json
import sys
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.reports.extract import MAX_MIME_DEPTH, extract_attachments
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.parse import parse_input

GENERATED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

REPORT = json.dumps(
    {
        "organization-name": "Mime Sender",
        "date-range": {"start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z"},
        "report-id": "mime-1",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-domain": "example.com",
                    "policy-string": ["mx: mx.example.com"],
                },
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0},
            }
        ],
    }
).encode()


def message(content_type: str, filename: str | None, data: bytes) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "Report Domain: example.com"
    msg.set_content("An aggregate TLS report.")
    maintype, subtype = content_type.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


# --- application/tlsrpt without +json / +gzip ----------------------------------------------------

stem = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!.-_", min_size=1, max_size=40)


@GENERATED
@given(stem, st.sampled_from([".json", ".json.gz", ".JSON", ".Json.GZ"]), st.booleans())
def test_a_bare_application_tlsrpt_named_json_or_json_gz_is_a_report(name: str, suffix: str, gzipped: bool) -> None:
    """RFC 8460 §5.3 names report files ``... "." extension`` with ``extension = "json" /
    "json.gz"``; a sender that labels the part plain ``application/tlsrpt`` (Stalwart's rpt02.eml)
    still sends a report."""
    data = gzip.compress(REPORT) if gzipped else REPORT
    result = parse_input(message("application/tlsrpt", name + suffix, data), "m.eml")
    assert result.reports and not result.failures
    assert result.reports[0].report["report_id"] == "mime-1"


@GENERATED
@given(stem, st.sampled_from([".txt", ".gz", ".xml", ".json.zip", "", ".jsonx"]))
def test_a_bare_application_tlsrpt_with_another_name_is_not_a_report(name: str, suffix: str) -> None:
    assert extract_attachments(message("application/tlsrpt", name + suffix, REPORT)).attachments == []


def test_a_bare_application_tlsrpt_without_a_name_is_not_a_report() -> None:
    assert extract_attachments(message("application/tlsrpt", None, REPORT)).attachments == []


# --- nesting ------------------------------------------------------------------------------------------


def nested(levels: int, kind: str = "multipart") -> bytes:
    """A report attachment inside ``levels`` multipart (or message/rfc822 + multipart) levels."""
    out = [b"From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"]
    for i in range(levels):
        if kind == "rfc822" and i % 2:
            out.append(b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n")
        else:
            out.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    out.append(b"Content-Type: application/tlsrpt+json\r\n\r\n" + REPORT + b"\r\n")
    out.extend(b"--b%d--\r\n" % i for i in reversed(range(levels)) if not (kind == "rfc822" and i % 2))
    return b"".join(out)


@pytest.mark.parametrize("kind", ["multipart", "rfc822"])
def test_a_report_nested_up_to_the_limit_is_found(kind: str) -> None:
    assert len(extract_attachments(nested(MAX_MIME_DEPTH, kind)).attachments) == 1


@settings(max_examples=12, deadline=None, database=None)
@given(st.integers(MAX_MIME_DEPTH + 1, 2 * sys.getrecursionlimit()), st.sampled_from(["multipart", "rfc822"]))
def test_deeper_nesting_is_a_clear_error_never_a_recursion_error(levels: int, kind: str) -> None:
    """Beyond the limit (and far beyond the interpreter's recursion limit, where the standard
    library's parser itself recurses too deep) the message is refused with a reason."""
    with pytest.raises(ReportError, match=f"MIME parts nest deeper than {MAX_MIME_DEPTH} levels"):
        extract_attachments(nested(levels, kind))


def test_a_too_deep_message_is_a_failure_of_parse_input_not_an_exception() -> None:
    result = parse_input(nested(5000), "deep.eml")
    assert not result.reports
    assert [f.source for f in result.failures] == ["deep.eml"]
    assert "MIME parts nest deeper" in result.failures[0].error
    assert result.failures[0].data  # the raw message is kept for quarantine
