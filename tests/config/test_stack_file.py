"""Stack files read as the Pulumi CLI reads them (gopkg.in/yaml.v3 through config.Map), bounded
for hostile files, and ``mta-sts:`` values refused when YAML versions disagree on them."""

from __future__ import annotations

import json
import math
import string
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import digit_string, load_stack_config, load_stack_file, read_stack_file
from pulumi_mta_sts.config.stack_file import MAX_DEPTH, config_text, decode_config_value, go_json, read_project_file
from pulumi_mta_sts.config.yaml_scalars import ambiguity, v3_scalar
from pulumi_mta_sts.core.errors import InputError

GOOD = (
    "config:\n"
    "  mta-sts:domain: example.com\n"
    "  mta-sts:dns: {provider: route53}\n"
    "  mta-sts:policy:\n"
    "    mode: testing\n"
    "    max_age: 86401\n"
    "    mx: [mx1.example.com]\n"
)


def _write(folder: Path, text: str | bytes, name: str = "Pulumi.t.yaml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_stack_file(path)
    return str(info.value)


# ---- what yaml.v3 (and so Pulumi) makes of a plain scalar ----------------------------------------
# Outcomes from gopkg.in/yaml.v3 v3.0.1: decode_test.go ("v: 0b10" -> 2, "v: 0xA" -> 10, ".1" -> 0.1,
# "sexa: 190:20:30.15" unsupported) and resolve.go (ParseInt base 0 after removing "_", 0o octal,
# only true/True/TRUE as booleans, timestamps 2006-1-2).
V3_READINGS: list[tuple[str, Any]] = [
    ("hi", "hi"),
    ("true", True),
    ("TRUE", True),
    ("yes", "yes"),
    ("on", "on"),
    ("y", "y"),
    ("10", 10),
    ("0b10", 2),
    ("0xA", 10),
    ("0o17", 15),
    ("017", 15),
    ("08", 8.0),
    ("1_000", 1000),
    ("-10", -10),
    ("+12", 12),
    (".1", 0.1),
    ("-.1", -0.1),
    ("1e3", 1000.0),
    ("685.23015e+03", 685230.15),
    ("1:00:00", "1:00:00"),
    ("190:20:30.15", "190:20:30.15"),
    ("4294967296", 4294967296),
    ("18446744073709551615", 18446744073709551615),
    ("", None),
    ("~", None),
    ("Null", None),
    ("1" * 5000, "1" * 5000),  # ParseInt, ParseUint and ParseFloat all fail: text
]


@pytest.mark.parametrize(("text", "expected"), V3_READINGS)
def test_plain_scalars_resolve_as_yaml_v3_does(text: str, expected: Any) -> None:
    got = v3_scalar(text)
    assert got == expected and type(got) is type(expected)


def test_timestamps_reach_the_program_as_go_prints_them() -> None:
    assert config_text(v3_scalar("2015-01-01")) == "2015-01-01 00:00:00 +0000 UTC"
    assert config_text(v3_scalar("2015-02-24T18:19:39.12Z")) == "2015-02-24 18:19:39.12 +0000 UTC"
    assert config_text(v3_scalar("2015-2-3T3:4:5Z")) == "2015-02-03 03:04:05 +0000 UTC"
    assert v3_scalar("2015-02-30") == "2015-02-30"  # not a date: text


def test_values_are_handed_over_as_the_engine_does() -> None:
    assert config_text(15) == "15"
    assert config_text(True) == "true"
    assert config_text(None) == ""
    assert config_text(1e6) == "1000000"
    assert config_text({"b": [1.5, "<a&b>"], "a": None}) == '{"a":null,"b":[1.5,"\\u003ca\\u0026b\\u003e"]}'
    assert config_text({"secure": "v1:abc"}) == {"secure": "v1:abc"}
    assert go_json([1e21, 1e-7]) == "[1e+21,1e-7]"
    assert decode_config_value('{"a": 1}') == {"a": 1}
    assert decode_config_value("{not json") == "{not json"


# ---- ambiguity: the three readings must agree in the mta-sts namespace ------------------------------
AMBIGUOUS = [
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "1:00:00",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "1e3",
    "08",
    "2024-01-01",
    "0b_",
    "0x_",
    "1_",
]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_a_value_read_differently_by_yaml_versions_is_refused_with_the_fix(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, GOOD.replace("max_age: 86401", f"max_age: {text}"))
    message = _refused(path)
    assert "Pulumi.t.yaml: mta-sts:policy.max_age: line 6:" in message
    assert "quote it" in message and "different things to different YAML readers" in message


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_the_same_value_quoted_is_plain_text(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, GOOD.replace("max_age: 86401", f"max_age: '{text}'"))
    try:  # text: the field's own rule decides ('017' is 17 seconds), never the YAML version
        load_stack_file(path)
    except InputError as exc:
        assert "different things" not in str(exc) and "mta-sts:policy.max_age" in str(exc)


def test_ambiguous_values_elsewhere_are_passed_on_as_pulumi_passes_them(tmp_path: Path) -> None:
    extra = "  other:flag: yes\n  other:mode: 0o17\n  other:when: 2024-01-01\n  other:blob: !!binary aGVsbG8=\n"
    extra += "  other:set: !!set {a, b}\n  other:obj: {n: 017, t: 1:00:00}\n"
    config = read_stack_file(_write(tmp_path, GOOD + extra))
    assert config["other:flag"] == "yes"
    assert config["other:mode"] == "15"
    assert config["other:when"] == "2024-01-01 00:00:00 +0000 UTC"
    assert config["other:blob"] == "hello"
    assert json.loads(config["other:set"]) == {"a": None, "b": None}
    assert json.loads(config["other:obj"]) == {"n": 15, "t": "1:00:00"}


def test_keys_without_a_namespace_are_the_projects(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mta-sts\nruntime: python\n")
    text = GOOD.replace("mta-sts:domain", "domain")
    assert load_stack_file(_write(tmp_path, text)).domain == "example.com"
    (tmp_path / "Pulumi.yaml").write_text("name: other\nruntime: python\n")
    assert "mta-sts:domain: is required" in _refused(_write(tmp_path, text))


def test_a_key_given_twice_through_namespacing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: mta-sts\n")
    message = _refused(_write(tmp_path, GOOD + "  domain: example.org\n"))
    assert "mta-sts:domain: is given twice" in message


def test_an_empty_section_is_the_same_as_no_section(tmp_path: Path) -> None:
    assert load_stack_file(_write(tmp_path, GOOD + "  mta-sts:host:\n")).host.kind == "cloudfront"


# ---- hostile files: a clear error, bounded -----------------------------------------------------------
def test_a_file_that_is_not_utf8_is_named_with_the_byte(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.encode() + b"  mta-sts:x: \xff\xfe\n")
    message = _refused(path)
    assert str(path) in message and "is not UTF-8" in message and "line 8" in message


def test_a_utf8_bom_is_stripped_and_utf16_is_read(tmp_path: Path) -> None:
    assert load_stack_file(_write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode())).domain == "example.com"
    assert load_stack_file(_write(tmp_path, GOOD.encode("utf-16"))).domain == "example.com"


def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path: Path) -> None:
    message = _refused(_write(tmp_path, GOOD.replace("    max_age: 86401\n", "    max_age: 86401\n    max_age: 60\n")))
    assert "mta-sts:policy: line 7: the key 'max_age' is written twice (also on line 6)" in message
    message = _refused(_write(tmp_path, GOOD + "  mta-sts:domain: example.org\n"))
    assert "the key 'mta-sts:domain' is written twice (also on line 2)" in message


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 5000, 40_000])
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, depth: int) -> None:
    for opening, closing in (("[", "]"), ("{a: ", "}")):
        text = "config:\n  other:x: " + opening * depth + "1" + closing * depth + "\n"
        message = _refused(_write(tmp_path, text))
        assert "Pulumi.t.yaml" in message
        assert f"nests deeper than {MAX_DEPTH} levels" in message or "maximum nesting depth" in message


def test_a_5000_digit_integer_is_a_clean_error(tmp_path: Path) -> None:
    message = _refused(_write(tmp_path, GOOD.replace("max_age: 86401", "max_age: " + "9" * 5000)))
    assert "mta-sts:policy.max_age" in message and "(5000 characters)" in message
    message = _refused(_write(tmp_path, GOOD.replace("max_age: 86401", "max_age: '" + "9" * 5000 + "'")))
    assert "Pulumi.t.yaml: mta-sts:policy.max_age:" in message


def _alias_bomb(levels: int = 9) -> str:
    lines = ["config:", '  other:a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"  other:a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    text = _alias_bomb()
    assert len(text) < 700  # expands to 9**9 (387 million) strings
    path = _write(tmp_path, text)
    tracemalloc.start()
    try:
        message = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "expands (through YAML aliases) to more than a stack file can hold" in message
    assert peak < 64 * 1024 * 1024, peak


def test_aliases_and_merges_within_bounds_are_read_as_pulumi_reads_them(tmp_path: Path) -> None:
    text = GOOD + "  other:base: &b {x: 1, y: 2}\n  other:copy: {<<: *b, y: 3}\n"
    config = read_stack_file(_write(tmp_path, text))
    assert json.loads(config["other:copy"]) == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config: [1, 2\n", "is not valid YAML"),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("config: [a]\n", "config: must be a mapping"),
        ("config:\n  1: x\n", "the key 1 is not text to Pulumi"),
        ("config:\n  other:x: .inf\n", "not a number Pulumi can pass on"),
        ("config:\n  other:x: *nowhere\n", "names no anchor"),
        ("config:\n  a:b:c: x\n", "is not a config key Pulumi accepts"),
        ("config:\n  other:x: !!binary '%%%'\n", "invalid base64"),
        ("config:\n  mta-sts:domain: !!binary ZXhhbXBsZS5jb20=\n", "has the YAML tag"),
    ],
)
def test_files_pulumi_refuses_are_refused_naming_the_file(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        read_stack_file(_write(tmp_path, text))
    assert expected in str(info.value) and "Pulumi.t.yaml" in str(info.value)


def test_an_invalid_or_non_utf8_project_file_is_named(tmp_path: Path) -> None:
    project = tmp_path / "Pulumi.yaml"
    for content in (b"name: [\n", b"name: \xff\n", b"- a\n"):
        project.write_bytes(content)
        with pytest.raises(InputError) as info:
            read_project_file(project)
        assert str(project) in str(info.value)


# ---- generated: every plain scalar, every namespace ---------------------------------------------------
SCALAR_CHARS = string.digits + "+-._:eEoxbOXBTtZyYnNsfalru~ "
scalars = st.text(alphabet=SCALAR_CHARS, min_size=1, max_size=14).map(str.strip).filter(bool)


def _is_plain_scalar(text: str) -> bool:
    try:
        node = yaml.compose(f"v: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(node, yaml.MappingNode) and isinstance(node.value[0][1], yaml.ScalarNode)


def _meaning(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("text", str(value))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=scalars)
def test_an_accepted_mta_sts_value_means_the_same_to_every_yaml_reader(tmp_path: Path, text: str) -> None:
    """Accepted → Pulumi's reading (what the program gets) equals YAML 1.1's (PyYAML) and 1.2 core's."""
    if not _is_plain_scalar(text):
        return
    path = _write(tmp_path, f"config:\n  mta-sts:probe: {text}\n  other:probe: {text}\n")
    try:
        config = read_stack_file(path)
    except InputError as exc:
        assert all("Pulumi.t.yaml" in p.field for p in exc.problems)
        return
    assert ambiguity(text) is None
    program_sees = decode_config_value(config["mta-sts:probe"])
    pyyaml = yaml.safe_load(f"v: {text}\n")["v"]
    if isinstance(pyyaml, float) and math.isnan(pyyaml):
        return
    if isinstance(pyyaml, bool) or pyyaml is None:
        assert program_sees == ("" if pyyaml is None else str(pyyaml).lower())
    elif isinstance(pyyaml, int | float):
        assert float(json.loads(str(program_sees))) == float(pyyaml)
    else:
        assert program_sees == pyyaml
    assert config["other:probe"] == config["mta-sts:probe"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=scalars)
def test_any_scalar_in_another_namespace_never_crashes(tmp_path: Path, text: str) -> None:
    if not _is_plain_scalar(text):
        return
    path = _write(tmp_path, f"config:\n  other:probe: {text}\n  other:obj: {{v: {text}}}\n")
    try:
        config = read_stack_file(path)
    except InputError as exc:  # .inf / .nan (Pulumi's JSON fails too), or not YAML inside {...}
        assert all("Pulumi.t.yaml" in p.field for p in exc.problems)
        return
    assert isinstance(config["other:probe"], str)
    json.loads(config["other:obj"])


@given(st.text(min_size=1, max_size=30))
def test_digit_strings_are_ascii_digits_only(text: str) -> None:
    number = digit_string(text)
    stripped = text.strip()
    if number is None:
        assert not (stripped.isascii() and stripped.isdigit() and len(stripped) <= 18)
    else:
        assert stripped.isascii() and stripped.isdigit() and number == int(stripped)


@pytest.mark.parametrize("value", ["¹²³", "٣٠٠", "１２３", "9" * 5000, "-5", "1e3"])
def test_numbers_given_as_strings_with_other_digits_are_refused_cleanly(value: str) -> None:
    values = {
        "domain": "example.com",
        "dns": {"provider": "route53"},
        "host": {"verify_timeout": value},
        "policy": {"mx": ["mx.example.com"]},
    }
    with pytest.raises(InputError) as info:
        load_stack_config(values)
    assert "mta-sts:host.verify_timeout: must be a whole number" in str(info.value)
