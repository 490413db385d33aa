"""`mta-sts render`: flags or a stack file in; the policy, its id and the records out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.policy import Policy

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_from_flags_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "render",
        "--domain",
        "example.net",
        "--mode",
        "enforce",
        "--mx",
        "MX2.example.net",
        "--mx",
        "*.mail.example.net",
        "--max-age",
        "604800",
        "--rua",
        "mailto:r@example.net",
        "--rua",
        "https://r.example.net/v1",
        "--json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    policy = Policy.build("enforce", ["*.mail.example.net", "mx2.example.net"], 604800)
    assert data["domain"] == "example.net"
    assert data["policy"] == policy.render()
    assert data["id"] == policy.id
    assert data["records"] == [
        {"name": "_mta-sts.example.net", "type": "TXT", "value": f"v=STSv1; id={policy.id};"},
        {
            "name": "_smtp._tls.example.net",
            "type": "TXT",
            "value": "v=TLSRPTv1; rua=mailto:r@example.net,https://r.example.net/v1",
        },
    ]


def test_render_stack_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "--stack", "example-com", "--stacks-dir", str(ROOT / "stacks"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["domain"] == "example.com"
    assert (
        data["policy"]
        == "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 86401\r\n"
    )
    assert [r["name"] for r in data["records"]] == ["_mta-sts.example.com", "_smtp._tls.example.com"]


def test_flags_left_out_take_the_one_set_of_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "--domain", "example.com", "--mx", "mx1.example.com", "--json")
    assert code == 0
    expected = Policy.build(defaults.DEFAULT_MODE, ["mx1.example.com"], defaults.DEFAULT_MAX_AGE)
    assert json.loads(out)["id"] == expected.id
    help_text = subprocess.run(
        [sys.executable, "-m", "pulumi_mta_sts", "render", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},  # one help line per option
    ).stdout
    assert f"(default {defaults.DEFAULT_MODE})" in help_text
    assert f"(default {defaults.DEFAULT_MAX_AGE})" in help_text


def test_render_text_shows_policy_id_and_records(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "--stack", "example-org", "--stacks-dir", str(ROOT / "stacks"))
    assert code == 0
    policy_id = Policy.build("enforce", ["mx.example.org", "*.mail.example.org"], 604800).id
    assert policy_id in out
    assert "mode: enforce" in out
    assert f'_mta-sts.example.org    TXT  "v=STSv1; id={policy_id};"' in out


def test_invalid_input_exits_2_with_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "render", "--domain", "example.com", "--mode", "enforce", "--mx", "192.0.2.1", "--max-age", "40000000"
    )
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("mta-sts render: --mx")
    assert "--max-age: 40000000 is above the RFC 8461 limit of 31557600 seconds" in lines[1]


def test_stack_and_flags_do_not_mix(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "render", "--stack", "example-com", "--mode", "enforce")
    assert code == 2 and "--mode" in err


def test_missing_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "render", "--stack", "nope", "--stacks-dir", str(ROOT / "stacks"))
    assert code == 2 and "known stacks" in err


def test_console_script_runs_without_traceback_on_bad_input(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mta-sts")
    assert exe.exists(), "the console script is installed with the package"
    bad = subprocess.run(
        [str(exe), "render", "--domain", "x", "--mx", "a..b"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ},
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 2
    good = subprocess.run([str(exe), "render", "--stack", "example-com"], capture_output=True, text=True, cwd=ROOT)
    assert good.returncode == 0, good.stderr
    assert "_mta-sts.example.com" in good.stdout
    usage = subprocess.run([str(exe), "render", "--bogus"], capture_output=True, text=True, cwd=ROOT)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
