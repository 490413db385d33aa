"""Stack configuration: the example stacks are valid, defaults follow the advice, errors name keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pulumi_mta_sts.config.stack import (
    find_stack_file,
    find_stacks_dir,
    load_any_config,
    load_stack_config,
    load_stack_file,
    read_stack_file,
    stack_values,
)
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.spec import DnsConfig

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"


def test_pulumi_yaml_points_program_and_stack_configs_at_stacks() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "mta-sts"
    assert project["runtime"]["name"] == "python"
    assert project["main"].rstrip("/") == "stacks"
    assert project["stackConfigDir"] == "stacks"
    assert find_stacks_dir(ROOT / "components") == ROOT / "stacks"


def test_example_com_is_route53_cloudfront_testing() -> None:
    cfg = load_stack_file(STACKS / "Pulumi.example-com.yaml")
    assert cfg.dns is not None  # one domain: its zone is in this stack
    assert (cfg.domain, cfg.dns.provider, cfg.host.kind, cfg.policy.mode) == (
        "example.com",
        "route53",
        "cloudfront",
        "testing",
    )
    assert cfg.policy.max_age == 86401


def test_example_org_is_cloudflare_worker_enforce() -> None:
    cfg = load_stack_file(STACKS / "Pulumi.example-org.yaml")
    assert cfg.dns is not None
    assert (cfg.domain, cfg.dns.provider, cfg.host.kind, cfg.policy.mode) == (
        "example.org",
        "cloudflare",
        "worker",
        "enforce",
    )
    assert cfg.reporting.rua == ("mailto:tlsrpt@example.org", "https://tlsrpt.example.org/v1/report")


def test_every_shipped_stack_file_is_valid() -> None:
    files = sorted(STACKS.glob("Pulumi.*.yaml"))
    assert len(files) >= 2
    for path in files:  # a fleet stack (mta-sts:domains) is validated as one, the rest as one domain
        load_any_config(stack_values(read_stack_file(path)))


def test_minimal_config_gets_safe_defaults() -> None:
    cfg = load_stack_config(
        {"domain": "Example.COM.", "dns": {"provider": "cloudflare"}, "policy": {"mx": ["mx.example.com"]}}
    )
    assert cfg.domain == "example.com" and cfg.dns is not None
    assert cfg.dns.zone_name == "example.com" and cfg.dns.zone_id is None
    assert cfg.host.kind == "worker" and cfg.host.verify_live is True
    assert (cfg.policy.mode, cfg.policy.max_age) == ("testing", 86401)
    assert cfg.reporting.rua == () and cfg.reporting.receiver.enabled is False
    assert cfg.preflight.mx_coverage is True
    assert (
        load_stack_config(
            {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx.example.com"]}}
        ).host.kind
        == "cloudfront"
    )


def test_structured_values_may_arrive_as_strings_like_pulumi_config_gives_them() -> None:
    cfg = load_stack_config(
        {
            "domain": "example.com",
            "dns": {"provider": "Route53", "zone_id": "Z123"},
            "host": {"verify_live": "false", "verify_timeout": "120"},
            "policy": {"mode": "ENFORCE", "mx": "mx.example.com", "max_age": "604800"},
            "reporting": {"receiver": {"enabled": "true", "create_rule_set": "true", "silence_days": "5"}},
        }
    )
    assert cfg.dns == DnsConfig("route53", "Z123", None)
    assert cfg.host.verify_live is False and cfg.host.verify_timeout == 120
    assert cfg.policy.mode == "enforce" and cfg.policy.max_age == 604800
    assert cfg.reporting.receiver.enabled is True and cfg.reporting.receiver.settings.create_rule_set is True
    assert cfg.reporting.receiver.settings.silence_days == 5


def test_error_message_names_the_key_and_the_limit() -> None:
    with pytest.raises(InputError) as info:
        load_stack_config(
            {
                "domain": "example.com",
                "dns": {"provider": "route53"},
                "policy": {"mx": ["mx.example.com"], "max_age": 40000000},
            }
        )
    assert str(info.value.problems[0]).startswith(
        "mta-sts:policy.max_age: 40000000 is above the RFC 8461 limit of 31557600 seconds"
    )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InputError) as info:
        load_stack_config({"dns": {"provider": "bind"}, "policy": {"mode": "x", "max_age": -5}})
    assert {p.field for p in info.value.problems} >= {
        "mta-sts:domain",
        "mta-sts:dns.provider",
        "mta-sts:policy.mode",
        "mta-sts:policy.max_age",
    }


def test_unknown_keys_get_a_suggestion() -> None:
    with pytest.raises(InputError) as info:
        load_stack_config(
            {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx.example.com"], "max_ag": 5}}
        )
    assert "did you mean 'max_age'?" in str(info.value)


def test_stack_files_are_found_by_name(tmp_path: Path) -> None:
    assert find_stack_file("example-com", STACKS) == STACKS / "Pulumi.example-com.yaml"
    with pytest.raises(InputError) as info:
        find_stack_file("nope", STACKS)
    known = ", ".join(
        sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in STACKS.glob("Pulumi.*.yaml"))
    )
    assert f"known stacks: {known}" in str(info.value)
    with pytest.raises(InputError):
        find_stack_file("../etc/passwd", STACKS)
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config: [1, 2\n")
    with pytest.raises(InputError):
        read_stack_file(bad)
    bad.write_text(
        "config:\n  mta-sts:domain: example.com\n  mta-sts:dns: {provider: route53}\n"
        "  mta-sts:policy: {mode: enforce, max_age: 40000000, mx: [mx.example.com]}\n"
    )
    with pytest.raises(InputError) as info:
        load_stack_file(bad)
    assert "Pulumi.bad.yaml: mta-sts:policy.max_age: 40000000 is above" in str(info.value)
