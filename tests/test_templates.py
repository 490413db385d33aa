"""The ``pulumi new`` template (``templates/mta-sts-python``), rendered as ``pulumi new`` renders it
(pkg/cmd/pulumi/newcmd and sdk/go/common/workspace/templates.go in pulumi/pulumi: ``${PROJECT}`` and
``${DESCRIPTION}`` replaced in every file, the ``template:`` section dropped from ``Pulumi.yaml``, each
``template.config`` key prompted in sorted order, an empty answer not saved, the answers saved as
text into ``Pulumi.<stack>.yaml``), then planned offline; and the quickstart's ``mta-sts init --force``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config.init_project import PROGRAM_TEXT
from pulumi_mta_sts.config.stack import load_stack_file
from tests.livefixture import LiveFixture, live_fixture

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "mta-sts-python"


def render(target: Path, project: str, description: str, stack: str, answers: Mapping[str, str]) -> Path:
    """The project ``pulumi new TEMPLATE --name project --stack stack`` leaves in ``target`` when
    its config prompts are answered with ``answers`` (a key not answered takes its default)."""
    target.mkdir()
    for source in TEMPLATE.iterdir():
        text = source.read_text(encoding="utf-8").replace("${PROJECT}", project).replace("${DESCRIPTION}", description)
        (target / source.name.replace("${PROJECT}", project)).write_text(text, encoding="utf-8")
    document = yaml.safe_load((target / "Pulumi.yaml").read_text(encoding="utf-8"))
    prompts = document.pop("template")["config"]
    (target / "Pulumi.yaml").write_text(yaml.safe_dump({**document, "name": project, "description": description}))
    config = {}
    for key in sorted(prompts):
        value = answers.get(key, prompts[key].get("default", ""))
        if value:
            config[key] = value
    (target / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return target


ANSWERS = {
    "mta-sts:domain": "example.com",
    "mta-sts:policy": '{"mode": "testing", "mx": ["mx1.example.com", "mx2.example.com"]}',
}


def test_the_template_prompts_for_the_domain_and_its_dns_provider() -> None:
    prompts = yaml.safe_load((TEMPLATE / "Pulumi.yaml").read_text())["template"]["config"]
    assert {"mta-sts:domain", "mta-sts:dns", "mta-sts:policy"} <= set(prompts)
    assert all(p["description"] for p in prompts.values())
    assert (TEMPLATE / "__main__.py").read_text() == PROGRAM_TEXT


@pytest.mark.parametrize("provider", ["route53", "cloudflare"])
def test_the_rendered_template_plans_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], provider: str
) -> None:
    answers = {**ANSWERS, "mta-sts:dns": f'{{"provider": "{provider}"}}'}
    folder = render(tmp_path / "mail", "mail", "MTA-STS for example.com", "dev", answers)
    config = load_stack_file(folder / "Pulumi.dev.yaml")
    assert config.dns is not None
    assert (config.domain, config.dns.provider, config.policy.mx) == (
        "example.com",
        provider,
        ("mx1.example.com", "mx2.example.com"),
    )
    monkeypatch.chdir(folder)
    code = main(["plan", "--stack", "dev", "--no-live-dns"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "mx1.example.com" in out and "_mta-sts.example.com" in out


def test_its_requirement_is_the_readmes_install_form() -> None:
    line = (TEMPLATE / "requirements.txt").read_text().splitlines()[-1]
    readme = (ROOT / "README.md").read_text()
    assert "<owner>" in line and "<tag>" in line
    requirement = Requirement(line.replace("<owner>", "owner").replace("<tag>", "v1.0.0"))
    assert requirement.name == "pulumi-mta-sts" and requirement.url is not None
    assert re.search(r"git\+https://github\.com/<owner>/pulumi-mta-sts@<tag>", readme)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def test_the_quickstart_fills_the_policy_from_live_dns(
    live: LiveFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for server in ("ns-1.awsdns-01.org", "ns-2.awsdns-02.net"):
        live.zone.add("tmpl.init.test", "NS", server)
    live.zone.add("tmpl.init.test", "MX", (10, "mx.tmpl.init.test"))
    folder = render(tmp_path / "mail", "mail", "", "dev", {**ANSWERS, "mta-sts:domain": "tmpl.init.test"})
    monkeypatch.chdir(folder)
    before = sorted(p.name for p in folder.iterdir())
    argv = ["init", "tmpl.init.test", "--stack", "dev", "--force", "--nameserver", live.nameserver]
    code = main([*argv, "--cafile", live.cafile, "--https-port", str(live.https.port)])
    _out, err = capsys.readouterr()
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == before  # a project already: only the stack file changed
    assert load_stack_file(folder / "Pulumi.dev.yaml").policy.mx == ("mx.tmpl.init.test",)
    assert main(["plan", "--stack", "dev", "--no-live-dns"]) == 0, capsys.readouterr().err
