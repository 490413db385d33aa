"""The workflows (.github/workflows/) do what docs/deploying.md says, keep their logic in
scripts/ci/ (which test_ci_scripts.py runs), and pass actionlint and shellcheck where installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.missing import tool_missing

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPTS = ROOT / "scripts" / "ci"
PATHS = ["stacks/**", "components/**", "Pulumi.yaml"]


def workflow(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(document, dict)
    return document


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    on = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert isinstance(on, dict)
    return on


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def test_preview_runs_on_pull_requests_touching_the_stacks() -> None:
    document = workflow("preview.yml")
    assert triggers(document)["pull_request"]["paths"] == PATHS
    preview = document["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    runs = " ".join(step.get("run", "") for step in preview["steps"])
    for name in ("preview-mode.sh", "comment-body.sh", "upsert-comment.sh", "fork-artifact.sh"):
        assert f"scripts/ci/{name}" in runs
    assert any(str(step.get("uses", "")).startswith("pulumi/actions@") for step in preview["steps"])


def test_fork_comments_are_posted_by_a_workflow_run_with_the_default_branchs_code() -> None:
    document = workflow("preview-comment.yml")
    assert triggers(document)["workflow_run"] == {"workflows": ["preview"], "types": ["completed"]}
    job = document["jobs"]["comment"]
    assert "head_repository.full_name != github.repository" in job["if"]
    checkout = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/checkout@"))
    assert "with" not in checkout, "never check out the fork's code in a run with a write token"


def test_deploy_runs_on_push_to_main_and_never_cancels_a_deploy() -> None:
    document = workflow("deploy.yml")
    assert triggers(document)["push"] == {"branches": ["main"], "paths": PATHS}
    assert document["concurrency"]["cancel-in-progress"] is False
    assert "scripts/ci/deploy-stack.sh" in " ".join(step.get("run", "") for step in steps(document))


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_the_shell_steps_live_in_scripts(name: str) -> None:
    for step in steps(workflow(name)):
        run = step.get("run")
        if run is None:
            continue
        assert "\n" not in run.strip(), f"{name}: a multi-line run step belongs in scripts/ci/: {run!r}"
        for script in re.findall(r"scripts/ci/[\w.-]+", run):
            assert (ROOT / script).is_file() and (ROOT / script).stat().st_mode & 0o111, script


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_secrets_and_event_text_reach_shell_only_through_env(name: str) -> None:
    """`${{ }}` inside a run step is pasted into the shell before it runs: a branch name or PR
    title could inject commands. Every value goes through env instead."""
    for step in steps(workflow(name)):
        assert "${{" not in step.get("run", ""), f"{name}: {step['run']!r}"


@pytest.mark.parametrize("path", sorted(SCRIPTS.glob("*.sh")), ids=lambda p: p.name)
def test_the_scripts_stop_on_errors(path: Path) -> None:
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text


def _linter(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(tool_missing(name))
    return found


def test_shellcheck_passes() -> None:
    done = subprocess.run(
        [_linter("shellcheck"), *map(str, sorted(SCRIPTS.glob("*.sh")))], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout


def test_actionlint_passes() -> None:
    done = subprocess.run([_linter("actionlint")], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
