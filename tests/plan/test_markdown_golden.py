"""Golden renders: what ``mta-sts plan --no-live-dns`` prints for every example stack in
``stacks/``, as text and as markdown (the pull-request comment a fork's pull request gets), kept
in ``tests/plan/golden_render/<stack>.txt`` and ``<stack>.md``. A change that means to change
what reviewers read updates them on purpose, and the diff is part of the review::

    MTA_STS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/plan/test_markdown_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden_render"
#: Every example stack: three single-domain stacks and a fleet (three domains, one delegated).
STACKS = ("example-com", "example-fleet", "example-net", "example-org")
SUFFIX = {"text": "txt", "markdown": "md"}


def render(stack: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["plan", "--stack", stack, "--stacks-dir", str(ROOT / "stacks"), "--no-live-dns", "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_every_example_stack_has_golden_renders() -> None:
    if os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1":
        return
    have = {p.name for p in GOLDEN.iterdir()} if GOLDEN.is_dir() else set()
    assert have == {f"{s}.{x}" for s in STACKS for x in SUFFIX.values()}


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("stack", STACKS)
def test_render_matches_the_golden_file(stack: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = GOLDEN / f"{stack}.{SUFFIX[fmt]}"
    got = render(stack, fmt, capsys)
    if os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
    if fmt == "markdown":
        assert len(got.encode("utf-8")) <= MARKDOWN_BUDGET
