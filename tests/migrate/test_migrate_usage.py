"""Wrong inputs to ``mta-sts migrate`` are one line each on stderr naming the flag and the fix, exit 2,
before DNS is asked anything (the environment's DNS points at a closed loopback port): generated
bad MX names, patterns that match none of the new hosts, a stack of another domain, a fleet stack."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.matching import matches
from tests.migrate.world import stack_text
from tests.strategies import hostname, label, pattern

ROOT = Path(__file__).resolve().parents[2]
BAD_NAMES = st.sampled_from(["exa mple.com", "a..b.example", "*.example.net", "192.0.2.1", "a-.example", "x_y.example"])


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["migrate", *args, "--nameserver", "127.0.0.1:9"])
    out, err = capsys.readouterr()
    return code, out, err


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_NAMES, good=hostname)
def test_a_bad_mx_name_names_to(capsys: pytest.CaptureFixture[str], bad: str, good: str) -> None:
    code, out, err = _run(capsys, "example.com", "--to", good, bad)
    lines = err.splitlines()
    assert code == 2 and out == "" and lines and all(line.startswith("mta-sts migrate: --to:") for line in lines)
    assert "Traceback" not in err and ("host name" in err or "pattern" in err or "--to" in err)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=hostname, wrong=pattern)
def test_a_pattern_that_matches_no_new_host_names_pattern(
    capsys: pytest.CaptureFixture[str], host: str, wrong: str
) -> None:
    if matches(host, [wrong]):
        return
    code, _, err = _run(capsys, "example.com", "--to", host, "--pattern", wrong)
    assert code == 2 and err.count("\n") == 1 and err.startswith("mta-sts migrate: --pattern:")
    assert "matches none of the new MX hosts" in err


@given(domain=label, zone=label)
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_shallow_microsoft_wildcard_is_explained(
    capsys: pytest.CaptureFixture[str], domain: str, zone: str
) -> None:
    host = f"{domain}.{zone}.mx.microsoft"
    code, _, err = _run(capsys, "example.com", "--to", host, "--pattern", "*.mx.microsoft")
    assert code == 2 and "covers exactly one label" in err and f"*.{zone}.mx.microsoft" in err


def test_a_stack_of_another_domain_names_stack(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "Pulumi.mine.yaml").write_text(stack_text("other.example", "enforce", 86400, ["mx.other.example"]))
    code, _, err = _run(
        capsys, "example.com", "--to", "mx.new.example", "--stack", "mine", "--stacks-dir", str(tmp_path)
    )
    assert code == 2 and err.count("\n") == 1 and err.startswith("mta-sts migrate: --stack:")
    assert "is the stack of other.example, not example.com" in err


def test_a_fleet_stack_is_refused_naming_stack(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("example.com", "--to", "mx.new.example", "--stack", "example-fleet", "--stacks-dir", str(ROOT / "stacks"))
    code, _, err = _run(capsys, *args)
    assert code == 2 and err.startswith("mta-sts migrate: --stack:") and "fleet stack" in err


def test_a_missing_stack_file_names_stack(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "example.com", "--to", "mx.new.example", "--stacks-dir", str(tmp_path))
    assert code == 2 and "--stack" in err and "Pulumi.example-com.yaml does not exist" in err


def test_migrate_runs_in_the_base_install() -> None:
    """docs/architecture.md says so: importing the command loads no Pulumi SDK and no boto3."""
    import subprocess
    import sys

    code = (
        "import sys\nimport pulumi_mta_sts.cli.migrate\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'pulumi_aws', 'pulumi_cloudflare', 'boto3'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
