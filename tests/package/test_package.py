"""The component package: the same resources from plain inputs as from the rich Python API, through
the SDK's own component provider too; checked before anything registers; the provider entry point."""

from __future__ import annotations

import dataclasses
import inspect
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.provider.experimental import component as sdk_component

from pulumi_mta_sts import __version__
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.package import COMPONENTS, PACKAGE_NAME, MtaSts, TlsRptReceiver
from pulumi_mta_sts.package.schema import semver
from pulumi_mta_sts.package.tlsrpt_receiver import ReceiverOptions
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import REGION

from .equivalence import plan_of, record
from .programs import CLOUDFLARE_INPUTS, PAIRS, RECEIVER_INPUTS, ROUTE53_INPUTS, receiver_program, route53_rich_args

ROOT = Path(__file__).resolve().parents[2]
YAML_EXAMPLE = ROOT / "examples" / "yaml" / "Pulumi.yaml"


@pytest.mark.parametrize(("package", "rich"), PAIRS.values(), ids=list(PAIRS))
def test_plain_inputs_build_exactly_what_the_rich_api_builds(
    package: Callable[[], Any], rich: Callable[[], Any]
) -> None:
    built, expected = plan_of(record(package)), plan_of(record(rich))
    assert sorted(built) == sorted(expected)  # the same resources (registered in whatever order outputs resolve)
    for urn, resource in expected.items():
        assert built[urn] == resource, urn


def construct(token: str, inputs: dict[str, Any], name: str = "example-com") -> Any:
    """What the SDK's component provider does when a program in another language creates ``token``."""
    provider = sdk_component.ComponentProvider(COMPONENTS, PACKAGE_NAME, version=__version__)
    return provider.construct(name, token, inputs, pulumi.ResourceOptions())


def yaml_example_properties() -> dict[str, Any]:
    program = yaml.safe_load(YAML_EXAMPLE.read_text(encoding="utf-8"))
    (resource,) = program["resources"].values()
    properties: dict[str, Any] = resource["properties"]
    return properties


def test_the_yaml_example_through_the_provider_builds_what_python_builds() -> None:
    """The engine sends camelCase names and every number as a float; the provider maps them back."""
    inputs = yaml_example_properties()
    inputs["policy"]["maxAge"] = float(inputs["policy"]["maxAge"])
    from pulumi_mta_sts.core.policy import Policy
    from pulumi_mta_sts.mtasts.component import MtaSts as RichMtaSts
    from pulumi_mta_sts.mtasts.component import MtaStsArgs as RichMtaStsArgs
    from pulumi_mta_sts.spec import DnsConfig

    def rich() -> None:
        policy = Policy.build("testing", ["mx1.example.com", "mx2.example.com"], 604800)
        args = RichMtaStsArgs(
            "example.com", policy, DnsConfig("route53", zone_name="example.com"), host="cloudfront",
            rua=["mailto:tlsrpt@example.com"], verify_timeout=600, tags={"project": "mail"},
        )  # fmt: skip
        RichMtaSts("example-com", args)

    results: list[Any] = []
    host: list[Any] = []

    def program() -> None:
        results.append(construct("mta-sts:index:MtaSts", inputs))
        results[0].state["host"].apply(host.append)

    built = record(program)
    assert plan_of(built) == plan_of(record(rich))
    assert set(results[0].state) == {"policyId", "policyUrl", "policyText", "records", "host"}
    assert {"kind", "url", "distributionId", "distributionDomainName", "certificateArn"} <= set(host[0])


def test_the_receiver_through_the_provider_builds_what_python_builds() -> None:
    inputs = {
        "domain": "example.com",
        "dns": {"provider": "route53", "zoneId": RECEIVER_INPUTS["dns"].get("zone_id")},
        "settings": {"region": REGION, "ruleSetName": "default-rule-set", "silenceDays": 3.0},
        "alarmEmail": "ops@example.com",
        "publishTlsrptRecord": True,
        "extraRua": ["mailto:reports@example.net"],
    }
    results: list[Any] = []
    built = record(lambda: results.append(construct("mta-sts:index:TlsRptReceiver", inputs, "reports")))
    assert plan_of(built) == plan_of(record(receiver_program))
    assert {"rua", "bucketName", "topicArn", "mailbox", "receiptRule", "tlsrptRecord"} <= set(results[0].state)


def test_a_mistake_names_the_input_and_registers_nothing() -> None:
    bad = {**ROUTE53_INPUTS, "policy": {"mx": ["mx1.example..com"], "max_age": -1}, "rua": ["tlsrpt@example.com"]}
    with pytest.raises(InputError) as caught:
        record(lambda: MtaSts("example-com", bad))  # type: ignore[arg-type]
    fields = {problem.field for problem in caught.value.problems}
    assert {"policy.mx[0]", "policy.max_age"} <= fields
    bad_receiver = {**RECEIVER_INPUTS, "dns": {"provider": "route53"}, "settings": {"region": "eu-north-1"}}
    recorder: Any = None

    def program() -> None:
        TlsRptReceiver("reports", bad_receiver)  # type: ignore[arg-type]

    with pytest.raises(InputError) as caught:
        recorder = record(program)
    fields = {problem.field for problem in caught.value.problems}
    assert any(f.startswith("dns") for f in fields) and "region" in " ".join(fields)
    assert recorder is None or recorder.resources == []


def test_a_mistake_through_the_provider_is_a_component_error_naming_the_input() -> None:
    inputs = {**yaml_example_properties(), "policy": {"mode": "enforce", "mx": []}}
    errors: list[BaseException] = []

    def program() -> None:
        try:
            construct("mta-sts:index:MtaSts", inputs)
        except Exception as exc:  # the provider wraps the component's exception
            errors.append(exc)

    assert record(program).resources == []
    assert "policy.mx" in str(errors[0])


def test_the_cloudflare_inputs_take_the_worker_by_default() -> None:
    recorder = record(lambda: MtaSts("example-org", CLOUDFLARE_INPUTS))
    assert recorder.one("mta-sts:hosting:WorkerHost")
    assert route53_rich_args().host == "cloudfront"


def test_the_provider_entry_point_hosts_the_components_under_the_package_name(monkeypatch: pytest.MonkeyPatch) -> None:
    hosted: list[tuple[Any, ...]] = []
    import pulumi.provider.experimental as experimental

    monkeypatch.setattr(experimental, "component_provider_host", lambda *a, **kw: hosted.append((*a, kw)))
    runpy.run_path(str(ROOT / "provider" / "__main__.py"), run_name="__main__")
    assert hosted == [(COMPONENTS, "mta-sts", {"version": semver(__version__)})]
    assert [c.__name__ for c in COMPONENTS] == ["MtaSts", "TlsRptReceiver", "MtaStsFleet"]
    plugin = yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    assert plugin == {"runtime": "python"}


def test_the_package_classes_describe_every_attribute_of_the_python_components() -> None:
    """The analyzer reads the annotations of the whole class tree; the Python components' are strings it
    cannot read, so each must be declared again in the package class with a type it reads."""
    for hosted in COMPONENTS:
        python_component = hosted.__mro__[1]
        missing = set(inspect.get_annotations(python_component)) - set(inspect.get_annotations(hosted))
        assert not missing, f"declare {sorted(missing)} in {hosted.__module__}.{hosted.__name__} (docs/packaging.md)"


def test_the_receiver_options_are_the_receiver_settings() -> None:
    assert set(ReceiverOptions.__annotations__) == {f.name for f in dataclasses.fields(ReceiverSettings)}
