"""Hostile input is cut off by the parser's limits, while reading, with a precise reason."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.bounded_json import JsonInputError, count_items
from pulumi_mta_sts.reports.decompress import gunzip_capped
from pulumi_mta_sts.reports.limits import Limits, ReportError
from pulumi_mta_sts.reports.parse import parse_body, parse_email, parse_input, parse_report

REPORT: dict[str, Any] = {
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


# --- concatenated gzip members: linear work ------------------------------------------------------


class _CountingDecoder:
    """A ``zlib.decompressobj`` that adds up how many input bytes it is handed."""

    fed = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._inner = _REAL_DECOMPRESSOBJ(*args, **kwargs)

    def decompress(self, data: Any, max_length: int = 0) -> bytes:
        _CountingDecoder.fed += len(data)
        return self._inner.decompress(data, max_length)

    def flush(self, length: int = zlib.DEF_BUF_SIZE) -> bytes:
        return self._inner.flush(length)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


_REAL_DECOMPRESSOBJ = zlib.decompressobj


def _bytes_fed(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, int]:
    _CountingDecoder.fed = 0
    with monkeypatch.context() as patch:
        patch.setattr(zlib, "decompressobj", _CountingDecoder)
        out = gunzip_capped(data, 64 * 1024 * 1024)
    return out, _CountingDecoder.fed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(min_size=0, max_size=3000), min_size=1, max_size=8), st.integers(1, 400))
def test_concatenated_members_are_fed_to_zlib_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, payloads: list[bytes], repeat: int
) -> None:
    members = [gzip.compress(p, mtime=0) for p in payloads] * repeat
    data = b"".join(members)
    out, fed = _bytes_fed(data, monkeypatch)
    assert out == b"".join(payloads) * repeat
    # each byte is handed to zlib a bounded number of times, however many members there are
    # (feeding each member the whole rest of the input costs members x input: quadratic)
    assert fed <= 4 * len(data) + 64 * len(members)


def test_four_mib_of_tiny_members_cost_a_few_times_their_size_not_their_square(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member = gzip.compress(b'{"a":1}', mtime=0)
    data = member * (4 * 1024 * 1024 // len(member))
    out, fed = _bytes_fed(data, monkeypatch)
    assert len(out) == 7 * (len(data) // len(member))
    assert fed <= 4 * len(data)  # the quadratic loop fed about 60,000 times the input


# --- JSON values: counted before any object is built ------------------------------------------------


def _with_rows(rows: int, report_id: str = "limits-1", result_type: str = "certificate-expired") -> dict[str, Any]:
    """:data:`REPORT` with ``rows`` minimal failure-detail rows."""
    row = {"result-type": result_type, "failed-session-count": 1}
    policy = dict(REPORT["policies"][0], **{"failure-details": [row] * rows})
    return dict(REPORT, **{"policies": [policy], "report-id": report_id})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{},:"\\ab', max_size=8),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(alphabet='[]{},"ab', max_size=4), inner),
    max_leaves=30,
)


def _values(doc: Any) -> int:
    if isinstance(doc, list):
        return 1 + sum(_values(v) for v in doc)
    if isinstance(doc, dict):
        return 1 + sum(_values(v) for v in doc.values())
    return 1


@given(json_values)
def test_the_item_count_bounds_the_values_json_loads_would_build(doc: Any) -> None:
    text = json.dumps(doc).encode()
    values = _values(doc)
    assert count_items(text, 10**9) >= values  # the cheap bound
    # with a limit just under the cheap bound, the exact count (strings blanked) decides
    bound = count_items(text, 10**9)
    try:
        counted = count_items(text, bound - 1)
    except JsonInputError:
        counted = bound
    assert values <= counted <= 2 * values + 1


@given(st.integers(0, 50))
def test_a_report_over_the_item_limit_is_refused_before_decoding(extra: int) -> None:
    with pytest.raises(ReportError, match=r"JSON values; the limit is 1000"):
        parse_report(json.dumps(_with_rows(400 + extra)).encode(), Limits(max_json_items=1000))


def test_commas_and_brackets_inside_strings_do_not_count_against_the_limit() -> None:
    doc = dict(REPORT)
    doc["contact-info"] = ",[{" * 5000
    assert parse_report(json.dumps(doc).encode(), Limits(max_json_items=200))["report_id"] == "limits-1"


def test_the_58_kb_body_that_inflated_to_313k_rows_is_refused_with_the_reason() -> None:
    body = gzip.compress(json.dumps(_with_rows(313_000), separators=(",", ":")).encode())
    assert len(body) < 100 * 1024
    result = parse_body(body, "https:x")
    assert not result.reports
    assert "exceeds the limit of 8388608 bytes" in result.failures[0].error
    # under the byte cap, the same rows are refused by the count of values
    body = gzip.compress(json.dumps(_with_rows(120_000, result_type="x"), separators=(",", ":")).encode())
    result = parse_body(body, "https:x")
    assert "JSON values; the limit is 200000" in result.failures[0].error


def test_a_message_shares_one_item_budget_between_its_attachments() -> None:
    msg = EmailMessage()
    msg["Subject"] = "two"
    msg.set_content("x")
    for i in range(3):
        body = json.dumps(_with_rows(300, f"r{i}")).encode()
        msg.add_attachment(body, maintype="application", subtype="tlsrpt+json", filename=f"r{i}.json")
    result = parse_email(msg.as_bytes(), "m.eml", Limits(max_json_items=2000))
    assert [r.report["report_id"] for r in result.reports] == ["r0", "r1"]
    [failure] = result.failures
    assert failure.source == "m.eml#r2.json"
    assert "what the message's earlier report attachments left of its limit" in failure.error
