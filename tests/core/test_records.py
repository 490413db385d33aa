"""TXT record values and what senders make of the records they find (RFC 8461 §3.1, RFC 8460 §3)."""

from __future__ import annotations

import pytest
from checkdmarc.mta_sts import parse_mta_sts_record
from checkdmarc.smtp_tls_reporting import parse_smtp_tls_reporting_record
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import (
    DnsRecord,
    parse_sts_records,
    parse_tlsrpt_records,
    policy_host,
    policy_url,
    records_for,
    sts_record_name,
    sts_record_value,
    tlsrpt_record_name,
    tlsrpt_record_value,
    validate_rua,
)
from tests import strategies as s

RUA = st.one_of(
    s.hostname.map(lambda h: f"mailto:tlsrpt@{h}"),
    s.hostname.map(lambda h: f"https://{h}/tlsrpt"),
)


def test_names_and_url() -> None:
    assert sts_record_name("example.com") == "_mta-sts.example.com"
    assert tlsrpt_record_name("example.com") == "_smtp._tls.example.com"
    assert policy_host("example.com") == "mta-sts.example.com"
    assert policy_url("example.com") == "https://mta-sts.example.com/.well-known/mta-sts.txt"


def test_record_values() -> None:
    assert sts_record_value("abc123") == "v=STSv1; id=abc123;"
    assert tlsrpt_record_value(["mailto:a@example.com", "https://r.example.com/v1", "mailto:a@example.com"]) == (
        "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/v1"
    )
    with pytest.raises(InputError):
        sts_record_value("has-dash")
    with pytest.raises(InputError):
        tlsrpt_record_value([])


def test_records_for_a_domain() -> None:
    policy = Policy.build("testing", ["mx.example.com"], 86401)
    assert records_for("example.com", policy, ["mailto:r@example.com"]) == [
        DnsRecord("_mta-sts.example.com", "TXT", f"v=STSv1; id={policy.id};"),
        DnsRecord("_smtp._tls.example.com", "TXT", "v=TLSRPTv1; rua=mailto:r@example.com"),
    ]
    assert [r.name for r in records_for("example.com", policy, [])] == ["_mta-sts.example.com"]


@pytest.mark.parametrize(
    "uri",
    [
        "mailto:tlsrpt@example.com",
        "mailto:tls.rpt+x@sub.example.co.uk",
        "https://r.example.com",
        "https://r.example.com:8443/v1/report?x=1",
        "https://xn--bcher-kva.example/r",
        "mailto:a%2Bb@example.com",
    ],
)
def test_valid_rua(uri: str) -> None:
    assert validate_rua(uri) == []


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "tlsrpt@example.com",
        "ftp://example.com/",
        "mailto:",
        "mailto:@example.com",
        "mailto:a@",
        "mailto:a@b",
        "mailto:a@1.2.3.4",
        "mailto:a b@example.com",
        "https://",
        "https:///path",
        "https://user:pw@example.com/",
        "https://example.com:99999/",
        "mailto:a@example.com,b@example.com",
        "https://example.com/!x",
        "mailto:a@example.com?subject=x",
        "http://example.com/report",
        None,
        42,
    ],
)
def test_invalid_rua(uri: object) -> None:
    problems = validate_rua(uri, "rua[0]")
    assert problems and problems[0].field == "rua[0]"


# --------------------------------------------------------------------------- parsing _mta-sts


def test_sts_single_valid_record() -> None:
    found = parse_sts_records(["v=spf1 -all", "v=STSv1; id=20240101T000000;"])
    assert found.record is not None and found.record.id == "20240101T000000"
    assert found.problems == []


@pytest.mark.parametrize(
    "txt",
    ["v=STSv1;id=abc", "v=STSv1; id=abc ;", "v=STSv1;\tid=abc;\text1=val-1", "v=STSv1; id=" + "a" * 32 + ";"],
)
def test_sts_grammar_variants_accepted(txt: str) -> None:
    assert parse_sts_records([txt]).record is not None


def test_two_sts_records_mean_no_policy() -> None:
    found = parse_sts_records(["v=STSv1; id=old1;", "v=STSv1; id=new2;"])
    assert found.record is None
    assert len(found.candidates) == 2
    assert "2 TXT records begin with 'v=STSv1;'" in found.problems[0].reason


@pytest.mark.parametrize(
    ("txts", "field"),
    [
        ([], "record"),
        (["v=STSv2; id=abc;"], "record"),
        (["v=STSv1"], "record"),
        (["v=STSv1; id=has-dash;"], "id"),
        (["v=STSv1; id=" + "a" * 33 + ";"], "id"),
        (["v=STSv1; id=;"], "id"),
        (["v=STSv1; id=a;; x=1"], "record"),
        (["v=STSv1; id=a; bad"], "record"),
        (["v=STSv1id=abc;"], "record"),
    ],
)
def test_sts_invalid(txts: list[str], field: str) -> None:
    found = parse_sts_records(txts)
    assert found.record is None
    assert field in [p.field for p in found.problems]


# --------------------------------------------------------------------------- parsing _smtp._tls


def test_tlsrpt_valid_record_with_two_uris() -> None:
    found = parse_tlsrpt_records(["v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.com/x"])
    assert found.record is not None
    assert found.record.rua == ("mailto:a@example.com", "https://r.example.com/x")


@pytest.mark.parametrize(
    ("txts", "field"),
    [
        ([], "record"),
        (["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"], "record"),
        (["v=TLSRPTv1"], "record"),
        (["v=TLSRPTv1; rua=ftp://x.example.com"], "rua[0]"),
        (["v=TLSRPTv1; rua=mailto:a@example.com,"], "rua[1]"),
    ],
)
def test_tlsrpt_invalid(txts: list[str], field: str) -> None:
    found = parse_tlsrpt_records(txts)
    assert found.record is None
    assert field in [p.field for p in found.problems]


# --------------------------------------------------------------------------- interop with checkdmarc


@given(mode=s.mode, mx=s.mx_list, max_age=s.max_age)
def test_every_sts_record_we_render_is_accepted_by_checkdmarc_and_by_us(mode: str, mx: list[str], max_age: int) -> None:
    policy = Policy.build(mode, mx, max_age)
    value = sts_record_value(policy.id)
    assert parse_mta_sts_record(value)["tags"]["id"] == policy.id
    found = parse_sts_records([value])
    assert found.record is not None and found.record.id == policy.id


@given(ruas=st.lists(RUA, min_size=1, max_size=4, unique=True))
def test_every_tlsrpt_record_we_render_is_accepted_by_checkdmarc_and_by_us(ruas: list[str]) -> None:
    value = tlsrpt_record_value(ruas)
    assert parse_smtp_tls_reporting_record(value)["tags"]["rua"]["value"] == ruas
    found = parse_tlsrpt_records([value])
    assert found.record is not None and list(found.record.rua) == ruas


_URL_PIECES = st.sampled_from(
    ["https://", "mailto:", "[", "]", "::1", ":", "99999", "@", "/", "é", "a.example", "?", "#"]
)


@given(st.lists(_URL_PIECES, max_size=8).map("".join))
def test_any_rua_is_judged_never_raised(uri: str) -> None:
    """Brackets, ports and hosts that Python's URL parser refuses (``https://[tlsrpt...`` raised ValueError
    out of ``render`` once) are one problem naming the field, like every other wrong rua."""
    problems = validate_rua(uri, "rua[0]")
    assert all(p.field == "rua[0]" for p in problems)
    if uri.startswith("https://[") and "]" not in uri and uri.isascii():  # non-ASCII is said first
        assert problems and "use https://host/path" in problems[0].reason
