"""Golden plans of two stacks with ``mta-sts:reporting.per_mx`` (issue 27), one on Route53 (hosts
from the policy's exact ``mx`` entries, one outside the zone left out) and one on Cloudflare (hosts
listed in ``per_mx_hosts`` where a wildcard covers them): every ``_smtp._tls.<mx host>`` record
and resource, as :mod:`tests.plan.test_golden` records the example stacks (same update switch)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.cli import main
from tests.plan.test_golden import _normal

HERE = Path(__file__).resolve().parent
STACKS_DIR, GOLDEN = HERE / "per_mx_stacks", HERE / "golden_per_mx"


def _plan(stack: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["plan", "--stack", stack, "--stacks-dir", str(STACKS_DIR), "--no-live-dns", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    plan: dict[str, Any] = json.loads(captured.out)
    return _normal(plan)


@pytest.mark.parametrize("stack", ["permx-route53", "permx-cloudflare"])
def test_per_mx_plan_matches_the_golden_file(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = GOLDEN / f"{stack}.json"
    got = _plan(stack, capsys)
    if os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == _normal(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("stack", "domain", "hosts"),
    [
        ("permx-route53", "example.com", ["mx1.example.com", "mx2.example.com"]),
        ("permx-cloudflare", "example.org", ["eu.mail.example.org", "mx.example.org", "us.mail.example.org"]),
    ],
)
def test_each_mx_record_has_the_domains_value(
    stack: str, domain: str, hosts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    txt = {r["name"]: r["value"] for r in _plan(stack, capsys)["dns"] if r["type"] == "TXT"}
    own = txt[f"_smtp._tls.{domain}"]
    assert (
        sorted(n.removeprefix("_smtp._tls.") for n, v in txt.items() if v == own and n != f"_smtp._tls.{domain}")
        == hosts
    )
