"""Issue 11 §2, duplicates: the same submitter + report-id with a DIFFERENT content is kept (as a
version) and counted; exact duplicates are dropped; nobody who reaches the public rua can pre-claim
a sender's key, whatever name variant (case, white space) they try."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda import store as lam_store
from pulumi_mta_sts.receiver_lambda.contract import first_key
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore
from tests.reports.test_receiver_lambda import gz, keys, report, s3, stored_json, url_event

__all__ = ["s3"]  # the fixture, imported for pytest

SETTINGS = lam.Settings(bucket="b", domains=frozenset({"example.com"}))


def _deliver(store: lam_store.Store, doc: dict[str, Any], emitted: list[dict[str, Any]] | None = None) -> lam.Outcome:
    data = json.dumps(doc).encode()
    sink = emitted.append if emitted is not None else (lambda d: None)
    return lam.store_result(
        parse_body(data, "t"), raw_key="raw/x", input_data=data, store=store, settings=SETTINGS, emit=sink
    )


def _reports(store: MemoryStore) -> list[str]:
    return sorted(k for k in store.objects if k.startswith("reports/"))


#: Changes an attacker (or a sender's own retry with new data) can make to a report's content.
CONTENT_CHANGES = st.sampled_from(
    [
        ("policies", 0, "summary", "total-successful-session-count"),
        ("policies", 0, "summary", "total-failure-session-count"),
        ("policies", 0, "failure-details", 0, "failed-session-count"),
        ("contact-info",),
    ]
)


def _without_received(body: bytes) -> str:
    return json.dumps({k: v for k, v in json.loads(body).items() if k != "received"}, sort_keys=True)


def _changed(doc: dict[str, Any], path: tuple[Any, ...], value: int) -> dict[str, Any]:
    new: dict[str, Any] = json.loads(json.dumps(doc))
    target = new
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value if path[-1] != "contact-info" else f"attacker-{value}@evil.example"
    return new


@given(CONTENT_CHANGES, st.integers(0, 10**6), st.booleans())
def test_a_different_body_under_a_claimed_key_is_kept_and_counted_whoever_came_first(
    path: tuple[Any, ...], value: int, attacker_first: bool
) -> None:
    real = report("rid-1")
    fake = _changed(real, path, value)
    store = MemoryStore()
    emitted: list[dict[str, Any]] = []
    order = [fake, real] if attacker_first else [real, fake]
    outcomes = [_deliver(store, doc, emitted) for doc in order]
    if fake == real:
        assert len(_reports(store)) == 1 and outcomes[1].duplicates
        return
    assert len(_reports(store)) == 2  # both kept: the first under the key, the other as a version
    assert outcomes[1].versions == outcomes[1].stored
    stored = {_without_received(store.objects[k][0]) for k in _reports(store)}
    assert len(stored) == 2
    assert sum(1 for m in emitted if "ReportConflicts" in m) == 1
    assert sum(m.get("Reports", 0) for m in emitted) == 2  # the real report's sessions are counted


@given(st.integers(1, 5))
def test_exact_duplicates_are_dropped_and_counted_once(times: int) -> None:
    store = MemoryStore()
    emitted: list[dict[str, Any]] = []
    outcomes = [_deliver(store, report("same"), emitted) for _ in range(times)]
    assert len(_reports(store)) == 1
    assert all(o.duplicates and not o.stored for o in outcomes[1:])
    assert sum(m.get("Reports", 0) for m in emitted) == 1


def test_a_version_delivered_again_is_an_exact_duplicate_of_that_version() -> None:
    store = MemoryStore()
    _deliver(store, report("v", failed=1))
    second = _deliver(store, report("v", failed=2))
    third = _deliver(store, report("v", failed=2))
    assert second.versions and third.duplicates == second.versions
    assert len(_reports(store)) == 2


_NAME_VARIANTS = st.sampled_from(
    [str.lower, str.upper, str.casefold, lambda s: s + " ", lambda s: " " + s, lambda s: s.replace(" ", "  ")]
)


@given(_NAME_VARIANTS)
def test_a_name_variant_claims_nothing_of_the_senders_key(variant: Any) -> None:
    real = report("google-1")
    claim = dict(_changed(real, ("policies", 0, "summary", "total-failure-session-count"), 0))
    claim["organization-name"] = variant(real["organization-name"])
    store = MemoryStore()
    first = _deliver(store, claim)
    second = _deliver(store, real)
    assert second.stored and not second.duplicates  # the sender's report is stored as itself
    if first.stored and json.loads(store.objects[first.stored[0]][0])["organization_name"] != "Google Inc.":
        assert not second.versions  # a different name is a different key: nothing to conflict with


def test_the_key_compares_the_organisation_name_exactly() -> None:
    a = first_key({"organization_name": "Google Inc.", "report_id": "x"})
    b = first_key({"organization_name": "google inc.", "report_id": "x"})
    assert a != b


class _UnreadableStore(MemoryStore):
    """A role that may write reports but not read their metadata back (no ``s3:GetObject``)."""

    def metadata(self, key: str) -> dict[str, str] | None:
        return None


def test_without_read_access_a_body_under_a_taken_key_is_kept_as_a_version_never_dropped() -> None:
    store = _UnreadableStore()
    _deliver(store, report("r"))
    again = _deliver(store, report("r"))
    once_more = _deliver(store, report("r"))
    assert again.versions  # cannot tell: kept rather than risk dropping a different body
    assert once_more.duplicates == again.versions  # the version key is content-addressed
    assert len(_reports(store)) == 2


# --- on S3 (moto): HTTPS answers and what the bucket holds --------------------------------------


def test_on_s3_a_conflicting_body_is_stored_as_a_version_and_the_answer_says_stored(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = lam.handler(url_event(gz(report("conflict-1", failed=0)), request_id="a"))
    second = lam.handler(url_event(gz(report("conflict-1", failed=7)), request_id="b"))
    third = lam.handler(url_event(gz(report("conflict-1", failed=7)), request_id="c"))
    assert (first["statusCode"], second["statusCode"], third["statusCode"]) == (200, 200, 200)
    assert json.loads(second["body"])["status"] == "stored"
    assert json.loads(third["body"])["status"] == "duplicate"
    stored = keys(s3, "reports/")
    assert len(stored) == 2
    assert sorted(stored_json(s3, k)["policies"][0]["failed"] for k in stored) == [0, 7]
    out = capsys.readouterr().out
    assert out.count('"ReportConflicts":1') == 1


def test_on_s3_the_same_report_by_mail_and_by_https_is_one_report(s3: Any) -> None:
    doc = report("both-ways")
    lam.handler(url_event(gz(doc), request_id="h1"))
    response = lam.handler(url_event(json.dumps(doc, indent=2).encode(), "application/tlsrpt+json", request_id="h2"))
    assert json.loads(response["body"])["status"] == "duplicate"
    assert len(keys(s3, "reports/")) == 1
