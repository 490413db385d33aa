"""Every error a command prints for a wrong flag names only flags that were given, and names the
file it is about.

For each command (each leaf of the parser tree), a random set of its flags is given wrong values
(and a random set of its switches is given too, in the short or the long form), and the command
must stop with exit 2, one line per problem, no traceback, and:

- the cause of each line (``FIELD:`` of a problem, argparse's ``argument X:``, ``unrecognized
  argument X``, ``not allowed with argument X``) is a flag that was given, or no flag at all;
- a flag of the command that was not given appears only as advice ("give --force to ...");
- a line whose cause is a flag that names a file (``--cafile``, ``--stacks-dir``, ...) shows
  the file as given.

The table below must list every flag of every command (:func:`test_every_flag_has_a_wrong_value`):
a new flag gets a wrong value here, so the property covers it. No network: the environment's
DNS servers point at a loopback port where nothing listens, and ``PATH`` has no ``pulumi``.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import build_parser, main
from tests.livefixture.silent_dns import closed_port

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"
PREVIEW = ROOT / "tests" / "data" / "preview" / "policy-edit.json"
REPORTS = ROOT / "tests" / "data" / "tlsrpt" / "additional_info_uri_alias_and_extras.json"
MISSING = "/nonexistent-mta-sts-test"
#: Flags that name a file or folder: a line about one of them shows the path given.
FILE_FLAGS = frozenset({"--cafile", "--stacks-dir", "--outputs", "--output", "--source", "--state"})
#: Wrong values for the connection flags ``check`` and ``watch`` share (``cli.check.add_connection_flags``).
CONNECTION_FLAGS: dict[str, tuple[str, ...]] = {
    "--nameserver": ("localhost",),
    "--cafile": (f"{MISSING}/ca.pem",),
    "--https-port": ("0",),
    "--smtp-port": ("65536",),
    "--timeout": ("0",),
    "--concurrency": ("0",),
    "--dnssec-resolver": ("resolver.example", "127.0.0.1:0"),
}
#: Words after which a flag that was not given is advice, not a cause.
ADVICE = re.compile(r"\b(give|pass|use|with|without|add|drop|or|and|instead of|run|try)\s+$")


@dataclass(frozen=True)
class Command:
    """One command: the arguments it needs to get as far as its flags (``base``; each may be
    replaced by a chosen flag), wrong values for its flags, and its switches (no value)."""

    words: tuple[str, ...]
    wrong: dict[str, tuple[str, ...]]
    switches: tuple[str, ...] = ()
    base: tuple[tuple[str, ...], ...] = ()
    """Argument groups added unless a chosen flag (the group's first word) replaces them."""
    positional: tuple[str, ...] = ()
    conflicts: frozenset[str] = field(default_factory=frozenset)
    """Flags whose absence needs another in ``base`` (``plan``: ``--all`` instead of ``--stack``)."""


COMMANDS: tuple[Command, ...] = (
    Command(
        ("check",),
        dict(CONNECTION_FLAGS),
        switches=("--no-smtp", "--json"),
        positional=("mail.example",),
    ),
    Command(
        ("watch",),
        {
            "--stack": ("no-such-stack",),
            "--stacks-dir": (MISSING,),
            "--state": (f"{MISSING}/state.json",),
            "--reports": (f"{MISSING}/reports",),
            "--format": ("jsn",),
            **CONNECTION_FLAGS,
        },
        switches=("--no-smtp", "--all"),
        positional=("mail.example",),
    ),
    Command(
        ("plan",),
        {
            "--stack": ("no-such-stack",),
            "--stacks-dir": (MISSING,),
            "--format": ("jsn",),
            "--nameserver": ("localhost",),
            "--cafile": (f"{MISSING}/ca.pem",),
            "--https-port": ("0",),
            "--timeout": ("601",),
        },
        switches=("--live-dns", "--all"),
        base=(("--stack", "example-com"),),
        conflicts=frozenset({"--all"}),
    ),
    Command(
        ("render",),
        {
            "--stack": ("no-such-stack",),
            "--stacks-dir": (MISSING,),
            "--domain": ("exa mple.com",),
            "--mode": ("sometimes",),
            "--mx": ("192.0.2.1",),
            "--max-age": ("-5",),
            "--rua": ("ftp://reports.example",),
        },
        switches=("--json",),
    ),
    Command(
        ("preview-diff",),
        {"--format": ("jsn",), "--mx": ("*.*.example",), "--nameserver": ("localhost",)},
        switches=("--live-dns",),
        positional=(str(PREVIEW),),
    ),
    Command(
        ("onboard",),
        {
            "--stack": ("no-such-stack",),
            "--stacks-dir": (MISSING,),
            "--format": ("jsn",),
            "--outputs": (f"{MISSING}/outputs.json",),
            "--nameserver": ("localhost",),
        },
        switches=("--check",),
        base=(("--stack", "example-fleet"),),
        positional=("customer.example",),
    ),
    Command(
        ("init",),
        {
            "--stack": ("Not A Stack",),
            "--stacks-dir": (MISSING,),
            "--nameserver": ("localhost",),
            "--cafile": (f"{MISSING}/ca.pem",),
            "--https-port": ("0",),
            "--dir": (f"{MISSING}/\0",),
            "--rua": ("ftp://example.com",),
            "--receiver-region": ("mars-1",),
            "--rule-set": ("bad!name",),
            "--alarm-email": ("not-an-address",),
        },
        switches=("--force", "--json", "--receiver", "--create-rule-set"),
        positional=("mail.example",),
    ),
    Command(
        ("reports", "summary"),
        {"--since": ("2024-13-01",), "--until": ("yesterday",), "--domain": ("exa mple",), "--format": ("jsn",)},
        positional=(str(REPORTS),),
    ),
    Command(
        ("reports", "ready"),
        {
            "--source": (MISSING,),
            "--days": ("0",),
            "--min-orgs": ("0",),
            "--as-of": ("someday",),
            "--format": ("jsn",),
        },
        base=(("--source", str(REPORTS)),),
        positional=("mail.example",),
    ),
    Command(
        ("reports", "html"),
        {
            "--since": ("2024-13-01",),
            "--until": ("yesterday",),
            "--domain": ("exa mple",),
            "--output": (f"{MISSING}/report.html",),
        },
        base=(("--output", "{tmp}/report.html"),),
        positional=(str(REPORTS),),
    ),
    Command(
        ("receiver", "test"),
        {
            "--stack": ("prod",),
            "--endpoint": ("http://plain.example/",),
            "--domain": ("exa mple",),
            "--timeout": ("0",),
        },
    ),
    Command(
        ("migrate",),
        {
            "--to": ("exa mple",),
            "--pattern": ("*.*.example",),
            "--stack": ("Not A Stack",),
            "--stacks-dir": (MISSING,),
            "--format": ("jsn",),
            "--nameserver": ("localhost",),
            "--cafile": (f"{MISSING}/ca.pem",),
            "--https-port": ("0",),
            "--timeout": ("0",),
        },
        switches=("--narrow", "--dry-run"),
        base=(("--to", "mx.new.example"),),
        positional=("mail.example",),
    ),
)
#: Commands with no flag that takes a value (nothing to give a wrong value to).
WITHOUT_VALUES = {("reports", "parse"): ("--json",), ("schema",): ()}


def leaves(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command's own parser, by its words (``("reports", "summary")``)."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(leaves(sub, (*words, name)))
            return found
    return {words: parser}


def long_flags(parser: argparse.ArgumentParser) -> set[str]:
    """The long form of every flag of ``parser`` (``--no-live-dns`` is ``--live-dns``'s)."""
    flags = set()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or not action.option_strings:
            continue
        flags.add(max(action.option_strings, key=len) if len(action.option_strings) == 1 else _long(action))
    return flags


def _long(action: argparse.Action) -> str:
    longs = [s for s in action.option_strings if s.startswith("--") and not s.startswith("--no-")]
    return longs[0] if longs else action.option_strings[-1]


def test_every_flag_has_a_wrong_value() -> None:
    """A new flag is added to the table (a wrong value, or a switch), so the property covers it."""
    tree = leaves(build_parser())
    listed = {c.words: set(c.wrong) | set(c.switches) for c in COMMANDS}
    listed.update({words: set(switches) for words, switches in WITHOUT_VALUES.items()})
    assert set(tree) == set(listed), "a command was added or removed: add it to COMMANDS"
    for words, parser in tree.items():
        assert long_flags(parser) == listed[words], f"mta-sts {' '.join(words)}: flags missing from COMMANDS"


# ---- the property ---------------------------------------------------------------------------------
TREE = leaves(build_parser())
_PREFIX = re.compile(r"^mta-sts(?: [a-z][a-z-]*)*: (?:error: )?")
_FLAG = re.compile(r"(?<![\w/-])(--?[a-zA-Z][\w-]*)")
#: A line saying that a flag is missing: naming it is the point.
_REQUIRED = re.compile(r"^(?:-[\w-]+: is required\b|the following arguments are required|one of the arguments)")
_ARGPARSE_CAUSES = re.compile(r"(?:^argument |unrecognized argument |not allowed with argument )(\S+?)(?::|$|\s)")


def action_of(words: tuple[str, ...], flag: str) -> argparse.Action:
    return TREE[words]._option_string_actions[flag]


def forms(words: tuple[str, ...], flag: str) -> list[str]:
    """The ways to write ``flag`` (``-s``, ``--stack``; a ``--no-`` form is another switch)."""
    return [s for s in action_of(words, flag).option_strings if not s.startswith("--no-")]


@dataclass
class Invocation:
    command: Command
    argv: list[str]
    given: set[str]  # every spelling of every flag given
    values: dict[str, str]  # long flag -> value given


@st.composite
def invocations(draw: st.DrawFn) -> Invocation:
    command = draw(st.sampled_from(COMMANDS))
    words = command.words
    wrong = draw(st.sets(st.sampled_from(sorted(command.wrong)), min_size=1))
    switched = draw(st.sets(st.sampled_from(command.switches))) if command.switches else set()
    parts: list[list[str]] = []
    given: set[str] = set()
    values: dict[str, str] = {}
    for flag in sorted(wrong):
        values[flag] = draw(st.sampled_from(command.wrong[flag]))
        parts.append([draw(st.sampled_from(forms(words, flag))), values[flag]])
        given |= set(action_of(words, flag).option_strings)
    for flag in sorted(switched):
        parts.append([draw(st.sampled_from(action_of(words, flag).option_strings))])
        given |= set(action_of(words, flag).option_strings)
    for group in command.base:
        if group[0] not in wrong and not command.conflicts & switched:
            parts.append(list(group))
            given |= set(action_of(words, group[0]).option_strings)
            values.setdefault(group[0], group[1])
    order = draw(st.permutations(parts))
    argv = [*words, *command.positional, *(word for part in order for word in part)]
    return Invocation(command, argv, given, values)


def causes(body: str) -> list[str]:
    """The flags a line names as the cause of the problem."""
    found = [flag for match in _ARGPARSE_CAUSES.finditer(body) for flag in match.group(1).split("/")]
    field_name = re.sub(r"\[\d+\]$", "", body.split(": ", 1)[0])  # --mx[0]: the first --mx
    if not found and field_name.startswith("-"):
        found = [field_name]
    return found


def check_line(line: str, call: Invocation, words: tuple[str, ...]) -> None:
    body = _PREFIX.sub("", line)
    own = set(TREE[words]._option_string_actions)
    missing = set(causes(body)) if _REQUIRED.search(body) else set()  # the problem is that it was not given
    for flag in causes(body):
        if flag in missing:
            continue
        assert flag in call.given, f"names {flag}, which was not given, as the cause: {line!r} ({call.argv})"
        long = _long(action_of(words, flag)) if flag in own else flag
        if long in FILE_FLAGS:
            shown = call.values[long].replace("{tmp}", "")
            assert shown in line, f"a line about {flag} does not name the file {shown!r}: {line!r}"
    for match in _FLAG.finditer(body):
        flag = match.group(1)
        if flag in own and flag not in call.given and flag not in missing:
            before = body[: match.start()]
            assert ADVICE.search(before), f"names {flag}, which was not given: {line!r} ({call.argv})"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flags")
    (folder / "bin").mkdir()  # PATH: no pulumi, nothing else
    return folder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=invocations())
def test_errors_name_only_given_flags_and_the_files_they_are_about(
    call: Invocation, workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MTA_STS_NAMESERVERS", f"127.0.0.1:{closed_port()}")
    monkeypatch.delenv("MTA_STS_NO_LIVE_DNS", raising=False)
    monkeypatch.setenv("PATH", str(workdir / "bin"))
    argv = [word.replace("{tmp}", str(workdir)) for word in call.argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("mta-sts")]
    assert lines, err
    for line in lines:
        check_line(line, call, call.command.words)


def test_an_existing_stack_file_is_named_and_force_is_only_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "Pulumi.mine.yaml"
    existing.write_text("config:\n  mta-sts:domain: mail.example\n")
    code = main(
        ["init", "mail.example", "-s", "mine", "--stacks-dir", str(tmp_path), "-n", f"127.0.0.1:{closed_port()}"]
    )
    err = capsys.readouterr().err
    assert code == 2
    # The issue's own form: "--force: the stack file … exists" names the file, and --force as the fix.
    assert err == (
        f"mta-sts init: --force: the stack file {existing} exists with mta-sts: settings; "
        "give --force to replace them (only those)\n"
    )
