"""``mta-sts onboard``: the records a delegated domain's owner publishes, from the plan (golden text
and JSON) or from the deployed stack's outputs, errors as one line each, and ``--check`` against
loopback DNS."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.cli import main
from tests.livefixture import LiveFixture, live_fixture

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
GOLDEN = Path(__file__).parent / "golden_onboard"
#: Set to rewrite the golden files (then review the diff).
UPDATE = os.environ.get("MTA_STS_UPDATE_GOLDEN") == "1"


def onboard(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["onboard", *args, "--stacks-dir", str(STACKS)])
    out, err = capsys.readouterr()
    return code, out, err


def golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_plans_records_for_a_delegated_domain(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = onboard(capsys, "customer.example", "--stack", "example-fleet", "--format", fmt)
    assert code == 0, err
    assert out == golden(f"customer-example.plan.{fmt}", out)


def test_the_plan_lists_the_records_in_publishing_order(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = onboard(capsys, "Customer.Example.", "--stack", "example-fleet", "--format", "json")
    document = json.loads(out)
    assert document["source"] == "plan" and document["complete"] is False
    names = [r["name"] for r in document["records"]]
    assert names[0] == "mta-sts.customer.example" and names[-1] == "_mta-sts.customer.example"
    assert document["records"][-1]["value"] == "_mta-sts.customer.example.mta-sts.hosting.example"
    assert "(known after deploy)" in {r["value"] for r in document["records"]}


OUTPUTS = {
    "domains": {
        "customer.example": {
            "policy_id": "bfvgqnl6mjcc353xspyibup4a7vis4oq",
            "delegated": True,
            "customer_records": [
                {
                    "name": "mta-sts.customer.example",
                    "type": "CNAME",
                    "value": "customer.example.mta-sts.hosting.example",
                },
                {"name": "_1a2b.mta-sts.customer.example", "type": "CNAME", "value": "_3c4d.acm-validations.aws"},
                {
                    "name": "_mta-sts.customer.example",
                    "type": "CNAME",
                    "value": "_mta-sts.customer.example.mta-sts.hosting.example",
                },
            ],
        }
    },
    "shards": {"customer.example": 0},
}


def test_the_outputs_give_every_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(OUTPUTS))
    code, out, _ = onboard(capsys, "customer.example", "--stack", "example-fleet", "--outputs", str(outputs))
    assert code == 0
    assert "_1a2b.mta-sts.customer.example  CNAME  _3c4d.acm-validations.aws" in out
    assert "certificate validation" in out and "known after deploy" not in out
    code, out, _ = onboard(
        capsys, "customer.example", "--stack", "example-fleet", "--outputs", str(outputs), "--format", "json"
    )
    assert json.loads(out)["complete"] is True and json.loads(out)["source"] == "outputs"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["brand.example", "--stack", "example-fleet"],
            "is not delegated (Pulumi.example-fleet.yaml: mta-sts:domains[0])",
        ),
        (["nowhere.example", "--stack", "example-fleet"], "its delegated domains: customer.example"),
        (["customer.example", "--stack", "example-com"], "its delegated domains: none"),
        (["example.com", "--stack", "example-com"], "is not delegated (Pulumi.example-com.yaml: mta-sts:domain)"),
        (["not a domain", "--stack", "example-fleet"], "DOMAIN"),
        (["customer.example", "--stack", "nope"], "does not exist"),
    ],
)
def test_mistakes_are_one_line_each(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = onboard(capsys, *args)
    assert code == 2 and out == "" and message in err
    assert all(line.startswith("mta-sts onboard: ") for line in err.splitlines())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not valid JSON"),
        ('{"domain": "x"}', "no 'domains' output"),
        ('{"domains": {}}', "no customer_records"),
        ('{"domains": []}', "domains is an array, not an object"),
        ('{"domains": {"customer.example": "x"}}', 'domains["customer.example"] is a string, not an object'),
        (
            '{"domains": {"customer.example": {"customer_records": [{"name": 5, "type": "CNAME", "value": "x"}]}}}',
            'domains["customer.example"].customer_records[0].name is a number, not a string',
        ),
        ('{"domains": {"customer.example": {"customer_records": ["x"]}}}', "customer_records[0] is a string"),
        ('{"domains": NaN}', "holds NaN"),
        ('{"domains": ' + "[" * 1000 + "]" * 1000 + "}", "nests deeper than 128 levels"),
        ('{"deployment": {"resources": {}}}', "deployment.resources is an object, not an array"),
        ('{"deployment": {"resources": [7]}}', "deployment.resources[0] is a number, not an object"),
        (
            '{"deployment": {"resources": [{"type": "aws:acm/certificate:Certificate", "outputs": '
            '{"domainValidationOptions": [{"domainName": ["mta-sts.customer.example"]}]}}]}}',
            "outputs.domainValidationOptions[0].domainName is an array, not a string",
        ),
    ],
)
def test_bad_outputs_files_are_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(content)
    code, _, err = onboard(capsys, "customer.example", "--stack", "example-fleet", "--outputs", str(outputs))
    assert code == 2 and "--outputs" in err and message in err


def test_a_missing_outputs_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = onboard(capsys, "customer.example", "--stack", "example-fleet", "--outputs", str(tmp_path))
    assert code == 2 and "--outputs" in err


# ---- --check against loopback DNS -----------------------------------------------------------------
@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def test_check_reports_each_record_found_missing_or_wrong(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(OUTPUTS))
    for record in OUTPUTS["domains"]["customer.example"]["customer_records"][:2]:  # type: ignore[index]
        live.zone.add(record["name"], "CNAME", record["value"])
    live.zone.add("_mta-sts.customer.example", "CNAME", "_mta-sts.somewhere.else.test")
    args = ["customer.example", "--stack", "example-fleet", "--outputs", str(outputs), "--format", "json"]
    code, out, _ = onboard(capsys, *args, "--check", "--nameserver", live.nameserver)
    checks = {c["id"]: c for c in json.loads(out)["check"]["checks"]}
    assert code == 1
    assert checks["delegation:mta-sts.customer.example"]["status"] == "pass"
    assert checks["delegation:_1a2b.mta-sts.customer.example"]["status"] == "pass"
    assert checks["delegation:_mta-sts.customer.example"]["status"] == "fail"
    assert "wrong" in checks["delegation:_mta-sts.customer.example"]["detail"]
    live.zone.remove("_mta-sts.customer.example")
    code, out, _ = onboard(capsys, *args, "--check", "--nameserver", live.nameserver)
    assert code == 1 and "missing" in json.dumps(json.loads(out)["check"])
    live.zone.add("_mta-sts.customer.example", "CNAME", "_mta-sts.customer.example.mta-sts.hosting.example")
    code, out, _ = onboard(capsys, *args[:-2], "--check", "--nameserver", live.nameserver)
    assert code == 0 and "PASS" in out


#: A ``pulumi stack export`` of a fleet whose first deploy stopped waiting for the owner's validation record.
STATE: dict[str, Any] = {
    "version": 3,
    "deployment": {
        "resources": [
            {"urn": "urn:pulumi:s::mta-sts::pulumi:pulumi:Stack::mta-sts-s", "type": "pulumi:pulumi:Stack"},
            {
                "urn": "urn:pulumi:s::mta-sts::aws:acm/certificate:Certificate::fleet-shard-0-certificate",
                "type": "aws:acm/certificate:Certificate",
                "outputs": {
                    "domainValidationOptions": [
                        {
                            "domainName": "mta-sts.example.com",
                            "resourceRecordName": "_e.mta-sts.example.com.",
                            "resourceRecordType": "CNAME",
                            "resourceRecordValue": "_f.acm-validations.aws.",
                        },
                        {
                            "domainName": "mta-sts.customer.example",
                            "resourceRecordName": "_9z.mta-sts.customer.example.",
                            "resourceRecordType": "CNAME",
                            "resourceRecordValue": "_8y.acm-validations.aws.",
                        },
                    ]
                },
            },
        ]
    },
}


def test_a_stack_export_gives_the_validation_record_of_a_stopped_deploy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The state keeps the certificate (and its validation options) even when the deploy stopped
    waiting for the owner's validation record, before any stack output was written."""
    export = tmp_path / "state.json"
    export.write_text(json.dumps(STATE))
    args = ("customer.example", "--stack", "example-fleet", "--outputs", str(export), "--format", "json")
    code, out, _ = onboard(capsys, *args)
    document = json.loads(out)
    assert code == 0 and document["source"] == "plan+state" and document["complete"] is True
    assert {
        "name": "_9z.mta-sts.customer.example",
        "type": "CNAME",
        "value": "_8y.acm-validations.aws",
        "purpose": "certificate validation (the policy host's certificate)",
    } in document["records"]
    assert document["records"][0]["value"] == "customer.example.mta-sts.hosting.example"


def test_the_plan_comes_from_plan_stack_without_live_dns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Onboarding reads the plan through the public ``plan_stack`` (as ``mta-sts plan
    --no-live-dns``): the same program, config checks and outputs, and no network."""
    from pulumi_mta_sts.plan import stack_plan

    calls: list[tuple[str, bool]] = []
    real = stack_plan.plan_stack

    def recording(stack: str, **kwargs: Any) -> stack_plan.Plan:
        calls.append((stack, kwargs["options"].live_dns))
        return real(stack, **kwargs)

    monkeypatch.setattr(stack_plan, "plan_stack", recording)
    code, out, err = onboard(capsys, "customer.example", "--stack", "example-fleet", "--format", "json")
    assert code == 0, err
    assert calls == [("example-fleet", False)]
    assert json.loads(out)["records"][0]["name"] == "mta-sts.customer.example"
