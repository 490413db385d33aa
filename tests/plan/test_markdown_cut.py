"""Size limits never hide what matters (``mta-sts plan --format markdown``): a comment cut to fit
GitHub's limit keeps every safety note — its level, code and domain at the least — whatever the
size of the policy diff, the number of record sets or of domains, closes every fence and
``<details>`` it opens, and ``--all`` stays within the limit for any number of stacks, naming
the stacks it shows and counting the rest. Plans are generated."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.change.model import ChangeSet, PolicyChange, RecordChange
from pulumi_mta_sts.core.policy_change import LEVELS, PolicyState, safety_notes
from pulumi_mta_sts.plan.output import render_markdown
from pulumi_mta_sts.plan.report import StackReport
from pulumi_mta_sts.plan.stack_plan import DomainPolicy, Plan
from tests.escape import gfm
from tests.strategies import hostile_text

from .test_markdown import assert_well_formed


def _policy(domain: str, mode: str, patterns: int, width: int, prefix: str) -> str:
    """A policy of at most ``patterns`` mx lines of about ``width`` characters, within the 64 KiB
    senders fetch."""
    patterns = min(patterns, 60_000 // (width + len(domain) + 12))
    lines = [f"mx: {prefix}{'m' * width}{n}.{domain}" for n in range(patterns)]
    return "\r\n".join(["version: STSv1", f"mode: {mode}", *lines, "max_age: 86400", ""])


def _diff(domain: str, patterns: int, width: int, uncovered: bool) -> PolicyChange:
    """A domain moving from testing to enforce, its mx lines all replaced by as many others (a
    diff of twice ``patterns`` lines); with ``uncovered`` its live MX host is not covered (an
    ``enforce-uncovered-mx`` danger note)."""
    old = PolicyState(_policy(domain, "testing", patterns, width, "o"), f"old-{domain}")
    new = PolicyState(_policy(domain, "enforce", patterns, width, "n"), f"new-{domain}")
    live_mx = (f"other.{domain}",) if uncovered else (f"n{'m' * width}0.{domain}",)
    diff = PolicyChange(domain, new, old, live_mx=live_mx)
    diff.notes = safety_notes(old, new, live_mx)
    return diff


@st.composite
def noted_reports(draw: st.DrawFn, stack: str = "big") -> StackReport:
    count = draw(st.integers(1, 2500))
    patterns, width = draw(st.integers(0, 3000)), draw(st.integers(1, 55))  # a label has at most 63 octets
    uncovered = draw(st.lists(st.booleans(), min_size=1, max_size=5))
    diffs = [
        _diff(f"d{i}.example", patterns if i < 3 else 2, width, uncovered[i % len(uncovered)]) for i in range(count)
    ]
    value = draw(hostile_text)
    records = [
        RecordChange(f"_mta-sts.d{i % count}.example", "TXT", [value * 20 + str(i)], "change", [value])
        for i in range(draw(st.integers(0, 3000)))
    ]
    live = ChangeSet(records, diffs, compared=True)
    domains = [DomainPolicy(d.domain or "", d.new.text or "", d.new.id or "", mode="enforce") for d in diffs]
    warnings = [value * 50 for _ in range(draw(st.integers(0, 200)))]
    plan = Plan(stack, domains, [], warnings=warnings, fleet=True)
    return StackReport(stack, plan, live)


def _rendered_items(text: str) -> list[str]:
    root = gfm.parse(gfm.render(text))
    return [gfm.text_of(item) for item in root.find("li")]


def assert_every_note_is_there(text: str, report: StackReport) -> None:
    """Each note's level and code are in a list item that names its domain (or, in a
    single-domain stack, in the section)."""
    assert report.live is not None
    items = _rendered_items(text)
    several = len(report.live.policies) > 1
    for domain, note in report.live.notes:
        named = re.compile(rf"(?<![\w.]){re.escape(domain or '')}(?![\w.])")
        found = [i for i in items if note.level in i and note.code in i and (not several or named.search(i))]
        assert found, (domain, note.code)


@settings(max_examples=10, deadline=None)
@given(noted_reports())
def test_every_safety_note_survives_any_cut(report: StackReport) -> None:
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert_well_formed(text)
    assert_every_note_is_there(text, report)


def test_an_uncovered_mx_note_survives_a_policy_diff_of_any_size() -> None:
    diff = _diff("example.com", 5000, 55, uncovered=True)  # 120 KB of diff: twice the budget
    assert any(note.code == "enforce-uncovered-mx" for note in diff.notes)
    live = ChangeSet([], [diff], compared=True)
    plan = Plan("s", [DomainPolicy("example.com", diff.new.text or "", "new")], [])
    text = render_markdown([StackReport("s", plan, live)])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert "🛑 **danger** `enforce-uncovered-mx`" in text and "other\\.example\\.com" in text
    assert_well_formed(text)


def test_uncovered_mx_notes_survive_megabytes_of_policy_diffs() -> None:
    diffs = [_diff(f"d{i}.example", 5000, 55, uncovered=i % 3 == 0) for i in range(40)]  # about 5 MB of diffs
    live = ChangeSet([], diffs, compared=True)
    domains = [DomainPolicy(d.domain or "", d.new.text or "", "x", mode="enforce") for d in diffs]
    report = StackReport("s", Plan("s", domains, [], fleet=True), live)
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert text.count("`enforce-uncovered-mx` (") == 14
    assert_every_note_is_there(text, report)
    assert_well_formed(text)


def test_notes_too_many_for_their_messages_keep_level_code_and_domain() -> None:
    diffs = [_diff(f"domain-number-{i}.example", 2, 1, uncovered=True) for i in range(1500)]
    live = ChangeSet([], diffs, compared=True)
    domains = [DomainPolicy(d.domain or "", d.new.text or "", "x", mode="enforce") for d in diffs]
    plan = Plan("s", domains, [], fleet=True)
    report = StackReport("s", plan, live)
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert "Messages shortened to fit a comment" in text
    assert_every_note_is_there(text, report)
    assert_well_formed(text)


# ---- many stacks ----------------------------------------------------------------------------------
@st.composite
def many_stacks(draw: st.DrawFn) -> list[StackReport]:
    count = draw(st.integers(1, 400))
    reports = []
    for index in range(count):
        domain = f"s{index}.example"
        patterns = draw(st.sampled_from([0, 2, 50, 300]))
        diff = _diff(domain, patterns, 40, uncovered=draw(st.integers(0, 9)) == 0)
        records = [RecordChange(f"r{n}.{domain}", "TXT", ["v" * 100], "create", None) for n in range(patterns)]
        plan = Plan(f"stack-{index}", [DomainPolicy(domain, diff.new.text or "", "x")], [])
        reports.append(StackReport(f"stack-{index}", plan, ChangeSet(records, [diff], compared=True)))
    return reports


def _shown_stacks(text: str) -> list[str]:
    return re.findall(r"^### `mta-sts plan` · stack `([^`]+)`", text, re.M)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(many_stacks())
def test_plan_all_fits_for_any_number_of_stacks(reports: list[StackReport]) -> None:
    text = render_markdown(reports)
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert gfm.balanced(text)
    shown = _shown_stacks(text)
    assert shown == sorted(shown, key=lambda name: int(name.split("-")[1]))  # in the stacks' order
    left = re.search(r"…and (\d+) more stacks left out to fit a comment", text)
    assert len(shown) + (int(left.group(1)) if left else 0) == len(reports)
    if left:
        danger = [r.stack for r in reports if r.live and any(n.level == "danger" for _, n in r.live.notes)]
        hidden = set(danger) - set(shown)
        assert not hidden or len(set(shown) & set(danger)) == len(shown), "a stack without danger shown first"
    for report in reports:
        if report.stack in shown:
            section = text.split(f"stack `{report.stack}`", 1)[1].split("\n### ", 1)[0]
            assert_every_note_is_there(section, report)


def test_a_thousand_stacks_name_those_shown_and_count_the_rest() -> None:
    reports = []
    for index in range(1000):
        diff = _diff(f"s{index}.example", 2, 1, uncovered=index % 100 == 7)
        plan = Plan(f"stack-{index}", [DomainPolicy(diff.domain or "", diff.new.text or "", "x")], [])
        reports.append(StackReport(f"stack-{index}", plan, ChangeSet([], [diff], compared=True)))
    text = render_markdown(reports)
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    shown = _shown_stacks(text)
    assert {f"stack-{i}" for i in range(7, 1000, 100)} <= set(shown)  # the ones with a danger note first
    assert f"…and {1000 - len(shown)} more stacks left out to fit a comment" in text
    counts = {level: 0 for level in LEVELS}
    for report in reports:
        if report.stack not in shown and report.live is not None:
            for _, note in report.live.notes:
                counts[note.level] += 1
    held = ", ".join(f"{n} {level}" for level, n in counts.items() if n) or "none"
    assert f"(their safety notes: {held})" in text


def test_beyond_thousands_of_noted_domains_every_level_and_code_stays_and_the_cut_is_said() -> None:
    """6,000 domains with notes do not fit even one line per domain: the most serious notes come
    first, every level and code is still named, and the comment says the list was cut."""
    diffs = [_diff(f"domain-{i}.example", 2, 1, uncovered=i % 500 == 0) for i in range(6000)]
    for diff in diffs[1::2]:  # live MX not known: an info note each
        diff.live_mx = None
        diff.notes = safety_notes(diff.old or PolicyState(None, None), diff.new, None)
    live = ChangeSet([], diffs, compared=True)
    assert len(live.notes) > 3000
    domains = [DomainPolicy(d.domain or "", d.new.text or "", "x", mode="enforce") for d in diffs]
    report = StackReport("s", Plan("s", domains, [], fleet=True), live)
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert gfm.balanced(text)
    items = _rendered_items(text)
    for level, code in {(note.level, note.code) for _, note in live.notes}:
        assert any(level in item and code in item for item in items), code
    danger = next(item for item in items if "enforce-uncovered-mx" in item)
    assert all(re.search(rf"domain-{i}\.example\b", danger) for i in range(0, 6000, 500))
    assert "and the list of safety notes cut to fit a comment" in text
