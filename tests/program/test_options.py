"""The program's options: an argument of the run (``mta-sts plan``), else the documented switches."""

from __future__ import annotations

import argparse
import contextvars
import os

import dns.resolver
import pytest

from pulumi_mta_sts.cli import build_parser
from pulumi_mta_sts.cli.plan import program_options
from pulumi_mta_sts.core.defaults import DNS_TIMEOUT
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.net.resolver import NAMESERVERS_ENV, NO_LIVE_DNS_ENV
from pulumi_mta_sts.program import options as options_module
from pulumi_mta_sts.program.options import (
    LIVE_DNS_DISABLED,
    PROGRAM_OPTIONS,
    ProgramOptions,
    current_options,
    open_live_dns,
    running_with,
)

TRUE = ["1", "true", "TRUE", "yes", "on", " On "]
NOT_TRUE = ["", "0", "false", "no", "off", "2", "enabled"]


@pytest.mark.parametrize("value", TRUE)
def test_the_no_live_dns_switch_turns_live_dns_off(value: str) -> None:
    assert ProgramOptions.from_environment({NO_LIVE_DNS_ENV: value}).live_dns is False


@pytest.mark.parametrize("value", NOT_TRUE)
def test_any_other_value_leaves_it_on(value: str) -> None:
    assert ProgramOptions.from_environment({NO_LIVE_DNS_ENV: value}).live_dns is True


def test_the_nameservers_switch_is_a_comma_separated_list() -> None:
    got = ProgramOptions.from_environment({NAMESERVERS_ENV: " 127.0.0.1:5353, [::1]:53 ,,10.0.0.1"})
    assert got == ProgramOptions(live_dns=True, nameservers=("127.0.0.1:5353", "[::1]:53", "10.0.0.1"))
    assert got.dns_timeout == DNS_TIMEOUT


@pytest.mark.parametrize("spec", ["127.0.0.1:0", "127.0.0.1:65536", "host:port", "[::1", "[::1]x", ":53"])
def test_a_malformed_server_names_the_switch(spec: str) -> None:
    with pytest.raises(InputError) as caught:
        ProgramOptions.from_environment({NAMESERVERS_ENV: f"10.0.0.1,{spec}"})
    [problem] = caught.value.problems
    assert problem.field == NAMESERVERS_ENV and spec in problem.reason


def test_the_options_handed_to_a_run_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    assert current_options().live_dns is True
    handed = ProgramOptions(live_dns=False)
    with running_with(handed):
        assert current_options() is handed
        monkeypatch.setenv(NO_LIVE_DNS_ENV, "0")
        assert current_options() is handed
    assert current_options().live_dns is True  # reset when the run is over
    with pytest.raises(LookupError):
        PROGRAM_OPTIONS.get()


def test_they_reach_code_run_in_a_copied_context_as_pulumi_tasks_are() -> None:
    handed = ProgramOptions(nameservers=("127.0.0.1:5353",))
    with running_with(handed):
        context = contextvars.copy_context()
    assert context.run(current_options) is handed


def test_live_dns_off_gives_no_resolver_and_says_why() -> None:
    live = open_live_dns(ProgramOptions(live_dns=False))
    assert (live.resolver, live.unavailable, live.disabled) == (None, LIVE_DNS_DISABLED, True)


def test_the_resolver_asks_the_given_servers_with_the_given_timeout() -> None:
    live = open_live_dns(ProgramOptions(nameservers=("127.0.0.1:5353",), dns_timeout=0.7))
    assert live.resolver is not None and not live.disabled
    assert [(server.address, server.port) for server in live.resolver.nameservers] == [("127.0.0.1", 5353)]  # type: ignore[union-attr]
    assert (live.resolver.timeout, live.resolver.lifetime) == (0.7, 0.7)


def test_a_system_without_resolver_configuration_is_a_reason_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_configuration(*args: object, **kwargs: object) -> dns.resolver.Resolver:
        raise dns.resolver.NoResolverConfiguration("no nameservers")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(options_module, "make_resolver", no_configuration)
    live = open_live_dns(ProgramOptions())
    assert live.resolver is None and not live.disabled
    assert live.unavailable == "no DNS resolver could be set up: no nameservers"


# ---- mta-sts plan's flags -------------------------------------------------------------------------
def args(*, live_dns: bool | None = None, nameserver: list[str] | None = None, timeout: str = "") -> argparse.Namespace:
    """The Namespace ``mta-sts plan`` hands over, built by the real parser (``None``: no live-DNS flag)."""
    argv = ["plan", "--stack", "example-com"]
    if live_dns is not None:
        argv.append("--live-dns" if live_dns else "--no-live-dns")
    for server in nameserver or []:
        argv += ["--nameserver", server]
    if timeout:
        argv += ["--timeout", timeout]
    return build_parser().parse_args(argv)


@pytest.mark.parametrize(
    ("flags", "environ", "expected"),
    [
        (args(), {}, ProgramOptions()),
        (args(live_dns=False), {NAMESERVERS_ENV: "10.0.0.1"}, ProgramOptions(live_dns=False)),
        (args(live_dns=False), {NAMESERVERS_ENV: "not:a:server:99999"}, ProgramOptions(live_dns=False)),
        (args(), {NAMESERVERS_ENV: "10.0.0.1"}, ProgramOptions(nameservers=("10.0.0.1",))),
        (args(nameserver=["10.0.0.2"]), {NAMESERVERS_ENV: "10.0.0.1"}, ProgramOptions(nameservers=("10.0.0.2",))),
        (args(), {NO_LIVE_DNS_ENV: "1"}, ProgramOptions(live_dns=False)),
        (
            args(nameserver=["10.0.0.2"]),
            {NO_LIVE_DNS_ENV: "1"},
            ProgramOptions(live_dns=False, nameservers=("10.0.0.2",)),
        ),
        (args(live_dns=True), {NO_LIVE_DNS_ENV: "1"}, ProgramOptions()),  # the flag wins over the switch
        (args(timeout="2.5"), {}, ProgramOptions(dns_timeout=2.5)),
        (args(live_dns=False, timeout="2.5"), {}, ProgramOptions(live_dns=False)),
    ],
)
def test_plans_flags_become_the_options_with_the_switches_as_defaults(
    flags: argparse.Namespace, environ: dict[str, str], expected: ProgramOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    monkeypatch.delenv(NAMESERVERS_ENV, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    before = dict(os.environ)
    assert program_options(flags) == expected
    assert dict(os.environ) == before
