"""The base install (no extras): render, check and reports work; plan names the extra it needs."""

from __future__ import annotations

import json

import pytest

from pulumi_mta_sts.core.errors import EXTRAS_OF_MODULE, MissingExtraError

from .without_extras import ROOT, cli_without_extras

REPORT = ROOT / "tests" / "data" / "tlsrpt" / "email_tlsrpt_gzip.eml"


def test_render_needs_no_extra() -> None:
    result = cli_without_extras(
        "render",
        "--domain",
        "example.com",
        "--mode",
        "testing",
        "--mx",
        "mx1.example.com",
        "--max-age",
        "86401",
        "--json",
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["records"][0]["name"] == "_mta-sts.example.com"


def test_check_needs_no_extra() -> None:
    result = cli_without_extras("check", "--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert "--nameserver" in result.stdout


def test_reports_parse_needs_no_extra() -> None:
    result = cli_without_extras("reports", "parse", str(REPORT), "--json")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout.splitlines()[0])["organization_name"]


@pytest.mark.parametrize("stack", ["example-com", "example-org", "example-net"])
def test_plan_without_the_sdks_is_one_line_naming_the_extra(stack: str) -> None:
    result = cli_without_extras("plan", "--stack", stack, "--no-live-dns")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("mta-sts plan: this command needs the Python package 'pulumi'")
    assert "pip install 'pulumi-mta-sts[aws]'" in line


@pytest.mark.parametrize("module", sorted(EXTRAS_OF_MODULE))
def test_every_module_of_an_extra_becomes_an_install_hint(module: str) -> None:
    exc = ModuleNotFoundError(f"No module named '{module}.sub'", name=f"{module}.sub")
    found = MissingExtraError.from_import_error(exc, "this command")
    assert isinstance(found, MissingExtraError)
    for extra in EXTRAS_OF_MODULE[module]:
        assert f"pip install 'pulumi-mta-sts[{extra}]'" in str(found)


def test_a_missing_extra_raised_by_a_component_is_shown_as_it_is() -> None:
    raised = MissingExtraError.from_import_error(ModuleNotFoundError(name="pulumi_cloudflare"), "WorkerHost")
    assert raised is not None
    assert MissingExtraError.from_import_error(raised, "this command") is raised


@pytest.mark.parametrize(
    "exc",
    [
        ModuleNotFoundError("No module named 'pulumi_mta_sts.gone'", name="pulumi_mta_sts.gone"),
        ModuleNotFoundError("No module named 'requests'", name="requests"),
        ImportError("cannot import name 'X' from 'pulumi'", name="pulumi"),
    ],
    ids=["our-own-module", "not-an-extra", "not-a-missing-module"],
)
def test_other_import_errors_are_bugs_not_usage_errors(exc: ImportError) -> None:
    assert MissingExtraError.from_import_error(exc, "this command") is None


def test_init_needs_no_extra() -> None:
    result = cli_without_extras("init", "--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert "--receiver" in result.stdout
