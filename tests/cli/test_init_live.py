"""``mta-sts init`` end to end against the loopback DNS and HTTPS servers of ``tests/livefixture``:
each written stack file is loaded, planned with ``mta-sts plan`` and its policy checked to cover
every live MX host with the checker's matcher."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.stack import load_stack_file
from pulumi_mta_sts.core.matching import uncovered
from tests.livefixture import LiveFixture, live_fixture

STACK_PROGRAM = Path(__file__).resolve().parents[2] / "stacks" / "__main__.py"
AWS_NS = ("ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk")
CLOUDFLARE_NS = ("ada.ns.cloudflare.com", "bob.ns.cloudflare.com")


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def zone_with(live: LiveFixture, domain: str, mx: tuple[str, ...], ns: tuple[str, ...] = AWS_NS) -> None:
    for server in ns:
        live.zone.add(domain, "NS", server)
    for preference, host in enumerate(mx, start=1):
        live.zone.add(domain, "MX", (preference * 10, host))
    live.zone.add(domain, "A", "127.0.0.1")


def init(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], folder: Path, domain: str, *extra: str
) -> tuple[int, str, str]:
    args = ["init", domain, "--stacks-dir", str(folder), "--nameserver", live.nameserver]
    args += ["--cafile", live.cafile, "--https-port", str(live.https.port), *extra]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def written_and_planned(
    capsys: pytest.CaptureFixture[str], folder: Path, stack: str, live_mx: tuple[str, ...]
) -> list[str]:
    """The written file loads, plans, and its policy covers every live MX; returns its mx."""
    config = load_stack_file(folder / f"Pulumi.{stack}.yaml")
    assert config.policy is not None
    assert uncovered(live_mx, config.policy.mx) == []
    program = folder / "__main__.py"
    if not program.exists():
        program.symlink_to(STACK_PROGRAM)
    code = main(["plan", "--stack", stack, "--stacks-dir", str(folder), "--no-live-dns"])
    _out, err = capsys.readouterr()
    assert code == 0, err
    return list(config.policy.mx)


PRESETS = [
    ("google.init.test", ("aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com")),
    ("m365.init.test", ("m365-init-test.mail.protection.outlook.com",)),
    ("m365new.init.test", ("m365new-init-test.o-v1.mx.microsoft",)),
    ("fastmail.init.test", ("in1-smtp.messagingengine.com", "in2-smtp.messagingengine.com")),
    ("proton.init.test", ("mail.protonmail.ch", "mailsec.protonmail.ch")),
    ("zoho.init.test", ("mx.zoho.eu", "mx2.zoho.eu", "mx3.zoho.eu")),
    ("ses.init.test", ("inbound-smtp.eu-west-1.amazonaws.com",)),
]


@pytest.mark.parametrize(("domain", "mx"), PRESETS)
def test_each_provider_preset_writes_a_stack_that_plans(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, domain: str, mx: tuple[str, ...]
) -> None:
    zone_with(live, domain, mx)
    code, out, err = init(live, capsys, tmp_path, domain, "--json")
    assert code == 0, err
    report = json.loads(out)
    stack = domain.replace(".", "-")
    assert report["written"] == str(tmp_path / f"Pulumi.{stack}.yaml")
    assert report["dns_provider"] == "route53"
    assert report["mail_providers"], report
    assert report["next"][0] == f"mta-sts plan --stack {stack} --stacks-dir {tmp_path}"
    patterns = written_and_planned(capsys, tmp_path, stack, mx)
    assert all(p.count(".") >= 2 for p in patterns)
    assert report["policy"]["mode"] == "testing" and report["policy"]["max_age"] == 86401
    assert sorted(report["policy"]["mx"]) == sorted(patterns)


def test_cloudflare_zone_and_text_output(live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    zone_with(live, "cf.init.test", ("mx1.cf.init.test",), CLOUDFLARE_NS)
    code, out, err = init(live, capsys, tmp_path, "mail.cf.init.test", "--stack", "mine")
    assert code == 1 and "no usable answer" in err  # mail.cf.init.test does not exist
    code, out, err = init(live, capsys, tmp_path, "cf.init.test", "--stack", "mine")
    assert code == 0, err
    assert "on cloudflare" in out and f"wrote {tmp_path / 'Pulumi.mine.yaml'}" in out
    assert "mta-sts plan --stack mine" in out and "pulumi stack init mine" in out and "pulumi up" in out
    assert written_and_planned(capsys, tmp_path, "mine", ("mx1.cf.init.test",)) == ["mx1.cf.init.test"]


def test_a_domain_without_mx_uses_its_own_name(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "nomx.init.test", ())
    code, out, err = init(live, capsys, tmp_path, "nomx.init.test")
    assert code == 0, err
    assert "implicit" in out
    assert written_and_planned(capsys, tmp_path, "nomx-init-test", ("nomx.init.test",)) == ["nomx.init.test"]


def test_an_existing_policy_is_carried_over_and_a_missed_mx_is_added_with_a_warning(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    domain = "old.init.test"
    live.publish(domain, mode="enforce", max_age=604_800, patterns=["mx1.old.init.test"])
    for server in AWS_NS:
        live.zone.add(domain, "NS", server)
    code, out, err = init(live, capsys, tmp_path, domain, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["existing_policy"] is True
    assert report["policy"] == {"mode": "enforce", "max_age": 604800, "mx": ["mx1.old.init.test", "mx2.old.init.test"]}
    assert any("does not cover MX mx2.old.init.test" in w for w in report["warnings"])
    assert any("mta-sts.old.init.test already has records" in w for w in report["warnings"])
    assert report["tlsrpt_rua"] == ["mailto:tlsrpt@old.init.test"]
    written_and_planned(capsys, tmp_path, "old-init-test", ("mx1.old.init.test", "mx2.old.init.test"))


def test_an_unknown_dns_provider_is_named_and_nothing_is_written(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "other.init.test", ("mx.other.init.test",), ("ns1.dns-host.example",))
    code, _out, err = init(live, capsys, tmp_path, "other.init.test")
    assert code == 1
    assert "ns1.dns-host.example" in err and "move the zone" in err and "nothing written" in err
    assert not any(tmp_path.glob("Pulumi.*.yaml"))


def test_an_existing_file_gets_the_keys_and_its_mta_sts_keys_are_kept_without_force(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "keep.init.test", ("mx.keep.init.test",))
    target = tmp_path / "Pulumi.keep-init-test.yaml"
    target.write_text("# mine\n")
    code, _out, err = init(live, capsys, tmp_path, "keep.init.test")
    assert code == 0, err
    first = target.read_text()
    assert first.startswith("# mine\nconfig:\n") and "mx.keep.init.test" in first
    code, _out, err = init(live, capsys, tmp_path, "keep.init.test")
    assert code == 2 and "Traceback" not in err
    assert f"--force: the stack file {target} exists with mta-sts: settings; give --force" in err
    assert target.read_text() == first
    code, _out, err = init(live, capsys, tmp_path, "keep.init.test", "--force")
    assert code == 0, err
    assert target.read_text() == first


def test_unreachable_dns_is_a_message_not_a_traceback(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live.zone.blackhole("hole.init.test")
    code, _out, err = init(live, capsys, tmp_path, "hole.init.test")
    assert code == 1 and "timeout" in err.lower() and "Traceback" not in err
    assert not any(tmp_path.glob("Pulumi.*.yaml"))


def test_usage_mistakes_exit_2(live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert init(live, capsys, tmp_path, "not a domain")[0] == 2
    assert init(live, capsys, tmp_path, "x.init.test", "--stack", "bad/name")[0] == 2
    assert init(live, capsys, tmp_path / "missing", "x.init.test")[0] == 2


def test_a_live_tlsrpt_record_senders_refuse_is_left_out_with_a_warning(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "rua.init.test", ("mx.rua.init.test",))
    live.zone.add("_smtp._tls.rua.init.test", "TXT", "v=TLSRPTv1; rua=mailto:ok@rua.init.test,http://rua.init.test/r")
    code, out, err = init(live, capsys, tmp_path, "rua.init.test", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["tlsrpt_rua"] == []  # senders discard the whole record (RFC 8460 §3)
    assert any("http://rua.init.test/r" in w for w in report["warnings"])
    written_and_planned(capsys, tmp_path, "rua-init-test", ("mx.rua.init.test",))


def test_an_mx_name_that_cannot_go_into_a_policy_writes_nothing(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "odd.init.test", ("mx-.odd.init.test", "192.0.2.1"))
    code, _out, err = init(live, capsys, tmp_path, "odd.init.test")
    assert code == 1 and "mx-.odd.init.test" in err and "nothing written" in err
    assert not any(tmp_path.glob("Pulumi.*.yaml"))
