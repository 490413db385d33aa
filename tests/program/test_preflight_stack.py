"""The preflight inside the real stack program (``stacks/__main__.py``), run under Pulumi's mock
engine by ``plan_stack``, with live DNS answered by a loopback DNS server: an uncovered MX stops
the program before any resource exists; the switch and unreachable DNS only warn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.plan.stack_plan import Plan, plan_stack
from pulumi_mta_sts.program.options import ProgramOptions
from tests.livefixture.dns_server import DnsFixture, Zone

PROGRAM = Path(__file__).resolve().parents[2] / "stacks" / "__main__.py"

STACK_FILE = """\
config:
  aws:region: eu-west-1
  mta-sts:domain: {domain}
  mta-sts:dns:
    provider: route53
    zone_name: {domain}
  mta-sts:policy:
    mode: enforce
    max_age: 604800
    mx: [mx1.{domain}]
  mta-sts:reporting:
    rua: [mailto:tlsrpt@{domain}]
{extra}"""


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsFixture]:
    zone = Zone()
    zone.add("moving.pf.test", "MX", (10, "mx1.moving.pf.test"))
    zone.add("moving.pf.test", "MX", (20, "new-mx.provider.test"))
    zone.add("fine.pf.test", "MX", (10, "mx1.fine.pf.test"))
    zone.blackhole("silent.pf.test")
    server = DnsFixture(zone)
    yield server
    server.stop()


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def live(dns_server: DnsFixture) -> ProgramOptions:
    """The run's options: live DNS from the loopback server, short timeouts (an argument, no environment)."""
    return ProgramOptions(live_dns=True, nameservers=(dns_server.nameserver,), dns_timeout=0.3)


def write_stack(folder: Path, name: str, domain: str, extra: str = "") -> str:
    (folder / f"Pulumi.{name}.yaml").write_text(STACK_FILE.format(domain=domain, extra=extra))
    return name


def plan(name: str, stacks: Path, options: ProgramOptions) -> Plan:
    return plan_stack(name, stacks_dir=stacks, program=PROGRAM, options=options)


def test_an_uncovered_live_mx_stops_the_program_before_any_resource(stacks: Path, live: ProgramOptions) -> None:
    name = write_stack(stacks, "moving", "moving.pf.test")
    with pytest.raises(InputError) as exc:
        plan(name, stacks, live)
    [problem] = exc.value.problems
    assert problem.field == "Pulumi.moving.yaml: mta-sts:policy.mx"
    assert "new-mx.provider.test" in problem.reason and "mx1.moving.pf.test" in problem.reason


def test_covered_mx_hosts_deploy_without_a_preflight_warning(stacks: Path, live: ProgramOptions) -> None:
    result = plan(write_stack(stacks, "fine", "fine.pf.test"), stacks, live)
    assert result.resources
    assert not [w for w in result.warnings if "preflight" in w]


def test_the_switch_lets_the_deploy_go_on_with_a_warning(stacks: Path, live: ProgramOptions) -> None:
    extra = "  mta-sts:preflight:\n    mx_coverage: false\n"
    result = plan(write_stack(stacks, "moving", "moving.pf.test", extra), stacks, live)
    assert result.resources
    assert any("mta-sts:preflight.mx_coverage is false" in w for w in result.warnings)


def test_unreachable_dns_lets_the_deploy_go_on_with_a_warning(stacks: Path, live: ProgramOptions) -> None:
    result = plan(write_stack(stacks, "silent", "silent.pf.test"), stacks, live)
    assert result.resources
    assert any("preflight: DNS could not be reached" in w for w in result.warnings)


def test_without_live_dns_the_uncovered_mx_is_not_looked_up(stacks: Path) -> None:
    result = plan(write_stack(stacks, "moving", "moving.pf.test"), stacks, ProgramOptions(live_dns=False))
    assert result.resources
    assert result.warnings == [
        "preflight: live DNS disabled (--no-live-dns or MTA_STS_NO_LIVE_DNS); MX coverage of moving.pf.test not checked"
    ]
