"""The Cloudflare Worker policy host under the mock engine (Cloudflare DNS + Worker)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import records_for
from pulumi_mta_sts.core.txt_values import decode_txt
from pulumi_mta_sts.hosting.edge_code import MISSING_PATH, WORKER_MAIN_MODULE, viewer_request_code, worker_module
from pulumi_mta_sts.mtasts.component import MtaSts, MtaStsArgs
from pulumi_mta_sts.spec import DnsConfig
from tests.missing import needs_node
from tests.pulumi_mock import CLOUDFLARE_ACCOUNT_ID, Recorder, depends_on

POLICY = Policy.build("enforce", ["*.mail.example.org", "mx.example.org"], 604800)
RUA = ["mailto:tlsrpt@example.org", "https://tlsrpt.example.org/v1/report"]


@pytest.fixture
def rec(pulumi_mocks: Recorder) -> Recorder:
    args = MtaStsArgs(
        domain="example.org",
        policy=POLICY,
        dns=DnsConfig("cloudflare", zone_name="example.org"),
        host="worker",
        rua=RUA,
    )
    pulumi_mocks.run(lambda: MtaSts("example-org", args))
    return pulumi_mocks


def test_the_full_set_of_resources_has_no_s3_and_no_acm(rec: Recorder) -> None:
    assert Counter(r.type for r in rec.resources) == {
        "mta-sts:index:MtaSts": 1,
        "mta-sts:dns:CloudflareDns": 1,
        "mta-sts:hosting:WorkerHost": 1,
        "cloudflare:index/workersScript:WorkersScript": 1,
        "cloudflare:index/workersCustomDomain:WorkersCustomDomain": 1,
        "pulumi-python:dynamic/mtasts:PolicyLive": 1,
        "cloudflare:index/dnsRecord:DnsRecord": 2,  # the two TXT records
    }


def test_the_script_is_generated_from_the_rendered_policy_in_module_syntax(rec: Recorder) -> None:
    script = rec.one("cloudflare:index/workersScript:WorkersScript")
    assert script.inputs["content"] == worker_module(POLICY.render(), "example.org", POLICY.id)
    assert script.inputs["mainModule"] == WORKER_MAIN_MODULE
    assert "bodyPart" not in script.inputs  # not service-worker syntax
    assert script.inputs["accountId"] == CLOUDFLARE_ACCOUNT_ID  # from the zone look-up
    assert script.inputs["scriptName"] == "mta-sts-example-org"


def test_the_custom_domain_binds_mta_sts_host_to_the_script(rec: Recorder) -> None:
    domain = rec.one("cloudflare:index/workersCustomDomain:WorkersCustomDomain")
    script = rec.one("cloudflare:index/workersScript:WorkersScript")
    zone_id = rec.one("cloudflare:index/dnsRecord:DnsRecord", "example-org-mta-sts-txt").inputs["zoneId"]
    assert domain.inputs["hostname"] == "mta-sts.example.org"
    assert domain.inputs["service"] == script.inputs["scriptName"]
    assert domain.inputs["zoneId"] == zone_id
    assert depends_on(domain, script)


def test_txt_records_are_exact_and_the_id_waits_for_the_worker(rec: Recorder) -> None:
    txts = {r.inputs["name"]: r for r in rec.of_type("cloudflare:index/dnsRecord:DnsRecord")}
    assert {n: decode_txt(r.inputs["content"]) for n, r in txts.items()} == {
        r.name: r.value for r in records_for("example.org", POLICY, RUA)
    }
    live = rec.one("pulumi-python:dynamic/mtasts:PolicyLive")
    assert depends_on(txts["_mta-sts.example.org"], live)
    assert depends_on(live, "example-org-host-script") and depends_on(live, "example-org-host-domain")


def test_a_worker_needs_the_cloudflare_backend(pulumi_mocks: Recorder) -> None:
    args = MtaStsArgs(
        domain="example.com", policy=POLICY, dns=DnsConfig("route53", zone_name="example.com"), host="worker"
    )
    with pytest.raises(InputError, match="Cloudflare"):
        pulumi_mocks.run(lambda: MtaSts("x", args))
    assert pulumi_mocks.resources == []  # refused before anything was registered


@needs_node
def test_the_cloudfront_function_sends_every_other_path_to_a_missing_key() -> None:
    """The CloudFront host's viewer-request function (run under Node with CloudFront's event shape)."""
    script = (
        viewer_request_code()
        + """
const uris = JSON.parse(process.argv[1]);
const out = uris.map((uri) => handler({ request: { uri, querystring: { a: { value: "1" } } } }));
process.stdout.write(JSON.stringify(out));
"""
    )
    uris = ["/.well-known/mta-sts.txt", "/", "/errors/not-found.txt", "/.well-known/mta-sts.txt.bak"]
    done = subprocess.run(["node", "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True)
    results = json.loads(done.stdout)
    assert [r["uri"] for r in results] == ["/.well-known/mta-sts.txt", MISSING_PATH, MISSING_PATH, MISSING_PATH]
    assert all(r["querystring"] == {} for r in results)
