"""``mta-sts plan --format markdown`` (plan/output.py, change/comment.py): a pull-request comment that always fits
GitHub's limit, whatever the size of the plan, and that nothing from outside can break.

Plans are generated: hundreds to thousands of record sets with hostile values (pipes,
backticks, HTML, mentions, line breaks), policies of thousands of lines, many warnings, many
stacks at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.change.model import STATUSES, ChangeSet, PolicyChange, RecordChange
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.policy_change import PolicyState, safety_notes
from pulumi_mta_sts.plan.engine import RecordedResource
from pulumi_mta_sts.plan.output import render_markdown
from pulumi_mta_sts.plan.report import StackReport
from pulumi_mta_sts.plan.stack_plan import DomainPolicy, Plan
from tests.escape import gfm
from tests.strategies import hostile_text

ROOT = Path(__file__).resolve().parents[2]
#: GitHub's limit for the body of an issue or pull-request comment (its API: "Body is too long").
GITHUB_COMMENT_LIMIT = 65_536
HOSTILE = [
    "|",
    "`",
    "```",
    "</details>",
    "<script>x</script>",
    "@octocat",
    "\n",
    "\r\n",
    "*_[x](y)",
    "\\",
    "é",
    "🌈",
    "\x00",
]
fragment = st.lists(st.sampled_from(HOSTILE), max_size=4).map("".join) | st.text(max_size=40) | hostile_text


def _resources(count: int) -> list[RecordedResource]:
    return [
        RecordedResource(type="aws:route53/record:Record", name=f"r{i}", urn=f"urn:r{i}", custom=True, inputs={})
        for i in range(count)
    ]


@st.composite
def reports(draw: st.DrawFn) -> StackReport:
    count = draw(st.integers(0, 1200))
    pieces = draw(st.lists(fragment, min_size=1, max_size=5))
    width = draw(st.integers(1, 60))
    statuses = draw(st.lists(st.sampled_from([*STATUSES, None]), min_size=1, max_size=4))
    records = [
        RecordChange(
            name=f"{pieces[i % len(pieces)]}r{i}.example.com",
            type="TXT",
            new=[pieces[(i + 1) % len(pieces)] * width + str(i)],
            status=statuses[i % len(statuses)],
            old=[pieces[i % len(pieces)] * width] if i % 3 else None,
        )
        for i in range(count)
    ]
    lines = draw(st.integers(0, 2000))
    old = "".join(f"mx: {pieces[i % len(pieces)]}old{i}.example.com\r\n" for i in range(lines))
    new = "".join(f"mx: new{i}.example.com\r\n" for i in range(lines // 2))
    compared = draw(st.booleans())
    before = PolicyState(old, "old1") if compared else None
    diff = PolicyChange("example.com", PolicyState(new, "new1"), before, "a problem @x |" if compared else None)
    diff.notes = safety_notes(before or PolicyState(None, None), diff.new, None)
    live = ChangeSet(records, [diff], compared=compared, reason=None if compared else "not asked")
    warnings = [pieces[i % len(pieces)] * width for i in range(draw(st.integers(0, 400)))]
    domains = [DomainPolicy("example.com", new, "new1")]
    plan = Plan("big", domains, _resources(draw(st.integers(0, 800))), warnings=warnings)
    return StackReport("big", plan, live)


_STRONG = frozenset({"danger", "warning", "info", "Not planned:"})
_EM_STARTS = (
    "…",
    "Compared with live DNS",
    "Not compared with live DNS",
    "Listed by",
    "Messages shortened",
)
_H4 = ("Safety notes", "DNS records", "Warnings", "Domains (", "Policy of ")


def ours(tag: str, text: str) -> bool:
    """Whether an element with this text is one the plan's comment writes."""
    if tag == "strong":
        return text in _STRONG
    if tag == "em":
        return text.startswith(_EM_STARTS)
    if tag == "h3":
        return text.startswith(("mta-sts plan · stack ", "⚠️ DNS names published by more than one stack ("))
    if tag == "h4":
        return text.startswith(_H4)
    if tag == "summary":
        return text.startswith("Resources (") or text.endswith(" unchanged record sets")
    return False


def assert_well_formed(text: str) -> None:
    """Inert as GitHub renders it (no link, image, element, emphasis, heading, mention, table
    break a value made), every fence and ``<details>`` closed."""
    assert gfm.problems(text, ours) == []
    assert gfm.balanced(text)


@settings(max_examples=12, deadline=None)
@given(reports())
def test_any_plan_fits_a_comment_and_stays_well_formed(report: StackReport) -> None:
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET < GITHUB_COMMENT_LIMIT
    assert_well_formed(text)
    assert text.startswith("### `mta-sts plan` · stack `big` · example\\.com")
    live = report.live
    assert live is not None
    rows = [line for line in text.split("\n") if line.startswith("| `") or line.startswith("|  |")]
    if len(rows) < len(live.records):  # rows left out to fit: said, and where to see them all
        assert "--format json" in text


@settings(max_examples=5, deadline=None)
@given(st.lists(reports(), min_size=2, max_size=12))
def test_many_stacks_fit_one_comment_together(many: list[StackReport]) -> None:
    text = render_markdown(many)
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert text.count("### `mta-sts plan` · stack") == len(many)


def _small(compared: bool) -> StackReport:
    records = [
        RecordChange("_mta-sts.example.com", "TXT", ["v=STSv1; id=new1;"], "change", ["v=STSv1; id=old1;"]),
        RecordChange("_smtp._tls.example.com", "TXT", ["v=TLSRPTv1; rua=mailto:a@example.com"], "unchanged", ["x"]),
        RecordChange("mta-sts.example.com", "A", ["ALIAS (known after deploy) (zone Z)"], "unknown", None),
        RecordChange("new.example.com", "TXT", ["v=1 a|b"], "create", None),
    ]
    old, new = "version: STSv1\r\nmode: testing\r\n", "version: STSv1\r\nmode: enforce\r\n"
    diff = PolicyChange("example.com", PolicyState(new, "new1"), PolicyState(old, "old1"))
    live = ChangeSet(records, [diff], compared=compared, reason=None if compared else "live DNS disabled")
    plan = Plan("s", [DomainPolicy("example.com", new, "new1")], _resources(2))
    return StackReport("s", plan, live)


def test_a_small_plan_reads_as_a_review_comment() -> None:
    text = render_markdown([_small(True)])
    assert "| `~` | `_mta-sts.example.com` | TXT | `v=STSv1; id=old1;` |" in text
    assert "| `+` | `new.example.com` | TXT | — | `v=1 a\\|b` |" in text
    assert "<details><summary>1 unchanged record sets</summary>" in text
    assert "-mode: testing\n+mode: enforce" in text
    assert "The id rolls: `old1` → `new1`" in text
    assert_well_formed(text)


def test_without_live_dns_the_desired_state_and_the_policy_are_shown() -> None:
    text = render_markdown([_small(False)])
    assert "Not compared with live DNS: live DNS disabled" in gfm.text_of(gfm.parse(gfm.render(text)))
    assert "| | Name | Type | Value |" in text and "```text\nversion: STSv1\nmode: enforce\n```" in text
    assert_well_formed(text)


def test_a_stack_that_could_not_be_planned_says_why() -> None:
    from pulumi_mta_sts.core.errors import Problem

    broken = StackReport("bad", problems=(Problem("Pulumi.bad.yaml: mta-sts:domain", None, "is missing @x"),))
    text = render_markdown([_small(True), broken])
    assert "stack `bad`" in text and "**Not planned:**" in text and "\\@\u2060x" in text
    assert_well_formed(text)


def test_a_real_stack_with_thousands_of_mx_patterns_is_cut_to_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patterns = [f"mx{i:04d}.example.org" for i in range(2600)]  # a policy of about 62 KB
    (tmp_path / "Pulumi.yaml").write_text(f"name: mta-sts\nruntime: python\nmain: {ROOT / 'stacks'}\n")
    (tmp_path / "Pulumi.huge.yaml").write_text(
        "config:\n  mta-sts:domain: example.org\n  mta-sts:dns: {provider: cloudflare, zone_name: example.org}\n"
        f"  mta-sts:policy: {{mode: testing, max_age: 86401, mx: [{', '.join(patterns)}]}}\n"
    )
    argv = ["plan", "--stack", "huge", "--stacks-dir", str(tmp_path), "--no-live-dns", "--format", "markdown"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.encode("utf-8")) <= MARKDOWN_BUDGET
    assert "mx: mx0000.example.org" in out and "mx: mx2599.example.org" not in out
    assert "more policy lines, left out to fit a comment: see `mta-sts plan --format json`" in out
    assert_well_formed(out)
