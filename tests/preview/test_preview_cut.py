"""Size limits never hide what matters (``mta-sts preview-diff --format markdown``): a comment cut
to GitHub's limit keeps every safety note, the heading, the preview's failure and the policy id,
whatever the size of the policy diff, the number of DNS changes or of diagnostics, and closes
every fence and ``<details>``. Previews are generated from a real one (policy-edit.json)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_LIMIT
from pulumi_mta_sts.preview.changes import POLICY_LIVE, PreviewSummary, summarise
from pulumi_mta_sts.preview.document import read_preview
from pulumi_mta_sts.preview.output import render_markdown
from tests.escape import gfm
from tests.strategies import hostile_text

from . import pulumi_json as pj

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"
BASE: dict[str, Any] = json.loads((DATA / "policy-edit.json").read_text())
STACK = "example-com"
_STRONG = frozenset({"Policy", "Other changes", "danger", "warning", "info"})
_SUMMARY = re.compile(r"(Warnings|Program output) \(\d+\)|\d+ other resources|\d+ unchanged record sets")


def ours(tag: str, text: str) -> bool:
    """Whether an element with this text is one the preview's comment writes."""
    if tag == "strong":
        return text in _STRONG or text.startswith("The preview failed (")
    if tag == "em":
        return text.startswith(("…", "Messages shortened", "Listed by"))
    if tag == "h3":
        return text.startswith("MTA-STS preview: ")
    if tag == "h4":
        return text in ("Safety notes", "DNS records", "Policy") or text.startswith("Policy of ")
    if tag == "summary":
        return _SUMMARY.fullmatch(text) is not None
    return tag == "sub" and text.startswith("Pulumi's totals: ")


def assert_well_formed(markdown: str) -> None:
    assert gfm.problems(markdown, ours) == []
    assert gfm.balanced(markdown)


def _policy(mode: str, patterns: int, width: int) -> str:
    """A valid policy (within the 64 KiB senders fetch) of at most ``patterns`` mx lines."""
    patterns = min(patterns, 60_000 // (width + 24))
    lines = [f"mx: n{'m' * width}{n}.example.com" for n in range(patterns)]
    return "\r\n".join(["version: STSv1", f"mode: {mode}", *lines, "max_age: 86400", ""])


def _served(lines: int, width: int) -> str:
    """What the preview says is served today: anything, of any size (here lines of ``width``)."""
    return "\r\n".join(["version: STSv1", "mode: testing", *(f"mx: {'o' * width}{n}" for n in range(lines)), ""])


def preview(
    tmp_path: Path, patterns: int, width: int, dns: int, value: str, diagnostics: list[str], served: int = 2000
) -> PreviewSummary:
    """policy-edit.json with the policy served today replaced by ``patterns`` lines of ``served``
    characters and the new one by ``patterns`` others (a diff of twice ``patterns`` lines),
    ``dns`` more DNS changes holding ``value``, and ``diagnostics`` (``error: …`` ones fail the
    preview); the live MX host is not covered, so the note ``enforce-uncovered-mx`` is due."""
    document = copy.deepcopy(BASE)
    for step in document["steps"]:
        for side, text in (("oldState", _served(patterns, served)), ("newState", _policy("enforce", patterns, width))):
            state = step.get(side) or {}
            key = "policy_text" if state.get("type") == POLICY_LIVE else "content"
            if state.get("type") in (POLICY_LIVE, "aws:s3/bucketObjectv2:BucketObjectv2"):
                state["inputs"][key] = text
    for index in range(dns):
        urn = pj.urn(STACK, "mta-sts:dns:Route53Dns$aws:route53/record:Record", f"extra-{index}")
        inputs = {"name": f"h{index}.example.com", "type": "TXT", "records": [value * 30 or "x"]}
        document["steps"].append(
            pj.step("create", urn, new=pj.state(urn, "aws:route53/record:Record", custom=True, inputs=inputs))
        )
    document["diagnostics"] = [
        pj.diagnostic(message, "error" if message.startswith("error") else "warning") for message in diagnostics
    ]
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(document))
    return summarise(read_preview(path), ["other.example.com"])


def assert_every_note_is_there(markdown: str, summary: PreviewSummary) -> None:
    items = [gfm.text_of(item) for item in gfm.parse(gfm.render(markdown)).find("li")]
    assert summary.notes
    for note in summary.notes:
        assert any(f"{note.level} {note.code}" in item for item in items), note.code


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    patterns=st.integers(1, 3000),
    width=st.integers(1, 55),
    served=st.integers(1, 2000),
    dns=st.integers(0, 3000),
    value=hostile_text,
    diagnostics=st.lists(
        st.builds(
            lambda kind, text, n: f"{kind}: {text * n}\n",
            st.sampled_from(["error", "warning"]),
            hostile_text,
            st.integers(1, 400),
        ),
        max_size=30,
    ),
)
def test_every_safety_note_survives_any_cut(
    tmp_path: Path, patterns: int, width: int, served: int, dns: int, value: str, diagnostics: list[str]
) -> None:
    summary = preview(tmp_path, patterns, width, dns, value, diagnostics, served)
    markdown = render_markdown(summary)
    assert len(markdown.encode("utf-8")) <= MARKDOWN_LIMIT
    assert_well_formed(markdown)
    assert_every_note_is_there(markdown, summary)
    assert markdown.startswith(f"### MTA-STS preview: `{STACK}`")
    assert "#### Policy of example\\.com\n\nThe id rolls: `" in markdown
    if any(message.startswith("error") for message in diagnostics):
        assert "> **The preview failed (" in markdown


def test_an_uncovered_mx_note_survives_a_policy_diff_of_megabytes(tmp_path: Path) -> None:
    summary = preview(tmp_path, 5000, 55, 0, "", [], served=1000)  # 5 MB served today
    assert any(note.code == "enforce-uncovered-mx" for note in summary.notes)
    markdown = render_markdown(summary)
    assert len(markdown.encode("utf-8")) <= MARKDOWN_LIMIT
    assert "- 🛑 **danger** `enforce-uncovered-mx`: " in markdown
    assert "more policy lines, left out to fit a comment" in markdown
    assert_well_formed(markdown)
