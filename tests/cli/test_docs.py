"""The docs follow the code: every flag of every command is in docs/cli.md, and every `mta-sts:`
key is in docs/configuration.md with the default the code uses (core/defaults.py)."""

from __future__ import annotations

import argparse
import re
from dataclasses import MISSING, fields

import pytest

from pulumi_mta_sts.cli import COMMANDS, build_parser
from pulumi_mta_sts.config import ReceiverSettings, load_stack_config
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError

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
