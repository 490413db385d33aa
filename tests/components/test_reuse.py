"""Reuse from another program: three domains, user providers and a user parent (examples/)."""

from __future__ import annotations

import runpy
from collections import Counter
from pathlib import Path

import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.net.resolver import NO_LIVE_DNS_ENV
from pulumi_mta_sts.plan.engine import RecordedResource
from tests.pulumi_mock import HTTP_API_ENDPOINT, Recorder

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "three_domains.py"


@pytest.fixture
def rec(pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    pulumi_mocks.run(lambda: runpy.run_path(str(EXAMPLE), run_name="__main__"))
    return pulumi_mocks


def ancestors(rec: Recorder, r: RecordedResource) -> list[str]:
    by_urn = {x.urn: x for x in rec.resources}
    names = []
    while r.parent in by_urn:  # up to the stack (not a recorded resource)
        r = by_urn[r.parent]
        names.append(r.name)
    return names


def test_three_domains_with_their_own_backends(rec: Recorder) -> None:
    components = {r.name: r for r in rec.of_type("mta-sts:index:MtaSts")}
    assert set(components) == {"example-com", "example-org", "example-net"}
    kinds = Counter(r.type for r in rec.resources if r.type.startswith("mta-sts:hosting:"))
    assert kinds == {"mta-sts:hosting:CloudFrontHost": 2, "mta-sts:hosting:WorkerHost": 1}
    assert len(rec.of_type("aws:cloudfront/distribution:Distribution")) == 2
    assert len(rec.of_type("pulumi-python:dynamic/mtasts:PolicyLive")) == 3
    assert set(rec.stack_outputs) == {f"{d} policy_id" for d in ("example.com", "example.org", "example.net")}


def test_the_user_parent_holds_everything(rec: Recorder) -> None:
    group = rec.one("acme:mail:MailDomains")
    for r in rec.resources:
        if r.type.startswith("pulumi:providers:") or r is group:
            continue
        assert "mail-domains" in ancestors(rec, r), r.name


def test_every_child_uses_the_users_providers(rec: Recorder) -> None:
    aws_provider = rec.one("pulumi:providers:aws", "mail-account")
    cf_provider = rec.one("pulumi:providers:cloudflare", "cloudflare-dns")
    assert aws_provider.inputs["region"] == "eu-west-1"
    checked: Counter[str] = Counter()
    for r in rec.resources:
        if not r.custom or r.type.startswith("pulumi:providers:") or r.type.startswith("pulumi-python:"):
            continue
        package = r.type.split(":")[0]
        expected = {"aws": aws_provider, "cloudflare": cf_provider}[package]
        assert r.provider.startswith(expected.urn + "::"), f"{r.name} uses {r.provider!r}"
        checked[package] += 1
    assert checked["aws"] >= 2 * 12 and checked["cloudflare"] >= 6
    for call in rec.invocations:
        package = call.token.split(":")[0]
        expected = {"aws": aws_provider, "cloudflare": cf_provider}[package]
        assert call.provider.startswith(expected.urn + "::"), f"{call.token} uses {call.provider!r}"


def test_the_existing_zone_is_looked_up_by_name_and_receives_the_host_records(rec: Recorder) -> None:
    lookups = [c.args for c in rec.invoked("cloudflare:index/getZone:getZone")]
    assert {"filter": {"name": "example.net", "match": "all"}} in lookups
    zone = rec.one("mta-sts:dns:CloudflareDns", "example-net-zone")
    names = sorted(r.inputs["name"] for r in rec.children_of(zone))
    assert names[-3:] == ["_mta-sts.example.net", "_smtp._tls.example.net", "mta-sts.example.net"]
    assert len(names) == 4  # + the certificate validation CNAME


def test_the_readme_example_runs_as_written(pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    code = readme_blocks()[0]
    assert len(code.strip().splitlines()) <= 15
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    pulumi_mocks.run(lambda: exec(compile(code, "README.md", "exec"), {}))
    component = pulumi_mocks.one("mta-sts:index:MtaSts")
    assert pulumi_mocks.stack_outputs["policy_id"]
    provider = pulumi_mocks.one("pulumi:providers:aws", "mail-account")
    custom = [r for r in pulumi_mocks.descendants_of(component) if r.custom and r.type.startswith("aws:")]
    assert custom and all(r.provider.startswith(provider.urn) for r in custom)


def readme_blocks() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Using the component from another stack", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]


def test_the_readme_receiver_example_publishes_one_tlsrpt_record_with_every_rua(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, receiver = readme_blocks()
    rua_line = '    rua=["mailto:tlsrpt@example.com"],\n'
    assert rua_line in site
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    code = site.replace(rua_line, "") + receiver  # "give MtaSts no rua"
    pulumi_mocks.run(lambda: exec(compile(code, "README.md", "exec"), {}))
    [txt] = [
        r for r in pulumi_mocks.of_type("aws:route53/record:Record") if r.inputs["name"] == "_smtp._tls.example.com"
    ]
    assert txt.inputs["records"] == [
        f"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,mailto:reports@tlsrpt.example.com,{HTTP_API_ENDPOINT}"
    ]
    assert pulumi_mocks.stack_outputs["tlsrpt_rua"] == ["mailto:reports@tlsrpt.example.com", HTTP_API_ENDPOINT]
    provider = pulumi_mocks.one("pulumi:providers:aws", "mail-account")
    receiver_component = pulumi_mocks.one("mta-sts:index:TlsRptReceiver")
    custom = [r for r in pulumi_mocks.descendants_of(receiver_component) if r.custom]
    assert custom and all(r.provider.startswith(provider.urn) for r in custom)


def test_keeping_mtasts_rua_beside_the_receiver_is_refused_before_a_second_record_exists(
    pulumi_mocks: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    code = "".join(readme_blocks())
    with pytest.raises(InputError) as err:
        pulumi_mocks.run(lambda: exec(compile(code, "README.md", "exec"), {}))
    [problem] = err.value.problems
    assert problem.value == "_smtp._tls.example.com"
    assert "give MtaSts no rua" in problem.reason
