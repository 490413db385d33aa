"""``--nameserver`` (``mta-sts check`` and ``mta-sts plan``) and ``MTA_STS_NAMESERVERS`` take an
IP address with an optional port; anything else is one usage error naming the flag and the fix,
never a traceback from dnspython's first query."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.net.resolver import make_resolver, parse_nameserver
from pulumi_mta_sts.program.options import ProgramOptions

NAMES = ["localhost", "dns.google", "ns1.example.com:53", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "[localhost]:53"]


@pytest.mark.parametrize("spec", NAMES)
def test_a_name_or_a_bad_address_is_an_input_error_naming_the_fix(spec: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_nameserver(spec)
    (problem,) = caught.value.problems
    assert problem.field == "--nameserver" and "not an IP address" in problem.reason
    assert "127.0.0.1:5353" in problem.reason


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        (" 127.0.0.1:5353 ", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:DB8::1]", ("2001:db8::1", 53)),
    ],
)
def test_addresses_with_and_without_ports_are_read(spec: str, parsed: tuple[str, int]) -> None:
    assert parse_nameserver(spec) == parsed
    make_resolver([spec])  # and dnspython takes them


@pytest.mark.parametrize("port", ["0", "65536", "¹²³", "٥٣", "-1", "", "5x"])
def test_a_port_that_is_not_a_plain_number_in_range_is_refused(port: str) -> None:
    with pytest.raises(InputError):
        parse_nameserver(f"127.0.0.1:{port}")


@given(st.text(max_size=60))
def test_any_text_is_an_address_or_an_input_error(spec: str) -> None:
    try:
        host, port = parse_nameserver(spec)
    except InputError as exc:
        assert all(p.field == "--nameserver" for p in exc.problems)
        return
    assert str(ipaddress.ip_address(host)) == host and 0 < port < 65536
    make_resolver([spec])


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}(:[0-9]{1,5})?", fullmatch=True))
def test_every_host_name_is_refused(spec: str) -> None:
    with pytest.raises(InputError):
        parse_nameserver(spec)


def test_the_environment_switch_is_checked_the_same_way() -> None:
    with pytest.raises(InputError) as caught:
        ProgramOptions.from_environment({"MTA_STS_NAMESERVERS": "127.0.0.1,localhost"})
    assert [p.field for p in caught.value.problems] == ["MTA_STS_NAMESERVERS"]


@pytest.mark.parametrize("command", [["check", "ok.example.com"], ["plan", "--stack", "dev"]])
@pytest.mark.parametrize("spec", ["localhost", "1.2.3.4.5"])
def test_the_commands_exit_2_with_one_line_naming_the_flag(
    command: list[str], spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--nameserver", spec]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--nameserver" in err and "not an IP address" in err, err
    assert "Traceback" not in err
