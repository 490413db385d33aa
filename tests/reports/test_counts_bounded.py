"""Issue 22 §1: a session count above 2^63-1 makes a report malformed, however it is written (a
JSON number, a string of digits, a float): the parser refuses it naming the field, the receiver
quarantines it with that reason (moto S3), ``reports parse`` says so, and a report an earlier
receiver stored with such a count is unreadable, with the reason, for every reader (``reports
summary|ready|html``, the digest, the backfill). Sums of counts at the bound stay printable in
every format, in the HTML report and in the digest (moto S3 + SNS)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.receiver_lambda import digest as dig
from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda import store as lam_store
from pulumi_mta_sts.reports.limits import MAX_COUNT
from pulumi_mta_sts.reports.parse import parse_body
from pulumi_mta_sts.reports.readiness import readiness, render_verdict
from pulumi_mta_sts.reports.report_page import render_html
from pulumi_mta_sts.reports.summary_render import render_summary
from tests.reports.conftest import DIGEST_BUCKET, published_digest
from tests.reports.summary_corpus import summarise
from tests.reports.test_receiver_lambda import email, s3_event, url_event

#: How the reader starts refusing a number that reads as infinity.
READS_AS_INFINITY = "holds the number "
BUCKET = "tlsrpt-bounded"
BOUND = 2**63 - 1
DAY = date(2026, 3, 2)

#: Where each count sits in a report, and the JSON path the parser names.
FIELDS = {
    "successful": "policies[0].summary.total-successful-session-count",
    "failed": "policies[0].summary.total-failure-session-count",
    "detail": "policies[0].failure-details[0].failed-session-count",
}


def report_text(field: str, value_json: str, report_id: str = "r-1", day: date = DAY, *, rest: str = "0") -> bytes:
    """A report whose ``field`` count is the JSON text ``value_json`` (the other counts: ``rest``),
    written as text: a count's spelling reaches the parser exactly as given."""
    policy = {"policy-type": "sts", "policy-domain": "example.com", "policy-string": ["version: STSv1", "mx: mx1"]}
    doc = {
        "organization-name": "Bounds Inc.",
        "report-id": report_id,
        "contact-info": "tls@bounds.example",
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "policies": [
            {
                "policy": policy,
                "summary": {"total-successful-session-count": "@successful", "total-failure-session-count": "@failed"},
                "failure-details": [{"result-type": "certificate-expired", "failed-session-count": "@detail"}],
            }
        ],
    }
    text = json.dumps(doc)
    for name in FIELDS:
        text = text.replace(f'"@{name}"', value_json if name == field else rest)
    return text.encode()


#: Numbers at and around the bound, and far beyond it (up to 4,000 digits: a JSON number may have
#: at most 4,300 in Python; longer ones are tested apart).
NUMBERS = st.one_of(
    st.integers(BOUND - 3, BOUND + 3),
    st.sampled_from([0, 1, BOUND, BOUND + 1, 2**64, 10**19, 10**4000]),
    st.integers(0, 2**66),
    st.integers(BOUND, 10**400),
    st.integers(1, 4000).map(lambda digits: 10**digits - 1),
)


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, float | int]:
    """(the JSON text of a count, the number a JSON reader takes it for): a number, a string of
    digits (zero-padded, spaced), or a float (``N.0``, ``Ne0``: read as a double, so rounded)."""
    number = draw(NUMBERS)
    spelling = draw(st.sampled_from(["number", "string", "padded string", "float", "exponent"]))
    if spelling == "number":
        return str(number), number
    if spelling == "string":
        return json.dumps(str(number)), number
    if spelling == "padded string":
        return json.dumps(" " + "0" * draw(st.integers(0, 30)) + str(number) + " "), number
    text = f"{number}.0" if spelling == "float" else f"{number}e0"
    return text, float(text)  # float("1...9.0") with 400 digits is inf: what json.loads gives


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(FIELDS)), spelled())
def test_a_count_is_read_up_to_the_bound_and_refused_above_it_whatever_its_spelling(
    field: str, count: tuple[str, float | int]
) -> None:
    text, meant = count
    result = parse_body(report_text(field, text), "t")
    if meant <= BOUND:
        [parsed] = result.reports
        policy = parsed.report["policies"][0]
        got = {"successful": policy["successful"], "failed": policy["failed"]}
        got["detail"] = policy["failure_details"][0]["failed_session_count"]
        assert got[field] == int(meant) and type(got[field]) is int
    else:
        assert not result.reports
        [failure] = result.failures
        assert len(failure.error) < 300  # a count of thousands of digits is not repeated whole
        if meant == math.inf:  # not a number JSON readers agree on: refused while reading, before the count rule
            assert failure.error.startswith(f"report {READS_AS_INFINITY}") and "reads as infinity" in failure.error
            return
        assert failure.error.startswith(FIELDS[field] + " is ")
        assert f"above {BOUND} (2^63-1)" in failure.error


def test_the_bound_is_two_to_the_63_minus_one() -> None:
    assert MAX_COUNT == BOUND == 9_223_372_036_854_775_807


@pytest.mark.parametrize("digits", [4301, 5000, 20000])
def test_a_json_number_too_long_for_python_is_refused_with_a_reason(digits: int) -> None:
    result = parse_body(report_text("successful", "9" * digits), "t")
    assert not result.reports
    assert result.failures[0].error.startswith("a number in the report has more than 4300 digits")
    assert "2^63-1" in result.failures[0].error


def test_reports_parse_says_which_count_is_too_large(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(report_text("detail", json.dumps(str(BOUND + 1))))
    assert main(["reports", "parse", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert f"{path}: {FIELDS['detail']} is {BOUND + 1}: above {BOUND} (2^63-1)" in err
    assert main(["reports", "parse", "--json", str(path)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["error"].startswith(FIELDS["detail"])


# --- the receiver: quarantined with the reason, never lost (moto S3) -------------------------------


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The receiver's bucket (one per test: every Hypothesis example of a test shares it)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "BUCKET": BUCKET,
        "DOMAINS": "example.com",
        "MAX_BODY_BYTES": str(1024 * 1024),
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


_TOO_LARGE = st.tuples(st.sampled_from(sorted(FIELDS)), spelled()).filter(lambda pick: pick[1][1] > BOUND)
_SEEN = iter(range(10**9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(_TOO_LARGE)
def test_the_receiver_quarantines_a_posted_report_with_the_reason(
    bucket: Any, pick: tuple[str, tuple[str, float | int]]
) -> None:
    field, (text, meant) = pick
    request = f"big-{next(_SEEN)}"
    response = lam.handler(url_event(report_text(field, text, request), "application/tlsrpt+json", request_id=request))
    answer = json.loads(response["body"])
    # a count that reads as infinity is refused while reading (core/bounded_json), before the count rule
    said = "reads as infinity" if meant == math.inf else FIELDS[field]
    assert response["statusCode"] == 400 and answer["stored"] == [] and said in answer["error"]
    [quarantined] = answer["quarantined"]
    assert quarantined.startswith("quarantine/invalid/")
    head = bucket.head_object(Bucket=BUCKET, Key=quarantined)
    reason = head["Metadata"]["reason"]
    assert said in reason and (meant == math.inf or (reason.startswith(FIELDS[field]) and "2^63-1" in reason))
    kept = bucket.get_object(Bucket=BUCKET, Key=quarantined)["Body"].read()
    assert kept == report_text(field, text, request)  # the bytes as received
    [raw] = [
        o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET, Prefix="raw/https/")["Contents"] if request in o["Key"]
    ]
    assert bucket.get_object_tagging(Bucket=BUCKET, Key=raw)["TagSet"] == [
        {"Key": "tlsrpt-outcome", "Value": "quarantined"}
    ]


def test_the_receiver_stores_the_good_attachment_and_quarantines_the_one_too_large(bucket: Any) -> None:
    good = report_text("successful", str(BOUND), "mail-good")
    bad = report_text("failed", f"{BOUND + 1}.0", "mail-bad")
    bucket.put_object(Bucket=BUCKET, Key="raw/email/mixed", Body=email(("a.json", good), ("b.json", bad)))
    [outcome] = lam.handler(s3_event("raw/email/mixed"))["results"]
    assert len(outcome["stored"]) == 1 and len(outcome["quarantined"]) == 1
    stored = json.loads(bucket.get_object(Bucket=BUCKET, Key=outcome["stored"][0])["Body"].read())
    assert stored["policies"][0]["successful"] == BOUND
    reason = bucket.head_object(Bucket=BUCKET, Key=outcome["quarantined"][0])["Metadata"]["reason"]
    assert reason.startswith(FIELDS["failed"] + " is 9.223372036854776e+18: above")


# --- reports stored before the bound: unreadable for every reader ------------------------------------


def stored_document(report_id: str, day: date, **counts: int) -> dict[str, Any]:
    """A report as a receiver stores it (normalised, with ``received``), with counts set as given."""
    [parsed] = parse_body(report_text("successful", "1", report_id, day), "old").reports
    policy = parsed.report["policies"][0]
    policy.update({key: value for key, value in counts.items() if key in ("successful", "failed")})
    if "detail" in counts:
        policy["failure_details"][0]["failed_session_count"] = counts["detail"]
    return {**parsed.report, "received": {"source": "old", "raw_key": "raw/old", "at": f"{day}T08:00:00Z"}}


OLD_COUNTS = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda field: st.sampled_from([BOUND + 1, 2**64, 10**4000 - 1, 10**100]).map(lambda value: {field: value})
)


@settings(max_examples=12, deadline=None)
@given(OLD_COUNTS)
def test_a_stored_report_over_the_bound_is_unreadable_for_summary_ready_and_html(counts: dict[str, int]) -> None:
    import tempfile

    [field] = counts
    path = {"successful": "successful", "failed": "failed", "detail": "failure_details[0].failed_session_count"}
    with tempfile.TemporaryDirectory() as tmp:
        root, source = Path(tmp), Path(tmp) / "reports"
        source.mkdir()
        (source / "old.json").write_text(json.dumps(stored_document("old-1", DAY, **counts)))
        (source / "good.json").write_text(json.dumps(stored_document("good-1", DAY, successful=5)))
        summary_out = root / "summary.json"
        code = _cli(["reports", "summary", str(source), "--format", "json"], summary_out)
        data = json.loads(summary_out.read_text())
        assert code == 1 and data["reports"]["counted"] == 1 and data["reports"]["unreadable"] == 1
        [named] = data["reports"]["unreadable_named"]
        assert named["source"].endswith("old.json")
        assert named["error"].startswith(f"policies[0].{path[field]} is ") and "(2^63-1)" in named["error"]
        assert data["domains"][0]["successful"] == 5  # the good one only: nothing of the old one is summed
        ready_out = root / "ready.txt"
        argv = ["reports", "ready", "example.com", "--source", str(source), "--as-of", str(DAY + timedelta(days=1))]
        _cli([*argv, "--days", "1", "--format", "json"], ready_out)
        assert json.loads(ready_out.read_text())["unreadable"] == 1
        page = root / "report.html"
        assert _cli(["reports", "html", str(source), "-o", str(page)], root / "html.txt") == 1
        assert f"policies[0].{path[field]} is " in page.read_text()


def _cli(argv: list[str], out: Path) -> int:
    """``mta-sts ARGV`` with stdout into ``out`` (Hypothesis runs many examples in one test)."""
    import contextlib
    import io

    buffer, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(errors):
        code = main(argv)
    out.write_text(buffer.getvalue())
    return code


def _put(aws: dict[str, Any], key: str, document: dict[str, Any]) -> None:
    aws["s3"].put_object(Bucket=DIGEST_BUCKET, Key=key, Body=json.dumps(document, sort_keys=True).encode())


def test_the_digest_and_the_backfill_refuse_a_stored_count_over_the_bound(digest_aws: dict[str, Any]) -> None:
    today = date.today()
    day = today - timedelta(days=3)
    _put(digest_aws, "reports/old.json", stored_document("old", day, failed=10**4000 - 1, detail=10**4000 - 1))
    _put(digest_aws, "reports/good.json", stored_document("good", day, failed=7, detail=7))
    result = dig.handler({}, None, s3=digest_aws["s3"], sns=digest_aws["sns"])
    message = published_digest(digest_aws)
    assert result["reports_read"] == 2
    assert "example.com not ready, 7 failed" in message["Subject"]  # the good report's 7 only
    assert "1 unreadable input(s)" in message["Message"]
    assert "reports/old.json: policies[0].failed is 99999999999999999999... (4000 digits)" in message["Message"]
    done = dig.handler({"backfill": {}}, None, s3=digest_aws["s3"], sns=digest_aws["sns"])
    assert done["written"] == 1
    [unreadable] = done["unreadable"]
    assert unreadable.startswith("reports/old.json: policies[0].failed is 9999") and "(2^63-1)" in unreadable
    tables = digest_aws["s3"].list_objects_v2(Bucket=DIGEST_BUCKET, Prefix="tables/").get("Contents", [])
    assert [o["Key"].rsplit("/", 1)[-1] for o in tables] == ["good.json"]


# --- sums at the bound stay printable -------------------------------------------------------------


def at_the_bound(count: int) -> list[dict[str, Any]]:
    """``count`` reports over the 14 days before :data:`DAY` whose every count is 2^63-1."""
    reports: list[dict[str, Any]] = []
    for n in range(count):
        text = report_text("successful", str(BOUND), f"max-{n}", DAY - timedelta(days=1 + n % 14), rest=str(BOUND))
        reports.extend(parsed.report for parsed in parse_body(text, "t").reports)
    assert len(reports) == count
    return reports


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3000))
def test_sums_of_counts_at_the_bound_print_in_every_format_and_in_the_verdict(count: int) -> None:
    summary = summarise(at_the_bound(count))
    total = count * BOUND
    [domain] = summary.as_json()["domains"]
    assert (domain["successful"], domain["failed"]) == (total, total)
    for fmt in ("text", "markdown", "csv"):
        assert str(total) in render_summary(summary, fmt)  # type: ignore[arg-type]
    assert json.loads(json.dumps(summary.as_json()))["domains"][0]["failed"] == total
    verdict = readiness(summary, "example.com", days=14, as_of=DAY)
    [failures] = [b for b in verdict.blockers if b.kind == "failures"]
    assert failures.sessions == total
    assert f"saw {total} failed session(s) of type certificate-expired" in render_verdict(verdict)
    page = render_html(summary.as_json())
    assert f"<dd>{2 * total:,}</dd>" in page and f"<dd>{total:,}</dd>" in page


def test_the_digest_prints_sums_of_counts_at_the_bound(digest_aws: dict[str, Any]) -> None:
    as_of = date.today() - timedelta(days=dig.REPORTING_DELAY_DAYS)
    store = lam_store.S3Store(DIGEST_BUCKET, digest_aws["s3"])
    settings = lam.Settings(bucket=DIGEST_BUCKET, domains=frozenset({"example.com"}))
    week = 40
    for n in range(week):
        text = report_text("successful", str(BOUND), f"max-{n}", as_of - timedelta(days=1 + n % 7), rest=str(BOUND))
        lam.store_result(
            parse_body(text, "t"), raw_key=f"raw/{n}", input_data=text, store=store, settings=settings, emit=_drop
        )
    result = dig.handler({}, None, s3=digest_aws["s3"], sns=digest_aws["sns"])
    message = published_digest(digest_aws)
    assert result["reports_read"] == week
    assert message["Subject"].endswith(f"example.com not ready, {week * BOUND} failed")
    assert f"saw {week * BOUND} failed session(s)" in message["Message"]
    assert str(week * BOUND) in message["Message"].split("Policy domains", 1)[1].split("\n\n", 1)[0]


def _drop(_: dict[str, Any]) -> None:
    return None


def test_the_html_charts_draw_any_number_without_a_float_overflow() -> None:
    """A summary object with numbers far beyond what bounded reports can sum (10^5000: more digits
    than ``str`` of an ``int`` gives, more than a float holds) still draws."""
    huge = 10**5000
    day = {"day": "2026-03-01", "successful": huge, "failed": huge // 7}
    data = {
        "period": {"first_day": "2026-03-01", "last_day": "2026-03-01"},
        "reports": {"read": 1, "counted": 1, "duplicates": 0, "unreadable": 0},
        "domains": [{"domain": "example.com", "successful": huge, "failed": huge // 7, "days": [day]}],
        "organizations": [{"organization": "o", "reports": 1, "successful": huge, "failed": 3, "domains": []}],
        "result_types": [{"result_type": "certificate-expired", "failed": huge}],
        "mx_hosts": [{"mx_host": "mx1.example.com", "successful": 1, "failed": huge}],
        "policies": [],
    }
    page = render_html(data)
    assert "×10^5000" in page and "e5000" in page
