"""``mta-sts init`` outside a Pulumi project writes a whole project that ``mta-sts plan`` runs with
nothing else present; inside one it adds only the stack file; a stack file ``pulumi stack init``
wrote keeps every byte; reports go where ``--rua``/``--receiver`` say, or the file and ``plan``
say why that matters; an MX name that is not a host name is never made a pattern. Against the
loopback DNS and HTTPS servers of ``tests/livefixture``."""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.init_project import PROGRAM_TEXT, PROJECT_FILES, Requirement, requirement_of
from pulumi_mta_sts.config.stack import load_stack_file, no_reports_note
from pulumi_mta_sts.config.stack_file import read_stack_config
from tests.livefixture import LiveFixture

from .test_init_live import CLOUDFLARE_NS, live, zone_with
from .without_extras import ROOT

__all__ = ["live"]  # the loopback DNS world fixture, shared with test_init_live


def live_args(live: LiveFixture) -> list[str]:
    return ["--nameserver", live.nameserver, "--cafile", live.cafile, "--https-port", str(live.https.port)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_empty_folder_becomes_a_project_that_plans_with_nothing_else(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone_with(live, "new.init.test", ("mx1.new.init.test", "mx2.new.init.test"))
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "init", "new.init.test", "--dir", "proj", *live_args(live))
    assert code == 0, err
    folder = tmp_path / "proj"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*PROJECT_FILES, "Pulumi.new-init-test.yaml"])
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert "main" not in project and "stackConfigDir" not in project  # program and stack files beside it
    assert (folder / "__main__.py").read_text() == PROGRAM_TEXT == (ROOT / "stacks" / "__main__.py").read_text()
    requirement = (folder / "requirements.txt").read_text().splitlines()[-1]
    assert requirement.startswith("pulumi-mta-sts[aws] @ ")  # the editable checkout of the tests: its folder
    assert "next:\n  cd proj\n  pulumi install\n  mta-sts plan --stack new-init-test\n" in out
    monkeypatch.chdir(folder)
    code, out, err = run(capsys, "plan", "--stack", "new-init-test", "--no-live-dns")
    assert code == 0, err
    assert "mx1.new.init.test" in out and no_reports_note("new.init.test") in out


def test_inside_a_project_only_the_stack_file_is_added(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone_with(live, "one.init.test", ("mx.one.init.test",))
    zone_with(live, "two.init.test", ("mx.two.init.test",), CLOUDFLARE_NS)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", "one.init.test", *live_args(live))[0] == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # found upwards, as pulumi finds Pulumi.yaml
    code, out, err = run(capsys, "init", "two.init.test", "--rua", "mailto:r@two.init.test", *live_args(live))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "sub", "Pulumi.two-init-test.yaml"])
    assert "pulumi install" not in out and "cd " not in out
    config = load_stack_file(tmp_path / "Pulumi.two-init-test.yaml")
    assert (
        config.dns is not None
        and config.dns.provider == "cloudflare"
        and config.reporting.rua == ("mailto:r@two.init.test",)
    )


def test_a_project_like_this_repository_gets_the_stack_file_in_its_stack_folder(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This repository's layout (``Pulumi.yaml`` naming ``stackConfigDir: stacks``), copied, so
    that no other test sees a stack file come and go in the real ``stacks/``."""
    zone_with(live, "repo.init.test", ("mx.repo.init.test",))
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    code, out, err = run(capsys, "init", "repo.init.test", "--json", *live_args(live))
    assert code == 0, err
    assert json.loads(out)["files"] == [str(tmp_path / "stacks" / "Pulumi.repo-init-test.yaml")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.yaml", "docs", "stacks"]


PULUMI_WROTE = """\
# my notes about this stack
secretsprovider: passphrase
encryptionsalt: v1:c2FsdA==:v1:QUJDREVG:R0hJSktM
config:
    aws:region: eu-west-1   # mine
    cloudflare:apiToken:
        secure: v1:AAAABBBB:CCCCDDDD
"""


def test_a_stack_file_pulumi_stack_init_wrote_keeps_every_byte(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "salt.init.test", ("mx.salt.init.test",))
    path = tmp_path / "Pulumi.salt-init-test.yaml"
    path.write_text(PULUMI_WROTE)
    args = ["init", "salt.init.test", "--stacks-dir", str(tmp_path), *live_args(live)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    written = path.read_text()
    assert written.startswith(PULUMI_WROTE)  # aws:region kept, none added: the rest goes after it
    assert "pulumi stack init" not in out  # the stack file was there: the stack exists
    values = read_stack_config(path, None, "mta-sts")
    assert values["aws:region"] == "eu-west-1" and values["cloudflare:apiToken"] == {"secure": "v1:AAAABBBB:CCCCDDDD"}
    code, _out, err = run(capsys, *args)
    assert code == 2 and err.startswith(f"mta-sts init: --force: the stack file {path} exists with mta-sts: settings")
    assert path.read_text() == written
    path.write_text(written.replace('"testing"', "enforce").replace("mode: testing", "mode: enforce"))
    code, _out, err = run(capsys, *args, "--force")
    assert code == 0, err
    assert path.read_text() == written  # only the mta-sts: keys replaced


def test_a_folder_with_other_project_files_is_not_overwritten(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "busy.init.test", ("mx.busy.init.test",))
    (tmp_path / "requirements.txt").write_text("mine\n")
    code, _out, err = run(capsys, "init", "busy.init.test", "--dir", str(tmp_path), *live_args(live))
    assert code == 2 and "requirements.txt" in err and "--dir" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.txt"]


def test_reports_go_to_the_receiver_with_its_settings(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "recv.init.test", ("mx.recv.init.test",))
    base = ["init", "recv.init.test", "--stacks-dir", str(tmp_path), *live_args(live)]
    code, _out, err = run(capsys, *base, "--rule-set", "active")
    assert code == 2 and "--rule-set" in err and "give --receiver too" in err
    code, _out, err = run(capsys, *base, "--receiver")
    assert code == 2 and "give --rule-set NAME (the account's active one) or --create-rule-set" in err
    code, _out, err = run(capsys, *base, "--receiver", "--receiver-region", "mars-1", "--rule-set", "x")
    assert code == 2 and err.startswith("mta-sts init: --receiver-region")
    args = ["--receiver", "--receiver-region", "eu-west-1", "--rule-set", "active", "--alarm-email", "ops@recv.test"]
    code, out, err = run(capsys, *base, *args)
    assert code == 0, err
    config = load_stack_file(tmp_path / "Pulumi.recv-init-test.yaml")
    receiver = config.reporting.receiver
    assert receiver.enabled and receiver.settings.region == "eu-west-1" and receiver.settings.rule_set_name == "active"
    assert config.reporting.alarm_email == "ops@recv.test"
    assert "no _smtp._tls" not in out


def test_without_reports_the_file_and_init_say_why_they_matter(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    zone_with(live, "quiet.init.test", ("mx.quiet.init.test",))
    code, out, err = run(capsys, "init", "quiet.init.test", "--stacks-dir", str(tmp_path), *live_args(live))
    assert code == 0, err
    assert f"warning: {no_reports_note('quiet.init.test')}" in out
    text = (tmp_path / "Pulumi.quiet-init-test.yaml").read_text()
    assert "No TLS-RPT reports: no _smtp._tls record is published" in text
    assert load_stack_file(tmp_path / "Pulumi.quiet-init-test.yaml").reporting.publishes_record is False


# ---- MX names that are not host names ------------------------------------------------------------
NOT_HOST_CHARS = "*_ !\"#$%&'()+,/:;<=>?@[\\]^`{|}~"
BAD_LABEL = st.tuples(
    st.text(string.ascii_lowercase, max_size=3),
    st.sampled_from(NOT_HOST_CHARS),
    st.text(string.ascii_lowercase, max_size=3),
).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=BAD_LABEL, index=st.integers(0, 1))
def test_an_mx_name_that_is_not_a_host_name_writes_nothing(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, label: str, index: int
) -> None:
    domain = f"d{abs(hash((label, index))) % 10**8}.star.init.test"
    hosts = [f"mx.{domain}", "alt.aspmx.l.google.com"]
    hosts[index] = f"{label}.{hosts[index]}" if index == 0 else f"{label}.aspmx.l.google.com"
    live.zone.remove(domain)
    zone_with(live, domain, tuple(hosts))
    folder = tmp_path / domain
    folder.mkdir()
    code, _out, err = run(capsys, "init", domain, "--stacks-dir", str(folder), *live_args(live))
    assert code == 1 and "is not a host name" in err and "nothing written" in err, err
    assert not any(folder.iterdir())


# ---- requirements.txt ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("direct_url", "version", "expected"),
    [
        (None, "1.2.0", "pulumi-mta-sts[aws]==1.2.0"),
        (
            {"url": "https://github.com/o/pulumi-mta-sts.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
            "1.2.0",
            "pulumi-mta-sts[aws] @ git+https://github.com/o/pulumi-mta-sts.git@v1.2.0",
        ),
        (
            {"url": "https://github.com/o/r.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
            "1.2.1.dev3+gabc123",
            "pulumi-mta-sts[aws] @ git+https://github.com/o/r.git@abc123",
        ),
        (
            {"url": "file:///src/pulumi-mta-sts", "dir_info": {"editable": True}},
            "1.0",
            "pulumi-mta-sts[aws] @ file:///src/pulumi-mta-sts",
        ),
        (
            {"url": "https://example.net/p.whl", "archive_info": {}},
            "1.0",
            "pulumi-mta-sts[aws] @ https://example.net/p.whl",
        ),
        ("not json", "1.0", "pulumi-mta-sts[aws]==1.0"),
    ],
    ids=["index", "git-release", "git-dev", "checkout", "wheel-url", "broken"],
)
def test_the_requirement_is_how_the_package_was_installed(direct_url: object, version: str, expected: str) -> None:
    text = direct_url if isinstance(direct_url, str) or direct_url is None else json.dumps(direct_url)
    assert requirement_of(text, version, ("aws",)).line == expected


def test_a_wheel_that_is_gone_is_named(tmp_path: Path) -> None:
    wheel = tmp_path / "pulumi_mta_sts-1.0-py3-none-any.whl"
    info = json.dumps({"url": wheel.as_uri(), "archive_info": {}})
    assert requirement_of(info, "1.0", ()).warning is not None
    wheel.write_bytes(b"")
    found = requirement_of(info, "1.0", ("aws", "cloudflare"))
    assert found == Requirement(f"pulumi-mta-sts[aws,cloudflare] @ {wheel.as_uri()}", f"the wheel {wheel}")


# ---- init says what plan and the docs say ------------------------------------------------------------
def _section_exists(reference: str) -> bool:
    """``docs/x.md, 'Heading'`` (or ``docs/x.md 'Heading'``) names a heading of that file."""
    path, _, heading = reference.partition(" '")
    text = (ROOT / path.rstrip(",")).read_text(encoding="utf-8")
    return f"## {heading.rstrip(chr(39))}\n" in text


def test_init_names_the_sections_plan_names(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from pulumi_mta_sts.net.existing_records import ADOPT_SECTION, MIGRATE_SECTION
    from pulumi_mta_sts.program import preflight

    assert vars(preflight)["MIGRATE_SECTION"] == MIGRATE_SECTION  # the section its messages cite
    assert _section_exists(MIGRATE_SECTION) and _section_exists(ADOPT_SECTION)
    zone_with(live, "hosted.init.test", ("mx.hosted.init.test",))
    live.zone.add("mta-sts.hosted.init.test", "CNAME", "mta-sts.provider.example")
    code, out, err = run(capsys, "init", "hosted.init.test", "--stacks-dir", str(tmp_path), "--json", *live_args(live))
    assert code == 0, err
    [warning] = [w for w in json.loads(out)["warnings"] if "already has records" in w]
    assert MIGRATE_SECTION in warning
    zone_with(live, "elsewhere.init.test", ("mx.elsewhere.init.test",), ("ns1.dns-host.example",))
    code, _out, err = run(capsys, "init", "elsewhere.init.test", "--stacks-dir", str(tmp_path), *live_args(live))
    assert code == 1 and "hosted mode" in err and "once it exists" not in err
    assert _section_exists("docs/fleets.md, 'Hosted mode'") and "docs/fleets.md, 'Hosted mode'" in err


# ---- what strangers put in DNS is shown, never emitted -------------------------------------------------
CONTROL = st.sampled_from([chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=CONTROL, text=st.text(string.ascii_letters + "[];=", max_size=6))
def test_control_characters_from_live_records_never_reach_the_terminal(
    live: LiveFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: str, text: str
) -> None:
    domain = f"c{ord(bad)}x{abs(hash(text)) % 10**6}.ctl.init.test"
    live.zone.remove(domain)
    zone_with(live, domain, (f"mx.{domain}",))
    live.zone.add(f"_smtp._tls.{domain}", "TXT", f"v=TLSRPTv1; rua=mailto:a{bad}{text}@{domain}")
    live.zone.add(f"_mta-sts.{domain}", "TXT", f"v=STSv1; id={text}{bad};")
    folder = tmp_path / domain
    folder.mkdir()
    for extra in ([], ["--json"]):
        code, out, err = run(capsys, "init", domain, "--stacks-dir", str(folder), "--force", *extra, *live_args(live))
        assert code == 0, err
        shown = out + err
        assert not [c for c in shown if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)], shown
