"""How ``mta-sts`` reads its command line (``cli/parser.py``, ``cli/__init__.py``): the version,
the short forms, and a person's slips answered with the closest valid word under the right usage
line. Every command's parser is walked, so a flag or command added later is covered too.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pulumi_mta_sts
from pulumi_mta_sts.cli import COMMANDS, build_parser, main
from tests.cli.test_flag_errors import leaves

#: The short forms issue 23 names (checkdmarc uses -n and -t the same way).
SHORT_FORMS = {"--stack": "-s", "--nameserver": "-n", "--timeout": "-t", "--format": "-f"}
TREE = leaves(build_parser())


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


# ---- version and short forms ---------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_is_the_package_s(
    flag: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([flag], capsys) == (0, f"mta-sts {pulumi_mta_sts.__version__}\n", "")
    monkeypatch.setattr(pulumi_mta_sts, "__version__", "9.8.7.dev3+g1234567")  # whatever the tag makes it
    assert run([flag], capsys) == (0, "mta-sts 9.8.7.dev3+g1234567\n", "")


@pytest.mark.parametrize("words", sorted(TREE), ids=" ".join)
def test_every_command_with_a_long_flag_has_its_short_form_and_no_other_use_of_it(words: tuple[str, ...]) -> None:
    flags = TREE[words]._option_string_actions
    for long, short in SHORT_FORMS.items():
        if long in flags:
            assert flags.get(short) is flags[long], f"mta-sts {' '.join(words)} {long} has no {short}"
        else:
            assert short not in flags, f"mta-sts {' '.join(words)}: {short} means something other than {long}"


def test_short_and_long_forms_read_the_same() -> None:
    parser = build_parser()
    short = parser.parse_args(["plan", "-s", "x", "-f", "json", "-n", "127.0.0.1", "-t", "2"])
    long = parser.parse_args(
        ["plan", "--stack", "x", "--format", "json", "--nameserver", "127.0.0.1", "--timeout", "2"]
    )
    assert vars(short) == vars(long)


# ---- mistyped words --------------------------------------------------------------------------------
def _typos(word: str) -> st.SearchStrategy[str]:
    """One slip in ``word`` after its dashes: a letter dropped, doubled, swapped or replaced."""
    body_start = len(word) - len(word.lstrip("-"))

    @st.composite
    def typo(draw: st.DrawFn) -> str:
        at = draw(st.integers(body_start, len(word) - 2))
        kind = draw(st.sampled_from(["drop", "double", "swap", "replace"]))
        if kind == "drop":
            return word[:at] + word[at + 1 :]
        if kind == "double":
            return word[: at + 1] + word[at] + word[at + 1 :]
        if kind == "swap":
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        return word[:at] + draw(st.sampled_from("qxz")) + word[at + 1 :]

    return typo()


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


FLAGS = sorted(
    (words, flag)
    for words, parser in TREE.items()
    for flag in parser._option_string_actions
    if flag.startswith("--") and len(flag) >= 7 and flag not in ("--help", "--version")
)


@st.composite
def mistyped_flags(draw: st.DrawFn) -> tuple[tuple[str, ...], str, str]:
    words, flag = draw(st.sampled_from(FLAGS))
    typo = draw(_typos(flag))
    known = TREE[words]._option_string_actions
    if typo in known or any(f.startswith(typo) for f in known):  # a valid flag or abbreviation
        typo = typo + "q"
    return words, flag, typo


@given(mistyped_flags())
def test_a_mistyped_flag_names_the_closest_flag_under_the_subcommand_s_usage(
    case: tuple[tuple[str, ...], str, str],
) -> None:
    words, flag, typo = case
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as caught:
        main([*words, typo])
    assert caught.value.code == 2
    text = err.getvalue()
    prog = "mta-sts " + " ".join(words)
    assert text.startswith(f"usage: {prog} "), text  # the sub-command's usage, not the top level's
    lines = error_lines(text)
    assert len(lines) == 1, text  # the slip only, not "... is required" that follows from it
    assert lines[0].startswith(f"{prog}: error: unrecognized argument {typo}"), lines
    if "did you mean" in lines[0]:
        suggested = lines[0].rsplit("did you mean ", 1)[1].rstrip("?")
        assert suggested in TREE[words]._option_string_actions
        assert _ratio(typo, suggested) >= _ratio(typo, flag)  # nothing valid is closer than it
    else:
        assert _ratio(typo, flag) < 0.6, lines  # only a slip too far from every flag goes unnamed


@pytest.mark.parametrize(
    ("argv", "usage", "says"),
    [
        (["chek", "example.com"], "usage: mta-sts ", "invalid choice: 'chek'; did you mean 'check'?"),
        (["pln", "-s", "x"], "usage: mta-sts ", "did you mean 'plan'?"),
        (["reports", "sumary", "x"], "usage: mta-sts reports ", "did you mean 'summary'?"),
        (["receiver", "tset"], "usage: mta-sts receiver ", "did you mean 'test'?"),
        (["plan", "-s", "x", "--format", "jsn"], "usage: mta-sts plan ", "did you mean 'json'?"),
        (["reports", "summary", "x", "-f", "mardown"], "usage: mta-sts reports summary ", "did you mean 'markdown'?"),
        (
            ["plan", "--stak", "example-com"],
            "usage: mta-sts plan ",
            "unrecognized argument --stak; did you mean --stack?",
        ),
        (["check", "--timout", "3", "example.com"], "usage: mta-sts check ", "did you mean --timeout?"),
        (["check", "--nameserver=127.0.0.1", "--jsn", "a.example"], "usage: mta-sts check ", "did you mean --json?"),
    ],
)
def test_a_mistyped_word_names_the_closest_valid_one(
    argv: list[str], usage: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith(usage)
    [line] = error_lines(err)
    assert says in line


@pytest.mark.parametrize("name", COMMANDS)
def test_every_mistyped_command_names_the_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    typo = name[0] + name[2:] if len(name) > 4 else name + "x"  # one letter dropped (or added)
    code, _, err = run([typo], capsys)
    assert code == 2
    assert f"did you mean {name!r}?" in err


def test_an_unknown_flag_far_from_any_says_where_the_flags_are(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["render", "--xyzzy"], capsys)
    assert code == 2
    [line] = error_lines(err)
    assert line == "mta-sts render: error: unrecognized argument --xyzzy (see mta-sts render --help)"


def test_the_parser_class_reaches_every_sub_command() -> None:
    from pulumi_mta_sts.cli.parser import CommandParser

    assert all(isinstance(parser, CommandParser) for parser in TREE.values())
    assert isinstance(build_parser(), argparse.ArgumentParser)
