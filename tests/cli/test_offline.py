"""``mta-sts check`` and ``mta-sts plan`` (live DNS on) on a machine where DNS cannot be reached:
they say so once, blame no domain, and stop asking.

"Nobody answers" is a loopback socket that drops every packet (it counts the queries it was sent:
they wait in its buffer); "nothing listens" is a port where the kernel answers "port unreachable";
an empty or unusable system configuration is a resolv.conf in a temporary folder. No test measures
time: each asserts the structure (one message, no domain named, how many queries were sent, which
time limit was used). The wall time is measured by hand (the report of issue 23) and by
``bench/``-style commands in docs/cli.md, never here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.check import runner
from pulumi_mta_sts.cli import EXIT_UNREACHABLE, main
from pulumi_mta_sts.core.defaults import DNS_TIMEOUT, HTTPS_REQUEST_TIMEOUT
from pulumi_mta_sts.net import resolver as resolver_module
from pulumi_mta_sts.net.resolver import NAMESERVERS_ENV, NO_LIVE_DNS_ENV, PROBE_ATTEMPTS
from tests.livefixture.silent_dns import SilentDns, closed_port

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
DOMAINS = ("first.example", "second.example")
SHORT = "0.4"


@pytest.fixture
def silent() -> Iterator[SilentDns]:
    with SilentDns() as server:
        yield server


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAMESERVERS_ENV, raising=False)
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)


def assert_said_once_blaming_no_domain(err: str, out: str, *domains: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mta-sts check: DNS cannot be reached: ")
    assert "no domain was judged" in lines[0]
    assert not any(domain in err or domain in out for domain in domains)
    assert "--" not in lines[0]  # names no flag
    return lines[0]


# ---- check -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("as_json", [False, True])
def test_check_says_once_that_dns_cannot_be_reached_and_asks_nothing_more(
    silent: SilentDns, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", *DOMAINS, "-n", silent.nameserver, "-t", SHORT, *(["--json"] if as_json else [])]
    assert main(argv) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    line = assert_said_once_blaming_no_domain(captured.err, captured.out, *DOMAINS)
    assert f"{silent.nameserver}: no answer within {SHORT} s" in line
    assert captured.out == ""
    queries = silent.drain()
    assert len(queries) == PROBE_ATTEMPTS  # the probe's tries, then nothing for any domain
    assert {q.question[0].name.to_text() for q in queries} == {"."}


def test_check_names_a_port_where_nothing_listens(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert main(["check", *DOMAINS, "--nameserver", f"127.0.0.1:{port}"]) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    line = assert_said_once_blaming_no_domain(captured.err, captured.out, *DOMAINS)
    assert f"127.0.0.1:{port}: nothing answers DNS there (port unreachable)" in line


@pytest.mark.parametrize(
    ("text", "says"), [("", "names no DNS server"), ("nameserver dns.invalid\n", "'dns.invalid', which is not")]
)
def test_check_names_the_system_configuration_that_has_no_usable_server(
    text: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text(text)
    monkeypatch.setattr(resolver_module, "SYSTEM_RESOLV_CONF", str(conf))
    assert main(["check", *DOMAINS]) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    line = assert_said_once_blaming_no_domain(captured.err, captured.out, *DOMAINS)
    assert str(conf) in line and says in line


def test_check_with_default_settings_probes_once_within_one_dns_time_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[float] = []

    def unreachable(resolver: object, timeout: float) -> None:
        asked.append(timeout)
        raise resolver_module.DnsUnreachable("stand-in")

    monkeypatch.setattr(runner, "ensure_reachable", unreachable)
    assert main(["check", *DOMAINS, "--nameserver", "127.0.0.1"]) == EXIT_UNREACHABLE
    assert asked == [DNS_TIMEOUT]  # one probe of at most one DNS time limit: far inside 10 s
    assert DNS_TIMEOUT <= 3 < 10
    capsys.readouterr()


def test_check_times_dns_queries_apart_from_fetches_unless_told() -> None:
    from pulumi_mta_sts.cli import build_parser
    from pulumi_mta_sts.cli.check import options_from

    _, default = options_from(build_parser().parse_args(["check", "a.example"]))
    assert (default.dns_limit, default.timeout) == (DNS_TIMEOUT, HTTPS_REQUEST_TIMEOUT)
    _, told = options_from(build_parser().parse_args(["check", "a.example", "-t", "7"]))
    assert (told.dns_limit, told.timeout) == (7.0, 7.0)


# ---- plan --------------------------------------------------------------------------------------------
def plan(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, str]:
    code = main(["plan", "--stack", "example-org", "--stacks-dir", str(STACKS), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out, captured.err


def test_plan_says_once_that_live_dns_cannot_be_reached_and_the_program_asks_nothing(
    silent: SilentDns, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = plan(capsys, "--live-dns", "-n", silent.nameserver, "-t", SHORT)
    assert err == ""
    why = f"{silent.nameserver}: no answer within {SHORT} s"
    assert out.count(why) == 1
    assert f"Not compared with live DNS: live DNS cannot be reached: {why}." in out
    # the enforce stack's preflight notes the check it skipped, without repeating why
    assert "preflight: live DNS cannot be reached; MX coverage of example.org not checked" in out
    assert "could not look up" not in out and "timed out" not in out
    assert len(silent.drain()) == PROBE_ATTEMPTS  # nothing after the probe: not the program, not the diff


def test_plan_json_says_why_in_its_live_dns_reason(silent: SilentDns, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = plan(capsys, "--live-dns", "--nameserver", silent.nameserver, "--timeout", SHORT, "-f", "json")
    document = json.loads(out)
    assert document["live_dns"] == {
        "compared": False,
        "reason": f"live DNS cannot be reached: {silent.nameserver}: no answer within {SHORT} s",
    }
    assert len(silent.drain()) == PROBE_ATTEMPTS


def test_plan_with_a_system_configuration_without_servers_says_which_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# no servers\n")
    monkeypatch.setattr(resolver_module, "SYSTEM_RESOLV_CONF", str(conf))
    out, err = plan(capsys, "--live-dns")
    assert err == ""
    assert f"live DNS cannot be reached: no DNS server is configured: {conf} names no DNS server" in out


def test_plan_with_nothing_listening_names_the_port(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    out, _ = plan(capsys, "--live-dns", "-n", f"127.0.0.1:{port}")
    assert out.count(f"127.0.0.1:{port}: nothing answers DNS there (port unreachable)") == 1
