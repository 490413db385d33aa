"""Hostile input is cut off by the parser's limits, while reading, with a precise reason."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from email.message import EmailMessage

import pytest

from pulumi_mta_sts.reports import Limits, ReportError, parse_email, parse_input, parse_report
from pulumi_mta_sts.reports.decompress import gunzip_capped

REPORT = {
    "organization-name": "Limits Org",
    "date-range": {"start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z"},
    "contact-info": "x@limits.example",
    "report-id": "limits-1",
    "policies": [
        {
            "policy": {"policy-type": "sts", "policy-domain": "example.com"},
            "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0},
        }
    ],
}


def _bomb(decompressed_mib: int) -> bytes:
    """A gzip stream of ``decompressed_mib`` MiB of zeros, built without holding them in memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [comp.compress(block) for _ in range(decompressed_mib)]
    parts.append(comp.flush())
    return b"".join(parts)


def test_a_gzip_bomb_is_cut_off_while_streaming_without_inflating_it() -> None:
    bomb = _bomb(256)  # 256 MiB once decompressed, about 256 KiB compressed
    tracemalloc.start()
    with pytest.raises(ReportError, match="exceeds the limit of 1048576 bytes"):
        gunzip_capped(bomb, 1024 * 1024)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # never near the 256 MiB it would inflate to


def test_the_default_decompressed_limit_refuses_a_bomb_behind_a_report_label() -> None:
    with pytest.raises(ReportError, match="decompressed report exceeds the limit"):
        parse_report(_bomb(64), Limits(max_report_bytes=8 * 1024 * 1024))


def test_a_compressed_body_over_the_input_limit_is_refused_before_decompression() -> None:
    with pytest.raises(ReportError, match=r"report body is \d+ bytes; the limit is 100"):
        parse_report(gzip.compress(json.dumps(REPORT).encode()), Limits(max_input_bytes=100))


def test_json_nested_deeper_than_the_limit_is_refused_but_brackets_in_strings_do_not_count() -> None:
    deep = b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"
    with pytest.raises(ReportError, match="nests deeper than 32"):
        parse_report(deep)
    doc = dict(REPORT)
    doc["contact-info"] = "[[[[" * 20 + '\\"{{{{' * 20
    assert parse_report(json.dumps(doc).encode())["report_id"] == "limits-1"


def test_a_pathologically_deep_document_never_reaches_the_json_decoder() -> None:
    with pytest.raises(ReportError, match="nests deeper"):
        parse_report(b"[" * 200_000)


def test_attachments_beyond_the_per_email_limit_are_reported_not_silently_dropped() -> None:
    msg = EmailMessage()
    msg["Subject"] = "many"
    msg.set_content("x")
    body = json.dumps(REPORT).encode()
    for i in range(5):
        msg.add_attachment(body, maintype="application", subtype="tlsrpt+json", filename=f"r{i}.json")
    result = parse_email(msg.as_bytes(), "m.eml", Limits(max_attachments=3))
    assert len(result.reports) == 3
    assert [f.error for f in result.failures] == [
        "2 more report attachment(s) beyond the limit of 3 per message were not parsed"
    ]


def test_an_email_over_the_size_limit_is_refused_whole() -> None:
    result = parse_input(b"Subject: x\r\n\r\n" + b"a" * 2000, "big.eml", Limits(max_email_bytes=1000))
    assert result.failures[0].error == "message is 2014 bytes; the limit is 1000"


def test_empty_input_is_an_error() -> None:
    assert parse_input(b"", "empty.json").failures[0].error == "input is empty; no report in it"
