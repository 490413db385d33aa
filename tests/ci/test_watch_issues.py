"""The watch workflow's shell step (scripts/ci/watch-issues.sh), run as the workflow runs it, with a fake
``mta-sts`` that answers each round with a generated ``watch --format json`` document and a fake ``gh``
that keeps issues as GitHub would and records every call: one issue per domain and problem, opened once,
updated when its text changes, closed on recovery; third-party text escaped for Markdown."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ci" / "watch-issues.sh"
WORKFLOW = ROOT / ".github" / "workflows" / "watch.yml"

FAKE_GH = r"""#!{python}
import json, os, sys
db_path, args = os.environ["GH_DB"], sys.argv[1:]
with open(os.environ["GH_CALLS"], "a") as log:
    log.write(json.dumps(args) + "\n")
db = json.load(open(db_path)) if os.path.exists(db_path) else {{"issues": []}}
def value(flag):
    return args[args.index(flag) + 1]
if args[:2] == ["label", "create"]:
    pass
elif args[:2] == ["issue", "list"]:
    assert value("--label") == "mta-sts-watch" and value("--state") == "open"
    print(json.dumps([{{"number": i["number"], "body": i["body"]}} for i in db["issues"] if i["state"] == "open"]))
elif args[:2] == ["issue", "create"]:
    number = len(db["issues"]) + 1
    assert value("--body-file") == "-"
    body = sys.stdin.read()
    db["issues"].append({{"number": number, "title": value("--title"), "body": body, "state": "open",
                          "labels": [value("--label")], "edits": 0}})
    print(f"https://github.com/o/r/issues/{{number}}")
elif args[:2] == ["issue", "edit"]:
    issue = db["issues"][int(args[2]) - 1]
    assert value("--body-file") == "-"
    issue["body"] = sys.stdin.read()
    issue["edits"] += 1
elif args[:2] == ["issue", "close"]:
    db["issues"][int(args[2]) - 1]["state"] = "closed"
else:
    sys.exit(f"fake gh: unexpected {{args}}")
json.dump(db, open(db_path, "w"))
"""

FAKE_MTA_STS = """#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$WATCH_CALLS"
state=${@: -1}
echo '{"domains": {}}' >"$state"
cat "$WATCH_JSON"
exit "${WATCH_CODE:-0}"
"""


class World:
    """A temporary repository root with the fakes on PATH and GitHub's issues in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        bins = path / "bin"
        bins.mkdir()
        for name, text in (("gh", FAKE_GH.format(python=sys.executable)), ("mta-sts", FAKE_MTA_STS)):
            (bins / name).write_text(text)
            (bins / name).chmod((bins / name).stat().st_mode | stat.S_IXUSR)
        self.env = {
            "PATH": f"{bins}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(path),
            "GH_DB": str(path / "issues.json"),
            "GH_CALLS": str(path / "gh.calls"),
            "WATCH_CALLS": str(path / "watch.calls"),
            "WATCH_JSON": str(path / "round.json"),
            "PYTHON": sys.executable,
            "PYTHONPATH": str(ROOT / "components"),
        }

    def round(self, document: dict[str, Any], code: int = 0) -> subprocess.CompletedProcess[str]:
        (self.path / "round.json").write_text(json.dumps(document))
        return subprocess.run(
            [str(SCRIPT), str(self.path / "state.json")],
            cwd=self.path,
            env={**self.env, "WATCH_CODE": str(code)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def issues(self) -> list[dict[str, Any]]:
        db = self.path / "issues.json"
        return list(json.loads(db.read_text())["issues"]) if db.exists() else []

    def calls(self) -> list[list[str]]:
        log = self.path / "gh.calls"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def document(problems: dict[str, list[tuple[str, str, str]]]) -> dict[str, Any]:
    """A ``watch --format json`` document: by domain, (code, severity, message)."""
    return {
        "domains": [
            {
                "domain": domain,
                "problems": [
                    {"code": code, "severity": severity, "new": True, "message": message, "fix": f"fix {code}"}
                    for code, severity, message in found
                ],
                "recovered": [],
            }
            for domain, found in problems.items()
        ]
    }


DOMAINS = ("example.com", "example.org")
CODES = ("mx-not-covered:mx2.example.com", "policy-unreachable", "certificate-expiring:mta-sts.example.com")
rounds = st.lists(
    st.fixed_dictionaries(
        {domain: st.sets(st.sampled_from(CODES)).map(sorted) for domain in DOMAINS},
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=rounds, messages=st.lists(st.sampled_from(["a", "b"]), min_size=4, max_size=4))
def test_each_problem_has_one_open_issue_opened_once_and_closed_on_recovery(
    tmp_path_factory: Any, sequence: list[dict[str, list[str]]], messages: list[str]
) -> None:
    world = World(tmp_path_factory.mktemp("watch"))
    history: dict[tuple[str, str], list[int]] = {}
    for index, found in enumerate(sequence):
        done = world.round(document({d: [(c, "fail", messages[index]) for c in codes] for d, codes in found.items()}))
        assert done.returncode == 0, done.stderr
        issues = world.issues()
        open_now = {(i["title"], i["number"]) for i in issues if i["state"] == "open"}
        wanted = {f"mta-sts watch: {d}: {c}" for d, codes in found.items() for c in codes}
        assert {title for title, _ in open_now} == wanted
        assert len(open_now) == len(wanted)  # one issue per domain and problem
        for title, number in open_now:
            numbers = history.setdefault(title, [])
            if not numbers or numbers[-1] != number:
                numbers.append(number)
        for issue in issues:
            body_says = f"\n{messages[index]}\n" in issue["body"]
            assert issue["state"] == "closed" or body_says  # updated to the round's text
    for numbers in history.values():
        assert len(numbers) == len(set(numbers))  # a closed issue never reopens: a new episode, a new issue


def test_a_problem_that_stays_is_not_edited_and_recovery_closes_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    one = document({"example.com": [("policy-unreachable", "fail", "no answer")]})
    for _ in range(3):
        assert world.round(one).returncode == 0
    (issue,) = world.issues()
    assert issue["edits"] == 0 and issue["labels"] == ["mta-sts-watch"]
    assert world.round(document({"example.com": []})).returncode == 0
    assert world.round(document({"example.com": []})).returncode == 0
    closes = [call for call in world.calls() if call[:2] == ["issue", "close"]]
    assert closes == [["issue", "close", "1", "--comment", closes[0][-1]]]


def test_a_domain_missing_from_the_round_keeps_its_issues(tmp_path: Path) -> None:
    world = World(tmp_path)
    assert world.round(document({"example.com": [("policy-unreachable", "fail", "x")]})).returncode == 0
    assert world.round(document({"example.org": []})).returncode == 0
    assert [i["state"] for i in world.issues()] == ["open"]


def test_a_failed_round_touches_no_issue(tmp_path: Path) -> None:
    world = World(tmp_path)
    done = world.round({"domains": []}, code=2)
    assert done.returncode == 2 and "no issue was changed" in done.stderr
    assert world.calls() == []


def test_failures_found_still_file_issues_and_the_round_runs_without_smtp(tmp_path: Path) -> None:
    world = World(tmp_path)
    assert world.round(document({"example.com": [("policy-unreachable", "fail", "x")]}), code=1).returncode == 0
    assert len(world.issues()) == 1
    (watch_call,) = (tmp_path / "watch.calls").read_text().splitlines()
    assert watch_call == f"watch --all --no-smtp --format json --state {tmp_path / 'state.json'}"


def test_third_party_text_is_inert_markdown(tmp_path: Path) -> None:
    world = World(tmp_path)
    hostile = "@everyone see [this](https://evil.example) <img src=x onerror=alert(1)> #1 www.evil.example"
    assert world.round(document({"example.com": [("policy-unreachable", "fail", hostile)]})).returncode == 0
    (issue,) = world.issues()
    body = issue["body"]
    for raw in ("<img", "](https://", "[this]"):
        assert re.search(r"(?<!\\)" + re.escape(raw), body) is None, raw  # each markup character escaped
    assert "@everyone" not in body and "@\N{WORD JOINER}everyone" in body  # no mention
    assert body.startswith("<!-- mta-sts-watch:") and body.count("<!--") == 1


def test_the_workflow_is_scheduled_with_least_permissions_and_keeps_its_state() -> None:
    document = yaml.safe_load(WORKFLOW.read_text())
    on = document.get("on", document.get(True))
    assert on["schedule"] and "workflow_dispatch" in on
    assert document["permissions"] == {"contents": "read", "issues": "write"}
    steps = document["jobs"]["watch"]["steps"]
    uses = [str(step.get("uses", "")) for step in steps]
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert any(u.startswith("actions/cache/save@") for u in uses)
    assert any("scripts/ci/watch-issues.sh" in str(step.get("run", "")) for step in steps)
