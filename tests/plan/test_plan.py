"""``mta-sts plan``: the real stack program under the mock engine, as text and as JSON."""

from __future__ import annotations

import json
import os
import re
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.stack import load_stack_file
from pulumi_mta_sts.core.records import records_for
from pulumi_mta_sts.net.resolver import NAMESERVERS_ENV, NO_LIVE_DNS_ENV
from tests.livefixture.dns_server import DnsFixture, Zone

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
UNKNOWN = "(known after deploy)"


def plan_json(capsys: pytest.CaptureFixture[str], *extra: str, stack: str = "example-com") -> dict[str, Any]:
    code = main(["plan", "--stack", stack, "--format", "json", "--stacks-dir", str(STACKS), *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    result: dict[str, Any] = json.loads(out.out)
    return result


@pytest.fixture(scope="module")
def com(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The JSON plan of the example-com stack (route53 + cloudfront), computed once."""
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["plan", "--stack", "example-com", "--format", "json", "--no-live-dns"]) == 0
    result: dict[str, Any] = json.loads(buffer.getvalue())
    return result


def test_json_has_the_promised_shape(com: dict[str, Any]) -> None:
    assert set(com) >= {"stack", "domain", "policy", "resources", "dns"}
    assert (com["stack"], com["domain"]) == ("example-com", "example.com")
    cfg = load_stack_file(STACKS / "Pulumi.example-com.yaml")
    assert com["policy"] == {"text": cfg.policy.render(), "id": cfg.policy.id}
    for entry in com["resources"]:
        assert set(entry) >= {"name", "type", "inputs", "parent", "dependencies"}


def test_every_parent_and_dependency_names_another_entry(com: dict[str, Any]) -> None:
    names = [r["name"] for r in com["resources"]]
    assert len(names) == len(set(names))
    for entry in com["resources"]:
        assert entry["parent"] is None or entry["parent"] in names
        assert set(entry["dependencies"]) <= set(names)
    by_name = {r["name"]: r for r in com["resources"]}
    assert by_name["example-com"]["parent"] is None
    assert "example-com-policy-live" in by_name["example-com-mta-sts-txt"]["dependencies"]


def test_types_and_input_keys_are_as_pulumi_writes_them(com: dict[str, Any]) -> None:
    by_type = {r["type"]: r for r in com["resources"]}
    assert "aws:s3/bucket:Bucket" in by_type
    dist = by_type["aws:cloudfront/distribution:Distribution"]["inputs"]
    assert dist["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert dist["defaultCacheBehavior"]["viewerProtocolPolicy"] == "https-only"
    assert by_type["aws:acm/certificate:Certificate"]["inputs"]["region"] == "us-east-1"
    assert by_type["pulumi-python:dynamic/mtasts:PolicyLive"]["inputs"]["__provider"] == "(dynamic provider)"


def test_values_only_the_cloud_knows_are_marked(com: dict[str, Any]) -> None:
    by_type = {r["type"]: r for r in com["resources"]}
    policy = json.dumps(by_type["aws:s3/bucketPolicy:BucketPolicy"]["inputs"])
    assert UNKNOWN in policy  # the distribution ARN
    dns = {(d["name"], d["type"]): d["value"] for d in com["dns"]}
    assert dns[("mta-sts.example.com", "A")] == f"ALIAS {UNKNOWN} (zone Z2FDTNDATAQYW2)"


def test_every_managed_dns_record_is_listed_with_its_value(com: dict[str, Any]) -> None:
    cfg = load_stack_file(STACKS / "Pulumi.example-com.yaml")
    dns = {(d["name"], d["type"]): d["value"] for d in com["dns"]}
    for record in records_for(cfg.domain, cfg.policy, cfg.reporting.rua):
        assert dns[(record.name, record.type)] == record.value
    assert ("mta-sts.example.com", "AAAA") in dns
    assert (UNKNOWN, "CNAME") in dns  # the ACM validation record
    assert len(com["dns"]) == 5


def test_the_cloudflare_worker_stack(capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_json(capsys, "--no-live-dns", stack="example-org")
    types = {r["type"] for r in plan["resources"]}
    assert "cloudflare:index/workersScript:WorkersScript" in types
    assert not any(t.startswith("aws:") for t in types)
    dns = {(d["name"], d["type"]): d["value"] for d in plan["dns"]}
    assert dns[("_mta-sts.example.org", "TXT")] == f"v=STSv1; id={plan['policy']['id']};"


def test_text_shows_policy_groups_records_and_unknowns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "example-com", "--no-live-dns"]) == 0
    text = capsys.readouterr().out
    cfg = load_stack_file(STACKS / "Pulumi.example-com.yaml")
    assert f"Policy id {cfg.policy.id}" in text
    for line in cfg.policy.render().splitlines():
        assert f"    {line}" in text
    for heading in ("Resources (", "  DNS\n", "  Hosting\n", "DNS records managed ("):
        assert heading in text
    assert re.search(rf"\n  _mta-sts\.example\.com +TXT +v=STSv1; id={cfg.policy.id};\n", text)
    assert UNKNOWN in text


def test_an_unknown_stack_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "nope"]) == 2
    err = capsys.readouterr().err
    known = ", ".join(
        sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in STACKS.glob("Pulumi.*.yaml"))
    )
    assert f"known stacks: {known}" in err and "Traceback" not in err


def test_a_wrong_config_stops_before_the_program_with_the_config_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(
        textwrap.dedent(
            """\
            config:
              mta-sts:domain: example.net
              mta-sts:dns: {provider: route53}
              mta-sts:policy: {mode: enforce, mx: [mx.example.net], max_age: 40000000}
            """
        )
    )
    assert main(["plan", "--stack", "bad", "--stacks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "mta-sts plan: Pulumi.bad.yaml: mta-sts:policy.max_age:" in err and "31557600" in err


def test_user_errors_raised_by_the_program_are_reported_like_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mta-sts\nruntime: python\nmain: program/\n")
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "__main__.py").write_text(
        "from pulumi_mta_sts.program import pipeline as stack\n"
        "from pulumi_mta_sts.core.errors import InputError, Problem\n"
        "with stack.user_errors():\n"
        "    raise InputError([Problem('preflight', None, 'mx9.example.com is not covered')])\n"
    )
    (tmp_path / "Pulumi.x.yaml").write_text((STACKS / "Pulumi.example-com.yaml").read_text())
    assert main(["plan", "--stack", "x", "--stacks-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "mta-sts plan: Pulumi.x.yaml: preflight: mx9.example.com is not covered" in err


def test_no_live_dns_makes_no_network_calls_and_leaves_the_environment_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network call during plan --no-live-dns: {args!r}")

    (tmp_path / "Pulumi.yaml").write_text("name: mta-sts\nruntime: python\nmain: program/\n")
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "__main__.py").write_text(  # the real program, telling what it sees
        "import os, runpy, pulumi\n"
        f"pulumi.log.warn('environment: ' + repr(os.environ.get({NO_LIVE_DNS_ENV!r})))\n"
        f"runpy.run_path({str(STACKS / '__main__.py')!r}, run_name='__main__')\n"
    )
    (tmp_path / "Pulumi.x.yaml").write_text((STACKS / "Pulumi.example-com.yaml").read_text())
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    before = dict(os.environ)
    for name in ("connect", "connect_ex", "sendto"):  # (send stays: asyncio's self-pipe uses it)
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    plan = plan_json(capsys, "--no-live-dns", "--stacks-dir", str(tmp_path), stack="x")
    assert plan["warnings"] == ["environment: None"]  # the option reached the program as an argument
    assert dict(os.environ) == before


def test_with_live_dns_the_program_warns_about_records_it_does_not_manage(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = Zone()
    zone.add("example.com", "A", "127.0.0.1")
    zone.add("_mta-sts.example.com", "TXT", "v=STSv1; id=handmade2024;")
    server = DnsFixture(zone)
    try:
        monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
        monkeypatch.delenv(NAMESERVERS_ENV, raising=False)
        by_flag = plan_json(capsys, "--nameserver", server.nameserver)
        monkeypatch.setenv(NAMESERVERS_ENV, server.nameserver)  # the documented default
        by_environment = plan_json(capsys)
    finally:
        server.stop()
    for plan in (by_flag, by_environment):
        assert any("v=STSv1; id=handmade2024;" in w for w in plan["warnings"])


def test_the_environment_switch_still_turns_live_dns_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_LIVE_DNS_ENV, "1")
    monkeypatch.setenv(NAMESERVERS_ENV, "192.0.2.1")  # never asked: nothing would answer
    plan = plan_json(capsys, "--nameserver", "192.0.2.1", stack="example-org")
    assert plan["warnings"] == [
        "preflight: live DNS disabled (--no-live-dns or MTA_STS_NO_LIVE_DNS); MX coverage of example.org not checked"
    ]


@pytest.mark.parametrize(
    ("argv", "environ", "field"),
    [
        (["--nameserver", "127.0.0.1:0"], {}, "--nameserver"),
        (["--nameserver", "[::1"], {}, "--nameserver"),
        ([], {NAMESERVERS_ENV: "127.0.0.1:70000"}, NAMESERVERS_ENV),
    ],
)
def test_a_malformed_nameserver_is_a_usage_error_naming_where_it_came_from(
    argv: list[str],
    environ: dict[str, str],
    field: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(NO_LIVE_DNS_ENV, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert main(["plan", "--stack", "example-com", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mta-sts plan: {field}: ") and "Traceback" not in err


def test_an_archive_is_described_by_its_files_not_by_its_address() -> None:
    import pulumi

    from pulumi_mta_sts.plan.stack_plan import describe_asset

    def archive(files: dict[str, str]) -> pulumi.AssetArchive:
        return pulumi.AssetArchive({path: pulumi.StringAsset(text) for path, text in files.items()})

    files = {"a/__init__.py": "", "a/handler.py": "def handler(event, context): ...\n"}
    described = describe_asset(archive(files))
    assert re.fullmatch(r"\(archive: 2 files, sha256 [0-9a-f]{16}\)", described)
    assert describe_asset(archive(dict(reversed(files.items())))) == described  # order does not matter
    assert describe_asset(archive({**files, "a/handler.py": "def handler(e, c): ...\n"})) != described
    assert describe_asset(archive({"a/x.py": "", "a/handler.py": files["a/handler.py"]})) != described  # names count
    nested = pulumi.AssetArchive({"a": archive({"__init__.py": "", "handler.py": files["a/handler.py"]})})
    assert describe_asset(nested) == described  # a folder is its paths
    assert describe_asset(pulumi.FileAsset("/srv/code.zip")) == "(file: /srv/code.zip)"
    assert (
        describe_asset(pulumi.RemoteArchive("https://example.com/code.zip")) == "(remote: https://example.com/code.zip)"
    )


def test_resources_are_grouped_by_the_toolkit_component_above_them() -> None:
    from pulumi_mta_sts.plan.engine import RecordedResource
    from pulumi_mta_sts.plan.stack_plan import group_of

    def res(name: str, type_: str, parent: str = "") -> RecordedResource:
        return RecordedResource(type=type_, name=name, urn=f"urn::{name}", custom=True, inputs={}, parent=parent)

    receiver = res("rx", "mta-sts:index:TlsRptReceiver")
    bucket = res("rx-bucket", "aws:s3/bucket:Bucket", receiver.urn)  # an S3 bucket, but for reports
    mx = res("rx-mx", "aws:route53/record:Record", "urn::dns")
    dns = res("dns", "mta-sts:dns:Route53Dns")
    loose = res("topic", "aws:sns/topic:Topic")
    by_urn = {r.urn: r for r in (receiver, bucket, mx, dns, loose)}
    assert [group_of(r, by_urn) for r in (bucket, mx, loose)] == ["Reporting", "DNS", "Reporting"]


# ---- the stack file as Pulumi reads it ------------------------------------------------------------------
def _project(tmp_path: Path, stack_text: str) -> Path:
    """A project in ``tmp_path`` whose program is the real one and whose stack ``x`` is ``stack_text``."""
    (tmp_path / "Pulumi.yaml").write_text(f"name: mta-sts\nruntime: python\nmain: {STACKS}\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text(stack_text)
    return tmp_path


PULUMI_STYLE_STACK = textwrap.dedent(
    """\
    config:
      aws:region: eu-west-1
      domain: example.com            # no namespace: the project's (mta-sts)
      other:when: 2024-01-01         # a date, binary and a set elsewhere: passed on, never a crash
      other:blob: !!binary aGVsbG8=
      other:set: !!set {a, b}
      other:anchor: &dns {provider: route53}
      mta-sts:dns: *dns
      mta-sts:policy:
        mode: testing
        max_age: 0x15181             # 86401 in every YAML version
        mx: [mx1.example.com]
    """
)


def test_plan_reads_the_stack_file_as_pulumi_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_project(tmp_path, PULUMI_STYLE_STACK))
    code = main(["plan", "--stack", "x", "--format", "json", "--no-live-dns"])
    out = capsys.readouterr()
    assert code == 0, out.err
    plan = json.loads(out.out)
    assert plan["domain"] == "example.com"
    assert "max_age: 86401" in plan["policy"]["text"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("max_age: 0x15181", "max_age: 0o17"), "mta-sts:policy.max_age"),
        (("mode: testing", "mode: testing\n    mode: enforce"), "mta-sts:policy"),
        (("max_age: 0x15181", "max_age: 1:00:00"), "mta-sts:policy.max_age"),
    ],
)
def test_plan_refuses_what_yaml_versions_read_differently(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, str],
    key: str,
) -> None:
    monkeypatch.chdir(_project(tmp_path, PULUMI_STYLE_STACK.replace(*change)))
    code = main(["plan", "--stack", "x", "--no-live-dns"])
    err = capsys.readouterr().err
    assert code == 2 and f"Pulumi.x.yaml: {key}: line" in err and "Traceback" not in err


def test_what_plan_validates_is_what_the_program_receives(tmp_path: Path) -> None:
    from pulumi_mta_sts.config.stack import read_stack_file, stack_values
    from pulumi_mta_sts.config.stack_file import decode_config_value
    from pulumi_mta_sts.plan.stack_plan import config_for_engine

    _project(tmp_path, PULUMI_STYLE_STACK)
    engine = config_for_engine(read_stack_file(tmp_path / "stacks" / "Pulumi.x.yaml"))
    assert engine["mta-sts:domain"] == "example.com"
    assert engine["other:when"] == "2024-01-01 00:00:00 +0000 UTC"
    program_sees = {
        k.removeprefix("mta-sts:"): decode_config_value(v) for k, v in engine.items() if k.startswith("mta-sts:")
    }
    assert program_sees == stack_values(read_stack_file(tmp_path / "stacks" / "Pulumi.x.yaml"))
