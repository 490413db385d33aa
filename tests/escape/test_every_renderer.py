"""Every renderer, every format: a hostile string (tests/strategies.py: Markdown and HTML syntax,
links, autolinks, mentions, backtick runs, pipes, line ends, ESC sequences, C1, bidi controls,
rich markup, formulas) put wherever a stranger's value goes comes out inert — Markdown as GitHub's
renderer reads it (cmark-gfm), terminal text and JSON printable, rich tables literal, CSV cells
no formula, HTML without an element of its own."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pulumi_mta_sts.check.model import CheckResult, DomainReport, Status
from pulumi_mta_sts.check.output import render_json, render_table
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.errors import Problem
from pulumi_mta_sts.core.policy_change import PolicyState, SafetyNote, safety_notes
from pulumi_mta_sts.escape import csv as csv_escape
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.plan.output import render_json as render_plan_json
from pulumi_mta_sts.plan.output import render_markdown as render_plan_markdown
from pulumi_mta_sts.plan.output import render_text as render_plan_text
from pulumi_mta_sts.reports.readiness import readiness, render_verdict
from pulumi_mta_sts.reports.report_page import render_html
from pulumi_mta_sts.reports.summary import Summary
from pulumi_mta_sts.reports.summary_render import render_summary
from tests.plan.test_markdown import assert_well_formed as assert_plan_well_formed
from tests.preview import pulumi_json as pj
from tests.preview.test_preview_cut import ours as preview_ours
from tests.reports.summary_corpus import normalised_reports, summarise
from tests.strategies import hostile_text

from . import gfm

HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
_REPORTS = normalised_reports()
_SUMMARY_H2 = ("Policy domains", "Sending organisations", "Result types", "Receiving MX hosts", "Policies senders")


def printable_lines(text: str) -> None:
    """Terminal text: only the renderer's line ends, every line printable."""
    for line in text.split("\n"):
        assert line.isprintable(), ascii(line)


def printable_json(text: str) -> Any:
    assert all(char.isprintable() or char == "\n" for char in text), ascii(text)
    return json.loads(text)


# ---- plan ----------------------------------------------------------------------------------------
def plan_report(value: str, stack: str = "s") -> Any:
    from pulumi_mta_sts.change.model import ChangeSet, PolicyChange, RecordChange
    from pulumi_mta_sts.plan.report import StackReport
    from pulumi_mta_sts.plan.stack_plan import DomainPolicy, Plan

    new_text = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400\r\n"
    old = PolicyState(f"version: STSv1\r\nmode: testing\r\nmx: {value}\r\n{value}\r\n", value)
    diff = PolicyChange("example.com", PolicyState(new_text, "new1"), old, problem=value, live_mx=(value,))
    diff.notes = (*safety_notes(old, diff.new, [value]), SafetyNote("stranger-said", "info", value))
    records = [
        RecordChange(f"{value}.example.com", value, [value, value], "change", [value]),
        RecordChange("_mta-sts.example.com", "TXT", [value], "unknown", [value]),
        RecordChange("_smtp._tls.example.com", "TXT", [value], "unchanged", [value]),
    ]
    live = ChangeSet(records, [diff], compared=True)
    domains = [DomainPolicy("example.com", new_text, "new1")]
    return StackReport(stack, Plan(stack, domains, [], warnings=[value]), live)


@settings(max_examples=60, deadline=None)
@given(hostile_text)
def test_plan_markdown_text_and_json(value: str) -> None:
    report, other = plan_report(value), plan_report(value, "t")  # the same names: overlaps
    assert_plan_well_formed(render_plan_markdown([report]))
    assert_plan_well_formed(render_plan_markdown([report, other]))
    printable_lines(render_plan_text([report, other]).rstrip("\n"))
    printable_json(terminal.json_text(render_plan_json([report], several=False)))
    printable_json(terminal.json_text(render_plan_json([report, other], several=True)))


# ---- preview-diff --------------------------------------------------------------------------------
def preview_file(tmp_path: Path, value: str) -> Path:
    stack = "example-com"
    name = value.replace("::", ":") or "x"
    record = pj.urn(stack, "mta-sts:dns:Route53Dns$aws:route53/record:Record", name)
    bucket = pj.urn(stack, "aws:s3/bucket:Bucket", name)

    def state(urn: str, type_: str, records: list[str]) -> dict[str, Any]:
        return pj.state(
            urn, type_, custom=True, inputs={"name": f"{value}.example.com", "type": "TXT", "records": records}
        )

    steps = [
        pj.step("same", pj.root_urn(stack), new=pj.state(pj.root_urn(stack), pj.ROOT_TYPE)),
        pj.step("replace", record, old=state(record, "aws:route53/record:Record", [value]),
                new=state(record, "aws:route53/record:Record", [value, "v=STSv1; id=1;"]), replace_reasons=[value]),
        pj.step("update", bucket, old=state(bucket, "aws:s3/bucket:Bucket", []),
                new=state(bucket, "aws:s3/bucket:Bucket", [])),
    ]  # fmt: skip
    diagnostics = [pj.diagnostic(f"{kind}: {value}\n", kind) for kind in ("error", "warning", "info")]
    document = pj.digest(steps, diagnostics=diagnostics)
    document["changeSummary"][value] = 1
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=HEALTH)
@given(value=hostile_text)
def test_preview_diff_markdown_text_and_json(tmp_path: Path, value: str) -> None:
    path = preview_file(tmp_path, value)
    code, markdown, err = run("preview-diff", str(path), "--format", "markdown")
    assert code == 1 and not err, err  # the preview failed (an error diagnostic)
    assert gfm.problems(markdown, preview_ours) == [] and gfm.balanced(markdown)
    assert "> **The preview failed (1 error)**" in markdown
    printable_lines(run("preview-diff", str(path), "--format", "text")[1].rstrip("\n"))
    printable_json(run("preview-diff", str(path), "--format", "json")[1])


# ---- reports -------------------------------------------------------------------------------------
def hostile_summary(value: str) -> Summary:
    hostile = copy.deepcopy(_REPORTS[-1])
    hostile["organization_name"] = value
    hostile["report_id"] = value
    policy = hostile["policies"][0]
    policy["policy_strings"] = [value, f"mx: {value}"]
    policy["failure_details"] = [
        {"result_type": value, "failed_session_count": 1, "receiving_mx_hostname": value, "receiving_ip": value}
    ]
    policy["failed"] = 1
    summary = summarise([*_REPORTS, hostile])
    summary.add_unreadable(value, value)
    return summary


def summary_ours(tag: str, text: str) -> bool:
    return (tag == "h1" and text == "TLS-RPT summary") or (
        tag == "h2" and (text.startswith(_SUMMARY_H2) or text.startswith("Per day: ") or text == "Unreadable inputs")
    )


@settings(max_examples=60, deadline=None)
@given(hostile_text)
def test_report_summary_in_every_format_the_verdict_and_the_page(value: str) -> None:
    summary = hostile_summary(value)
    printable_lines(render_summary(summary, "text").rstrip("\n"))
    markdown = render_summary(summary, "markdown")
    assert gfm.problems(markdown, summary_ours) == []
    for row in csv.reader(io.StringIO(render_summary(summary, "csv"))):
        assert not any(cell.startswith(csv_escape.FORMULA_STARTS) for cell in row), row
    verdict = readiness(summary, "example.com", days=3, min_orgs=1, as_of=date(2024, 3, 15))
    printable_lines(render_verdict(verdict).rstrip("\n"))
    page = render_html(summary.as_json())
    elements = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))
    assert elements <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "details",
                        "summary", "ul", "li", "bdi", "dl", "div", "dt", "dd", "nav", "a", "section", "figure",
                        "figcaption", "svg", "desc", "g", "rect", "line", "text", "table", "caption",
                        "thead", "tbody", "tr", "th", "td", "span"}, elements  # fmt: skip
    assert all(char.isprintable() or char == "\n" for char in page)


@settings(max_examples=60, deadline=None)
@given(hostile_text)
def test_reports_parse_text_and_the_weekly_digest(value: str) -> None:
    from pulumi_mta_sts.cli.reports import _summary
    from pulumi_mta_sts.receiver_lambda.digest import Digest, DigestSettings, Period, message_text, subject_line

    report = hostile_summary(value)  # the hostile report is the last of the corpus, rebuilt here
    hostile = copy.deepcopy(_REPORTS[-1])
    hostile["organization_name"] = value
    hostile["policies"][0]["failure_details"] = [{"result_type": value, "failed_session_count": 1}]
    printable_lines(_summary(value, hostile))
    digest = Digest.empty(Period.for_run(date(2024, 3, 16)), ["example.com"])
    for document in (*_REPORTS, hostile):
        digest.add(value, document)
    digest.add_unreadable(value, value)
    settings_ = DigestSettings(bucket="bucket", domains=("example.com",), topic_arn="arn:aws:sns:x")
    printable_lines(message_text(digest, settings_).rstrip("\n"))
    subject = subject_line(digest, settings_)
    assert subject.isascii() and subject.isprintable() and report.counted


# ---- check, onboard, receiver, usage errors ------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(hostile_text)
def test_check_tables_and_json(value: str) -> None:
    report = DomainReport("example.com", [CheckResult(f"starttls:{value}", Status.FAIL, value, value)])
    out = io.StringIO()
    render_table([report], out)
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x9b" not in printed
    assert all(line.isprintable() for line in printed.split("\n"))
    squeezed = re.sub(r"\s", "", printed)
    assert re.sub(r"\s", "", terminal.shown(f"starttls:{value}"))[:60] in squeezed  # a long id is cut with …
    printable_json(render_json([report]))


@settings(max_examples=100, deadline=None)
@given(hostile_text)
def test_onboard_receiver_and_usage_errors(value: str) -> None:
    from pulumi_mta_sts.cli.onboard import as_text
    from pulumi_mta_sts.cli.receiver import Answer, _verdict

    record = {"name": value, "type": value, "value": value, "purpose": value}
    printable_lines(as_text({"domain": value, "stack": value, "source": value, "complete": False, "records": [record]}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _verdict(Answer(400, {"error": value}, value))
    printable_lines(out.getvalue().rstrip("\n"))
    from pulumi_mta_sts.cli import _report

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        _report("x", [Problem(value, value, value)])
    assert err.getvalue().count("\n") == 1 and err.getvalue()[:-1].isprintable()
