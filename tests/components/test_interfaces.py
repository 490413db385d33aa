"""``DnsBackend`` and ``PolicyHost`` are interfaces: components ask them, never a provider's name.

A backend that is neither Route53 nor Cloudflare (written here, as a user could) works with
``MtaSts`` and the CloudFront host unchanged: what an alias makes and how a record is imported
come from the backend itself.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pulumi
import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, DnsBackend, RecordImport, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.base import HostParts, PolicyHost
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.spec import DnsConfig
from tests.pulumi_mock import Recorder

POLICY = Policy.build("testing", ["mx1.example.com"], 86401)
ROOT = Path(__file__).resolve().parents[2]


class AcmeDns(Route53Dns):
    """A user's own backend: stores records like Route53 but aliases with one CNAME and is
    imported with its own type token."""

    provider_name: ClassVar[str] = "acme"

    @property
    def alias_record_types(self) -> tuple[str, ...]:
        return ("CNAME",)

    def txt_import(self, record_name: str) -> RecordImport:
        return RecordImport("acme:dns/txt:Txt", f"{record_name}@acme")

    def alias(
        self,
        name: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str] | None = None,
        *,
        resource_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[pulumi.CustomResource]:
        return self.record(name, "CNAME", [target], resource_name=resource_name, opts=opts)


def test_the_interfaces_cannot_be_instantiated_half_implemented() -> None:
    class NoAlias(DnsBackend):
        provider_name: ClassVar[str] = "half"

        def record(self, *args: object, **kwargs: object) -> list[pulumi.CustomResource]:
            return []

    class NoBuild(PolicyHost):  # type: ignore[type-arg]
        kind: ClassVar[str] = "half"

        @classmethod
        def problems(cls, args: object) -> list[object]:  # type: ignore[override]
            return []

    with pytest.raises(TypeError, match="abstract"):
        NoAlias("mta-sts:test:NoAlias", "dns", None)  # type: ignore[abstract]
    with pytest.raises(TypeError, match="abstract"):
        NoBuild("host", None)  # type: ignore[abstract]
    assert HostParts([], []).details == {}


@pytest.mark.parametrize(
    ("make", "types", "token"),
    [
        (lambda: Route53Dns("dns", Route53DnsArgs(zone_id="Z1")), ("A", "AAAA"), "aws:route53/record:Record"),
        (
            lambda: CloudflareDns("dns", CloudflareDnsArgs(zone_id="z1")),
            ("CNAME",),
            "cloudflare:index/dnsRecord:DnsRecord",
        ),
        (lambda: AcmeDns("dns", Route53DnsArgs(zone_id="Z1")), ("CNAME",), "acme:dns/txt:Txt"),
    ],
)
def test_an_alias_makes_exactly_the_record_types_the_backend_names(
    pulumi_mocks: Recorder, make: object, types: tuple[str, ...], token: str
) -> None:
    answers: dict[str, object] = {}

    def program() -> None:
        dns = make()  # type: ignore[operator]
        answers["types"] = dns.alias_record_types
        answers["import"] = dns.txt_import("_mta-sts.example.com")
        dns.alias("mta-sts.example.com", "d1.cloudfront.net", "Z2FDTNDATAQYW2", resource_name="alias")

    pulumi_mocks.run(program)
    made = sorted(r.inputs["type"] for r in pulumi_mocks.resources if r.custom)
    assert made == sorted(types) == sorted(answers["types"])  # type: ignore[call-overload]
    assert isinstance(answers["import"], RecordImport) and answers["import"].type_token == token


def test_mtasts_and_the_cloudfront_host_take_the_backends_answers(pulumi_mocks: Recorder) -> None:
    def program() -> None:
        dns = AcmeDns("acme", Route53DnsArgs(zone_id="Z1"))
        site = MtaSts("example-com", MtaStsArgs("example.com", POLICY, dns, host="cloudfront"))
        pulumi.export("records", site.records)

    pulumi_mocks.run(program)
    host_records = [r for r in pulumi_mocks.stack_outputs["records"] if r["name"] == "mta-sts.example.com"]
    assert [r["type"] for r in host_records] == ["CNAME"]
    [alias] = [r for r in pulumi_mocks.resources if r.name == "example-com-host-alias"]
    assert alias.inputs["type"] == "CNAME"


@pytest.mark.parametrize("provider", ["route53", "cloudflare"])
def test_the_records_output_lists_the_alias_types_of_each_provider(pulumi_mocks: Recorder, provider: str) -> None:
    def program() -> None:
        site = MtaSts(
            "example-com",
            MtaStsArgs("example.com", POLICY, DnsConfig(provider, zone_name="example.com"), host="cloudfront"),
        )
        pulumi.export("records", site.records)

    pulumi_mocks.run(program)
    types = sorted(r["type"] for r in pulumi_mocks.stack_outputs["records"] if r["name"] == "mta-sts.example.com")
    assert types == {"route53": ["A", "AAAA"], "cloudflare": ["CNAME"]}[provider]


# ---- a missing provider SDK is a MissingExtraError naming the extra, never a traceback ----------------
def run_without(package: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``import <package>`` fails."""
    prelude = f"import sys\nsys.modules[{package!r}] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


CATCH = """
from pulumi_mta_sts.core.errors import MissingExtraError
def expect_missing(fn, who, extra):
    try:
        fn()
    except MissingExtraError as exc:
        assert str(exc).startswith(who + " needs the Python package"), str(exc)
        assert f"pip install 'pulumi-mta-sts[{extra}]'" in str(exc), str(exc)
    else:
        raise AssertionError(who + " did not raise MissingExtraError")
"""


def test_without_pulumi_cloudflare_the_cloudflare_parts_say_which_extra_to_install() -> None:
    result = run_without(
        "pulumi_cloudflare",
        CATCH
        + """
import pulumi
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs
from pulumi_mta_sts.hosting.worker import WorkerHost
from tests.pulumi_mock import make_recorder

rec = make_recorder().install(stack="test")
def lookup():
    rec.run(lambda: CloudflareDns("dns", CloudflareDnsArgs(zone_name="example.org")))
def record():
    rec.run(lambda: CloudflareDns("dns2", CloudflareDnsArgs(zone_id="z1")).record("x.example.org", "TXT", ["v"]))
expect_missing(lookup, "CloudflareDns", "cloudflare")
expect_missing(record, "CloudflareDns", "cloudflare")
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.hosting.worker import WorkerHostArgs
def worker():
    def program():
        dns = CloudflareDns("dns3", CloudflareDnsArgs(zone_id="z1", account_id="a1"))  # nothing to look up
        WorkerHost("host", WorkerHostArgs("example.org", Policy.build(mx=["mx.example.org"]), dns))
    rec.run(program)
expect_missing(worker, "WorkerHost", "cloudflare")
print("ok")
""",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_without_pulumi_aws_the_aws_parts_say_which_extra_to_install() -> None:
    result = run_without(
        "pulumi_aws",
        CATCH
        + """
import importlib
from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs  # importable: the SDK loads on use
from tests.pulumi_mock import make_recorder

rec = make_recorder().install(stack="test")
expect_missing(lambda: rec.run(lambda: Route53Dns("dns", Route53DnsArgs(zone_name="example.com"))), "Route53Dns", "aws")
expect_missing(lambda: importlib.import_module("pulumi_mta_sts.hosting.cloudfront"), "CloudFrontHost", "aws")
expect_missing(lambda: importlib.import_module("pulumi_mta_sts.hosting.private_bucket"), "PrivateBucket", "aws")
print("ok")
""",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
