"""Nothing injected into what senders read (issue 11 §1): every value that reaches the policy
file or a TXT record is refused unless it is exactly what it seems.

The property: for every field that reaches the policy or a record (extension names and values,
mx patterns, rua URIs, the domain), generate values holding every Unicode line or field
separator and control character; whatever the core accepts is read back by a sender's parser
(postfix-mta-sts-resolver's and ours, and checkdmarc's for TLS-RPT) as exactly the intended
fields: no extra ``mode:`` / ``mx:`` line, no extra record field.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from checkdmarc.smtp_tls_reporting import parse_smtp_tls_reporting_record
from hypothesis import given, settings
from hypothesis import strategies as st
from postfix_mta_sts_resolver.utils import parse_mta_sts_policy as postfix_policy
from postfix_mta_sts_resolver.utils import parse_mta_sts_record as postfix_record

from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.hostnames import normalize_hostname
from pulumi_mta_sts.core.policy import Policy, parse_policy
from pulumi_mta_sts.core.records import (
    parse_sts_records,
    parse_tlsrpt_records,
    records_for,
    sts_record_value,
    tlsrpt_record_value,
    validate_rua,
)
from pulumi_mta_sts.core.txt_values import (
    CLOUDFLARE_MAX_WIRE_BYTES,
    ROUTE53_MAX_VALUE_CHARS,
    route53_txt,
    split_txt,
    unsafe_character,
)
from tests import strategies as s

#: Every code point that is a control, format, surrogate or separator character (categories
#: C* and Z*), the ones ``str.splitlines`` and ``str.split`` break at among them.
BREAKERS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] in "CZ" and chr(c) != " "]
NAMED = ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\t", "\x00", "\ud800"]
breaker = st.one_of(st.sampled_from(NAMED), st.sampled_from(BREAKERS))
injected = st.sampled_from(["mode: enforce", "mx: evil.example.net", "mode: none", "", "x"])


def with_break(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``text`` with a breaking character (and maybe an injected field after it) somewhere."""

    def insert(value: str, position: int, char: str, tail: str) -> str:
        at = position % (len(value) + 1)
        return value[:at] + char + tail + value[at:]

    return st.builds(insert, text, st.integers(min_value=0), breaker, injected)


def test_the_character_rule_refuses_every_breaker_and_keeps_printable_text() -> None:
    assert all(unsafe_character(f"a{c}b") == c for c in BREAKERS)
    assert unsafe_character("printable ASCII !~ and Bücher 日本 ✓") is None


def read_back_policy(policy: Policy) -> None:
    """Ours and postfix-mta-sts-resolver's parser read exactly the fields of ``policy``."""
    text = policy.render()
    ours = parse_policy(policy.render_bytes())
    assert ours.policy == policy and ours.errors == []
    assert set(ours.fields) == {"version", "mode", "max_age", *(["mx"] if policy.mx else []), *dict(policy.extensions)}
    theirs = postfix_policy(text)
    expected = {"version": "STSv1", "mode": policy.mode, "max_age": str(policy.max_age), "mx": list(policy.mx)}
    assert theirs == {**expected, **dict(policy.extensions)}


@settings(max_examples=300)
@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, name=with_break(s.ext_name), value=with_break(s.ext_value))
def test_extension_names_and_values_with_breaks_are_refused(
    mode: str, mx: list[str], max_age: int, name: str, value: str
) -> None:
    for extensions in ({name: "x"}, {"note": value}):
        try:
            policy = Policy.build(mode, mx, max_age, extensions)
        except InputError as error:
            assert all(p.field.startswith("extensions.") for p in error.problems)
            continue
        read_back_policy(policy)  # pragma: no cover - every generated value holds a breaker
        pytest.fail(f"accepted {extensions!r}")


@settings(max_examples=300)
@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, bad=with_break(s.pattern))
def test_mx_patterns_with_breaks_are_refused(mode: str, mx: list[str], max_age: int, bad: str) -> None:
    with pytest.raises(InputError) as info:
        Policy.build(mode, [*mx, bad], max_age)
    assert [p.field for p in info.value.problems] == [f"mx[{len(mx)}]"]


@settings(max_examples=300)
@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age, name=s.ext_name, value=st.text(min_size=1, max_size=30))
def test_whatever_policy_is_accepted_reads_back_as_exactly_its_fields(
    mode: str, mx: list[str], max_age: int, name: str, value: str
) -> None:
    """Any text at all as an extension value: refused, or read back exactly by both parsers."""
    try:
        policy = Policy.build(mode, mx, max_age, {name: value})
    except InputError:
        assert unsafe_character(value) is not None or value != value.strip(" ")
        return
    read_back_policy(policy)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_the_issue_example_is_refused(char: str) -> None:
    """Verified with postfix-mta-sts-resolver: an extension value holding U+0085/U+2028/U+2029
    became an extra ``mode: enforce`` and ``mx: evil.example.net`` for that sender."""
    value = f"a{char}mode: enforce{char}mx: evil.example.net"
    with pytest.raises(InputError) as info:
        Policy.build("testing", ["mx.example.com"], 86401, {"note": value})
    assert info.value.problems[0].field == "extensions.note"
    assert f"U+{ord(char):04X}" in info.value.problems[0].reason


def test_regex_dollar_no_longer_lets_a_final_newline_through() -> None:
    for extensions in ({"note\n": "x"}, {"note": "x\n"}):
        with pytest.raises(InputError):
            Policy.build("testing", ["mx.example.com"], 86401, extensions)
    with pytest.raises(InputError):
        Policy.build("testing", ["mx\n.example.com"], 86401)
    with pytest.raises(InputError):
        sts_record_value("abc\n")


# --------------------------------------------------------------------------- the policy's size


@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=1, max_value=3000), width=st.integers(min_value=1, max_value=55))
def test_a_policy_is_built_only_when_senders_fetch_all_of_it(count: int, width: int) -> None:
    """RFC 8461 §3.3 lets senders cap the policy size; MAX_POLICY_BYTES is the cap we judge by."""
    mx = [f"{'m' * width}{i}.example.com" for i in range(count)]
    try:
        policy = Policy.build("enforce", mx, 86401)
    except InputError as error:
        [problem] = error.problems
        assert problem.field == "policy" and isinstance(problem.value, int) and problem.value > MAX_POLICY_BYTES
        assert f"renders to {problem.value} bytes" in problem.reason
        return
    assert len(policy.render_bytes()) <= MAX_POLICY_BYTES


def test_the_constructor_refuses_an_oversized_policy_too() -> None:
    mx = tuple(sorted(f"mx{i:05}.example.com" for i in range(4000)))
    with pytest.raises(InputError) as info:
        Policy("enforce", mx, 86401)
    assert info.value.problems[0].field == "policy"


# --------------------------------------------------------------------------- records


rua = st.one_of(
    s.hostname.map(lambda h: f"mailto:tlsrpt@{h}"),
    s.hostname.map(lambda h: f"https://{h}/tlsrpt"),
)


@settings(max_examples=300)
@given(good=st.lists(rua, min_size=1, max_size=3, unique=True), bad=with_break(rua))
def test_rua_with_breaks_are_refused(good: list[str], bad: str) -> None:
    assert validate_rua(bad, "rua[9]")
    with pytest.raises(InputError):
        tlsrpt_record_value([*good, bad])


@pytest.mark.parametrize(
    "uri",
    [
        "https://r.example.com/a;b=c",
        "https://r.example.com/a,b",
        "https://r.example.com/a!b",
        'mailto:a"b@example.com',
        "mailto:o'brien@example.com",
        "https://r.example.com/a\\b",
        "https://r.example.com/a b",
        "mailto:r@bücher.example",
        "https://bücher.example/r",
        "https://r.example.com/\u00e9",
    ],
)
def test_rua_characters_readers_could_split_or_mistake_are_refused(uri: str) -> None:
    """RFC 8460 §3: ``tlsrpt-uri = URI`` (RFC 3986: ASCII), "commas (ASCII 0x2C) and
    exclamation points (ASCII 0x21) MUST be encoded"; ``;`` separates the record's fields."""
    [problem] = validate_rua(uri, "rua[0]")
    assert problem.field == "rua[0]"
    if "bücher" in uri:
        assert "xn--bcher-kva.example" in problem.reason  # the fix names the A-label form


@settings(max_examples=300)
@given(ruas=st.lists(st.one_of(rua, st.text(min_size=1, max_size=40)), min_size=1, max_size=4, unique=True))
def test_whatever_rua_list_is_accepted_reads_back_as_exactly_its_uris(ruas: list[str]) -> None:
    try:
        value = tlsrpt_record_value(ruas)
    except InputError:
        return
    ours = parse_tlsrpt_records([value])
    assert ours.record is not None and list(ours.record.rua) == ruas and ours.record.extensions == ()
    theirs = parse_smtp_tls_reporting_record(value)
    assert theirs["tags"]["rua"]["value"] == ruas
    assert set(theirs["tags"]) == {"v", "rua"}


@settings(max_examples=200)
@given(domain=st.one_of(s.hostname, with_break(s.hostname)), mode=s.mode, mx=s.mx_list)
def test_a_domain_reaches_record_names_only_in_its_normal_form(domain: str, mode: str, mx: list[str]) -> None:
    normal, problems = normalize_hostname(domain, "domain")
    if normal is None:
        assert problems and problems[0].field == "domain"
        return
    policy = Policy.build(mode, mx, 86401)
    sts = records_for(normal, policy, ["mailto:r@example.com"])[0]
    assert sts.name == f"_mta-sts.{normal}" and normal.isascii() and unsafe_character(normal) is None
    assert postfix_record(sts.value) == {"v": "STSv1", "id": policy.id}
    found = parse_sts_records([sts.value])
    assert found.record is not None and found.record.id == policy.id and found.warnings == []


@settings(max_examples=30, deadline=None)
@given(count=st.integers(min_value=1, max_value=200), width=st.integers(min_value=1, max_value=40))
def test_a_tlsrpt_value_is_made_only_when_dns_providers_can_carry_it(count: int, width: int) -> None:
    """One TXT RR is a list of character-strings of at most 255 bytes (RFC 1035 §3.3.14);
    Cloudflare takes records of at most 4096 bytes on the wire, Route53 values of at most 4000
    characters as written."""
    ruas = [f"mailto:{'r' * width}{i}@example.com" for i in range(count)]
    try:
        value = tlsrpt_record_value(ruas)
    except InputError as error:
        [problem] = error.problems
        assert problem.field == "rua" and "bytes" in problem.reason
        return
    assert sum(len(p.encode()) + 1 for p in split_txt(value)) <= CLOUDFLARE_MAX_WIRE_BYTES
    assert len(route53_txt(value)) + 2 <= ROUTE53_MAX_VALUE_CHARS
