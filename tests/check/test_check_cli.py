"""The ``mta-sts check`` command: options, exit codes, JSON and table output, concurrency."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main
from tests.livefixture import LiveFixture, live_fixture


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        fixture.publish("ok.cli.test")
        fixture.publish("bad.cli.test", tlsrpt=False)
        yield fixture


def run_json(live: LiveFixture, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *args, *live.cli_args(), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_json_has_the_documented_shape_and_exit_0_when_nothing_failed(
    live: LiveFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = run_json(live, capsys, "OK.cli.test.")
    assert code == 0
    assert list(doc) == ["domains"]
    domains = doc["domains"]
    assert isinstance(domains, list) and len(domains) == 1
    domain = domains[0]
    assert domain["domain"] == "ok.cli.test" and domain["ok"] is True
    for item in domain["checks"]:
        assert set(item) == {"id", "status", "detail", "hint"}
        assert item["status"] in {"pass", "warn", "fail", "skip"}


def test_exit_1_when_any_check_failed_and_domains_keep_their_order(
    live: LiveFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = run_json(live, capsys, "ok.cli.test", "bad.cli.test", "ok.cli.test")
    assert code == 1
    domains = doc["domains"]
    assert isinstance(domains, list)
    assert [d["domain"] for d in domains] == ["ok.cli.test", "bad.cli.test"]  # duplicates dropped
    bad = {c["id"]: c for c in domains[1]["checks"]}
    assert bad["tlsrpt-record"]["status"] == "fail" and bad["tlsrpt-record"]["hint"]


def test_the_table_names_each_check_and_has_no_colour_codes_off_a_terminal(
    live: LiveFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "bad.cli.test", *live.cli_args()])
    out = capsys.readouterr().out
    assert code == 1
    assert "bad.cli.test: FAILED" in out
    assert "tlsrpt-record" in out and "FAIL" in out and "→ publish one TXT record" in out
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["check", "not a domain"], "DOMAIN"),
        (["check", "ok.cli.test", "--nameserver", "127.0.0.1:99999"], "--nameserver"),
        (["check", "ok.cli.test", "--nameserver", "localhost"], "--nameserver"),
        (["check", "ok.cli.test", "--nameserver", "127.0.0.1.1:53"], "--nameserver"),
        (["check", "ok.cli.test", "--cafile", "/nonexistent/ca.pem"], "--cafile"),
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"mta-sts check: {field}" in err and "Traceback" not in err


def test_a_cafile_that_is_not_pem_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate\n")
    assert main(["check", "ok.cli.test", "--cafile", str(bogus), "--nameserver", "127.0.0.1:9"]) == 2
    assert "--cafile" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--timeout", "soon"], ["--concurrency", "0"], ["--https-port", "0"]])
def test_malformed_options_are_argparse_usage_errors(option: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "ok.cli.test", *option])
    assert exc.value.code == 2


def test_domains_are_checked_concurrently(live: LiveFixture, capsys: pytest.CaptureFixture[str]) -> None:
    # Every policy fetch waits until 8 are in flight at once; a sequential checker would get
    # HTTP 503 from each of them after the barrier's timeout.
    gate = threading.Barrier(8, timeout=10)
    domains = [f"c{i}.cli.test" for i in range(8)]
    for domain in domains:
        live.publish(domain, aaaa=False, smtp_certs=False).site.gate = gate
    code = main(["check", *domains, *live.cli_args(smtp=False, timeout=15), "--concurrency", "8", "--json"])
    doc = json.loads(capsys.readouterr().out)
    fetches = [next(c for c in d["checks"] if c["id"] == "policy-fetch") for d in doc["domains"]]
    assert [f["status"] for f in fetches] == ["pass"] * 8, fetches
    assert code == 0
