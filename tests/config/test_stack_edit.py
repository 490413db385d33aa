"""The stack-file editor (``config/stack_edit.py``): generated stack files with comments, other
namespaces, secrets, ``pulumi stack init``'s own keys, odd indentation, quoting and line ends.
After replacing the ``mta-sts:`` entries every other byte is where it was, and the file reads
back (as Pulumi reads it, ``config/stack_file.py``) to the intended config."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack_edit import (
    EditRefused,
    config_entries,
    edit_config,
    namespace_keys,
    read_stack_text,
    write_stack_text,
)
from pulumi_mta_sts.config.stack_file import read_stack_config
from pulumi_mta_sts.core.errors import InputError

WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8).filter(lambda w: w[0] != "-")
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co", "Cf", "Zl", "Zp")), max_size=12)
COMMENT = TEXT.map(lambda t: "# " + t.replace("\n", " "))


def replace_namespace(text: str, namespace: str, block: str, project: str | None = None) -> str:
    """What ``mta-sts init --force`` does: every entry of ``namespace`` replaced by ``block``."""
    return edit_config(text, remove=set(namespace_keys(text, namespace, project)), block=block, project=project)


@dataclass(frozen=True)
class Segment:
    """Lines of the generated file (column 0, ``\\n`` line ends); ``key`` set for a config entry."""

    lines: tuple[str, ...]
    key: str | None = None


def _quoted(value: str, style: str) -> str:
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return value


@st.composite
def scalar_entry(draw: st.DrawFn, namespace: str) -> Segment:
    name = f"{namespace}:{draw(WORD)}"
    value = draw(st.one_of(WORD.map(lambda w: "v" + w), TEXT))
    style = "plain" if value.startswith("v") and value.isalnum() else draw(st.sampled_from(["double", "single"]))
    comment = draw(st.one_of(st.just(""), COMMENT.map(lambda c: "   " + c)))
    key = _quoted(name, draw(st.sampled_from(["plain", "double"])))
    return Segment((f"{key}: {_quoted(value, style)}{comment}",), name)


@st.composite
def nested_entry(draw: st.DrawFn, namespace: str, indent: int) -> Segment:
    name = f"{namespace}:{draw(WORD)}"
    pad = " " * indent
    inner = [f"{pad}{draw(WORD)}x: {json.dumps(draw(TEXT), ensure_ascii=False)}"]
    if draw(st.booleans()):
        inner.append(pad + draw(COMMENT))  # a comment inside the value belongs to the entry
    inner.append(f"{pad}list:")
    inner += [f"{pad}- {json.dumps(item, ensure_ascii=False)}" for item in draw(st.lists(TEXT, min_size=1, max_size=3))]
    if draw(st.booleans()):
        inner += [f"{pad}text: |", f"{pad}  {draw(WORD)}", "", f"{pad}  {draw(WORD)}"]
    return Segment((f"{name}:", *inner), name)


@st.composite
def secret_entry(draw: st.DrawFn, indent: int) -> Segment:
    name = f"{draw(WORD)}:{draw(WORD)}"
    return Segment((f"{name}:", f"{' ' * indent}secure: v1:{draw(WORD)}=="), name)


@st.composite
def stack_file(draw: st.DrawFn) -> tuple[list[Segment | str], list[Segment], str]:
    """``(top-level parts, config segments, line end)``: a top-level part is a line of text or
    the string ``"CONFIG"`` where the ``config:`` mapping goes (absent: no config at all)."""
    indent = draw(st.integers(1, 5))
    other = st.sampled_from(["aws", "cloudflare", "app", "pulumi"])
    entries = st.one_of(
        other.flatmap(scalar_entry),
        other.flatmap(lambda ns: nested_entry(ns, indent)),
        secret_entry(indent),
        scalar_entry("mta-sts"),
        nested_entry("mta-sts", indent),
        COMMENT.map(lambda c: Segment((c,))),
        st.just(Segment(("",))),
    )
    segments = draw(st.lists(entries, max_size=8, unique_by=lambda s: s.key or object()))
    tops: list[Segment | str] = []
    tops += draw(st.lists(COMMENT, max_size=2))
    written_by_pulumi = st.sampled_from(["encryptionsalt: v1:c2FsdA==:v1:QUJD", "secretsprovider: passphrase"])
    tops += draw(st.lists(written_by_pulumi, max_size=2, unique=True))
    if draw(st.booleans()) or segments:
        tops.append("CONFIG")
    tops += draw(st.lists(st.sampled_from(["encryptedkey: a2V5", "# the end"]), max_size=2, unique=True))
    return tops, [_at(s, indent) for s in segments], draw(st.sampled_from(["\n", "\r\n"]))


def _at(segment: Segment, indent: int) -> Segment:
    return Segment(tuple(" " * indent + line if line else line for line in segment.lines), segment.key)


NEW_BLOCK = 'mta-sts:domain: "new.example"\nmta-sts:policy:\n  # from init\n  mode: testing\n  mx: ["mx.new.example"]\n'
NEW_VALUES = {"mta-sts:domain": "new.example", "mta-sts:policy": '{"mode":"testing","mx":["mx.new.example"]}'}


def _render(tops: list[Segment | str], config: list[Segment], newline: str, *, expected: bool) -> str:
    """The file; ``expected``: with the ``mta-sts:`` entries replaced by NEW_BLOCK where the editor puts it."""
    lines: list[str] = []
    for top in tops:
        if top != "CONFIG":
            lines.append(str(top))
            continue
        lines.append("config:")
        lines += _config_lines(config, expected)
    if expected and "CONFIG" not in tops:
        lines += ["config:", *_block(2)]
    return "".join(line + newline for line in lines)


def _block(indent: int) -> list[str]:
    return [" " * indent + line if line else line for line in NEW_BLOCK.splitlines()]


def _config_lines(config: list[Segment], expected: bool) -> list[str]:
    if not expected:
        return [line for segment in config for line in segment.lines]
    indent = next((len(s.lines[0]) - len(s.lines[0].lstrip()) for s in config if s.key), 2)
    owned = [i for i, s in enumerate(config) if s.key and s.key.startswith("mta-sts:")]
    entries = [i for i, s in enumerate(config) if s.key]
    at = owned[0] if owned else (entries[-1] + 1 if entries else 0)
    lines: list[str] = []
    for index, segment in enumerate(config):
        if index == at:
            lines += _block(indent)
        if index not in owned:
            lines += segment.lines
    if at == len(config):
        lines += _block(indent)
    return lines


def _read(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "Pulumi.t.yaml"
    path.write_bytes(text.encode("utf-8"))
    return read_stack_config(path, None, "mta-sts")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stack_file())
def test_replacing_the_mta_sts_entries_keeps_every_other_byte(
    tmp_path: Path, generated: tuple[list[Segment | str], list[Segment], str]
) -> None:
    tops, config, newline = generated
    original = _render(tops, config, newline, expected=False)
    edited = replace_namespace(original, "mta-sts", NEW_BLOCK)
    newline = newline if original else "\n"  # an empty file has no line end to follow
    assert edited == _render(tops, config, newline, expected=True)
    before, after = _read(tmp_path, original), _read(tmp_path, edited)
    assert {k: v for k, v in after.items() if k.startswith("mta-sts:")} == NEW_VALUES
    assert {k: v for k, v in after.items() if not k.startswith("mta-sts:")} == {
        k: v for k, v in before.items() if not k.startswith("mta-sts:")
    }
    assert namespace_keys(edited, "mta-sts") == list(NEW_VALUES)


@settings(max_examples=100, deadline=None)
@given(stack_file())
def test_an_edit_that_removes_nothing_only_adds(generated: tuple[list[Segment | str], list[Segment], str]) -> None:
    tops, config, newline = generated
    original = _render(tops, config, newline, expected=False)
    edited = edit_config(original, block="zz:new: 1\n")
    assert edited.replace(_line("zz:new: 1", original, newline), "", 1) == original or "config:" not in original
    assert "zz:new" in [e.key for e in config_entries(edited)]


def _line(entry: str, text: str, newline: str) -> str:
    entries = config_entries(text)
    indent = len(text[entries[0].start :]) - len(text[entries[0].start :].lstrip(" ")) if entries else 2
    return " " * indent + entry + newline


PULUMI_STACK_INIT = "secretsprovider: passphrase\nencryptionsalt: v1:c2FsdA==:v1:QUJD:RUZH\n"


def test_a_file_pulumi_stack_init_wrote_gets_config_at_the_end() -> None:
    edited = replace_namespace(PULUMI_STACK_INIT, "mta-sts", 'mta-sts:domain: "a.example"\n')
    assert edited == PULUMI_STACK_INIT + 'config:\n  mta-sts:domain: "a.example"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config: {}  # none yet\nx: 1\n", 'config:  # none yet\n  mta-sts:domain: "a.example"\nx: 1\n'),
        ("config: ~\n", 'config:\n  mta-sts:domain: "a.example"\n'),
        ("config:", 'config:\n  mta-sts:domain: "a.example"\n'),
        ("", 'config:\n  mta-sts:domain: "a.example"\n'),
        ("# only a comment", '# only a comment\nconfig:\n  mta-sts:domain: "a.example"\n'),
        ("config:\n    aws:region: x", 'config:\n    aws:region: x\n    mta-sts:domain: "a.example"\n'),
        ("\ufeffconfig:\n  mta-sts:domain: b\n", '\ufeffconfig:\n  mta-sts:domain: "a.example"\n'),
        ("config:\n  domain: b\n  mta-sts:config:x: 1\n", 'config:\n  mta-sts:domain: "a.example"\n'),
    ],
    ids=["flow-empty", "null", "no-value-no-newline", "empty", "comment", "no-final-newline", "bom", "forms"],
)
def test_edge_forms(text: str, expected: str) -> None:
    assert replace_namespace(text, "mta-sts", 'mta-sts:domain: "a.example"\n', project="mta-sts") == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{config: {a:b: 1}}", "flow mapping"),
        ("config: {mta-sts:domain: a, x:y: 1}\n", "flow style"),
        ("config: [1]\n", "not a mapping"),
        ("- a\n", "not a YAML mapping"),
        ("config:\n  <<: {mta-sts:domain: a}\n", "merges"),
        ("config:\n  mta-sts:policy: &p {mode: testing}\n  x:y: *p\n", "anchor &p"),
        ("config: [\n", "not valid YAML"),
    ],
)
def test_what_cannot_be_edited_in_place_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason):
        replace_namespace(text, "mta-sts", "mta-sts:domain: a\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_files_are_written_back_in_their_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_bytes(("\ufeff" if encoding != "utf-8" else "").encode(encoding) + "# mine\n".encode(encoding))
    stack = read_stack_text(path)
    write_stack_text(stack, replace_namespace(stack.text, "mta-sts", "mta-sts:domain: a.example\n"))
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8": b"#"}
    assert path.read_bytes().startswith(marks[encoding])
    assert read_stack_config(path, None, "mta-sts") == {"mta-sts:domain": "a.example"}


def test_a_missing_file_is_empty_and_a_directory_is_named(tmp_path: Path) -> None:
    assert read_stack_text(tmp_path / "none.yaml").text == ""
    with pytest.raises(InputError, match="directory"):
        read_stack_text(tmp_path)
