"""The fixtures are in the Pulumi CLI's exact form (tests/data/preview/README.md cites the
source): fields in the structs' order, only the fields the structs have, op names and diff kinds
the engine writes, the replacement halves only under ``--show-replacement-steps``, ``same``
steps only under ``--show-sames`` (the root stack's always), ``changeSummary`` counting logical
steps. The generator they come from (:mod:`.make_fixtures`) is checked against the same rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .pulumi_json import STATE_FIELDS, go_json

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"
FIXTURES = sorted(DATA.glob("*.json"))
DIGEST_FIELDS = ("config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt")
STEP_FIELDS = ("op", "urn", "provider", "oldState", "newState", "diffReasons", "replaceReasons", "detailedDiff")
DIAGNOSTIC_FIELDS = ("urn", "prefix", "message", "severity")
OPS = {
    "same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read",
    "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "import",
    "import-replacement", "diff", "extend-parameterize",
}  # fmt: skip
KINDS = {"add", "add-replace", "delete", "delete-replace", "update", "update-replace"}
SEVERITIES = {"info", "info#err", "warning", "error"}  # debug is never in the digest


def _pairs(path: Path) -> Any:
    return json.loads(path.read_text(), object_pairs_hook=lambda pairs: pairs)


def _in_order(pairs: list[tuple[str, Any]], fields: tuple[str, ...], where: str) -> None:
    keys = [key for key, _ in pairs]
    assert set(keys) <= set(fields), f"{where}: fields {sorted(set(keys) - set(fields))} are not Pulumi's"
    assert keys == sorted(keys, key=fields.index), f"{where}: fields out of the struct's order: {keys}"


def _sorted_maps(value: Any, where: str) -> None:
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        keys = [key for key, _ in value]
        assert keys == sorted(keys), f"{where}: map keys not sorted as Go writes them"
        for key, item in value:
            _sorted_maps(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _sorted_maps(item, f"{where}[{index}]")


def _check_state(pairs: list[tuple[str, Any]], where: str) -> None:
    _in_order(pairs, STATE_FIELDS, where)
    state = dict(pairs)
    assert "custom" in state and "type" in state and "urn" in state, where
    for key in ("inputs", "outputs"):
        if key in state:
            _sorted_maps(state[key], f"{where}.{key}")


def _check_step(pairs: list[tuple[str, Any]], where: str) -> dict[str, Any]:
    _in_order(pairs, STEP_FIELDS, where)
    step = dict(pairs)
    assert step["op"] in OPS, where
    assert "detailedDiff" in step, f"{where}: detailedDiff has no omitempty: it is written, null when absent"
    for key in ("oldState", "newState"):
        if key in step:
            _check_state(step[key], f"{where}.{key}")
    for path, entry in step["detailedDiff"] or []:
        _in_order(entry, ("kind", "inputDiff"), f"{where}.detailedDiff.{path}")
        assert dict(entry)["kind"] in KINDS
    if step["op"] == "create":
        assert "oldState" not in step and "newState" in step, where
    if step["op"] in ("delete", "delete-replaced"):
        assert "newState" not in step and "oldState" in step, where
    return step


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_the_fixture_is_in_the_clis_form(path: Path) -> None:
    document = _pairs(path)
    _in_order(document, DIGEST_FIELDS, path.name)
    top = dict(document)
    steps = [_check_step(item, f"{path.name}: steps[{i}]") for i, item in enumerate(top.get("steps", []))]
    for i, item in enumerate(top.get("diagnostics", [])):
        _in_order(item, DIAGNOSTIC_FIELDS, f"diagnostics[{i}]")
        assert dict(item)["severity"] in SEVERITIES
    roots = [s for s in steps if "::pulumi:pulumi:Stack::" in s["urn"]]
    assert len(roots) == 1, "the root stack's step is always shown"
    ops = {s["op"] for s in steps if s is not roots[0]}
    assert ("same" in ops) == (path.stem == "show-sames"), "same steps only under --show-sames"
    halves = {"create-replacement", "delete-replaced"} & ops
    assert not halves or "replace" in ops, "a replacement's halves come with its replace step"
    logical = [s["op"] for s in steps if s["op"] not in ("create-replacement", "delete-replaced")]
    assert sum(dict(top["changeSummary"]).values()) >= len(logical)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_the_fixture_is_written_as_go_writes_it(path: Path) -> None:
    """4-space indent, <, > and & escaped, a final newline: re-encoding changes no byte."""
    text = path.read_text()
    assert go_json(json.loads(text)) == text
