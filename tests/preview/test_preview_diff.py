"""``mta-sts preview-diff`` on previews in the Pulumi CLI's exact form (tests/data/preview/):
what each scenario must show a reviewer, and golden Markdown and text outputs.

Regenerate the goldens after a deliberate change of output with
``MTA_STS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/preview`` and review the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.change.comment import COMMENT_BUDGET as MARKDOWN_LIMIT
from pulumi_mta_sts.cli import main
from pulumi_mta_sts.preview.changes import summarise
from pulumi_mta_sts.preview.document import read_preview

DATA = Path(__file__).resolve().parents[1] / "data" / "preview"
GOLDEN = DATA / "golden"
FIXTURES = sorted(p.stem for p in DATA.glob("*.json"))
UPDATE = os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1"
#: The resources that write DNS records (Route53, Cloudflare records, a Worker's custom domain).
RECORD_TYPES = r"(route53/record:Record|dnsRecord:DnsRecord|workersCustomDomain:WorkersCustomDomain)$"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["preview-diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], name: str, *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, str(DATA / f"{name}.json"), "--format", "json", *extra)
    assert code in (0, 1) and not err, err
    return dict(json.loads(out))


def test_there_are_fixtures_for_every_scenario_of_the_issue() -> None:
    wanted = {"first-deploy", "policy-edit", "host-switch", "record-deletion", "retirement", "no-dns-change"}
    assert wanted | {"secrets", "failed", "show-sames"} <= set(FIXTURES)


# ---- goldens ------------------------------------------------------------------------------------
SUFFIX = {"markdown": "md", "text": "txt", "json": "json"}


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("name", FIXTURES)
def test_output_matches_the_golden(capsys: pytest.CaptureFixture[str], name: str, fmt: str) -> None:
    code, out, err = run(capsys, str(DATA / f"{name}.json"), "--format", fmt)
    assert not err
    assert code == (1 if name == "failed" else 0)
    golden = GOLDEN / f"{name}.{SUFFIX[fmt]}"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(out)
    assert golden.exists(), f"no golden {golden.name}: run with MTA_STS_UPDATE_GOLDEN=1"
    assert out == golden.read_text()


def test_markdown_is_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(DATA / "policy-edit.json"))
    assert out.startswith("### MTA-STS preview: `example-com`")


# ---- what each scenario shows -------------------------------------------------------------------
def _dns(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(entry["name"], entry["record_type"]): entry for entry in document["dns"]}


def test_first_deploy_creates_every_record(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "first-deploy")
    dns = _dns(document)
    assert {entry["op"] for entry in dns.values()} == {"create"}
    assert dns[("_mta-sts.example.com", "TXT")]["new"][0]["value"].startswith("v=STSv1; id=")
    assert dns[("mta-sts.example.com", "A")]["new"][0]["value"].startswith("ALIAS (known after deploy)")
    assert document["policy"]["old"] == {"text": None, "id": None}
    assert document["policy"]["new"]["text"].startswith("version: STSv1\r\nmode: testing\r\n")
    assert document["other_changes"]["create"] >= 10


def test_first_deploy_on_cloudflare_shows_the_worker_domain(capsys: pytest.CaptureFixture[str]) -> None:
    dns = _dns(as_json(capsys, "first-deploy-cloudflare"))
    assert ("mta-sts.example.org", "WORKER") in dns
    assert dns[("_smtp._tls.example.org", "TXT")]["new"][0]["value"].startswith("v=TLSRPTv1; rua=mailto:")


def test_a_policy_edit_shows_the_txt_update_the_body_diff_and_the_id_roll(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "policy-edit")
    txt = _dns(document)[("_mta-sts.example.com", "TXT")]
    assert txt["op"] == "update" and txt["changed"] == ["records[0]"]
    old_id, new_id = document["policy"]["old"]["id"], document["policy"]["new"]["id"]
    assert old_id != new_id and txt["new"][0]["value"] == f"v=STSv1; id={new_id};"
    assert "-mode: testing\n+mode: enforce" in document["policy"]["diff"]
    assert {o["resource"] for o in document["policy"]["objects"]} == {
        "example-com-host-policy",
        "example-com-policy-live",
    }
    assert {n["code"] for n in document["safety_notes"]} == {"live-mx-unknown", "max-age-raised"}
    assert document["warnings"] and not document["errors"]


def test_live_mx_given_with_mx_makes_the_coverage_note_precise(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "policy-edit", "--mx", "mx1.example.com", "--mx", "MX3.example.com.")
    notes = {n["code"]: n for n in document["safety_notes"]}
    assert notes["enforce-uncovered-mx"]["level"] == "danger"
    assert "mx3.example.com" in notes["enforce-uncovered-mx"]["message"]
    assert "live-mx-unknown" not in notes


def test_a_bad_mx_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(DATA / "policy-edit.json"), "--mx", "10.0.0.1")
    assert code == 2 and not out and err.startswith("mta-sts preview-diff: --mx")


def test_a_replacement_is_one_change_with_both_halves(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "host-switch")
    raw = json.loads((DATA / "host-switch.json").read_text())
    assert {"create-replacement", "replace", "delete-replaced"} <= {s["op"] for s in raw["steps"]}
    [cname] = [e for e in document["dns"] if e["record_type"] == "CNAME"]
    assert cname["op"] == "replace" and cname["ops"] == ["create-replacement", "replace", "delete-replaced"]
    assert cname["replace_reasons"] == ["name"]
    assert (
        cname["old"][0]["name"].endswith(".mta-sts.example.com.") and cname["new"][0]["name"] == "(known after deploy)"
    )
    assert document["other_changes"] == {"replace": 2, "update": 1}


def test_a_record_deletion(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "record-deletion")
    [entry] = document["dns"]
    assert entry["op"] == "delete" and entry["new"] is None and entry["name"] == "_smtp._tls.example.com"
    assert not document["policy"]["changes"]


def test_retirement_says_how_long_senders_keep_the_old_policy(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "retirement")
    [note] = [n for n in document["safety_notes"] if n["code"] == "retirement"]
    assert "604800 seconds (7 days)" in note["message"]
    assert "+mode: none" in document["policy"]["diff"]


def test_no_dns_change_counts_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    document = as_json(capsys, "no-dns-change")
    assert document["dns"] == [] and not document["policy"]["changes"] and document["safety_notes"] == []
    assert document["other_changes"] == {"replace": 1}
    _code, out, _ = run(capsys, str(DATA / "no-dns-change.json"))
    assert "No record set changes." in out and "**Policy**: no change in this preview." in out


def test_secrets_stay_hidden(capsys: pytest.CaptureFixture[str]) -> None:
    raw = (DATA / "secrets.json").read_text()
    assert '"cloudflare:apiToken": "[secret]"' in raw
    document = as_json(capsys, "secrets")
    tlsrpt = _dns(document)[("_smtp._tls.example.org", "TXT")]
    assert tlsrpt["new"] == [{"name": "_smtp._tls.example.org", "type": "TXT", "value": "[secret]"}]
    assert document["policy"]["hidden"] and document["policy"]["diff"] is None
    assert document["policy"]["new"]["text"] is None
    for fmt in ("markdown", "text"):
        _, out, _ = run(capsys, str(DATA / "secrets.json"), "--format", fmt)
        assert "[secret]" in out and "apiToken" not in out and "max_age: 1209600" not in out


def test_a_failed_preview_shows_its_errors_first_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("markdown", "text"):
        code, out, _ = run(capsys, str(DATA / "failed.json"), "--format", fmt)
        assert code == 1
        first_error = out.index("no matching Route 53 Hosted Zone found")
        assert first_error < out.index("DNS")
        assert "Checking the live DNS" in out[first_error:]  # program output comes last
    document = as_json(capsys, "failed")
    assert document["failed"] and len(document["errors"]) == 1


def test_show_sames_lists_the_unchanged_records_apart(capsys: pytest.CaptureFixture[str]) -> None:
    with_sames, without = as_json(capsys, "show-sames"), as_json(capsys, "policy-edit")
    assert with_sames["dns"] == without["dns"]
    assert with_sames["safety_notes"] == without["safety_notes"]
    unchanged = {(e["name"], e["record_type"]) for e in with_sames["dns_unchanged"]}
    assert ("_smtp._tls.example.com", "TXT") in unchanged and ("mta-sts.example.com", "AAAA") in unchanged
    assert all(e["op"] == "same" for e in with_sames["dns_unchanged"]) and without["dns_unchanged"] == []


@pytest.mark.parametrize("name", FIXTURES)
def test_every_dns_step_of_every_fixture_is_shown(capsys: pytest.CaptureFixture[str], name: str) -> None:
    raw = json.loads((DATA / f"{name}.json").read_text())
    record_steps = {s["urn"] for s in raw.get("steps", []) if re.search(RECORD_TYPES, s["urn"].split("::")[2])}
    document = as_json(capsys, name)
    shown = {e["urn"] for e in document["dns"] + document["dns_unchanged"]}
    assert shown == record_steps


@pytest.mark.parametrize("name", FIXTURES)
def test_the_change_summary_is_pulumis(name: str) -> None:
    raw = json.loads((DATA / f"{name}.json").read_text())
    summary = summarise(read_preview(DATA / f"{name}.json"))
    assert dict(summary.digest.change_summary) == raw["changeSummary"]


def test_markdown_ids_values_are_code_never_markup(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, str(DATA / "first-deploy.json"))
    assert len(out) < MARKDOWN_LIMIT
    dns_table = out.split("#### DNS records", 1)[1].split("#### Policy", 1)[0]
    table_rows = [line for line in dns_table.splitlines() if line.startswith("| `+` |")]
    cell = r"( `[^`|]*` \|| — \|)"
    assert table_rows and all(re.fullmatch(rf"\| `\+` \|{cell} [A-Z]+ \|{cell}{{2}}", row) for row in table_rows)
