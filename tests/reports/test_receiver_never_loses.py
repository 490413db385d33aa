"""Issue 11 §2: any exception while parsing ends as a quarantined object with its reason; an
e-mail's good attachments are stored when another one fails; HTTPS answers a clear 4xx/2xx (never
a 5xx) for a body that was stored or quarantined."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda import contract
from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda.contract import content_digest
from pulumi_mta_sts.reports import parse
from pulumi_mta_sts.reports.normalise import normalise_report
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore
from tests.reports.test_receiver_lambda import BUCKET, deliver_email, email, gz, keys, report, s3, s3_event, url_event

__all__ = ["s3"]  # the fixture, imported for pytest

SETTINGS = lam.Settings(bucket="b", domains=frozenset({"example.com"}))

#: What escaped the parser before (issue 11), and what else a parser defect or exhausted resource
#: can raise: each must end quarantined with its reason, never raised.
EXCEPTIONS: list[Callable[[], BaseException]] = [
    lambda: ValueError("invalid literal for int() with base 10: '²'"),
    lambda: OverflowError("date value out of range"),
    lambda: UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    lambda: RecursionError("maximum recursion depth exceeded"),
    lambda: MemoryError(),
    lambda: TypeError("unhashable type: 'dict'"),
    lambda: KeyError("policy_domain"),
    lambda: IndexError("list index out of range"),
    lambda: AttributeError("'NoneType' object has no attribute 'strip'"),
]


def _normalise_raising_on(marker: str, error: Callable[[], BaseException]) -> Callable[[Any], dict[str, Any]]:
    """``normalise_report`` that raises ``error()`` for a report whose report-id is ``marker``."""
    real = normalise_report

    def normalise(doc: Any) -> dict[str, Any]:
        if isinstance(doc, dict) and doc.get("report-id") == marker:
            raise error()
        return real(doc)

    return normalise


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(EXCEPTIONS), st.integers(0, 3), st.integers(0, 3), st.booleans())
def test_any_exception_in_one_attachment_quarantines_it_and_the_good_ones_are_stored(
    monkeypatch: pytest.MonkeyPatch, error: Callable[[], BaseException], good_before: int, good_after: int, zipped: bool
) -> None:
    monkeypatch.setattr(parse, "normalise_report", _normalise_raising_on("bad", error))
    docs = [report(f"good-{i}") for i in range(good_before)] + [report("bad")]
    docs += [report(f"late-{i}") for i in range(good_after)]
    raw = email(*[(f"r{i}.json.gz", gz(d) if zipped else json.dumps(d).encode()) for i, d in enumerate(docs)])
    store = MemoryStore({"raw/email/m": (raw, "message/rfc822", {})})
    outcome = lam.handle_raw("raw/email/m", store, SETTINGS, emit=lambda d: None)
    assert len(outcome.stored) == good_before + good_after
    [quarantined] = outcome.quarantined
    reason = store.objects[quarantined][2]["reason"]
    assert reason.startswith(f"could not parse ({type(error()).__name__}")
    kept = store.objects[quarantined][0]  # the attachment's bytes
    assert json.loads(gzip.decompress(kept) if zipped else kept) == report("bad")


@pytest.mark.parametrize("error", EXCEPTIONS)
def test_an_https_body_whose_parse_raises_is_quarantined_and_answered_400_not_5xx(
    monkeypatch: pytest.MonkeyPatch, error: Callable[[], BaseException]
) -> None:
    monkeypatch.setattr(parse, "normalise_report", _normalise_raising_on("bad", error))
    store = MemoryStore()
    event = url_event(gz(report("bad")))
    response = lam.handle_http(event, store, SETTINGS, emit=lambda d: None)
    assert response["statusCode"] == 400
    body = json.loads(response["body"])
    assert type(error()).__name__ in body["error"]
    [quarantined] = body["quarantined"]
    assert json.loads(gzip.decompress(store.objects[quarantined][0])) == report("bad")
    assert body["stored"] == [] and body["test_reports"] == 0


def test_an_exception_while_extracting_attachments_quarantines_the_whole_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(raw: bytes, limits: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded while parsing MIME")

    monkeypatch.setattr(parse, "extract_attachments", explode)
    raw = email(("r.json.gz", gz(report())))
    store = MemoryStore({"raw/email/m": (raw, "message/rfc822", {})})
    outcome = lam.handle_raw("raw/email/m", store, SETTINGS, emit=lambda d: None)
    [quarantined] = outcome.quarantined
    assert store.objects[quarantined][0] == raw
    assert "RecursionError" in store.objects[quarantined][2]["reason"]


def test_an_exception_while_building_the_stored_document_quarantines_that_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = content_digest

    def digest(doc: dict[str, Any]) -> str:
        if doc["report_id"] == "bad":
            raise ValueError("Out of range float values are not JSON compliant")
        return real(doc)

    monkeypatch.setattr(contract, "content_digest", digest)  # what the handler calls
    raw = email(("a.json.gz", gz(report("ok"))), ("b.json.gz", gz(report("bad"))))
    store = MemoryStore({"raw/email/m": (raw, "message/rfc822", {})})
    outcome = lam.handle_raw("raw/email/m", store, SETTINGS, emit=lambda d: None)
    assert len(outcome.stored) == 1
    [quarantined] = outcome.quarantined
    assert "ValueError" in store.objects[quarantined][2]["reason"]


# --- the named examples, end to end (no monkeypatching) -----------------------------------------

_SURROGATES = st.integers(0xD800, 0xDFFF).map(lambda c: f"\\u{c:04x}")


@given(_SURROGATES, st.sampled_from(["organization-name", "report-id"]))
def test_lone_surrogates_in_ids_are_stored_not_raised(surrogate: str, field: str) -> None:
    text = json.dumps(report("id")).replace(f'"{field}": "', f'"{field}": "{surrogate}', 1).encode()
    store = MemoryStore()
    outcome = lam.store_result(
        parse_body(text, "t"), raw_key="raw/x", input_data=text, store=store, settings=SETTINGS, emit=lambda d: None
    )
    assert outcome.stored or outcome.quarantined
    assert set(store.objects) == set(outcome.stored) | set(outcome.quarantined)


@given(
    st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59"]),
    st.integers(1, 23),
    st.integers(0, 59),
    st.sampled_from(["+", "-"]),
)
def test_date_offsets_past_the_calendar_are_quarantined_with_a_reason(
    moment: str, hours: int, minutes: int, sign: str
) -> None:
    doc = report("dated")
    doc["date-range"]["start-datetime"] = f"{moment}{sign}{hours:02d}:{minutes:02d}"
    text = json.dumps(doc).encode()
    store = MemoryStore()
    outcome = lam.store_result(
        parse_body(text, "t"), raw_key="raw/x", input_data=text, store=store, settings=SETTINGS, emit=lambda d: None
    )
    assert outcome.stored or outcome.quarantined
    for key in outcome.quarantined:
        assert store.objects[key][2]["reason"]


def test_mail_with_good_and_bad_attachments_on_s3_keeps_every_one(s3: Any) -> None:
    surrogate = json.dumps(report("sur")).replace('"report-id": "sur"', '"report-id": "\\udc80sur"').encode()
    offset = report("off")
    offset["date-range"]["start-datetime"] = "0001-01-01T00:00:00+23:59"
    raw = email(
        ("good.json.gz", gz(report("good"))),
        ("offset.json.gz", gz(offset)),
        ("surrogate.json", surrogate),
        ("truncated.json.gz", gz(report("t"))[:25]),
    )
    deliver_email(s3, "mixed", raw)
    result = lam.handler(s3_event("raw/email/mixed"))["results"][0]
    assert len(result["stored"]) == 2  # good, and the surrogate id (hashed as it is)
    assert len(keys(s3, "quarantine/invalid/")) == 2
    assert len(keys(s3, "reports/")) == 2
    assert s3.head_object(Bucket=BUCKET, Key=result["stored"][0])["ContentLength"] > 0
