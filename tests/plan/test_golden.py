"""Golden plans: what ``mta-sts plan --format json`` says of the three example stacks.

The policy, its id, every DNS record and every resource (name, type, group, parent, inputs,
dependencies) must stay exactly as recorded in ``tests/plan/golden/<stack>.json``. A change that
moves code must not change any of it; a change that means to change the deployment updates the
files on purpose::

    MTA_STS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/plan/test_golden.py

and the diff of the JSON files is then part of the review.

Each receiver function's code shows as ``(archive: N files, sha256 D)``; the count and digest follow
every edit of the code it ships (``receiver/archive.py`` lists it), which is not a change of the
resources, so the comparison leaves it out and
:func:`test_the_lambda_code_is_described_by_the_archive_the_receiver_ships` checks it instead.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
STACKS = ("example-com", "example-org", "example-net", "example-fleet")
_OBJECT_REPR = re.compile(r"<([\w.]+) object at 0x[0-9a-f]+>")
_ARCHIVE_DIGEST = re.compile(r"^\(archive: \d+ files, sha256 [0-9a-f]+\)$")


def _stable(value: Any) -> Any:
    """``value`` without what differs between runs (object addresses) and in a fixed order."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, str):
        return _ARCHIVE_DIGEST.sub("(archive: …)", _OBJECT_REPR.sub(r"<\1>", value))
    return value


def _normal(plan: dict[str, Any]) -> dict[str, Any]:
    out = _stable(plan)
    out["resources"] = sorted(out["resources"], key=lambda r: (r["name"], r["type"]))
    out["dns"] = sorted(out["dns"], key=lambda r: (r["name"], r["type"], r["value"]))
    return dict(out)


def _plan_json(stack: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["plan", "--stack", stack, "--stacks-dir", str(ROOT / "stacks"), "--no-live-dns", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_the_golden_file(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = GOLDEN / f"{stack}.json"
    got = _plan_json(stack, capsys)
    if os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1":  # written in a fixed order: the diff is the change
        path.write_text(json.dumps(_normal(got), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    got_n, want_n = _normal(got), _normal(want)
    assert got_n["policy"] == want_n["policy"]
    assert got_n["dns"] == want_n["dns"]
    assert [(r["name"], r["type"]) for r in got_n["resources"]] == [(r["name"], r["type"]) for r in want_n["resources"]]
    assert got_n == want_n


def test_the_lambda_code_is_described_by_the_archive_the_receiver_ships(capsys: pytest.CaptureFixture[str]) -> None:
    import pulumi

    from pulumi_mta_sts.plan.stack_plan import describe_asset
    from pulumi_mta_sts.receiver.archive import FUNCTIONS

    plan = _plan_json("example-net", capsys)
    codes = {
        r["inputs"]["handler"]: r["inputs"]["code"]
        for r in plan["resources"]
        if r["type"] == "aws:lambda/function:Function"
    }
    assert sorted(codes) == sorted(code.handler for code in FUNCTIONS)  # the parser and the reader, each its own
    for function in FUNCTIONS:
        files = function.files()
        shipped = pulumi.AssetArchive({path: pulumi.StringAsset(content.decode()) for path, content in files.items()})
        assert codes[function.handler] == describe_asset(shipped)
        assert codes[function.handler].startswith(f"(archive: {len(files)} files, sha256 ")
    assert "object at 0x" not in json.dumps(plan)
