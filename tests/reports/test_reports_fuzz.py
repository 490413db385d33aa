"""Fuzzing the receiver's parse-and-store path with hypothesis: more than 2,000 generated malformed
inputs per run. Whatever arrives, nothing raises and every input ends up stored or quarantined."""

from __future__ import annotations

import gzip
import json
from email.message import EmailMessage
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda.handler import Settings, store_result
from pulumi_mta_sts.reports.parse import parse_body, parse_input
from tests.reports.memory_store import MemoryStore

SETTINGS = Settings(bucket="b", domains=frozenset({"example.com"}))


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)

KEYS = [
    "organization-name",
    "date-range",
    "contact-info",
    "report-id",
    "policies",
    "start-datetime",
    "end-datetime",
    "policy",
    "policy-type",
    "policy-domain",
    "policy-string",
    "mx-host",
    "summary",
    "total-successful-session-count",
    "total-failure-session-count",
    "failure-details",
    "result-type",
    "failed-session-count",
]


def base_report() -> dict[str, Any]:
    return {
        "organization-name": "Fuzz Org",
        "date-range": {"start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z"},
        "contact-info": "x@fuzz.example",
        "report-id": "fuzz-1",
        "policies": [
            {
                "policy": {"policy-type": "sts", "policy-domain": "example.com", "mx-host": ["mx.example.com"]},
                "summary": {"total-successful-session-count": 1, "total-failure-session-count": 1},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 1}],
            }
        ],
    }


def _replace(doc: Any, key: str, value: Any) -> bool:
    """Replace the first occurrence of ``key`` anywhere in ``doc``."""
    if isinstance(doc, dict):
        if key in doc:
            doc[key] = value
            return True
        return any(_replace(v, key, value) for v in doc.values())
    if isinstance(doc, list):
        return any(_replace(v, key, value) for v in doc)
    return False


@st.composite
def mutated_reports(draw: st.DrawFn) -> bytes:
    doc = base_report()
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(KEYS))
        if draw(st.booleans()):
            _replace(doc, key, draw(json_values))
        else:
            _replace_delete(doc, key)
    text = json.dumps(doc, allow_nan=True).encode()
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] if draw(st.booleans()) else text
    return gzip.compress(text) if draw(st.booleans()) else text


def _replace_delete(doc: Any, key: str) -> None:
    if isinstance(doc, dict):
        if key in doc:
            del doc[key]
            return
        for v in doc.values():
            _replace_delete(v, key)
    elif isinstance(doc, list):
        for v in doc:
            _replace_delete(v, key)


def assert_stored_or_quarantined(data: bytes, source: str) -> None:
    store = MemoryStore()
    result = parse_input(data, source)
    outcome = store_result(
        result, raw_key="raw/email/x", input_data=data, store=store, settings=SETTINGS, emit=lambda d: None
    )
    assert outcome.stored or outcome.quarantined
    assert len(outcome.stored) + len(outcome.duplicates) == len(result.reports) - len(outcome.foreign)
    assert set(store.objects) == set(outcome.stored) | set(outcome.quarantined)


@fuzz(1500)
@given(mutated_reports())
def test_mutated_reports_are_stored_or_quarantined(data: bytes) -> None:
    assert_stored_or_quarantined(data, "fuzz.json")


@fuzz(400)
@given(st.binary(max_size=300) | st.binary(max_size=100).map(lambda b: b"\x1f\x8b" + b))
def test_arbitrary_bytes_are_stored_or_quarantined(data: bytes) -> None:
    assert_stored_or_quarantined(data, "fuzz.bin")


@fuzz(300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["application/tlsrpt+gzip", "application/tlsrpt+json", "application/octet-stream"]),
            st.sampled_from(["r.json", "r.json.gz", "r.gz", "r.txt"]),
            mutated_reports() | st.binary(max_size=80),
        ),
        max_size=4,
    ),
    st.binary(max_size=200),
)
def test_emails_with_fuzzed_attachments_are_stored_or_quarantined(
    parts: list[tuple[str, str, bytes]], tail: bytes
) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Report Domain: example.com"
    msg.set_content("report")
    for content_type, filename, data in parts:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    assert_stored_or_quarantined(msg.as_bytes() + tail, "fuzz.eml")


@fuzz(200)
@given(json_values)
def test_any_json_document_is_a_report_or_a_precise_refusal(doc: Any) -> None:
    result = parse_body(json.dumps(doc).encode(), "doc.json")
    assert len(result.reports) + len(result.failures) == 1
    if result.failures:
        assert result.failures[0].error


@fuzz(300)
@given(
    mutated_reports() | st.binary(max_size=200),
    st.sampled_from(["application/tlsrpt+gzip", "application/tlsrpt+json", "application/json", "text/plain"]),
    st.booleans(),
)
def test_https_posts_get_a_definite_answer_and_anything_accepted_is_kept(
    body: bytes, content_type: str, as_base64: bool
) -> None:
    import base64

    from pulumi_mta_sts.receiver_lambda.handler import handle_http

    store = MemoryStore()
    event = {
        "requestContext": {"http": {"method": "POST"}, "requestId": "fuzz"},
        "headers": {"Content-Type": content_type},
        "body": base64.b64encode(body).decode() if as_base64 else body.decode("latin-1"),
        "isBase64Encoded": as_base64,
    }
    response = handle_http(event, store, SETTINGS, emit=lambda d: None)
    status = response["statusCode"]
    assert status in {200, 400, 403, 413, 415}
    stored = [k for k in store.objects if k.startswith("reports/")]
    quarantined = [k for k in store.objects if k.startswith("quarantine/")]
    if not body or status in (413, 415):
        assert status != 200 and not store.objects  # nothing was received that could be kept
        return
    assert any(k.startswith("raw/https/") for k in store.objects)
    if status == 200:
        assert stored
    else:
        assert quarantined and not stored
