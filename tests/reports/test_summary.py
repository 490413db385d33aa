"""`mta-sts reports summary`: the views on a generated corpus (golden outputs for every format),
duplicates counted once, filters, the policy ids, and generated properties of the aggregates.

Update the golden files after an intended change with::

    MTA_STS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/reports/test_summary.py
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.reports.sessions import NOT_DETAILED
from pulumi_mta_sts.reports.summary import Summary
from pulumi_mta_sts.reports.summary_render import render_summary, render_summary_json

from .realworld_files import REALWORLD_FILES, needs_real_reports
from .summary_corpus import NEW_POLICY, OLD_POLICY, normalised_reports, raw_reports, summarise, write_corpus

GOLDEN = Path(__file__).parent / "golden_summary"
UPDATE = os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1"
FORMATS = {"text": "summary.txt", "markdown": "summary.md", "json": "summary.json", "csv": "summary.csv"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing; write it with MTA_STS_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name} differs from the golden file; if intended, MTA_STS_UPDATE_GOLDEN=1"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def test_the_html_report_matches_its_golden_file(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page byte for byte (golden_summary/summary.html was written by the page before issue 24's rewrite)."""
    page = tmp_path / "report.html"
    code, _, err = run(capsys, "reports", "html", str(corpus), "-o", str(page))
    assert (code, err) == (0, "")
    check_golden("summary.html", page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_matches_its_golden_file(corpus: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = run(capsys, "reports", "summary", str(corpus), "--format", fmt)
    assert (code, err) == (0, "")
    check_golden(FORMATS[fmt], out)


def test_json_has_the_issue_keys_and_counts_each_report_once(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reports", "summary", str(corpus), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert {"domains", "organizations", "result_types", "mx_hosts", "policies", "period", "reports"} <= set(data)
    total = len(raw_reports())
    assert data["reports"] == {
        "read": total + 5,  # five reports are there twice: as .json and inside an .eml
        "counted": total,
        "duplicates": 5,
        "outside_filter": 0,
        "unreadable": 0,
        "unreadable_named": [],
    }
    for domain in data["domains"]:
        assert {"domain", "successful", "failed", "days"} <= set(domain)


def test_text_and_json_renderings_agree(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "reports", "summary", str(corpus), "--format", "json")
    _, text, _ = run(capsys, "reports", "summary", str(corpus))
    assert render_summary_json(json.loads(out), "text") == text


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_views_on_the_corpus() -> None:
    reports = normalised_reports()
    data = summarise(reports).as_json()
    domains = _by(data["domains"], "domain")
    assert sorted(domains) == ["example.com", "example.org"]
    com = domains["example.com"]
    assert com["successful"] == sum(
        p["successful"] for r in reports for p in r["policies"] if p["policy_domain"] == "example.com"
    )
    assert len(com["days"]) == 14 and com["days"][0]["day"] == "2024-03-01"
    types = _by(data["result_types"], "result_type")
    assert types["certificate-expired"]["first_day"] == "2024-03-08"
    assert types["certificate-expired"]["last_day"] == "2024-03-09"
    assert types["certificate-expired"]["mx_hosts"] == ["mx2.example.com"]
    assert types["starttls-not-supported"]["organizations"] == ["Microsoft Corporation"]
    assert types[NOT_DETAILED]["failed"] == 1
    mx = _by(data["mx_hosts"], "mx_host")
    assert mx["mx2.example.com"]["ips"] == ["192.0.2.25"]  # trailing dot of the sender's name removed
    assert mx["mx2.example.com"]["failed"] == types["certificate-expired"]["failed"] + 3
    assert mx["mx1.example.com"]["source"] == "mx-host"
    # Comcast leaves mx-host out: its MX hosts come from the policy string; Google names them
    assert mx["mx1.example.com, mx2.example.com"]["source"] == "mx-host"


def test_comcast_mx_hosts_come_from_the_policy_string() -> None:
    comcast = [r for r in normalised_reports() if r["organization_name"] == "Comcast"]
    mx = _by(summarise(comcast).as_json()["mx_hosts"], "mx_host")
    assert mx["mx1.example.com, mx2.example.com"]["source"] == "policy-string"


def test_policies_show_senders_on_the_old_policy_with_the_toolkit_ids(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "reports", "summary", str(corpus), "--format", "json", "--domain", "example.com")
    sts = [p for p in json.loads(out)["policies"] if p["policy_type"] == "sts"]
    old = Policy.build(mode="testing", mx=["mx1.example.com"], max_age=604800).id
    new = Policy.build(mode="testing", mx=["mx1.example.com", "mx2.example.com"], max_age=604800).id
    by_id = _by(sts, "policy_id")
    assert set(by_id) == {old, new}
    assert by_id[old]["policy_string"] == OLD_POLICY and by_id[new]["policy_string"] == NEW_POLICY
    assert by_id[old]["last_day"] == "2024-03-10"  # Mail.ru still on the old policy after the change
    assert by_id[new]["first_day"] == "2024-03-08"
    assert "Mail.ru" in by_id[old]["organizations"]


def test_without_a_policy_id_function_ids_are_null() -> None:
    assert all(p["policy_id"] is None for p in summarise(normalised_reports()).as_json()["policies"])


def test_filters_by_day_and_domain(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["reports", "summary", str(corpus), "--format", "json", "--since", "2024-03-10", "--until", "2024-03-11"]
    _, out, _ = run(capsys, *argv, "--domain", "EXAMPLE.com.")
    data = json.loads(out)
    assert [d["domain"] for d in data["domains"]] == ["example.com"]
    assert [day["day"] for day in data["domains"][0]["days"]] == ["2024-03-10", "2024-03-11"]
    assert data["period"] == {
        "since": "2024-03-10",
        "until": "2024-03-11",
        "first_day": "2024-03-10",
        "last_day": "2024-03-11",
    }
    assert data["reports"]["counted"] == 7  # 3 organisations on the 10th, 4 on the 11th


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--since", "2024-3-1"], "--since"),
        (["--until", "yesterday"], "--until"),
        (["--since", "2024-03-05", "--until", "2024-03-01"], "--since"),
        (["--format", "xml"], "--format"),
        (["--domain", "a b"], "--domain: is not a domain name"),
    ],
)
def test_usage_errors_exit_2(corpus: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str) -> None:
    try:
        code = main(["reports", "summary", str(corpus), *argv])
    except SystemExit as exc:  # argparse refuses the flag's value
        code = int(str(exc.code))
    assert code == 2
    assert says in capsys.readouterr().err


def test_unknown_sources_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "reports", "summary", str(tmp_path / "nope"), "s3://Bad_Bucket")
    assert (code, out) == (2, "")
    assert f"{tmp_path / 'nope'}: does not exist" in err and "s3://Bad_Bucket: is not an S3 bucket URL" in err


def test_unreadable_inputs_are_counted_named_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_corpus(tmp_path)
    (tmp_path / "junk.json").write_text("{not json")
    (tmp_path / ".hidden.json").write_text("{not json")  # hidden files are skipped
    code, out, err = run(capsys, "reports", "summary", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["reports"]["unreadable"] == 1
    assert data["reports"]["unreadable_named"][0]["source"].endswith("junk.json")
    assert "junk.json" in err


def test_a_stored_report_is_read_as_stored(tmp_path: Path) -> None:
    """What `aws s3 sync` of the receiver's reports/ gives: normalised reports plus `received`."""
    from pulumi_mta_sts.cli.report_sources import read_path

    report = normalised_reports()[0]
    path = tmp_path / "0123.json"
    path.write_text(json.dumps({**report, "received": {"at": "x"}}))
    result = read_path(path)
    assert [r.report for r in result.reports] == [report]
    path.write_text(json.dumps({**report, "policies": [{"policy_type": "sts"}]}))
    assert "policies[0]" in read_path(path).failures[0].error


# --- generated properties ------------------------------------------------------------------------

_names = st.sampled_from(
    ["Google Inc.", "google inc.", "Microsoft Corporation", "Mail.ru", "Ünïcode Org", 'Pipe | "Org",\nX']
)
_domains = st.sampled_from(["example.com", "example.org", None])
_details = st.lists(
    st.fixed_dictionaries(
        {
            "result_type": st.sampled_from(["certificate-expired", "starttls-not-supported", "validation-failure"]),
            "failed_session_count": st.integers(0, 50),
            "receiving_mx_hostname": st.sampled_from([None, "mx1.example.com", "MX2.example.com."]),
            "receiving_ip": st.sampled_from([None, "192.0.2.1", "2001:db8::1"]),
        }
    ),
    max_size=3,
)


@st.composite
def _policies(draw: st.DrawFn) -> dict[str, Any]:
    details: list[dict[str, Any]] = draw(_details)
    detailed = sum(int(d["failed_session_count"]) for d in details)
    strings = draw(st.sampled_from([[], OLD_POLICY, NEW_POLICY]))
    return {
        "policy_type": "sts" if strings else "no-policy-found",
        "policy_domain": draw(_domains),
        "policy_strings": strings,
        "mx_hosts": draw(st.sampled_from([[], ["mx1.example.com"], ["mx1.example.com", "*.example.com"]])),
        "mx_hosts_source": draw(st.sampled_from([None, "mx-host", "policy-string"])),
        "successful": draw(st.integers(0, 10_000)),
        "failed": detailed + draw(st.integers(0, 5)),
        "failure_details": details,
    }


_reports = st.lists(
    st.fixed_dictionaries(
        {
            "organization_name": _names,
            "report_id": st.text(min_size=1, max_size=6),
            "start": st.dates(date(2024, 1, 1), date(2024, 1, 20)).map(lambda d: f"{d}T00:00:00Z"),
            "policies": st.lists(_policies(), min_size=1, max_size=3),
        }
    ),
    max_size=25,
    unique_by=lambda r: (r["organization_name"], r["report_id"]),
)


def _views(summary: Summary) -> dict[str, Any]:
    data = summary.as_json()
    data.pop("reports")
    return data


@settings(max_examples=150)
@given(_reports)
def test_per_organisation_sums_equal_per_domain_totals(reports: list[dict[str, Any]]) -> None:
    data = summarise(reports).as_json()
    for key in ("successful", "failed"):
        assert sum(o[key] for o in data["organizations"]) == sum(d[key] for d in data["domains"])
        assert sum(d[key] for d in data["domains"]) == sum(day[key] for d in data["domains"] for day in d["days"])
        assert sum(p[key] for p in data["policies"]) == sum(d[key] for d in data["domains"])
    assert sum(o["reports"] for o in data["organizations"]) == data["reports"]["counted"] == len(reports)
    assert sum(r["failed"] for r in data["result_types"]) == sum(d["failed"] for d in data["domains"])


@settings(max_examples=150)
@given(_reports, st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_summary(reports: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(reports)
    rnd.shuffle(shuffled)
    assert summarise(shuffled).as_json() == summarise(reports).as_json()


@settings(max_examples=150)
@given(_reports, st.data())
def test_duplicates_never_change_the_summary(reports: list[dict[str, Any]], data: st.DataObject) -> None:
    again = data.draw(st.lists(st.sampled_from(reports), max_size=10)) if reports else []
    mixed = reports + [copy.deepcopy(r) for r in again]
    data.draw(st.randoms(use_true_random=False)).shuffle(mixed)
    with_duplicates = summarise(mixed)
    assert _views(with_duplicates) == _views(summarise(reports))
    assert with_duplicates.duplicates == len(again)


def test_identity_is_exact_as_the_receiver_key() -> None:
    """Case and white space inside the organisation name make another report (as in the
    receiver's storage key, reports.report_key): nothing is folded."""
    base = normalised_reports()[0]
    other = {**base, "organization_name": base["organization_name"].upper()}
    summary = summarise([base, other, dict(base)])
    assert (summary.counted, summary.duplicates) == (2, 1)


def test_render_summary_from_the_summary_module_matches_the_cli(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = run(capsys, "reports", "summary", str(corpus), "--format", "markdown")
    from pulumi_mta_sts.cli.reports import build_summary

    assert render_summary(build_summary([str(corpus)]), "markdown") == text


@needs_real_reports
def test_real_senders_reports(capsys: pytest.CaptureFixture[str]) -> None:
    """35 report files holding 33 distinct reports (two are the attachments of two of the
    e-mails, saved apart) and one e-mail without a report (PROVENANCE.md of the folder)."""
    code, out, err = run(capsys, "reports", "summary", str(REALWORLD_FILES), "--format", "json")
    data = json.loads(out)
    assert code == 1 and "not_a_report_cron.eml" in err
    counts = data["reports"]
    assert (counts["read"], counts["counted"], counts["duplicates"], counts["unreadable"]) == (35, 33, 2, 1)
    for key in ("successful", "failed"):
        assert sum(o[key] for o in data["organizations"]) == sum(d[key] for d in data["domains"])
    microsoft = [m for m in data["mx_hosts"] if m["source"] == "policy-string"]
    assert microsoft, "Microsoft sends no mx-host: its MX hosts come from the policy string"
    assert any(p["policy_id"] for p in data["policies"])
    for fmt in ("text", "markdown", "csv"):
        assert render_summary_json(data, fmt)  # type: ignore[arg-type]


def test_reports_html_writes_one_file(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "report.html"
    code, out, err = run(capsys, "reports", "html", str(corpus), "-o", str(out_file), "--domain", "example.com")
    assert (code, err) == (0, "")
    assert f"wrote {out_file} (" in out
    assert "<html" in out_file.read_text().lower()
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left behind
    code, _, err = run(capsys, "reports", "html", str(corpus), "-o", str(tmp_path / "no" / "such" / "x.html"))
    assert code == 2 and "--output" in err


def test_reports_html_refuses_a_fifo_or_a_link_in_one_line(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo, link = tmp_path / "pipe.html", tmp_path / "link.html"
    os.mkfifo(fifo)
    link.symlink_to(tmp_path / "elsewhere.html")
    for target, said in ((fifo, "is a named pipe"), (link, "is a symbolic link"), (Path("/dev/null"), "device")):
        code, out, err = run(capsys, "reports", "html", str(corpus), "-o", str(target))
        assert code == 2 and err.count("\n") == 1 and err.startswith(f"mta-sts reports: --output: {target} ")
        assert said in err and out == ""
    assert not (tmp_path / "elsewhere.html").exists()


@settings(max_examples=100)
@given(
    st.lists(
        st.binary(min_size=16, max_size=16)
        | st.just(bytes(16))
        | st.binary(min_size=16, max_size=16).map(lambda b: b[:8] + bytes(8)),
        max_size=3000,
    )
)
def test_identity_set_behaves_as_a_set(identities: list[bytes]) -> None:
    from pulumi_mta_sts.reports.summary import IdentitySet

    compact, plain = IdentitySet(buckets=1), set[bytes]()
    for identity in identities:
        assert compact.add(identity) == (identity not in plain)
        plain.add(identity)
    assert len(compact) == len(plain)
    assert not any(compact.add(identity) for identity in plain)


@settings(max_examples=100)
@given(st.lists(st.binary(min_size=16, max_size=16), min_size=2, max_size=16), st.integers(1, 15))
def test_an_identity_spanning_two_stored_ones_is_new(identities: list[bytes], offset: int) -> None:
    """A bucket is a run of identities: ``b[offset:] + c[:offset]`` of two neighbours is found in it,
    at no multiple of 16 bytes, and is not one of them (until the set grows, every identity shares a bucket)."""
    from pulumi_mta_sts.reports.summary import IdentitySet

    compact = IdentitySet(buckets=1)
    for identity in identities:
        compact.add(identity)
    spanning = {b[offset:] + c[:offset] for b, c in itertools.pairwise(identities)} - set(identities)
    assert all(compact.add(identity) for identity in spanning)
    assert len(compact) == len(set(identities)) + len(spanning)


def test_the_domain_filter_is_normalised_as_the_reports_are() -> None:
    assert Summary(domain="BÜCHER.example.").domain == "xn--bcher-kva.example"
    assert Summary(domain="Example.COM.").domain == "example.com"


@settings(max_examples=60)
@given(_reports)
def test_every_format_renders_every_summary(reports: list[dict[str, Any]]) -> None:
    """Names with pipes, quotes, commas and line breaks keep the Markdown table and the CSV intact."""
    import csv
    import io

    from pulumi_mta_sts.escape import csv as csv_escape

    data = summarise(reports).as_json()
    rows = list(csv.DictReader(io.StringIO(render_summary_json(data, "csv"))))
    assert len(rows) == len(data["domains"]) + sum(len(d["days"]) for d in data["domains"]) + sum(
        len(data[view]) for view in ("organizations", "result_types", "mx_hosts", "policies")
    )
    assert {row["organization"] for row in rows if row["view"] == "organization"} == {
        csv_escape.cell(o["organization"]) for o in data["organizations"]
    }
    markdown = render_summary_json(data, "markdown")
    widths: set[int] = set()
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            widths.add(line.replace("\\\\", "").replace("\\|", "").count("|"))
        else:
            assert len(widths) <= 1, "a table row has a different number of cells than its header"
            widths = set()
    assert render_summary_json(data, "text")


def test_control_characters_a_sender_wrote_never_reach_the_terminal() -> None:
    from pulumi_mta_sts.reports.readiness import readiness, render_verdict

    reports = normalised_reports()
    hostile = copy.deepcopy(reports[-1])
    hostile["organization_name"] = "Evil\x1b[2J\x1b]0;owned\x07 Corp\nnext"
    hostile["policies"][0]["failure_details"] = [
        {"result_type": "x\x1b[31m", "failed_session_count": 1, "receiving_mx_hostname": "mx\x9b1.example.com"}
    ]
    hostile["policies"][0]["failed"] = 1
    summary = summarise([*reports, hostile])
    verdict = render_verdict(readiness(summary, "example.com", days=3, as_of=date(2024, 3, 15)))
    for text in (render_summary(summary, "text"), render_summary(summary, "markdown"), verdict):
        assert not any(ch in text for ch in "\x1b\x07\x9b"), text
        assert "001B⟩" in text  # shown, as ⟨U+001B⟩ (in Markdown its + and [ escaped)
