"""The stack program's pipeline: optional parts plug in at one place (``PARTS``), and live DNS is
looked up in the program's own steps only, through the resolver its options allow."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import dns.resolver
import pulumi
import pytest

from pulumi_mta_sts.config.sections import DomainConfig
from pulumi_mta_sts.config.stack import load_deployment_file, read_stack_file
from pulumi_mta_sts.mtasts.component import MtaSts
from pulumi_mta_sts.plan.stack_plan import config_for_engine
from pulumi_mta_sts.program import pipeline
from pulumi_mta_sts.program.layouts import LAYOUTS
from pulumi_mta_sts.program.options import LiveDns, ProgramOptions, open_live_dns, running_with
from pulumi_mta_sts.program.part import TLSRPT_RECEIVER, BuiltPart, resource_name
from tests.livefixture.dns_server import DnsFixture, Zone
from tests.pulumi_mock import Recorder, make_recorder

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
PROGRAM = STACKS / "__main__.py"
OFFLINE = ProgramOptions(live_dns=False)


@dataclass
class AuditPart:
    """A part a later change could add: it changes what MtaSts gets, publishes a record through
    the stack's DNS backend, exports a value and looks at live DNS."""

    turned_on: bool = True
    checked_with: list[dns.resolver.Resolver] = field(default_factory=list)

    def enabled(self, cfg: DomainConfig) -> bool:
        return self.turned_on

    def adjust(self, cfg: DomainConfig) -> DomainConfig:
        return replace(cfg, reporting=replace(cfg.reporting, rua=("mailto:audit@example.com",)))

    def build(self, cfg: DomainConfig, mtasts: MtaSts) -> BuiltPart:
        name = f"_audit.{cfg.domain}"
        mtasts.dns.record(name, "TXT", ["audit=1"], resource_name=f"{resource_name(cfg)}-audit-txt")
        record = pulumi.Output.from_input({"name": name, "type": "TXT", "value": "audit=1"})
        return BuiltPart(records=(record,), exports={"audit": "on"}, live_checks=(self.check,))

    def check(self, resolver: dns.resolver.Resolver) -> list[str]:
        self.checked_with.append(resolver)
        return ["audit: looked at live DNS"]


@pytest.fixture
def server() -> Iterator[DnsFixture]:
    zone = Zone()
    zone.add("example.com", "A", "127.0.0.1")
    zone.add("_mta-sts.example.com", "TXT", "v=STSv1; id=handmade2024;")
    fixture = DnsFixture(zone)
    yield fixture
    fixture.stop()


def run_program(stack: str, options: ProgramOptions) -> Recorder:
    config = config_for_engine(read_stack_file(STACKS / f"Pulumi.{stack}.yaml"))
    rec = make_recorder().install(stack=stack, config=config)
    with running_with(options):
        rec.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    return rec


# ---- one place for the parts -------------------------------------------------------------------------
def test_a_new_part_is_one_entry_in_parts_and_every_step_serves_it(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch, server: DnsFixture
) -> None:
    part = AuditPart()
    monkeypatch.setattr(pipeline, "PARTS", (*pipeline.PARTS, part))
    options = ProgramOptions(nameservers=(server.nameserver,), dns_timeout=2)
    rec = run_program("example-com", options)
    dns_backend = rec.one("mta-sts:dns:Route53Dns")
    assert rec.named("example-com-audit-txt").parent == dns_backend.urn  # build
    tlsrpt = rec.named("example-com-tlsrpt-txt").inputs["records"]
    assert tlsrpt == ["v=TLSRPTv1; rua=mailto:audit@example.com"]  # adjust: what MtaSts got
    assert {"name": "_audit.example.com", "type": "TXT", "value": "audit=1"} in rec.stack_outputs["records"]
    assert rec.stack_outputs["audit"] == "on"  # export
    [resolver] = part.checked_with  # the live step, with the run's one resolver
    assert [server.address for server in resolver.nameservers] == ["127.0.0.1"]  # type: ignore[union-attr]
    assert "audit: looked at live DNS" not in rec.warnings  # not logged again: a part logs its own
    assert any("handmade2024" in w for w in rec.warnings)  # MtaSts's own records were looked at too


def test_a_part_the_config_leaves_off_adds_nothing(pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    part = AuditPart(turned_on=False)
    monkeypatch.setattr(pipeline, "PARTS", (*pipeline.PARTS, part))
    rec = run_program("example-com", OFFLINE)
    assert [r for r in rec.resources if "audit" in r.name] == []
    assert "audit" not in rec.stack_outputs
    assert rec.named("example-com-tlsrpt-txt").inputs["records"] == ["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]


def test_without_live_dns_no_part_looks_anything_up(pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    part = AuditPart()
    monkeypatch.setattr(pipeline, "PARTS", (*pipeline.PARTS, part))
    rec = run_program("example-com", OFFLINE)
    assert part.checked_with == []
    assert rec.stack_outputs["audit"] == "on"


def test_the_parts_the_config_turns_on_in_order() -> None:
    on, off = AuditPart(), AuditPart(turned_on=False)
    cfg = load_deployment_file(STACKS / "Pulumi.example-net.yaml")  # the receiver is on
    assert pipeline.enabled_parts(cfg, (on, off)) == (on,)
    assert pipeline.enabled_parts(cfg) == (TLSRPT_RECEIVER,)  # per_mx (issue 27) is off
    assert pipeline.enabled_parts(load_deployment_file(STACKS / "Pulumi.example-com.yaml")) == ()


# ---- live DNS: explicit steps, nowhere else ---------------------------------------------------------
def test_building_looks_nothing_up_the_live_step_does(pulumi_mocks: Recorder, server: DnsFixture) -> None:
    cfg = load_deployment_file(STACKS / "Pulumi.example-com.yaml")
    live = open_live_dns(ProgramOptions(nameservers=(server.nameserver,), dns_timeout=2))
    queries_after_build: list[int] = []
    warnings: list[str] = []

    def program() -> None:
        deployment = LAYOUTS[cfg.layout].build(cfg, pipeline.enabled_parts(cfg))
        queries_after_build.append(sum(server.zone.queries.values()))
        warnings.extend(deployment.warn_unmanaged_records(live))
        deployment.export()

    pulumi_mocks.run(program)
    assert queries_after_build == [0]
    assert server.zone.queries[("_mta-sts.example.com", "TXT")] == 1
    assert server.zone.queries[("_smtp._tls.example.com", "TXT")] == 1
    [warning] = warnings
    assert "v=STSv1; id=handmade2024;" in warning
    assert pulumi_mocks.warnings == [warning]


def test_live_dns_off_means_no_look_up_and_no_warning(pulumi_mocks: Recorder) -> None:
    cfg = load_deployment_file(STACKS / "Pulumi.example-com.yaml")
    seen: list[str] = []
    layout = LAYOUTS[cfg.layout]
    pulumi_mocks.run(lambda: seen.extend(layout.build(cfg, ()).warn_unmanaged_records(open_live_dns(OFFLINE))))
    assert seen == [] and pulumi_mocks.warnings == []


def test_no_resolver_is_one_warning_saying_why(pulumi_mocks: Recorder) -> None:
    cfg = load_deployment_file(STACKS / "Pulumi.example-com.yaml")
    live = LiveDns(None, "no DNS resolver could be set up: no nameservers")
    pulumi_mocks.run(lambda: LAYOUTS[cfg.layout].build(cfg, ()).warn_unmanaged_records(live))
    assert pulumi_mocks.warnings == [
        "could not check live DNS for existing MTA-STS records of example.com: "
        "no DNS resolver could be set up: no nameservers; continuing"
    ]
