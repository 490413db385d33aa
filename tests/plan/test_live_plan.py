"""``mta-sts plan`` end to end with live DNS: the real stack program under the mock engine, its
records compared with the loopback DNS server of ``tests/livefixture`` and its policy with the
one the loopback HTTPS server serves (trustme CA), in every format, for one stack and ``--all``."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.cli import main
from tests.livefixture import LiveFixture, live_fixture
from tests.livefixture.dns_server import DnsFixture, Zone

PROGRAM_DIR = Path(__file__).resolve().parents[2] / "stacks"


def stack_text(domain: str, mode: str, max_age: int) -> str:
    return textwrap.dedent(
        f"""\
        config:
          mta-sts:domain: {domain}
          mta-sts:dns: {{provider: cloudflare, zone_name: {domain}}}
          mta-sts:host: {{kind: worker}}
          mta-sts:policy: {{mode: {mode}, max_age: {max_age}, mx: [mx1.{domain}, mx2.{domain}]}}
          mta-sts:reporting: {{rua: ["mailto:tlsrpt@{domain}"]}}
        """
    )


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        # alpha: published in testing mode today; the stack moves it to enforce with a week's max_age
        fixture.publish("alpha.plan.test", mode="testing", max_age=86_401)
        # beta: mail, but no MTA-STS yet
        for preference, host in enumerate(("mx1.beta.plan.test", "mx2.beta.plan.test"), start=1):
            fixture.zone.add("beta.plan.test", "MX", (preference * 10, host))
        yield fixture


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "Pulumi.yaml").write_text(f"name: mta-sts\nruntime: python\nmain: {PROGRAM_DIR}\nstackConfigDir: stacks\n")
    stacks = root / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.alpha.yaml").write_text(stack_text("alpha.plan.test", "enforce", 604_800))
    (stacks / "Pulumi.beta.yaml").write_text(stack_text("beta.plan.test", "testing", 86_401))
    return stacks


def plan(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], stacks: Path, *args: str, nameserver: str | None = None
) -> tuple[int, str, str]:
    argv = ["plan", "--stacks-dir", str(stacks), "--nameserver", nameserver or live.nameserver]
    argv += ["--cafile", live.cafile, "--https-port", str(live.https.port), "--timeout", "3", *args]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def by_key(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["name"], e["type"]): e for e in doc["dns"]}


def test_all_stacks_as_json_with_every_status(
    live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = plan(live, capsys, project, "--all", "--format", "json")
    assert code == 0, err
    alpha, beta = json.loads(out)["stacks"]
    assert (alpha["stack"], beta["stack"]) == ("alpha", "beta")
    a = by_key(alpha)
    assert a[("_mta-sts.alpha.plan.test", "TXT")]["status"] == "change"
    assert a[("_mta-sts.alpha.plan.test", "TXT")]["live"][0].startswith("v=STSv1; id=")
    assert a[("_smtp._tls.alpha.plan.test", "TXT")]["status"] == "unchanged"
    assert a[("mta-sts.alpha.plan.test", "WORKER")]["status"] == "unknown"  # an address is there today
    assert {e["status"] for e in beta["dns"]} == {"create"} and all(e["live"] is None for e in beta["dns"])
    assert alpha["live_dns"] == {"compared": True, "reason": None}
    diff = alpha["policy_diff"]
    assert diff["id_rolls"] is True and "-mode: testing" in diff["diff"] and "+mode: enforce" in diff["diff"]
    assert diff["live_mx"] == ["mx1.alpha.plan.test", "mx2.alpha.plan.test"]
    assert {n["code"] for n in alpha["safety_notes"]} == {"max-age-raised"}
    assert all(set(n) == {"code", "level", "message", "domain"} for n in alpha["safety_notes"])
    assert beta["policy_diff"]["old"] == {"text": None, "id": None}
    assert set(alpha) >= {"stack", "domain", "policy", "resources", "dns", "outputs", "warnings"}


def test_one_stack_as_text_shows_marks_the_policy_diff_and_the_notes(
    live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = plan(live, capsys, project, "--stack", "alpha")
    assert code == 0, err
    assert "Compared with live DNS: 1 to change, 1 unchanged, 1 known only after deploy." in out
    assert "  ~ _mta-sts.alpha.plan.test " in out and " → v=STSv1; id=" in out
    assert "  = _smtp._tls.alpha.plan.test " in out
    assert "  ? mta-sts.alpha.plan.test " in out and "(today: 127.0.0.1" in out
    assert "  The id rolls: " in out
    for line in (
        "  --- served today",
        "  -mode: testing",
        "  +mode: enforce",
        "  -max_age: 86401",
        "  +max_age: 604800",
    ):
        assert f"\n{line}\n" in out
    assert (
        "INFO     max-age-raised: max_age is raised from 86401 seconds (about 1 day) to 604800 seconds (7 days)" in out
    )


def test_one_stack_as_markdown(live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(live, capsys, project, "--stack", "beta", "--format", "markdown")
    assert code == 0, err
    assert out.startswith("### `mta-sts plan` · stack `beta` · beta\\.plan\\.test\n")
    assert "| `+` | `_mta-sts.beta.plan.test` | TXT | — | `v=STSv1; id=" in out
    assert "```diff\n--- served today\n+++ after deploy\n" in out
    assert len(out.encode()) <= MARKDOWN_BUDGET


def test_a_stack_that_cannot_be_planned_does_not_stop_the_others(
    live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (tmp_path / "Pulumi.yaml").write_text((project.parent / "Pulumi.yaml").read_text())
    (stacks / "Pulumi.beta.yaml").write_text((project / "Pulumi.beta.yaml").read_text())
    (stacks / "Pulumi.broken.yaml").write_text("config:\n  mta-sts:domain: broken.plan.test\n")
    code, out, err = plan(live, capsys, stacks, "--all")
    assert code == 2
    assert "Stack beta: MTA-STS for beta.plan.test" in out and "Stack broken: not planned" in out
    assert err.startswith("mta-sts plan: broken: Pulumi.broken.yaml: mta-sts:") and "Traceback" not in err


def test_dns_that_does_not_answer_is_said_once_and_the_desired_state_shown(
    live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zone = Zone()
    zone.blackhole("plan.test")
    dead = DnsFixture(zone)
    try:
        code, out, err = plan(live, capsys, project, "--all", "--timeout", "0.5", nameserver=dead.nameserver)
    finally:
        dead.stop()
    assert code == 0, err
    assert out.count("Not compared with live DNS: live DNS did not answer (DNS timeout looking up") == 1
    assert out.count("Not compared with live DNS: as said above. Showing the desired state.") == 1
    assert "DNS records managed (3)\n  _mta-sts.alpha.plan.test" in out  # the desired state, as without live DNS
    assert "Policy of alpha.plan.test" not in out  # no diff against a policy nobody fetched


def test_no_live_dns_flag_and_live_dns_flag(
    live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTA_STS_NO_LIVE_DNS", "1")
    code, out, err = plan(live, capsys, project, "--stack", "beta", "--format", "json", "--live-dns")
    assert code == 0, err
    assert json.loads(out)["live_dns"]["compared"] is True  # the flag wins over the environment
    code, out, err = plan(live, capsys, project, "--stack", "beta", "--format", "json", "--no-live-dns")
    doc = json.loads(out)
    assert doc["live_dns"]["compared"] is False and {e["live"] for e in doc["dns"]} == {None}
