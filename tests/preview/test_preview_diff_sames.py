"""``preview-diff`` on a preview made with ``--show-sames``: a resource that changes nothing
(``same``; also ``read`` and ``refresh``) is never listed or counted as an "other change"; the
unchanged DNS records are listed apart, as before. Checked on the ``--show-sames`` fixture against
the same preview without them, and on generated previews: every fixture with unchanged steps of any
kind added, and random step mixes."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.preview.changes import NO_CHANGE_OPS

from . import pulumi_json as pj
from .test_preview_diff_hostile import OTHER_TYPES, STACK, step_mixes

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"
FIXTURES = sorted(p.stem for p in DATA.glob("*.json"))


def _run(path: Path, fmt: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["preview-diff", str(path), "--format", fmt])
    assert err.getvalue() == "" and code in (0, 1), err.getvalue()
    return code, out.getvalue()


def _shown(path: Path) -> dict[str, Any]:
    return dict(json.loads(_run(path, "json")[1]))


def _text_section(text: str, title: str) -> list[str]:
    """The lines of one section of the text output (its title line and the indented lines under it)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def test_the_show_sames_fixture_lists_no_unchanged_resource_as_another_change() -> None:
    with_sames, without = DATA / "show-sames.json", DATA / "policy-edit.json"
    raw = json.loads(with_sames.read_text())
    assert sum(step["op"] == "same" for step in raw["steps"]) > 10  # the fixture really has them
    shown, plain = _shown(with_sames), _shown(without)
    assert shown["other"] == plain["other"] and shown["other_changes"] == plain["other_changes"]
    assert not [entry for entry in shown["other"] if entry["op"] == "same"]
    assert shown["change_summary"]["same"] > 10  # Pulumi's own count still says how many
    texts = [_run(path, "text")[1] for path in (with_sames, without)]
    assert _text_section(texts[0], "Other changes") == _text_section(texts[1], "Other changes")
    markdowns = [_run(path, "markdown")[1] for path in (with_sames, without)]
    assert _markdown_other(markdowns[0]) == _markdown_other(markdowns[1])


def _markdown_other(markdown: str) -> list[str]:
    """The "Other changes" line of the Markdown and its collapsed table of other resources."""
    first, *blocks = markdown[markdown.index("**Other changes**") :].split("\n<details>\n<summary>")
    return [first.split("\n\n")[0], *(b for b in blocks if b.split("<", 1)[0].endswith("other resources"))]


@st.composite
def unchanged_steps(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Steps of resources that change nothing, for URNs no fixture uses."""
    steps = []
    for index in range(draw(st.integers(1, 8))):
        type_ = draw(st.sampled_from([t for t in OTHER_TYPES if "PolicyLive" not in t] + ["aws:iam/role:Role"]))
        urn = pj.urn(STACK, type_, f"unchanged-{index}-{draw(st.text(alphabet='abc-', max_size=5))}")
        state = pj.state(urn, type_, custom=True, inputs={"name": draw(st.text(max_size=10))})
        op = draw(st.sampled_from(sorted(NO_CHANGE_OPS)))
        steps.append(pj.step(op, urn, old=None if op == "read" else state, new=state))
    return steps


@pytest.mark.parametrize("name", FIXTURES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=unchanged_steps(), where=st.integers(0, 1000))
def test_unchanged_steps_added_to_any_preview_change_no_other_change(
    tmp_path: Path, name: str, extra: list[dict[str, Any]], where: int
) -> None:
    document = json.loads((DATA / f"{name}.json").read_text())
    before = tmp_path / "before.json"
    before.write_text(json.dumps(document))
    at = where % (len(document["steps"]) + 1)
    document["steps"][at:at] = extra
    after = tmp_path / "after.json"
    after.write_text(json.dumps(document))
    old, new = _shown(before), _shown(after)
    for key in ("other", "other_changes", "dns", "dns_unchanged", "policy", "safety_notes"):
        assert new[key] == old[key], key


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=step_mixes())
def test_in_any_step_mix_other_changes_are_changes(tmp_path: Path, steps: list[dict[str, Any]]) -> None:
    path = tmp_path / "mix.json"
    path.write_text(pj.go_json(pj.digest(steps)))
    shown = _shown(path)
    assert not [entry for entry in shown["other"] if entry["op"] in NO_CHANGE_OPS]
    assert shown["other_changes"] == dict(Counter(entry["op"] for entry in shown["other"]))
