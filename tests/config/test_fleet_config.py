"""Fleet stack config (config/fleet_stack.py): merging, errors named by entry, every problem at once."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.fleet_stack import load_fleet_config
from pulumi_mta_sts.config.stack import load_any_config, load_stack_config, read_stack_file, stack_values
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def fleet(n: int, **extra: Any) -> dict[str, Any]:
    entries = [{"domain": f"d{i}.example.com", "policy": {"mx": [f"mx.d{i}.example.com"]}} for i in range(n)]
    return {"defaults": {"dns": {"provider": "route53"}}, "domains": entries, **extra}


def problems_of(values: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_fleet_config(values)
    return [str(p) for p in caught.value.problems]


def test_the_example_fleet_stack_is_valid() -> None:
    cfg = load_any_config(stack_values(read_stack_file(STACKS / "Pulumi.example-fleet.yaml")))
    assert cfg.layout == "fleet"
    assert [(d.domain, d.delegated) for d in cfg.domains] == [
        ("brand.example", False),
        ("shop.example", False),
        ("customer.example", True),
    ]
    assert {d.dns.provider for d in cfg.domains if d.dns} == {"route53", "cloudflare"}
    assert cfg.delegation is not None and cfg.delegation.zone == "mta-sts.hosting.example"


@pytest.mark.parametrize("stack", ["example-com", "example-org", "example-net"])
def test_single_domain_stacks_load_as_before(stack: str) -> None:
    values = stack_values(read_stack_file(STACKS / f"Pulumi.{stack}.yaml"))
    cfg = load_any_config(values)
    assert cfg.layout == "domain" and cfg.domains == (load_stack_config(values),)


def test_an_entry_overrides_key_by_key() -> None:
    values = fleet(2)
    values["defaults"]["policy"] = {"mode": "enforce", "max_age": 604800, "mx": ["mx.default.example"]}
    values["domains"][0] = {"domain": "a.example.com", "policy": {"mx": ["mx.a.example.com"]}}
    values["domains"][1] = {"domain": "b.example.com", "policy": {"max_age": 1209600}}
    a, b = load_fleet_config(values).domains
    assert (a.policy.mode, a.policy.max_age, a.policy.mx) == ("enforce", 604800, ("mx.a.example.com",))
    assert (b.policy.mode, b.policy.max_age, b.policy.mx) == ("enforce", 1209600, ("mx.default.example",))
    assert a.dns is not None and a.dns.zone_name == "a.example.com"  # the zone defaults to the domain
    assert a.host.kind == "cloudfront" and a.host.verify_timeout == defaults.VERIFY_TIMEOUT


def test_defaults_give_the_policy_mode_and_an_entry_the_provider() -> None:
    values = fleet(1)
    values["defaults"]["policy"] = {"mode": "testing", "max_age": 86401}
    values["domains"][0]["dns"] = {"provider": "cloudflare", "zone_name": "example.com"}
    (d,) = load_fleet_config(values).domains
    assert d.dns is not None and (d.dns.provider, d.dns.zone_name) == ("cloudflare", "example.com")
    assert d.host.kind == "worker" and d.policy.mode == "testing"


# ---- mistakes, each named by its entry and key ------------------------------------------------------
MISTAKES: list[tuple[str, Any, str]] = [
    ("policy.mx", ["192.0.2.1"], "policy.mx[0]"),
    ("policy.mode", "enforcing", "policy.mode"),
    ("policy.max_age", 40_000_000, "policy.max_age"),
    ("dns.provider", "route54", "dns.provider"),
    ("dns.zone_name", "other.example", "dns.zone_name"),
    ("host.verify_timeout", 5, "host.verify_timeout"),
    ("host.kind", "nginx", "host.kind"),
    ("reporting.rua", ["http://reports.example"], "reporting.rua[0]"),
    ("preflight.mx_coverage", "maybe", "preflight.mx_coverage"),
    ("domain", "-bad-.example", "domain"),
    ("shard", -1, "shard"),
    ("offboard", "soon", "offboard"),
    ("polcy", {}, "polcy"),
    ("host.domains_per_certificate", 20, "host.domains_per_certificate"),
]


def put(entry: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = entry
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=30),
    picks=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(MISTAKES)), min_size=1, max_size=8),
)
def test_every_bad_entry_is_named_by_index_and_key(size: int, picks: list[tuple[int, tuple[str, Any, str]]]) -> None:
    values = fleet(size)
    wanted: set[str] = set()
    for raw_index, (path, value, key) in picks:
        index = raw_index % size
        put(values["domains"][index], path, copy.deepcopy(value))
        wanted.add(f"mta-sts:domains[{index}].{key}")
    # whether a zone contains the domain is only known of a valid domain
    wanted = {
        w for w in wanted if not (w.endswith(".dns.zone_name") and w.replace("dns.zone_name", "domain") in wanted)
    }
    fields = {p.split(": ", 1)[0] for p in problems_of(values)}
    missing = {w for w in wanted if w not in fields}
    # two mistakes in one key: the later one replaced the earlier one
    overwritten = {w for w in missing if any(f.startswith(w.rsplit(".", 1)[0]) for f in fields)}
    assert missing <= overwritten, (missing, sorted(fields))
    assert all(f.startswith("mta-sts:domains[") for f in fields)


def test_a_thousand_entries_report_every_problem() -> None:
    values = fleet(1000)
    for index, entry in enumerate(values["domains"]):
        entry["policy"] = {"mx": ["192.0.2.1"]} if index % 2 else {"mode": "enforcing", "mx": ["mx.example.com"]}
    problems = problems_of(values)
    assert len(problems) == 1000
    assert {p.split("]", 1)[0] for p in problems} == {f"mta-sts:domains[{i}" for i in range(1000)}


def test_a_wrong_default_is_reported_once_under_defaults() -> None:
    values = fleet(50)
    values["defaults"]["policy"] = {"max_age": 40_000_000}
    values["domains"][7]["policy"]["max_age"] = 50_000_000
    problems = problems_of(values)
    assert [p for p in problems if p.startswith("mta-sts:defaults.policy.max_age:")] == [
        next(p for p in problems if p.startswith("mta-sts:defaults."))
    ]
    assert sum(p.startswith("mta-sts:domains[7].policy.max_age:") for p in problems) == 1
    assert len(problems) == 2


def test_duplicate_domains_name_both_entries() -> None:
    values = fleet(3)
    values["domains"][2]["domain"] = "D0.Example.COM."
    (problem,) = problems_of(values)
    assert problem.startswith("mta-sts:domains[2].domain:") and "mta-sts:domains[0]" in problem


def test_single_domain_keys_in_a_fleet_are_refused_with_the_fix() -> None:
    values = fleet(1, domain="example.com", policy={"mode": "testing"})
    problems = problems_of(values)
    assert any(p.startswith("mta-sts:domain:") and "mta-sts:domains" in p for p in problems)
    assert any(p.startswith("mta-sts:policy:") and "mta-sts:defaults.policy" in p for p in problems)


@pytest.mark.parametrize("domains", [[], "example.com", None, {"domain": "example.com"}])
def test_domains_must_be_a_non_empty_list(domains: object) -> None:
    problems = problems_of({"domains": domains})
    assert any(p.startswith("mta-sts:domains:") for p in problems)


def test_domains_per_certificate_default_range_and_place() -> None:
    assert load_fleet_config(fleet(1)).domains_per_certificate == defaults.DOMAINS_PER_CERTIFICATE == 10
    values = fleet(1)
    values["defaults"]["host"] = {"domains_per_certificate": 100}
    assert load_fleet_config(values).domains_per_certificate == 100
    for bad in (0, 101, "ten", True):
        values["defaults"]["host"] = {"domains_per_certificate": bad}
        assert problems_of(values)[0].startswith("mta-sts:defaults.host.domains_per_certificate:")


def test_store_keys_default_values_and_place() -> None:
    assert load_fleet_config(fleet(1)).store_keys == defaults.STORE_KEYS == "migrating"
    values = fleet(1)
    for layout in defaults.STORE_KEYS_LAYOUTS:
        values["defaults"]["host"] = {"store_keys": layout}
        assert load_fleet_config(values).store_keys == layout
    for bad in ("per-key", "Exclusive", 1, True, ["exclusive"]):
        values["defaults"]["host"] = {"store_keys": bad}
        [problem] = problems_of(values)
        assert problem.startswith("mta-sts:defaults.host.store_keys:") and "migrating" in problem
    values["defaults"]["host"] = {}
    values["domains"][0]["host"] = {"store_keys": "exclusive"}  # a setting of the whole fleet: not per domain
    assert problems_of(values)[0].startswith("mta-sts:domains[0].host")


def test_the_receiver_is_refused_in_a_fleet() -> None:
    values = fleet(1)
    values["domains"][0]["reporting"] = {"receiver": {"rule_set_name": "x"}}
    assert problems_of(values)[0].startswith("mta-sts:domains[0].reporting.receiver:")


# ---- hosted mode and offboarding --------------------------------------------------------------------
def test_a_delegated_domain_needs_the_delegation_zone() -> None:
    values = fleet(2)
    values["domains"][1]["delegated"] = True
    (problem,) = problems_of(values)
    assert problem.startswith("mta-sts:delegation:") and "mta-sts:domains[1]" in problem
    values["delegation"] = {"provider": "cloudflare", "zone_name": "hosted.example.net"}
    cfg = load_fleet_config(values)
    assert cfg.domains[1].delegated and cfg.domains[1].dns is None and cfg.domains[1].host.kind == "cloudfront"


def test_a_delegated_domain_has_no_dns_and_no_worker() -> None:
    values = fleet(1, delegation={"provider": "route53", "zone_name": "hosted.example.net"})
    values["domains"][0].update(delegated=True, dns={"provider": "cloudflare"}, host={"kind": "worker"})
    problems = problems_of(values)
    assert {p.split(":", 2)[1] for p in problems} == {"domains[0].dns", "domains[0].host.kind"}


def test_defaults_may_delegate_every_domain() -> None:
    values = fleet(3, delegation={"provider": "route53", "zone_name": "hosted.example.net"})
    values["defaults"]["delegated"] = True
    del values["defaults"]["dns"]
    assert all(d.delegated for d in load_fleet_config(values).domains)


@pytest.mark.parametrize(
    ("delegation", "key"),
    [
        ({"provider": "route53"}, "mta-sts:delegation.zone_name"),
        ({"provider": "gandi", "zone_name": "x.example"}, "mta-sts:delegation.provider"),
        ({"provider": "route53", "zone_name": "x.example", "zone": "y"}, "mta-sts:delegation.zone"),
        ("route53", "mta-sts:delegation"),
    ],
)
def test_delegation_mistakes_are_named(delegation: object, key: str) -> None:
    values = fleet(1, delegation=delegation)
    values["domains"][0]["delegated"] = True
    assert any(p.startswith(f"{key}:") for p in problems_of(values))


def test_a_delegated_domain_too_long_for_the_zone_is_refused() -> None:
    zone = ".".join(["z" * 60] * 3)
    values = fleet(1, delegation={"provider": "route53", "zone_name": zone})
    values["domains"][0].update(delegated=True, domain="a" * 60 + ".example.com")
    assert problems_of(values)[0].startswith("mta-sts:domains[0].domain:")


def test_offboarding_serves_mode_none_and_says_when_to_remove() -> None:
    values = fleet(2)
    values["domains"][0].update(offboard=True, policy={"mode": "enforce", "max_age": 604800, "mx": ["mx.example"]})
    values["domains"][1]["offboard"] = "2026-01-10"
    a, b = load_fleet_config(values).domains
    assert a.offboard and a.served_policy.mode == "none" and a.served_policy.max_age == 604800
    assert a.served_policy.id != a.policy.id and a.removable_on is None
    assert b.offboard_since == dt.date(2026, 1, 10) and b.removable_on == dt.date(2026, 1, 12)


def test_pinned_shards_must_fit_the_certificates() -> None:
    values = fleet(3)
    values["defaults"]["host"] = {"domains_per_certificate": 2}
    for entry in values["domains"]:
        entry["shard"] = 0
    problems = problems_of(values)
    assert problems[0].startswith("mta-sts:defaults.host.domains_per_certificate:")
    values["domains"][0]["dns"] = {"provider": "cloudflare"}
    values["domains"][1]["shard"] = 1
    assert problems_of(values) == [
        "mta-sts:domains[0].shard: applies only to domains served by the shared CloudFront hosting; remove it"
    ]


# ---- every fleet key documented -------------------------------------------------------------------
CONFIG_DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()


def _fleet_table() -> str:
    return CONFIG_DOC.split("## Fleet stacks", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize(
    "key",
    [
        *(f"domains[i].{k}" for k in ("domain", "delegated", "offboard", "shard")),
        "domains",
        "defaults",
        "defaults.host.domains_per_certificate",
        "delegation.provider",
        "delegation.zone_name",
        "delegation.zone_id",
    ],
)
def test_every_fleet_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in _fleet_table()


def test_the_documented_fleet_keys_are_the_loaders() -> None:
    from pulumi_mta_sts.config.fleet_stack import (
        _DELEGATION_KEYS,
        DEFAULTS_KEYS,
        ENTRY_KEYS,
        FLEET_HOST_KEYS,
        FLEET_KEYS,
    )

    table = _fleet_table()
    for key in (*ENTRY_KEYS, *FLEET_KEYS, *DEFAULTS_KEYS, *FLEET_HOST_KEYS, *_DELEGATION_KEYS):
        assert f"{key}`" in table or f"`{key}." in table, key
    row = next(line for line in table.splitlines() if line.startswith("| `defaults.host.domains_per_certificate`"))
    assert f"`{defaults.DOMAINS_PER_CERTIFICATE}`" in row and f"to {defaults.DOMAINS_PER_CERTIFICATE_MAX}" in row


def test_the_fleet_doc_shows_the_shipped_example_fleet() -> None:
    """docs/fleets.md's configuration block is ``stacks/Pulumi.example-fleet.yaml`` (the same
    values, written compactly), so a reader copies what the tests plan."""
    import yaml

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "fleets.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    shown = yaml.safe_load(block)["config"]
    shipped = yaml.safe_load((root / "stacks" / "Pulumi.example-fleet.yaml").read_text(encoding="utf-8"))["config"]
    shown["mta-sts:defaults"]["host"].pop("domains_per_certificate")  # shown with its default, for the reader
    assert shown == shipped


@pytest.mark.parametrize("host", [True, "x", 3, ["kind"]])
def test_a_host_that_is_not_an_object_is_named_for_a_delegated_domain_too(host: object) -> None:
    values: dict[str, Any] = {
        "defaults": {"host": host, "policy": {"mx": ["mx.customer.example"]}},
        "delegation": {"provider": "route53", "zone_name": "mta-sts.hosting.example"},
        "domains": [{"domain": "customer.example", "delegated": True}],
    }
    with pytest.raises(InputError) as caught:
        load_fleet_config(values)
    assert any("host" in p.field and "must be an object" in p.reason for p in caught.value.problems)
