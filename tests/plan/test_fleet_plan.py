"""``mta-sts plan`` of a fleet stack (many domains in one stack, docs/fleets.md): every domain's
policy and records, offline (``stacks/Pulumi.example-fleet.yaml``) and compared with the loopback
DNS and HTTPS servers of ``tests/livefixture`` (a domain to change, one to create, a delegated
one whose records live in a provider zone and are reached through its owner's CNAMEs)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_BUDGET
from pulumi_mta_sts.change.model import STATUSES, ChangeSet, PolicyChange, RecordChange, Status
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.sections import Deployment
from pulumi_mta_sts.config.stack import load_any_config, read_stack_file, stack_values
from pulumi_mta_sts.core.policy_change import PolicyState, safety_notes
from pulumi_mta_sts.core.records import sts_record_name, sts_record_value
from pulumi_mta_sts.plan.domains import domain_of_record
from pulumi_mta_sts.plan.output import render_markdown
from pulumi_mta_sts.plan.report import StackReport
from pulumi_mta_sts.plan.stack_plan import DomainPolicy, Plan
from tests.livefixture import LiveFixture, live_fixture
from tests.plan.test_live_plan import plan as live_plan
from tests.plan.test_markdown import assert_well_formed

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
ZONE = "provider.fleet.test"


def example_fleet() -> Deployment:
    cfg = load_any_config(stack_values(read_stack_file(STACKS / "Pulumi.example-fleet.yaml")))
    assert cfg.layout == "fleet"
    return cfg


@pytest.fixture(scope="module")
def offline() -> dict[str, Any]:
    import contextlib
    import io

    buffer = io.StringIO()
    argv = ["plan", "--stack", "example-fleet", "--stacks-dir", str(STACKS), "--no-live-dns", "--format", "json"]
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    result: dict[str, Any] = json.loads(buffer.getvalue())
    return result


def test_offline_json_has_every_domains_policy(offline: dict[str, Any]) -> None:
    cfg = example_fleet()
    names = [d.domain for d in cfg.domains]
    assert [d["domain"] for d in offline["domains"]] == names  # the order of mta-sts:domains
    for entry, d in zip(offline["domains"], cfg.domains, strict=True):
        policy = d.served_policy
        assert entry["policy"] == {"text": policy.render(), "id": policy.id}
        assert entry["url"] == f"https://mta-sts.{d.domain}/.well-known/mta-sts.txt"
        assert (entry["delegated"], entry["mode"]) == (d.delegated, policy.mode)
        exported = offline["outputs"]["domains"][d.domain]
        assert (exported["policy_text"], exported["policy_id"]) == (policy.render(), policy.id)
    # domain / policy: the first domain's, as documented
    assert (offline["domain"], offline["policy"]) == (names[0], offline["domains"][0]["policy"])


def test_offline_json_lists_every_domains_records_uncompared(offline: dict[str, Any]) -> None:
    planned = {(e["name"], e["type"], e["value"]): e for e in offline["dns"]}
    for domain, exported in offline["outputs"]["domains"].items():
        for record in exported["records"]:
            entry = planned[(record["name"], record["type"], record["value"])]
            assert entry["status"] is None and entry["live"] is None
            assert entry["domain"] == domain
    assert offline["live_dns"]["compared"] is False
    diffs = {d["domain"]: d for d in offline["policy_diffs"]}
    assert set(diffs) == {d["domain"] for d in offline["domains"]}
    for entry in offline["domains"]:
        assert diffs[entry["domain"]]["new"] == entry["policy"]
        assert diffs[entry["domain"]]["old"] is None
    assert offline["policy_diff"]["domain"] == offline["domain"]
    assert {n["domain"] for n in offline["safety_notes"]} == {"shop.example"}  # the enforce domain


def test_the_single_domain_document_keeps_its_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--stack", "example-com", "--stacks-dir", str(STACKS), "--no-live-dns", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and "domains" not in doc and all("domain" not in e for e in doc["dns"])


def test_all_includes_the_fleet(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--all", "--stacks-dir", str(STACKS), "--no-live-dns", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    fleet = next(s for s in json.loads(out)["stacks"] if s["stack"] == "example-fleet")
    assert len(fleet["domains"]) == len(example_fleet().domains)


# ---- which domain a record belongs to -----------------------------------------------------------
LABEL = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
DOMAIN = st.lists(LABEL, min_size=2, max_size=4).map(".".join)


@given(st.lists(DOMAIN, min_size=1, max_size=6, unique=True), st.data())
def test_every_record_name_finds_its_domain(domains: list[str], data: st.DataObject) -> None:
    domain = data.draw(st.sampled_from(domains))
    zone = data.draw(DOMAIN)
    token = data.draw(LABEL)
    names = [
        f"_mta-sts.{domain}",
        f"_smtp._tls.{domain}",
        f"mta-sts.{domain}",
        f"_{token}.mta-sts.{domain}",  # a certificate validation name
    ]
    expected = {n: max((d for d in domains if n.endswith("." + d)), key=len) for n in names}
    for name in names:
        assert domain_of_record(name, domains) == expected[name]
        assert domain_of_record(name.upper() + ".", domains) == expected[name]
    inside = f"{domain}.{zone}"  # a delegated domain's names in a provider zone
    longer = [d for d in domains if inside.startswith(d + ".") and len(d) > len(domain)]
    if not any(inside == d for d in domains):
        for name in (f"_mta-sts.{inside}", f"_smtp._tls.{inside}", inside):
            assert domain_of_record(name, domains) == (max(longer, key=len) if longer else domain)


def test_a_provider_zone_under_another_planned_domain_names_the_delegated_one() -> None:
    domains = ["example.net", "customer.example"]
    assert domain_of_record("_mta-sts.customer.example.mta-sts.example.net", domains) == "customer.example"
    assert domain_of_record("customer.example.mta-sts.example.net", domains) == "customer.example"
    assert domain_of_record("_mta-sts.example.net", domains) == "example.net"
    assert domain_of_record("(known after deploy)", domains) is None


# ---- against live DNS ---------------------------------------------------------------------------
def fleet_stack() -> str:
    def entry(domain: str, mode: str, max_age: int, extra: str = "") -> str:
        mx = f"[mx1.{domain}, mx2.{domain}]"
        rua = f'{{rua: ["mailto:tlsrpt@{domain}"]}}'
        policy = f"{{mode: {mode}, max_age: {max_age}, mx: {mx}}}"
        return f"    - {{domain: {domain}, {extra}policy: {policy}, reporting: {rua}}}\n"

    head = textwrap.dedent(
        f"""\
        config:
          aws:region: eu-west-1
          mta-sts:defaults: {{dns: {{provider: cloudflare}}}}
          mta-sts:delegation: {{provider: cloudflare, zone_name: {ZONE}}}
          mta-sts:domains:
        """
    )
    return (
        head
        + entry("alpha.fleet.test", "enforce", 604_800)  # testing today: to enforce, max_age raised
        + entry("beta.fleet.test", "testing", 86_401)  # mail, but no MTA-STS yet
        + entry("hosted.fleet.test", "testing", 86_401, "delegated: true, shard: 0, ")  # as served today
    )


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        fixture.publish("alpha.fleet.test", mode="testing", max_age=86_401)
        for preference, host in enumerate(("mx1.beta.fleet.test", "mx2.beta.fleet.test"), start=1):
            fixture.zone.add("beta.fleet.test", "MX", (preference * 10, host))
        # hosted: its owner's _mta-sts CNAME points into the provider zone, which serves today's id
        hosted = fixture.publish("hosted.fleet.test", mode="testing", max_age=86_401)
        inside = f"{sts_record_name('hosted.fleet.test')}.{ZONE}"
        fixture.zone.remove(sts_record_name("hosted.fleet.test"))
        fixture.zone.add(sts_record_name("hosted.fleet.test"), "CNAME", inside)
        fixture.zone.add(inside, "TXT", sts_record_value(hosted.policy.id))
        yield fixture


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet-project")
    (root / "Pulumi.yaml").write_text(f"name: mta-sts\nruntime: python\nmain: {STACKS}\nstackConfigDir: stacks\n")
    stacks = root / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.fleet.yaml").write_text(fleet_stack())
    return stacks


def plan(live: LiveFixture, capsys: pytest.CaptureFixture[str], stacks: Path, *args: str) -> tuple[int, str, str]:
    return live_plan(live, capsys, stacks, "--stack", "fleet", *args)


def test_live_json_per_domain(live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(live, capsys, project, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["live_dns"] == {"compared": True, "reason": None}
    status = {(e["name"], e["type"]): e["status"] for e in doc["dns"]}
    assert status[("_mta-sts.alpha.fleet.test", "TXT")] == "change"
    assert status[("_smtp._tls.alpha.fleet.test", "TXT")] == "unchanged"
    assert status[("_mta-sts.beta.fleet.test", "TXT")] == "create"
    assert status[("_smtp._tls.beta.fleet.test", "TXT")] == "create"
    assert status[(f"_mta-sts.hosted.fleet.test.{ZONE}", "TXT")] == "unchanged"
    diffs = {d["domain"]: d for d in doc["policy_diffs"]}
    assert set(diffs) == {"alpha.fleet.test", "beta.fleet.test", "hosted.fleet.test"}
    assert diffs["alpha.fleet.test"]["id_rolls"] is True and "+mode: enforce" in diffs["alpha.fleet.test"]["diff"]
    assert diffs["beta.fleet.test"]["old"] == {"text": None, "id": None}
    hosted = diffs["hosted.fleet.test"]  # fetched through the owner's CNAME, as a sender does
    assert hosted["id_rolls"] is False and hosted["diff"] == "" and hosted["old"]["text"] is not None
    notes = {(n["domain"], n["code"]) for n in doc["safety_notes"]}
    assert notes == {("alpha.fleet.test", "max-age-raised")}


def test_live_text_per_domain(live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(live, capsys, project)
    assert code == 0, err
    assert out.startswith("Stack fleet: MTA-STS for 3 domains: alpha.fleet.test, beta.fleet.test, hosted.fleet.test")
    assert "Compared with live DNS, per domain (3)\n" in out
    assert "  alpha.fleet.test   1 to change, 1 unchanged, 1 known only after deploy. The id rolls: " in out
    assert "(senders fetch the policy again). 1 safety note.\n" in out
    assert "  beta.fleet.test    3 to create. The id " in out and " is published (no _mta-sts id today).\n" in out
    assert "  hosted.fleet.test  2 to create, 1 unchanged. The id stays " in out
    assert "  = _mta-sts.hosted.fleet.test.provider.fleet.test " in out
    assert "Policy of alpha.fleet.test (https://mta-sts.alpha.fleet.test/.well-known/mta-sts.txt)" in out
    assert "  INFO     max-age-raised (alpha.fleet.test): max_age is raised" in out


def test_live_markdown_per_domain(live: LiveFixture, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(live, capsys, project, "--format", "markdown")
    assert code == 0, err
    assert out.startswith("### `mta-sts plan` · stack `fleet` · 3 domains\\:\u2060 alpha\\.fleet\\.test\\, ")
    assert "#### Domains (3)" in out and "| `hosted.fleet.test` (delegated) |" in out
    assert "`max-age-raised` (alpha\\.fleet\\.test)" in out
    for domain in ("alpha", "beta", "hosted"):
        assert f"#### Policy of {domain}\\.fleet\\.test" in out
    assert_well_formed(out)
    assert len(out.encode()) <= MARKDOWN_BUDGET


# ---- a large fleet as a pull-request comment ----------------------------------------------------
@st.composite
def fleet_reports(draw: st.DrawFn) -> StackReport:
    """A fleet of up to 1,500 domains (some delegated), each with its records and policy diff."""
    count = draw(st.integers(1, 1500))
    compared = draw(st.booleans())
    return fleet_report(count, compared, draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4)))


def fleet_report(count: int, compared: bool, statuses: list[Status]) -> StackReport:
    """``count`` domains (every fourth delegated), their records with ``statuses`` in turn, and
    each domain's policy diff (with live DNS: from ``mode: none`` under another id)."""
    domains = [
        DomainPolicy(
            f"d{i}.example",
            f"version: STSv1\r\nmode: testing\r\nmx: mx.d{i}.example\r\n",
            f"id{i}",
            delegated=i % 4 == 3,
            mode="testing",
        )
        for i in range(count)
    ]
    records: list[RecordChange] = []
    diffs: list[PolicyChange] = []
    for i, d in enumerate(domains):
        zone = f".{ZONE}" if d.delegated else ""
        status = statuses[i % len(statuses)] if compared else None
        for name in (f"_mta-sts.{d.domain}{zone}", f"_smtp._tls.{d.domain}{zone}"):
            records.append(
                RecordChange(name, "TXT", [f"v=STSv1; id={d.id};"], status, ["old @x |"] if compared else None)
            )
        old = PolicyState(d.text.replace("testing", "none"), f"old{i}") if compared else None
        diff = PolicyChange(d.domain, PolicyState(d.text, d.id), old)
        diff.notes = safety_notes(old or PolicyState(None, None), diff.new, None)
        diffs.append(diff)
    live = ChangeSet(records, diffs, compared=compared, reason=None if compared else "not asked")
    plan = Plan("fleet", domains, [], fleet=True)
    return StackReport("fleet", plan, live)


@settings(max_examples=8, deadline=None)
@given(fleet_reports())
def test_any_fleet_fits_a_comment_and_stays_well_formed(report: StackReport) -> None:
    text = render_markdown([report])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert_well_formed(text)
    assert report.plan is not None
    count = len(report.plan.domains)
    domains = f"{count} domain{'s' * (count > 1)}\\:\u2060 d0\\.example"
    assert text.startswith(f"### `mta-sts plan` · stack `fleet` · {domains}")
    rows = [line for line in text.split("\n") if line.startswith("| `d")]  # the Domains table
    if text.count("#### Policy of ") < count or len(rows) < count:
        assert "--format json" in text  # what is left out is said, and where to see it all
    else:
        assert "(delegated)" in text or count < 4


@pytest.mark.parametrize("compared", [True, False])
def test_a_fleet_of_1500_domains_is_cut_to_fit_and_says_so(compared: bool) -> None:
    text = render_markdown([fleet_report(1500, compared, ["change", "unchanged", "create", "unknown"])])
    assert len(text.encode("utf-8")) <= MARKDOWN_BUDGET
    assert_well_formed(text)
    assert "--format json" in text
    assert "| `d0.example` |" in text  # the first domains are still listed
