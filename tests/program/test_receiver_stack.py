"""The TLS-RPT receiver in the domain stack: ``mta-sts:reporting.receiver`` turns it on, and the
one ``_smtp._tls`` record then lists the configured ``rua`` plus the receiver's own."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.record_resources import record_rows
from pulumi_mta_sts.plan.cloud import UNKNOWN
from pulumi_mta_sts.plan.stack_plan import config_for_engine
from pulumi_mta_sts.program.options import ProgramOptions, running_with
from pulumi_mta_sts.program.pipeline import StackInputError
from tests.livefixture.dns_server import Zone
from tests.pulumi_mock import HTTP_API_ENDPOINT, Recorder, make_recorder

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "stacks" / "__main__.py"
RECEIVER = {"region": "eu-west-1", "rule_set_name": "default-rule-set"}
OFFLINE = ProgramOptions(live_dns=False)


def stack_yaml(name: str) -> dict[str, Any]:
    import yaml

    config: dict[str, Any] = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"]
    return config


def with_receiver(name: str, receiver: object, **reporting: object) -> dict[str, Any]:
    config = stack_yaml(name)
    config["mta-sts:reporting"] = {**config["mta-sts:reporting"], "receiver": receiver, **reporting}
    return config


def run_program(
    config: dict[str, Any], stack: str = "example-com", options: ProgramOptions = OFFLINE, rec: Recorder | None = None
) -> Recorder:
    """Run the stack program with ``config``, handing it ``options`` as ``mta-sts plan`` does."""
    rec = (rec or make_recorder()).install(stack=stack, config=config_for_engine(config))
    with running_with(options):
        rec.run(lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    return rec


def records(rec: Recorder) -> list[dict[str, str]]:
    return [row for r in rec.resources for row in record_rows(r.type, r.inputs)]


def values_at(rec: Recorder, name: str, rtype: str) -> list[str]:
    return [row["value"] for row in records(rec) if row["name"] == name and row["type"] == rtype]


# ---- config ---------------------------------------------------------------------------------------
def base(**reporting: object) -> dict[str, Any]:
    return {
        "domain": "example.com",
        "dns": {"provider": "route53"},
        "policy": {"mx": ["mx.example.com"]},
        "reporting": reporting,
    }


def test_the_receiver_is_off_unless_asked_for() -> None:
    assert load_stack_config(base()).reporting.receiver.enabled is False
    assert load_stack_config(base(receiver=False)).reporting.receiver.enabled is False
    assert load_stack_config(base(receiver="false")).reporting.receiver.enabled is False


def test_an_object_turns_it_on_with_its_settings() -> None:
    receiver = load_stack_config(base(receiver={**RECEIVER, "silence_days": "5", "https": "false"})).reporting.receiver
    assert receiver.enabled is True
    assert (receiver.settings.region, receiver.settings.rule_set_name) == ("eu-west-1", "default-rule-set")
    assert (receiver.settings.silence_days, receiver.settings.https) == (5, False)


def test_true_alone_asks_which_rule_set_because_only_one_is_active_per_region() -> None:
    for value in (True, "true"):  # the engine passes YAML booleans as strings
        with pytest.raises(InputError) as caught:
            load_stack_config(base(receiver=value))
        (problem,) = caught.value.problems
        assert problem.field == "mta-sts:reporting.receiver.rule_set_name"
        assert "ACTIVE SES receipt rule set" in problem.reason and "create_rule_set: true" in problem.reason


def test_a_disabled_receiver_needs_no_rule_set_but_its_settings_are_still_checked() -> None:
    assert load_stack_config(base(receiver={"enabled": False})).reporting.receiver.enabled is False
    with pytest.raises(InputError, match=r"mta-sts:reporting\.receiver\.region: SES does not receive mail"):
        load_stack_config(base(receiver={"enabled": False, "region": "sa-east-1"}))


@pytest.mark.parametrize(
    ("receiver", "field", "words"),
    [
        ({**RECEIVER, "region": "sa-east-1"}, "region", "SES does not receive mail in 'sa-east-1'"),
        ({**RECEIVER, "subdomain": "example.com"}, "subdomain", "would take the domain's real mail"),
        ({**RECEIVER, "subdomain": "tlsrpt.example.net"}, "subdomain", "must be a subdomain of example.com"),
        ({**RECEIVER, "silence_days": 9}, "silence_days", "from 1 to 7"),
        ({**RECEIVER, "max_body_bytes": "lots"}, "max_body_bytes", "whole number"),
        ({**RECEIVER, "rule_set_name": "bad name!"}, "rule_set_name", "letters, digits"),
        ({**RECEIVER, "regoin": "eu-west-1"}, "regoin", "region"),
        ("yes", "", "true, false or an object"),
        (["eu-west-1"], "", "must be an object"),
    ],
)
def test_wrong_receiver_settings_name_the_key_and_the_fix(receiver: object, field: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        load_stack_config(base(receiver=receiver))
    expected = "mta-sts:reporting.receiver" + (f".{field}" if field else "")
    assert [p.field for p in caught.value.problems] == [expected]
    assert words in caught.value.problems[0].reason


# ---- the stack program ----------------------------------------------------------------------------
def test_the_program_deploys_the_receiver_and_publishes_its_rua_beside_the_configured_one(
    pulumi_mocks: Recorder,
) -> None:
    rec = run_program(with_receiver("example-com", RECEIVER, alarm_email="ops@example.com"))
    receiver = rec.one("mta-sts:index:TlsRptReceiver")
    assert receiver.name == "example-com-tlsrpt-receiver"
    assert values_at(rec, "_smtp._tls.example.com", "TXT") == [
        f"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,mailto:reports@tlsrpt.example.com,{HTTP_API_ENDPOINT}"
    ]
    assert values_at(rec, "tlsrpt.example.com", "MX") == ["10 inbound-smtp.eu-west-1.amazonaws.com"]
    assert values_at(rec, "example.com", "MX") == []  # never the apex: that would take the domain's mail
    assert values_at(rec, "_amazonses.tlsrpt.example.com", "TXT") == ["VeRiFy+token="]
    tlsrpt = [r for r in rec.stack_outputs["records"] if r["name"] == "_smtp._tls.example.com"]
    assert [r["value"] for r in tlsrpt] == values_at(rec, "_smtp._tls.example.com", "TXT")  # the records output
    out = rec.stack_outputs["tlsrpt_receiver"]
    assert out["mailbox"] == "reports@tlsrpt.example.com"
    assert out["https_endpoint"] == HTTP_API_ENDPOINT
    assert out["rua"] == ["mailto:reports@tlsrpt.example.com", HTTP_API_ENDPOINT]
    subscription = rec.one("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["endpoint"] == "ops@example.com"


def test_the_receiver_records_go_through_the_stacks_dns_backend(pulumi_mocks: Recorder) -> None:
    rec = run_program(with_receiver("example-com", RECEIVER))
    dns = rec.one("mta-sts:dns:Route53Dns")
    for name in (
        "example-com-tlsrpt-txt",
        "example-com-tlsrpt-receiver-mx",
        "example-com-tlsrpt-receiver-ses-verification",
    ):
        assert rec.named(name).parent == dns.urn


def test_turning_the_receiver_on_updates_the_same_tlsrpt_record_in_place(pulumi_mocks: Recorder) -> None:
    off = run_program(stack_yaml("example-com"))
    before = off.named("example-com-tlsrpt-txt")
    on = run_program(with_receiver("example-com", RECEIVER))
    after = on.named("example-com-tlsrpt-txt")
    assert (after.urn, after.type) == (before.urn, before.type)  # same URN: an update, not a replace
    assert len([r for r in records(on) if r["name"] == "_smtp._tls.example.com"]) == 1


def test_with_no_configured_rua_the_record_lists_only_the_receiver(pulumi_mocks: Recorder) -> None:
    config = with_receiver("example-com", {**RECEIVER, "https": False})
    config["mta-sts:reporting"].pop("rua")
    rec = run_program(config)
    assert values_at(rec, "_smtp._tls.example.com", "TXT") == ["v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.com"]
    assert rec.of_type("aws:apigatewayv2/api:Api") == []


def test_the_receiver_works_with_cloudflare_dns_too(pulumi_mocks: Recorder) -> None:
    rec = run_program(with_receiver("example-org", {**RECEIVER, "subdomain": "reports.example.org"}), "example-org")
    assert values_at(rec, "reports.example.org", "MX") == ["10 inbound-smtp.eu-west-1.amazonaws.com"]
    (value,) = values_at(rec, "_smtp._tls.example.org", "TXT")
    assert value.startswith("v=TLSRPTv1; rua=mailto:tlsrpt@example.org,https://tlsrpt.example.org/v1/report,")
    assert value.endswith(f"mailto:reports@reports.example.org,{HTTP_API_ENDPOINT}")


def test_without_the_receiver_nothing_of_it_is_registered(pulumi_mocks: Recorder) -> None:
    rec = run_program(stack_yaml("example-com"))
    assert rec.of_type("mta-sts:index:TlsRptReceiver") == []
    assert values_at(rec, "_smtp._tls.example.com", "TXT") == ["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]
    assert "tlsrpt_receiver" not in rec.stack_outputs


def test_a_wrong_receiver_setting_stops_the_program_before_any_resource(pulumi_mocks: Recorder) -> None:
    config = with_receiver("example-com", {**RECEIVER, "region": "sa-east-1"})
    rec = make_recorder()
    with pytest.raises(StackInputError, match=r"mta-sts:reporting\.receiver\.region: SES does not receive mail"):
        run_program(config, rec=rec)
    assert rec.resources == []


# ---- mta-sts plan ---------------------------------------------------------------------------------
def test_plan_shows_the_receivers_records_with_the_endpoint_known_after_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    for source in (ROOT / "stacks").glob("*.py"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "Pulumi.example-com.yaml").write_text(
        yaml.safe_dump({"config": with_receiver("example-com", RECEIVER)})
    )
    code = main(["plan", "--stack", "example-com", "--stacks-dir", str(tmp_path), "--format", "json", "--no-live-dns"])
    out = capsys.readouterr()
    assert code == 0, out.err
    plan = json.loads(out.out)
    rows = {(r["name"], r["type"]): r["value"] for r in plan["dns"]}
    assert rows[("tlsrpt.example.com", "MX")] == "10 inbound-smtp.eu-west-1.amazonaws.com"
    assert rows[("_smtp._tls.example.com", "TXT")] == (
        f"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,mailto:reports@tlsrpt.example.com,{UNKNOWN}"
    )
    groups = {r["name"]: r["group"] for r in plan["resources"]}
    assert groups["example-com-tlsrpt-receiver"] == "Reporting"


# ---- the shipped example and mta-sts render ------------------------------------------------------
def test_the_example_net_stack_ships_with_the_receiver_as_its_only_rua(pulumi_mocks: Recorder) -> None:
    rec = run_program(stack_yaml("example-net"), "example-net")
    assert values_at(rec, "_smtp._tls.example.net", "TXT") == [
        f"v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.net,{HTTP_API_ENDPOINT}"
    ]
    assert values_at(rec, "tlsrpt.example.net", "MX") == ["10 inbound-smtp.eu-west-1.amazonaws.com"]


def test_render_lists_the_receivers_mailbox_and_says_the_endpoint_comes_at_deploy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["render", "--stack", "example-net", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {
        "name": "_smtp._tls.example.net",
        "type": "TXT",
        "value": "v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.net",
    } in result["records"]
    assert result["receiver"] == {"mailbox": "reports@tlsrpt.example.net", "https": True}
    assert main(["render", "--stack", "example-net"]) == 0
    assert "adds its HTTPS endpoint to the _smtp._tls rua once deployed" in capsys.readouterr().out


# ---- a hand-made _smtp._tls record in live DNS (a real DNS server on 127.0.0.1) ------------------
def test_a_hand_made_tlsrpt_record_is_reported_with_how_to_adopt_it(
    pulumi_mocks: Recorder, live_dns: tuple[Zone, ProgramOptions]
) -> None:
    zone, options = live_dns
    zone.add("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=mailto:dmarc@provider.example")
    rec = run_program(with_receiver("example-com", RECEIVER), options=options)
    [warning] = rec.warnings
    assert "_smtp._tls.example.com" in warning and "mailto:dmarc@provider.example" in warning
    assert "pulumi import aws:route53/record:Record example-com-tlsrpt-txt" in warning
    assert rec.named("example-com-tlsrpt-txt")  # a warning, not a failure


def test_the_record_this_stack_published_with_the_receiver_is_not_reported(
    pulumi_mocks: Recorder, live_dns: tuple[Zone, ProgramOptions]
) -> None:
    zone, options = live_dns
    previous = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,mailto:reports@tlsrpt.example.com,https://old.example/"
    zone.add("_smtp._tls.example.com", "TXT", previous)
    assert run_program(with_receiver("example-com", RECEIVER), options=options).warnings == []


def test_a_hand_made_sts_record_is_reported_with_the_receiver_on_too(
    pulumi_mocks: Recorder, live_dns: tuple[Zone, ProgramOptions]
) -> None:
    zone, options = live_dns
    zone.add("_mta-sts.example.com", "TXT", "v=STSv1; id=handmade2024;")
    [warning] = run_program(with_receiver("example-com", RECEIVER), options=options).warnings
    assert "_mta-sts.example.com" in warning and "handmade2024" in warning


@pytest.mark.parametrize("mailbox", ["a..b", ".reports", "reports.", "ré", "a b", "a;b"])
def test_a_bad_mailbox_names_its_config_key_not_a_rua_position(mailbox: str) -> None:
    with pytest.raises(InputError) as info:
        load_stack_config(base(rua=["mailto:a@example.com"], receiver={**RECEIVER, "mailbox": mailbox}))
    fields = {p.field for p in info.value.problems}
    assert fields == {"mta-sts:reporting.receiver.mailbox"}, fields


def test_the_program_checks_the_combined_rua_before_building_the_receiver(pulumi_mocks: Recorder) -> None:
    """Even past the config check (a library user's DomainConfig), a mailbox the rua rule refuses is
    reported under its config key, and no receiver resource is registered for it."""
    from dataclasses import replace

    from pulumi_mta_sts.config.sections import ReceiverConfig
    from pulumi_mta_sts.program.part import TLSRPT_RECEIVER
    from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings

    cfg = load_stack_config(base(rua=["mailto:a@example.com"], receiver=RECEIVER))
    bad = ReceiverSettings(region="eu-west-1", rule_set_name="default-rule-set", mailbox="a..b")
    cfg = replace(cfg, reporting=replace(cfg.reporting, receiver=ReceiverConfig(True, bad)))
    with pytest.raises(InputError) as info:
        TLSRPT_RECEIVER.build(cfg, mtasts=None)  # type: ignore[arg-type]  # fails before the component is used
    assert [p.field for p in info.value.problems] == ["mta-sts:reporting.receiver.mailbox"]
    assert not any("receiver" in r.name for r in pulumi_mocks.resources)
