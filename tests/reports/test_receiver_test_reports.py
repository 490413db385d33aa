"""Issue 13: test reports (the contract with ``mta-sts receiver test``). A report whose
``organization-name`` is exactly ``pulumi-mta-sts receiver test`` and whose ``report-id`` starts
with ``mta-sts-receiver-test-`` is stored under ``test/``, emits none of the per-domain metrics the
alarms watch, is counted in ``TestReports``, and the HTTPS answer says ``stored`` and
``test_reports``."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda.contract import TEST_ORGANIZATION, TEST_REPORT_ID_PREFIX, is_test_report
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore
from tests.reports.test_receiver_lambda import (
    deliver_email,
    gz,
    keys,
    metrics,
    report,
    s3,
    ses_lambda_action_event,
    url_event,
)

__all__ = ["s3"]  # the fixture, imported for pytest

SETTINGS = lam.Settings(bucket="b", domains=frozenset({"example.com"}))


def sample(suffix: str = "1") -> dict[str, Any]:
    doc = report(TEST_REPORT_ID_PREFIX + suffix)
    doc["organization-name"] = TEST_ORGANIZATION
    return doc


def test_a_posted_test_report_is_stored_under_test_and_counted_apart(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    response = lam.handler(url_event(gz(sample("20260101T000000Z-ab12")), request_id="t1"))
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "stored" and body["test_reports"] == 1
    [stored] = body["stored"]
    assert stored.startswith("test/") and keys(s3, "test/") == [stored]
    assert keys(s3, "reports/") == []
    emitted = metrics(capsys.readouterr().out)
    assert not [m for m in emitted if "PolicyDomain" in m]  # nothing the per-domain alarms watch
    assert [m["TestReports"] for m in emitted if "TestReports" in m] == [1]


def test_a_test_report_posted_twice_is_a_duplicate_and_still_a_test_report(s3: Any) -> None:
    lam.handler(url_event(gz(sample()), request_id="a"))
    body = json.loads(lam.handler(url_event(gz(sample()), request_id="b"))["body"])
    assert (body["status"], body["stored"], body["test_reports"]) == ("duplicate", [], 1)


def test_a_real_report_answers_test_reports_zero(s3: Any) -> None:
    body = json.loads(lam.handler(url_event(gz(report("real-1"))))["body"])
    assert body["test_reports"] == 0 and body["stored"][0].startswith("reports/")


def test_a_test_report_about_a_domain_not_served_is_quarantined_as_foreign(s3: Any) -> None:
    doc = sample()
    doc["policies"][0]["policy"]["policy-domain"] = "elsewhere.example"
    response = lam.handler(url_event(gz(doc)))
    assert response["statusCode"] == 403
    assert json.loads(response["body"])["test_reports"] == 0
    assert keys(s3, "test/") == []


def test_by_mail_test_and_real_reports_are_told_apart(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Report Domain: example.com"
    msg.set_content("x")
    for name, doc in (("t.json.gz", sample("mail")), ("r.json.gz", report("real-mail"))):
        msg.add_attachment(gz(doc), maintype="application", subtype="tlsrpt+gzip", filename=name)
    deliver_email(s3, "mixed", msg.as_bytes())
    result = lam.handler(ses_lambda_action_event("mixed"))["results"][0]
    assert result["test_reports"] == 1
    assert len(keys(s3, "test/")) == 1 and len(keys(s3, "reports/")) == 1
    emitted = metrics(capsys.readouterr().out)
    assert [m["Reports"] for m in emitted if "Reports" in m] == [1]


_NEAR_MISSES = st.sampled_from(
    [
        lambda d: d.update({"organization-name": TEST_ORGANIZATION.upper()}),
        lambda d: d.update({"organization-name": TEST_ORGANIZATION + "."}),
        lambda d: d.update({"organization-name": "Google Inc."}),
        lambda d: d.update({"report-id": "x-" + d["report-id"]}),
        lambda d: d.update({"report-id": d["report-id"].upper()}),
        lambda d: d.update({"report-id": "mta-sts-receiver-test"}),
    ]
)


@given(_NEAR_MISSES, st.text(max_size=12))
def test_only_the_exact_marks_make_a_test_report(change: Any, suffix: str) -> None:
    doc = sample(suffix)
    assert is_test_report({"organization_name": doc["organization-name"], "report_id": doc["report-id"]})
    change(doc)
    data = json.dumps(doc).encode()
    store = MemoryStore()
    outcome = lam.store_result(
        parse_body(data, "t"), raw_key="raw/x", input_data=data, store=store, settings=SETTINGS, emit=lambda d: None
    )
    assert outcome.test_reports == 0
    assert not [k for k in store.objects if k.startswith("test/")]
