"""``mta-sts:index:MtaStsFleet``: the YAML fleet example through the SDK's own component provider builds
exactly what the Python fleet builds, its outputs reach other languages under their schema names, and
every mistake names the package input before anything registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.mtasts.component import DelegationArgs, FleetDomainArgs
from pulumi_mta_sts.mtasts.component import MtaStsFleet as RichMtaStsFleet
from pulumi_mta_sts.mtasts.component import MtaStsFleetArgs as RichMtaStsFleetArgs
from pulumi_mta_sts.package import MtaStsFleet, package_schema
from pulumi_mta_sts.package.mtasts_fleet import fleet_config_values, package_key
from pulumi_mta_sts.spec import DnsConfig
from tests.pulumi_mock import ROUTE53_ZONE_ID

from .equivalence import plan_of, record
from .programs import CLOUDFLARE_ZONE, FLEET_INPUTS, TLSRPT
from .test_package import construct

ROOT = Path(__file__).resolve().parents[2]
YAML_FLEET_EXAMPLE = ROOT / "examples" / "yaml-fleet" / "Pulumi.yaml"
TOKEN = "mta-sts:index:MtaStsFleet"


def yaml_fleet_inputs() -> dict[str, Any]:
    """The example's properties as the engine sends them: camelCase names, every number a float."""
    program = yaml.safe_load(YAML_FLEET_EXAMPLE.read_text(encoding="utf-8"))
    (resource,) = program["resources"].values()
    assert resource["type"] == TOKEN
    inputs: dict[str, Any] = _floats(resource["properties"])
    return inputs


def _floats(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_floats(item) for item in value]
    if isinstance(value, dict):
        return {key: _floats(item) for key, item in value.items()}
    return value


def rich_yaml_fleet() -> None:
    """The Python program for the YAML example."""
    mx = ["mx1.example.com", "mx2.example.com"]
    args = RichMtaStsFleetArgs(
        domains=[
            FleetDomainArgs(
                "example.com", Policy.build("testing", mx, 86401), DnsConfig("route53", zone_name="example.com"),
                rua=[TLSRPT],
            ),
            FleetDomainArgs(
                "example.org", Policy.build("enforce", ["*.mail.example.org"], 604800),
                DnsConfig("route53", zone_name="example.org"), rua=[TLSRPT],
            ),
            FleetDomainArgs("customer.example", Policy.build("testing", ["mx.customer.example"]), None, rua=[TLSRPT]),
        ],
        delegation=DelegationArgs("mta-sts.example.net", DnsConfig("route53", None, "mta-sts.example.net")),
        assignment={"example.com": 0},
        tags={"project": "mail"},
    )  # fmt: skip
    RichMtaStsFleet("mail", args)


def test_the_yaml_fleet_example_through_the_provider_builds_what_python_builds() -> None:
    results: list[Any] = []
    state: dict[str, Any] = {}

    def program() -> None:
        results.append(construct(TOKEN, yaml_fleet_inputs(), "mail"))
        for key, value in results[0].state.items():
            value.apply(lambda v, key=key: state.__setitem__(key, v))

    assert plan_of(record(program)) == plan_of(record(rich_yaml_fleet))
    assert set(state) == {"domains", "policyIds", "policyUrls", "policyTexts", "records", "shards", "customerRecords"}
    assert set(state["policyIds"]) == {"example.com", "example.org", "customer.example"}
    assert state["policyUrls"]["example.org"] == "https://mta-sts.example.org/.well-known/mta-sts.txt"
    assert state["shards"] == {"example.com": 0, "example.org": 0, "customer.example": 0}
    assert list(state["customerRecords"]) == ["customer.example"]  # delegated domains only
    names = [r["name"] for r in state["customerRecords"]["customer.example"]]
    assert names[0] == "mta-sts.customer.example" and names[-1] == "_mta-sts.customer.example"
    sts = state["records"]["customer.example"][0]
    assert sts["name"] == "_mta-sts.customer.example.mta-sts.example.net"
    assert sts["value"] == f"v=STSv1; id={state['policyIds']['customer.example']};"
    assert "mode: enforce" in state["policyTexts"]["example.org"]
    assert state["domains"]["example.com"]["policy_id"] == state["policyIds"]["example.com"]  # the stack's shape


def test_the_outputs_are_the_python_fleets() -> None:
    names = ("domains", "policy_ids", "policy_urls", "policy_texts", "records", "shards", "customer_records")
    out: dict[str, Any] = {}

    def program() -> None:
        fleet = MtaStsFleet("mail", FLEET_INPUTS)
        for name in names:
            getattr(fleet, name).apply(lambda v, name=name: out.__setitem__(name, v))

    record(program)
    summary = out["domains"]
    assert out["policy_ids"] == {d: s["policy_id"] for d, s in summary.items()}
    assert out["policy_urls"] == {d: s["policy_url"] for d, s in summary.items()}
    assert out["policy_texts"] == {d: s["policy_text"] for d, s in summary.items()}
    assert out["records"] == {d: s["records"] for d, s in summary.items()}
    assert out["shards"] == {d: s["shard"] for d, s in summary.items() if s["shard"] is not None}
    assert "example.org" not in out["shards"] and out["shards"]["example.com"] == 1  # the Worker's; the pin
    assert out["customer_records"] == {"customer.example": summary["customer.example"]["customer_records"]}
    assert summary["old.example.com"]["mode"] == "none"  # offboarding


def _mistakes(inputs: dict[str, Any]) -> set[str]:
    def program() -> None:
        MtaStsFleet("mail", inputs)  # type: ignore[arg-type]

    recorder: Any = None
    with pytest.raises(InputError) as caught:
        recorder = record(program)
    assert recorder is None or recorder.resources == []
    return {problem.field for problem in caught.value.problems}


def test_every_mistake_names_the_package_input_before_anything_registers() -> None:
    inputs = {
        "defaults": {"dns": {"provider": "route53"}, "rua": ["tlsrpt@example.com"], "verify_timeout": 1},
        "domains": [
            {"domain": "example.com", "policy": {"mode": "enforce", "mx": ["mx1.example..com"]}},
            {"domain": "hosted.example", "delegated": True, "host": "worker", "policy": {"mx": ["mx.x.example"]}},
            {"domain": "example.com", "policy": {"mx": ["mx.example.com"]}, "shard": 100000, "verfy_live": False},
        ],
        "domains_per_certificate": 0,
        "store_keys": "per-key",
        "colour": "blue",
    }
    fields = _mistakes(inputs)
    assert {
        "defaults.rua[0]",
        "defaults.verify_timeout",
        "domains[0].policy.mx[0]",
        "domains[1].host",
        "domains[2].domain",
        "domains[2].shard",
        "domains[2].verfy_live",
        "domains_per_certificate",
        "store_keys",
        "colour",
    } <= fields, fields
    assert not any(f.startswith("mta-sts:") or "reporting" in f for f in fields), fields


def test_store_keys_is_the_fleet_wide_config_key() -> None:
    values = fleet_config_values({**FLEET_INPUTS, "store_keys": "exclusive", "domains_per_certificate": 3})
    host = values["defaults"]["host"]
    assert (host["store_keys"], host["domains_per_certificate"]) == ("exclusive", 3)


def test_a_delegated_domain_needs_the_delegation_zone() -> None:
    inputs = {"domains": [{"domain": "hosted.example", "delegated": True, "policy": {"mx": ["mx.hosted.example"]}}]}
    assert _mistakes(inputs) == {"delegation"}


def test_the_python_fleets_own_checks_name_the_package_inputs_too() -> None:
    fields = _mistakes({**FLEET_INPUTS, "price_class": "PriceClass_1", "tags": {"": "x"}})
    assert {"price_class", "tags"} <= {f.split("[")[0].split(".")[0] for f in fields}, fields


def test_a_mistake_through_the_provider_names_the_input() -> None:
    inputs = yaml_fleet_inputs()
    inputs["domains"][1]["policy"]["maxAge"] = 40000000.0
    errors: list[BaseException] = []

    def program() -> None:
        try:
            construct(TOKEN, inputs, "mail")
        except Exception as exc:  # the provider wraps the component's exception
            errors.append(exc)

    assert record(program).resources == []
    assert "domains[1].policy.max_age" in str(errors[0])


@pytest.mark.parametrize(
    ("config_key", "package"),
    [
        ("mta-sts:domains[3].host.kind", "domains[3].host"),
        ("mta-sts:domains[0].host.verify_timeout", "domains[0].verify_timeout"),
        ("mta-sts:defaults.reporting.rua[2]", "defaults.rua[2]"),
        ("mta-sts:defaults.host.domains_per_certificate", "domains_per_certificate"),
        ("mta-sts:defaults.host.store_keys", "store_keys"),
        ("mta-sts:delegation.zone_name", "delegation.zone_name"),
        ("mta-sts:domains[1].policy.mx[0]", "domains[1].policy.mx[0]"),
    ],
)
def test_config_keys_become_package_inputs(config_key: str, package: str) -> None:
    assert package_key(config_key) == package


def test_the_fleet_schema_promises_the_toolkits_defaults() -> None:
    schema = package_schema()
    fleet = schema["resources"][TOKEN]
    assert fleet["requiredInputs"] == ["domains"]
    inputs = fleet["inputProperties"]
    assert f"default: {defaults.DOMAINS_PER_CERTIFICATE}" in inputs["domainsPerCertificate"]["description"]
    assert f"1 to {defaults.DOMAINS_PER_CERTIFICATE_MAX}" in inputs["domainsPerCertificate"]["description"]
    assert f"default: {defaults.PRICE_CLASS}" in inputs["priceClass"]["description"]
    for name in ("FleetDomain", "FleetDefaults"):
        props = schema["types"][f"mta-sts:index:{name}"]["properties"]
        assert f"default: {defaults.VERIFY_TIMEOUT}" in props["verifyTimeout"]["description"]
        assert set(props) >= {"policy", "dns", "host", "rua", "verifyLive", "verifyTimeout", "delegated"}
    domain = schema["types"]["mta-sts:index:FleetDomain"]
    assert domain["required"] == ["domain"] and {"offboard", "shard"} <= set(domain["properties"])
    defaults_type = schema["types"]["mta-sts:index:FleetDefaults"]["properties"]
    assert f"{defaults.DEFAULT_MAX_AGE}" in defaults_type["policy"]["description"]


# ---- generated fleets: the package inputs and the Python arguments a user would write -------------
ZONES = {"route53": ROUTE53_ZONE_ID, "cloudflare": CLOUDFLARE_ZONE}
POOL = ("example.com", "example.org", "mail.example.net", "hosted.example")
_MODES = st.sampled_from(["testing", "enforce"])
_AGES = st.sampled_from([86401, 604800])
_RUAS = st.sampled_from([[TLSRPT], ["mailto:reports@example.org", TLSRPT], []])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_DEFAULTS = st.fixed_dictionaries(
    {"mode": _maybe(_MODES), "max_age": _maybe(_AGES), "rua": _maybe(_RUAS), "provider": st.sampled_from(list(ZONES))}
)
_ENTRY = st.fixed_dictionaries(
    {
        "mode": _maybe(_MODES),
        "max_age": _maybe(_AGES),
        "rua": _maybe(_RUAS),
        "provider": _maybe(st.sampled_from(list(ZONES))),
        "delegated": st.booleans(),
        "verify_live": _maybe(st.just(False)),
        "offboard": st.booleans(),
    }
)


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _package_domain(domain: str, e: dict[str, Any]) -> dict[str, Any]:
    entry = _present(domain=domain, rua=e["rua"], verify_live=e["verify_live"])
    entry["policy"] = _present(mode=e["mode"], max_age=e["max_age"], mx=[f"mx.{domain}"])
    if e["provider"] and not e["delegated"]:
        entry["dns"] = {"provider": e["provider"], "zone_id": ZONES[e["provider"]]}
    return {**entry, **({"delegated": True} if e["delegated"] else {}), **({"offboard": True} if e["offboard"] else {})}


def _package_inputs(base: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "defaults": {
            "policy": _present(mode=base["mode"], max_age=base["max_age"]),
            "dns": {"provider": base["provider"], "zone_id": ZONES[base["provider"]]},
            **_present(rua=base["rua"]),
        },
        "domains": [_package_domain(domain, e) for domain, e in entries.items()],
        "delegation": {"provider": "route53", "zone_name": "mta-sts.example.net", "zone_id": ROUTE53_ZONE_ID},
    }


def _first(*values: Any) -> Any:
    return next(value for value in values if value is not None)


def _rich_domain(domain: str, e: dict[str, Any], base: dict[str, Any]) -> FleetDomainArgs:
    """What a Python user writes for the entry: the defaults applied by hand."""
    mode = _first(e["mode"], base["mode"], defaults.DEFAULT_MODE)
    max_age = _first(e["max_age"], base["max_age"], defaults.DEFAULT_MAX_AGE)
    policy = Policy.build("none", [], max_age) if e["offboard"] else Policy.build(mode, [f"mx.{domain}"], max_age)
    provider = _first(e["provider"], base["provider"])
    dns = None if e["delegated"] else DnsConfig(provider, zone_id=ZONES[provider])
    rua = _first(e["rua"], base["rua"], [])
    return FleetDomainArgs(domain, policy, dns, rua=rua, verify_live=_first(e["verify_live"], True))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=_DEFAULTS, entries=st.dictionaries(st.sampled_from(POOL), _ENTRY, min_size=1, max_size=4))
def test_generated_fleets_build_what_the_python_arguments_build(
    base: dict[str, Any], entries: dict[str, dict[str, Any]]
) -> None:
    inputs = _package_inputs(base, entries)
    delegation = DelegationArgs("mta-sts.example.net", DnsConfig("route53", ROUTE53_ZONE_ID, "mta-sts.example.net"))
    rich = RichMtaStsFleetArgs([_rich_domain(d, e, base) for d, e in entries.items()], delegation=delegation)
    built = plan_of(record(lambda: MtaStsFleet("mail", inputs)))  # type: ignore[arg-type]
    assert built == plan_of(record(lambda: RichMtaStsFleet("mail", rich)))
