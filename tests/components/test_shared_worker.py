"""The shared Cloudflare Worker of a fleet: its script under Node (hits, misses, HEAD, wrong
path or method, plain HTTP, generated host spellings) and its resources under the mock engine."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.dns import CloudflareDns, CloudflareDnsArgs, Route53Dns, Route53DnsArgs
from pulumi_mta_sts.hosting.edge_code import NOT_FOUND, WORKER_SIZE_LIMIT, compressed_size, fleet_worker_module
from pulumi_mta_sts.hosting.shared import FleetSite
from pulumi_mta_sts.hosting.worker import SharedWorkerHosting, SharedWorkerHostingArgs
from tests.components.shared_node import needs_node, run_worker
from tests.pulumi_mock import CLOUDFLARE_ACCOUNT_ID, Recorder, depends_on
from tests.strategies import case_variants, hostname

PATH = "/.well-known/mta-sts.txt"
SMALL = Policy.build("enforce", ["mx.example.org"], 604800)
UNICODE = Policy.build("testing", ["*.mail.example.net"], 86401, {"note": "café ünïcode 𝄞"})
POLICIES = {"mta-sts.example.org": SMALL.render(), "mta-sts.example.net": UNICODE.render()}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fleet-worker")


@needs_node
def test_each_host_gets_exactly_its_own_bytes_and_head_none(workdir: Path) -> None:
    results = run_worker(
        workdir,
        fleet_worker_module(POLICIES),
        [
            ("GET", f"https://mta-sts.example.org{PATH}", None),
            ("GET", f"https://mta-sts.example.net{PATH}", None),
            ("HEAD", f"https://mta-sts.example.net{PATH}", None),
        ],
    )
    org, net, head = results
    assert (org["status"], org["body"]) == (200, SMALL.render_bytes())
    assert (net["status"], net["body"]) == (200, UNICODE.render_bytes())
    assert org["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert (head["status"], head["body"]) == (200, b"")


@needs_node
@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "https://mta-sts.example.org/", 404),
        ("GET", f"https://mta-sts.example.org{PATH}.bak", 404),
        ("GET", f"https://mta-sts.unknown.example{PATH}", 404),
        ("GET", f"https://example.org{PATH}", 404),
        ("POST", f"https://mta-sts.example.org{PATH}", 405),
        ("DELETE", f"https://mta-sts.example.org{PATH}", 405),
        ("GET", f"http://mta-sts.example.org{PATH}", 403),
    ],
)
def test_everything_else_is_refused_without_a_redirect(workdir: Path, method: str, url: str, status: int) -> None:
    [got] = run_worker(workdir, fleet_worker_module(POLICIES), [(method, url, None)])
    assert got["status"] == status and "location" not in got["headers"]
    if status == 404:
        assert got["body"] == NOT_FOUND.encode()
    if status == 405:
        assert got["headers"]["allow"] == "GET, HEAD"


@needs_node
@settings(max_examples=10, deadline=None)
@given(st.lists(hostname, min_size=1, max_size=10, unique=True), st.data())
def test_generated_hosts_match_in_any_case_with_a_port_or_a_trailing_dot(
    tmp_path_factory: pytest.TempPathFactory, domains: list[str], data: st.DataObject
) -> None:
    policies = {f"mta-sts.{d}": data.draw(st.sampled_from([SMALL, UNICODE])).render() for d in domains}
    requests: list[tuple[str, str, str | None]] = []
    for host in policies:
        spelled = data.draw(case_variants(host)) + data.draw(st.sampled_from(["", "."]))
        port = data.draw(st.sampled_from(["", ":443", ":8443"]))
        requests.append(("GET", f"https://{spelled}{port}{PATH}", None))
    results = run_worker(tmp_path_factory.mktemp("gen"), fleet_worker_module(policies), requests)
    for host, got in zip(policies, results, strict=True):
        assert got["status"] == 200 and got["body"] == policies[host].encode()


def test_the_script_is_the_same_whatever_the_order_and_changes_with_any_policy() -> None:
    assert fleet_worker_module(POLICIES) == fleet_worker_module(dict(reversed(POLICIES.items())))
    assert fleet_worker_module(POLICIES) != fleet_worker_module({**POLICIES, "mta-sts.example.org": UNICODE.render()})
    thousand = {f"mta-sts.d{i}.example": SMALL.render() for i in range(1000)}
    assert compressed_size(fleet_worker_module(thousand)) < WORKER_SIZE_LIMIT // 20


# ---- resources -----------------------------------------------------------------------------------
def zone(domain: str) -> CloudflareDns:
    return CloudflareDns(f"dns-{domain}", CloudflareDnsArgs(zone_name=domain))


def run(rec: Recorder, sites: Any, **kwargs: Any) -> list[SharedWorkerHosting]:
    made: list[SharedWorkerHosting] = []
    rec.run(lambda: made.append(SharedWorkerHosting("fleet", SharedWorkerHostingArgs(sites=sites(), **kwargs))))
    return made


def test_one_script_and_one_custom_domain_per_domain(pulumi_mocks: Recorder) -> None:
    domains = ["example.org", "example.net", "c.example"]
    [host] = run(pulumi_mocks, lambda: [FleetSite(d, SMALL.render(), zone(d)) for d in domains])
    counts = Counter(r.type for r in pulumi_mocks.resources if not r.name.startswith("dns-"))
    assert counts == {
        "mta-sts:hosting:SharedWorkerHosting": 1,
        "cloudflare:index/workersScript:WorkersScript": 1,
        "cloudflare:index/workersCustomDomain:WorkersCustomDomain": 3,
    }
    script = pulumi_mocks.one("cloudflare:index/workersScript:WorkersScript")
    assert script.inputs["accountId"] == CLOUDFLARE_ACCOUNT_ID
    assert script.inputs["content"] == fleet_worker_module({f"mta-sts.{d}": SMALL.render() for d in domains})
    for d in domains:
        bound = pulumi_mocks.named(f"fleet-{d}-domain")
        assert bound.inputs["hostname"] == f"mta-sts.{d}"
        assert bound.inputs["service"] == script.inputs["scriptName"]
        assert depends_on(bound, script)
        assert host.site(d).policy_url == f"https://mta-sts.{d}{PATH}"
        assert len(host.site(d).served) == 2


def test_sites_outside_cloudflare_or_delegated_are_refused_before_anything_is_created(pulumi_mocks: Recorder) -> None:
    def sites() -> list[FleetSite]:
        return [
            FleetSite("a.example", SMALL.render(), Route53Dns("r53", Route53DnsArgs(zone_id="Z1"))),
            FleetSite("b.example", SMALL.render(), None),
        ]

    with pytest.raises(InputError) as caught:
        run(pulumi_mocks, sites, script_name="Not A Name")
    assert [p.field for p in caught.value.problems] == ["sites[1].dns", "sites[0].dns", "script_name"]
    assert not [r for r in pulumi_mocks.resources if r.type.startswith("cloudflare:")]
    pulumi.runtime.set_all_config({})
