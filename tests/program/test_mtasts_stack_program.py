"""The stack program (stacks/__main__.py) under the mock engine, fed a stack file's config."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from pulumi_mta_sts.config.stack import load_stack_file
from pulumi_mta_sts.net.resolver import NAMESERVERS_ENV, NO_LIVE_DNS_ENV
from pulumi_mta_sts.plan.stack_plan import config_for_engine
from pulumi_mta_sts.program.options import ProgramOptions, running_with
from pulumi_mta_sts.program.pipeline import StackInputError
from tests.pulumi_mock import Recorder, make_recorder

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "stacks" / "__main__.py"
OFFLINE = ProgramOptions(live_dns=False)


def run_program(
    config: dict[str, str], stack: str = "example-com", options: ProgramOptions = OFFLINE, rec: Recorder | None = None
) -> Recorder:
    """Run the stack program with ``config``, handing it ``options`` as ``mta-sts plan`` does."""
    rec = (rec or make_recorder()).install(stack=stack, config=config)
    with running_with(options):
        rec.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    return rec


def stack_config(name: str) -> dict[str, str]:
    import yaml

    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())
    return config_for_engine(data["config"])


@pytest.mark.parametrize("stack", ["example-com", "example-org", "example-net"])
def test_the_program_builds_the_domain_of_the_stack_and_exports_its_outputs(pulumi_mocks: Recorder, stack: str) -> None:
    rec = run_program(stack_config(stack), stack)
    cfg = load_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    component = rec.one("mta-sts:index:MtaSts")
    assert component.name == cfg.domain.replace(".", "-")
    out = rec.stack_outputs
    assert (out["domain"], out["policy_id"], out["policy_text"]) == (cfg.domain, cfg.policy.id, cfg.policy.render())
    assert out["policy_url"] == f"https://mta-sts.{cfg.domain}/.well-known/mta-sts.txt"
    assert {r["name"] for r in out["records"]} >= {f"_mta-sts.{cfg.domain}", f"_smtp._tls.{cfg.domain}"}
    assert out["host"]["kind"] == cfg.host.kind


def test_a_config_error_stops_the_program_before_any_resource_with_the_config_message(pulumi_mocks: Recorder) -> None:
    config = stack_config("example-com")
    config["mta-sts:policy"] = json.dumps({"mode": "enforce", "mx": ["mx1.example.com"], "max_age": 40000000})
    config["mta-sts:host"] = json.dumps({"kind": "worker"})
    rec = make_recorder()
    with pytest.raises(StackInputError) as caught:
        run_program(config, rec=rec)
    message = str(caught.value)
    assert "mta-sts:policy.max_age: 40000000 is above the RFC 8461 limit" in message
    assert "mta-sts:host.kind: a Cloudflare Worker needs dns.provider cloudflare" in message
    assert "Traceback" not in message
    assert rec.resources == []


def test_the_program_registers_nothing_when_the_domain_is_missing(pulumi_mocks: Recorder) -> None:
    config = {k: v for k, v in stack_config("example-com").items() if k != "mta-sts:domain"}
    rec = make_recorder()
    with pytest.raises(StackInputError, match="mta-sts:domain: is required"):
        run_program(config, rec=rec)
    assert rec.resources == []


def test_under_pulumi_up_the_environment_switches_are_the_options(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``mta-sts plan`` around it: MTA_STS_NO_LIVE_DNS=1 is what keeps the program off live DNS."""
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    rec = make_recorder().install(stack="example-org", config=stack_config("example-org"))
    rec.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    assert rec.warnings == [
        "preflight: live DNS disabled (--no-live-dns or MTA_STS_NO_LIVE_DNS); MX coverage of example.org not checked"
    ]


def test_a_malformed_nameserver_switch_is_a_user_error_naming_it(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    monkeypatch.setenv(NAMESERVERS_ENV, "127.0.0.1:99999")
    rec = make_recorder().install(config=stack_config("example-com"))
    with pytest.raises(StackInputError, match=r"MTA_STS_NAMESERVERS: '127\.0\.0\.1:99999' has an invalid port"):
        rec.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    assert rec.resources == []
