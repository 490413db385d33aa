"""Every JSON or YAML file the CLI reads, made hostile: a result, or one line per problem naming
the file and exit 2 (for ``reports``: the file named as a failure, exit 1) — never a traceback.

Generated from the valid files (the preview fixtures, a stack's outputs and export, the example
stack files and ``Pulumi.yaml``, the report corpus and a stored report) with one change anywhere
(:mod:`tests.hostile`: a node at any depth replaced by a value of another type, ``NaN`` /
``Infinity`` / ``1e400``, numbers of thousands of digits, nesting thousands deep, control
characters and lone surrogates, a key renamed) and by byte-level fuzzing of their text. Each
command runs in-process (``pulumi_mta_sts.cli.main``)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.cli import onboard as onboard_command
from pulumi_mta_sts.reports.parse import parse_report
from tests.hostile import fuzzed_bytes, hostile_json, hostile_yaml, json_tokens, node_paths

from .test_onboard import OUTPUTS, STATE

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
PREVIEWS = ROOT / "tests" / "data" / "preview"
REPORTS = ROOT / "tests" / "data" / "tlsrpt"
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))

PREVIEW_DOCS = {p.name: json.loads(p.read_text()) for p in sorted(PREVIEWS.glob("*.json"))}
SINGLE_STACKS = ("example-com", "example-org", "example-net")
STACK_DOCS = {
    name: yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text()) for name in (*SINGLE_STACKS, "example-fleet")
}
PROJECT_DOC = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def _report_docs() -> dict[str, Any]:
    docs = {}
    for path in sorted(REPORTS.glob("*.json")):
        with contextlib.suppress(ValueError):
            docs[path.name] = json.loads(path.read_bytes())
    report = parse_report((REPORTS / "rfc_example.json").read_bytes())
    docs["stored.json"] = {**report, "received": {"at": "2016-04-02T00:00:00Z", "source": "email"}}
    return docs


REPORT_DOCS = _report_docs()


# ---- running a command --------------------------------------------------------------------------
def cli(*argv: str) -> tuple[int, str, str]:
    """``mta-sts ARGV`` in-process; an exception that escapes ``main`` fails the test as it is."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_clean(command: str, result: tuple[int, str, str], allowed: set[int], names: tuple[str, ...]) -> None:
    """The exit code is one the command documents, nothing is a traceback, and every line on
    stderr is one problem of ``mta-sts COMMAND`` naming the file (one of ``names``)."""
    code, _out, err = result
    assert code in allowed, (code, err)
    assert "Traceback" not in err  # (stdout may show a failed preview's own Python traceback: it is data)
    if code == 2:
        assert err.endswith("\n") and err.strip(), err
    for line in err.splitlines():
        assert line.startswith(f"mta-sts {command}: "), line
        assert any(name in line for name in names), (names, line)


def assert_strict_json(text: str) -> None:
    """Output that says it is JSON is JSON: no NaN or Infinity (RFC 8259)."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in JSON output")

    json.loads(text, parse_constant=refuse)


# ---- preview-diff -------------------------------------------------------------------------------
def _preview_diff(path: Path) -> None:
    for fmt in ("json", "text", "markdown"):
        result = cli("preview-diff", str(path), "--format", fmt)
        assert_clean("preview-diff", result, {0, 1, 2}, (str(path),))
        code, out, err = result
        assert (code == 2) == bool(err)
        if code == 2:
            assert out == "" and err.count("\n") == 1  # one problem: one line
            return
        if fmt == "json":
            assert_strict_json(out)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(PREVIEW_DOCS)))
def test_preview_diff_on_a_hostile_preview(tmp_path: Path, data: st.DataObject, name: str) -> None:
    path = tmp_path / "preview.json"
    path.write_text(data.draw(hostile_json(PREVIEW_DOCS[name])), encoding="utf-8", errors="surrogatepass")
    _preview_diff(path)


def _property_paths(document: Any) -> list[tuple[str | int, ...]]:
    """The nodes of the steps' inputs and outputs: the values the summary walks (records, policy)."""
    return [
        path
        for path in node_paths(document)
        if len(path) > 4
        and path[0] == "steps"
        and path[2] in ("oldState", "newState")
        and path[3] in ("inputs", "outputs")
    ]


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(n for n in PREVIEW_DOCS if _property_paths(PREVIEW_DOCS[n]))))
def test_preview_diff_on_hostile_property_values(tmp_path: Path, data: st.DataObject, name: str) -> None:
    document = PREVIEW_DOCS[name]
    path = tmp_path / "preview.json"
    text = data.draw(hostile_json(document, _property_paths(document), json_tokens))
    path.write_text(text, "utf-8", errors="surrogatepass")
    _preview_diff(path)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(PREVIEW_DOCS)))
def test_preview_diff_on_fuzzed_bytes(tmp_path: Path, data: st.DataObject, name: str) -> None:
    path = tmp_path / "preview.json"
    path.write_bytes(data.draw(fuzzed_bytes((PREVIEWS / name).read_bytes())))
    _preview_diff(path)


# ---- onboard --outputs --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def planned() -> Iterator[None]:
    """``onboard`` with a stack export reads the plan too: the real plan, run once, is reused."""
    outputs = onboard_command.planned_outputs("example-fleet", STACKS / "Pulumi.example-fleet.yaml")
    with mock.patch.object(onboard_command, "planned_outputs", lambda *_: copy.deepcopy(outputs)):
        yield


def _onboard(outputs: Path, stacks: Path = STACKS) -> tuple[int, str, str]:
    args = ("customer.example", "--stack", "example-fleet", "--stacks-dir", str(stacks), "--outputs", str(outputs))
    result = cli("onboard", *args, "--format", "json")
    if result[0] == 0:
        assert_strict_json(result[1])
    return result


@SETTINGS
@given(data=st.data(), document=st.sampled_from([OUTPUTS, STATE]))
def test_onboard_on_a_hostile_outputs_file(planned: None, tmp_path: Path, data: st.DataObject, document: Any) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(data.draw(hostile_json(document)), encoding="utf-8", errors="surrogatepass")
    assert_clean("onboard", _onboard(path), {0, 2}, (str(path),))


@SETTINGS
@given(data=st.data(), document=st.sampled_from([OUTPUTS, STATE]))
def test_onboard_on_a_fuzzed_outputs_file(planned: None, tmp_path: Path, data: st.DataObject, document: Any) -> None:
    path = tmp_path / "outputs.json"
    path.write_bytes(data.draw(fuzzed_bytes(json.dumps(document, indent=2).encode())))
    assert_clean("onboard", _onboard(path), {0, 2}, (str(path),))


# ---- stack files and Pulumi.yaml ---------------------------------------------------------------
def _project(tmp_path: Path, stack: str, stack_text: bytes, project_text: bytes | None = None) -> Path:
    """A project folder: ``Pulumi.yaml`` (the repository's unless given) and ``stacks/`` with one stack file."""
    shutil.rmtree(tmp_path / "project", ignore_errors=True)
    stacks = tmp_path / "project" / "stacks"
    stacks.mkdir(parents=True)
    (stacks.parent / "Pulumi.yaml").write_bytes(project_text or (ROOT / "Pulumi.yaml").read_bytes())
    (stacks / f"Pulumi.{stack}.yaml").write_bytes(stack_text)
    return stacks


def _reads_stack(stack: str, stacks: Path) -> tuple[str, tuple[int, str, str]]:
    """The command that reads ``stack``'s file and nothing slow: ``render --stack`` for one domain,
    ``onboard --outputs`` (no plan) for the fleet."""
    if stack == "example-fleet":
        outputs = stacks / "outputs.json"
        outputs.write_text(json.dumps(OUTPUTS))
        return "onboard", _onboard(outputs, stacks)
    return "render", cli("render", "--stack", stack, "--stacks-dir", str(stacks))


@SETTINGS
@given(data=st.data(), stack=st.sampled_from(sorted(STACK_DOCS)))
def test_a_hostile_stack_file(tmp_path: Path, data: st.DataObject, stack: str) -> None:
    text = data.draw(hostile_yaml(STACK_DOCS[stack])).encode("utf-8", "surrogatepass")
    stacks = _project(tmp_path, stack, text)
    command, result = _reads_stack(stack, stacks)
    assert_clean(command, result, {0, 2}, (f"Pulumi.{stack}.yaml",))


@SETTINGS
@given(data=st.data(), stack=st.sampled_from(sorted(STACK_DOCS)))
def test_a_fuzzed_stack_file(tmp_path: Path, data: st.DataObject, stack: str) -> None:
    stacks = _project(tmp_path, stack, data.draw(fuzzed_bytes((STACKS / f"Pulumi.{stack}.yaml").read_bytes())))
    command, result = _reads_stack(stack, stacks)
    assert_clean(command, result, {0, 2}, (f"Pulumi.{stack}.yaml",))


@SETTINGS
@given(data=st.data())
def test_a_hostile_project_file(tmp_path: Path, data: st.DataObject) -> None:
    """``Pulumi.yaml`` names the project (the namespace of keys without one) and the stacks
    folder: read from the project folder, without --stacks-dir."""
    project = data.draw(hostile_yaml(PROJECT_DOC) | fuzzed_bytes((ROOT / "Pulumi.yaml").read_bytes()))
    text = project if isinstance(project, bytes) else project.encode("utf-8", "surrogatepass")
    stacks = _project(tmp_path, "example-com", (STACKS / "Pulumi.example-com.yaml").read_bytes(), text)
    with contextlib.chdir(stacks.parent):
        result = cli("render", "--stack", "example-com")
    # a stackConfigDir changed to another folder is reported naming the folder or the stack file it leads to
    assert_clean("render", result, {0, 2}, ("Pulumi.yaml", "Pulumi.example-com.yaml", "--stacks-dir"))


# ---- reports ------------------------------------------------------------------------------------
def _reports(path: Path, tmp_path: Path) -> None:
    names = (str(path),)
    for args in (("parse", str(path)), ("parse", "--json", str(path)), ("summary", str(path), "--format", "json")):
        result = cli("reports", *args)
        assert_clean("reports", result, {0, 1}, names)
        if "--json" in args or "json" in args:
            for line in result[1].splitlines() if args[0] == "parse" else [result[1]]:
                assert_strict_json(line)
    for fmt in ("text", "csv", "markdown"):
        assert_clean("reports", cli("reports", "summary", str(path), "--format", fmt), {0, 1}, names)
    ready = cli("reports", "ready", "example.com", "--source", str(path), "--as-of", "2016-04-05", "--format", "json")
    assert_clean("reports", ready, {0, 1}, names)
    assert_strict_json(ready[1])
    page = tmp_path / "report.html"
    assert_clean("reports", cli("reports", "html", str(path), "-o", str(page)), {0, 1}, names)
    assert page.is_file()


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(REPORT_DOCS)))
def test_reports_on_a_hostile_report(tmp_path: Path, data: st.DataObject, name: str) -> None:
    path = tmp_path / name
    path.write_text(data.draw(hostile_json(REPORT_DOCS[name])), encoding="utf-8", errors="surrogatepass")
    _reports(path, tmp_path)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(REPORT_DOCS)))
def test_reports_on_fuzzed_report_bytes(tmp_path: Path, data: st.DataObject, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data.draw(fuzzed_bytes(json.dumps(REPORT_DOCS[name]).encode())))
    _reports(path, tmp_path)


def test_the_generators_start_from_files_every_reader_accepts(tmp_path: Path, planned: None) -> None:
    """Without a change, each document is read and shown (so a refusal above is the change's)."""
    for name in PREVIEW_DOCS:
        assert cli("preview-diff", str(PREVIEWS / name))[0] in (0, 1)
    for document in (OUTPUTS, STATE):
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(document))
        assert _onboard(path)[0] == 0
    for stack, doc in STACK_DOCS.items():
        _, (code, _, err) = _reads_stack(stack, _project(tmp_path, stack, yaml.safe_dump(doc).encode()))
        assert code == 0, err
    for name, doc in REPORT_DOCS.items():
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        if not name.startswith("broken_"):
            assert cli("reports", "summary", str(path))[0] == 0, name
    assert os.path.exists(ROOT / "Pulumi.yaml")


# ---- names and messages -------------------------------------------------------------------------
TOO_LONG = "x" * 300  # over NAME_MAX: the system refuses the name itself (ENAMETOOLONG)


@pytest.mark.parametrize(
    "argv",
    [
        ("render", "--stack", "example-com", "--stacks-dir", TOO_LONG),
        ("check", "example.com", "--cafile", TOO_LONG, "--no-smtp"),
        ("plan", "--stack", "example-com", "--cafile", TOO_LONG),
        ("preview-diff", TOO_LONG),
        ("onboard", "customer.example", "--stack", "example-fleet", "--stacks-dir", str(STACKS), "--outputs", TOO_LONG),
    ],
)
def test_a_name_the_system_refuses_is_one_line(argv: tuple[str, ...]) -> None:
    result = cli(*argv)
    assert_clean(argv[0], result, {2}, (TOO_LONG, "--cafile"))
    assert result[2].count("\n") == 1


def test_a_stack_config_dir_the_system_refuses_is_one_line(tmp_path: Path) -> None:
    project = f"name: mta-sts\nstackConfigDir: {TOO_LONG}\n".encode()
    stacks = _project(tmp_path, "example-com", (STACKS / "Pulumi.example-com.yaml").read_bytes(), project)
    with contextlib.chdir(stacks.parent):
        result = cli("render", "--stack", "example-com")
    assert_clean("render", result, {2}, ("--stacks-dir",))
    assert TOO_LONG in result[2] and "cannot be read (File name too long)" in result[2]


@pytest.mark.parametrize("key", ["a\rb", "a\nb", "\x1b[2J", "a\u2028b", "\x85"])
def test_a_key_that_would_break_the_line_is_shown_on_one_line(tmp_path: Path, key: str) -> None:
    document = copy.deepcopy(STACK_DOCS["example-com"])
    document["config"][f"mta-sts:{key}"] = "x"
    stacks = _project(tmp_path, "example-com", yaml.safe_dump(document).encode())
    code, _, err = cli("render", "--stack", "example-com", "--stacks-dir", str(stacks))
    assert code == 2 and err.count("\n") == 1 and err.isprintable() is False  # only the final newline
    assert err[:-1].isprintable() and "⟨U+" in err
