"""The generated Cloudflare Worker, run under Node (v20: fetch-style Request/Response built in)."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.hosting.edge_code import WORKER_MAIN_MODULE, not_found_text, worker_module
from tests.missing import needs_node

pytestmark = needs_node

POLICY = Policy.build("enforce", ["*.mail.example.org", "mx.example.org"], 604800, {"note": "café ünïcode"})

HARNESS = """
import worker from %s;
const requests = JSON.parse(process.argv[2]);
const out = [];
for (const [method, url] of requests) {
  const res = await worker.fetch(new Request(url, { method }));
  const body = Buffer.from(await res.arrayBuffer()).toString("base64");
  out.push({ status: res.status, headers: Object.fromEntries(res.headers), body });
}
process.stdout.write(JSON.stringify(out));
"""


def run_worker(tmp_path: Path, source: str, *requests: tuple[str, str]) -> list[dict[str, Any]]:
    module = tmp_path / WORKER_MAIN_MODULE
    module.write_text(source, encoding="utf-8")
    harness = tmp_path / "harness.mjs"
    harness.write_text(HARNESS % json.dumps(module.as_uri()), encoding="utf-8")
    done = subprocess.run(
        ["node", str(harness), json.dumps(requests)], capture_output=True, text=True, timeout=60, check=True
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    for r in results:
        r["body"] = base64.b64decode(r["body"])
    return results


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    requests = [
        ("GET", "https://mta-sts.example.org/.well-known/mta-sts.txt"),
        ("HEAD", "https://mta-sts.example.org/.well-known/mta-sts.txt"),
        ("POST", "https://mta-sts.example.org/.well-known/mta-sts.txt"),
        ("GET", "https://mta-sts.example.org/"),
        ("GET", "https://mta-sts.example.org/.well-known/mta-sts.txt.bak"),
        ("GET", "http://mta-sts.example.org/.well-known/mta-sts.txt"),
    ]
    source = worker_module(POLICY.render(), "example.org", POLICY.id)
    results = run_worker(tmp_path_factory.mktemp("worker"), source, *requests)
    return dict(zip(requests, results, strict=True))


def test_the_policy_path_serves_exactly_the_rendered_bytes_as_text_plain(answers: dict[Any, Any]) -> None:
    got = answers[("GET", "https://mta-sts.example.org/.well-known/mta-sts.txt")]
    assert got["status"] == 200
    assert got["body"] == POLICY.render_bytes()  # byte for byte, CRLF and UTF-8 included
    assert got["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert got["headers"]["cache-control"] == "no-store"


def test_head_has_no_body_and_other_methods_are_refused(answers: dict[Any, Any]) -> None:
    head = answers[("HEAD", "https://mta-sts.example.org/.well-known/mta-sts.txt")]
    assert head["status"] == 200 and head["body"] == b""
    post = answers[("POST", "https://mta-sts.example.org/.well-known/mta-sts.txt")]
    assert post["status"] == 405 and post["headers"]["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "url", ["https://mta-sts.example.org/", "https://mta-sts.example.org/.well-known/mta-sts.txt.bak"]
)
def test_every_other_path_is_404_saying_what_the_host_is_for(answers: dict[Any, Any], url: str) -> None:
    got = answers[("GET", url)]
    assert got["status"] == 404
    assert got["body"].decode() == not_found_text("example.org")
    assert "MTA-STS policy of example.org" in got["body"].decode()


def test_plain_http_is_refused_without_a_redirect(answers: dict[Any, Any]) -> None:
    got = answers[("GET", "http://mta-sts.example.org/.well-known/mta-sts.txt")]
    assert got["status"] == 403 and "location" not in got["headers"]


def test_the_script_changes_exactly_when_the_policy_does() -> None:
    same = Policy.build("enforce", ["mx.example.org", "*.mail.example.org"], 604800, {"note": "café ünïcode"})
    assert worker_module(same.render(), "example.org", same.id) == worker_module(
        POLICY.render(), "example.org", POLICY.id
    )
    other = Policy.build("enforce", ["mx.example.org"], 604800)
    assert worker_module(other.render(), "example.org", other.id) != worker_module(
        POLICY.render(), "example.org", POLICY.id
    )
