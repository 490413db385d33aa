"""The docs follow the code: every flag of every command is in docs/cli.md, and every `mta-sts:`
key is in docs/configuration.md with the default the code uses (core/defaults.py)."""

from __future__ import annotations

import argparse
import itertools
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, fields
from pathlib import Path

import pytest

from pulumi_mta_sts.cli import COMMANDS, build_parser, main
from pulumi_mta_sts.config import load_stack_config
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.spec import ReceiverSettings
from tests.livefixture import LiveFixture, live_fixture

from .test_init_live import zone_with
from .without_extras import ROOT

CLI_DOC = (ROOT / "docs" / "cli.md").read_text()
CONFIG_DOC = (ROOT / "docs" / "configuration.md").read_text()
MINIMAL = {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mx": ["mx1.example.com"]}}
SECTIONS = ("", "dns", "host", "policy", "reporting", "preflight", "reporting.receiver")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(
        (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)),
        {},
    )


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    """Every flag, long and short (``-s`` as well as ``--stack``), of the command and its actions."""
    found = {s for a in parser._actions for s in a.option_strings if s not in ("--help", "-h")}
    for sub in _subparsers(parser).values():
        found |= _flags(sub)
    return found


@pytest.mark.parametrize("command", COMMANDS)
def test_every_flag_of_every_command_is_documented(command: str) -> None:
    parser = _subparsers(build_parser())[command]
    section = CLI_DOC.split(f"## `mta-sts {command}", 1)[1].split("\n## ", 1)[0]
    missing = sorted(flag for flag in _flags(parser) if not re.search(rf"(?<![\w-]){flag}(?![\w-])", section))
    assert not missing, f"docs/cli.md, `mta-sts {command}`: document {missing}"


def test_the_version_flag_is_documented() -> None:
    assert "`mta-sts --version` (or `-V`)" in CLI_DOC


def _problems(values: dict[str, object]) -> list[str]:
    try:
        load_stack_config(values)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def _with(path: str, value: object) -> dict[str, object]:
    """MINIMAL with ``value`` set at the dotted ``path`` (``reporting.receiver.region``)."""
    values: dict[str, object] = {k: dict(v) if isinstance(v, dict) else v for k, v in MINIMAL.items()}
    *parents, last = path.split(".")
    node = values
    for name in parents:
        child = node.get(name)
        node[name] = child = dict(child) if isinstance(child, dict) else {}
        node = child
    node[last] = value
    return values


def _documented_keys() -> list[str]:
    return re.findall(r"^\| `mta-sts:([a-z_.]+)` \|", CONFIG_DOC, flags=re.MULTILINE)


@pytest.mark.parametrize("key", _documented_keys())
def test_every_documented_key_is_a_real_one(key: str) -> None:
    unknown = [p for p in _problems(_with(key, "x")) if "is not a known setting" in p]
    assert not unknown, unknown


def _receiver_rows() -> set[str]:
    table = CONFIG_DOC.split("### `mta-sts:reporting.receiver`", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))


def _is_documented(key: str, section: str) -> bool:
    if section == "reporting.receiver":
        return key in _receiver_rows()
    full = f"{section}.{key}" if section else key
    return any(d == full or d.startswith(f"{full}.") for d in _documented_keys())


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s or "top")
def test_every_real_key_is_documented(section: str) -> None:
    path = f"{section}.zz_not_a_key" if section else "zz_not_a_key"
    [message] = [p for p in _problems(_with(path, 1)) if "zz_not_a_key" in p]
    known = message.split("known keys: ", 1)[1].split(", ")
    missing = [key for key in known if not _is_documented(key, section)]
    assert not missing, f"docs/configuration.md: document {missing} ({section or 'top level'})"


def _default_cell(key: str) -> str:
    [row] = [line for line in CONFIG_DOC.splitlines() if line.startswith(f"| `{key}` |")]
    return row.split("|")[2]


def _as_yaml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("mta-sts:policy.mode", defaults.DEFAULT_MODE),
        ("mta-sts:policy.max_age", defaults.DEFAULT_MAX_AGE),
        ("mta-sts:host.verify_timeout", defaults.VERIFY_TIMEOUT),
        ("mta-sts:host.verify_live", True),
        ("mta-sts:preflight.mx_coverage", True),
        *((f.name, f.default) for f in fields(ReceiverSettings) if f.default is not MISSING and f.default is not None),
    ],
)
def test_documented_defaults_are_the_code_defaults(key: str, default: object) -> None:
    assert f"`{_as_yaml(default)}`" in _default_cell(key)


@pytest.mark.parametrize(("provider", "kind"), sorted(defaults.DEFAULT_HOST_KIND.items()))
def test_the_documented_host_kind_default_is_the_code_default(provider: str, kind: str) -> None:
    assert f"`{kind}` on `{provider}`" in _default_cell("mta-sts:host.kind")


# ---- every fenced command of README.md and docs/ ---------------------------------------------------
# A command that can run offline is run (against the loopback DNS world of tests/livefixture where
# it asks DNS: never the network); every other one is here with the reason it is not.
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
#: Programs that cannot run here, and why.
NOT_HERE = {
    "pulumi": "the Pulumi CLI (not installable here; the program runs under the mock engine instead)",
    "curl": "downloads the Pulumi CLI",
    "brew": "installs the Pulumi CLI",
    "aws": "an AWS account",
    "git": "a remote repository",
}
#: Install and build steps: .ci/run runs the quick start's verbatim, the acceptance test
#: (tests/test_acceptance.py) builds the wheel and installs it.
INSTALLS = (
    "python3 -m venv",
    "python3 -m pip",
    "python3 -m build",
    "pip install",
    ".venv/bin/pip",
    ".venv/bin/python -m pytest",
)
#: Files a command names that another command (one that cannot run here) would have written.
STAND_INS = {"preview.json": ROOT / "tests" / "data" / "preview" / "policy-edit.json"}
REPORT = ROOT / "tests" / "data" / "tlsrpt" / "email_tlsrpt_gzip.eml"


@dataclass(frozen=True)
class DocBlock:
    """The commands of one fenced shell block, each split into words (``&&`` splits commands)."""

    where: str
    commands: tuple[tuple[str, ...], ...]


def _blocks(path: Path) -> Iterator[DocBlock]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        i += 1
        if fence is None:
            continue
        body: list[str] = []
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i].strip())
            i += 1
        i += 1
        if fence.group(2) in ("bash", "sh", "shell", "console"):
            yield DocBlock(f"{path.name}:{i - len(body) - 1}", tuple(_commands(body)))


def _commands(body: list[str]) -> Iterator[tuple[str, ...]]:
    for line in _joined(body):
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            yield tuple(words[:cut])
            words = words[cut + 1 :]


def _joined(body: list[str]) -> Iterator[str]:
    """Lines with their ``\\`` continuations joined."""
    pending = ""
    for line in body:
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""


BLOCKS = [block for path in DOC_FILES for block in _blocks(path) if block.commands]


def _why_not(words: tuple[str, ...]) -> str | None:
    """Why a command is not run here (``None``: it is)."""
    line = " ".join(words)
    if words[0] in NOT_HERE:
        return NOT_HERE[words[0]]
    if line.startswith(INSTALLS):
        return "an install or build step: .ci/run and tests/test_acceptance.py run them"
    if words[0].endswith("mta-sts") and words[1:2] == ("check",):
        return "checks a deployed domain over the network"
    if any("s3://" in word for word in words):
        return "reads the receiver's S3 bucket"
    if any("<" in word and ">" in word for word in words):
        return "has a placeholder"
    return None


def _mta_sts(words: tuple[str, ...], tmp_path: Path) -> list[str]:
    argv = [str(STAND_INS.get(word, word)) for word in words[1:]]
    if "./reports" in argv:
        folder = tmp_path / "reports"
        folder.mkdir(exist_ok=True)
        shutil.copy(REPORT, folder)
        argv[argv.index("./reports")] = str(folder)
    return argv


def _run_block(block: DocBlock, tmp_path: Path, live: LiveFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run what can run of ``block`` in order, from the repository (``cd`` moves; ``init`` runs in
    an empty folder against the loopback DNS world)."""
    monkeypatch.chdir(ROOT)
    for words in block.commands:
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
            continue
        if _why_not(words) is not None:
            continue
        assert words[0].endswith("mta-sts"), f"{block.where}: {' '.join(words)}: not a command the tests know"
        argv = _mta_sts(words, tmp_path)
        if argv[0] == "init":
            monkeypatch.chdir(tmp_path)  # never into this repository's stacks/
            argv += ["--nameserver", live.nameserver, "--cafile", live.cafile, "--https-port", str(live.https.port)]
        code = main(argv)
        assert code == 0, f"{block.where}: {' '.join(words)} exited {code}"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        zone_with(fixture, "example.com", ("mx1.example.com", "mx2.example.com"))  # the docs' domain, on Route53
        yield fixture


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.where)
def test_every_fenced_command_runs_or_says_why_not(
    block: DocBlock,
    tmp_path: Path,
    live: LiveFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MTA_STS_NAMESERVERS", live.nameserver)  # live DNS means the loopback world
    monkeypatch.delenv("MTA_STS_NO_LIVE_DNS", raising=False)
    _run_block(block, tmp_path, live, monkeypatch)
    out = capsys.readouterr().out
    if block.commands[0][:2] == ("mta-sts", "init"):  # init's next: lines are this block's commands
        after = out.split("\nnext:\n", 1)[1].splitlines()
        said = [line.strip() for line in itertools.takewhile(lambda line: line.startswith("  "), after)]
        assert said == [" ".join(words) for words in block.commands[1:]], block.where


def test_the_deploy_steps_start_with_init_and_every_block_is_looked_at() -> None:
    deploy = [b for b in BLOCKS if b.commands[0][:2] == ("mta-sts", "init")]
    assert {b.where.split(":")[0] for b in deploy} == {"README.md", "deploying.md"}
    runnable = [w for b in BLOCKS for w in b.commands if w[0] != "cd" and _why_not(w) is None]
    assert len(runnable) >= 6, runnable  # the quick start's plan, init, plan, preview-diff, reports ...
