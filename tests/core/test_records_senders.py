"""Which TXT records senders use (RFC 8461 §3.1, RFC 8460 §3), and the rule for a repeated
``id`` / ``rua`` field worked out from the grammar."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core.records import parse_sts_records, parse_tlsrpt_records
from tests import strategies as s

ident = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=32)
#: What may follow ``v=STSv1`` / ``v=TLSRPTv1`` in a record that does not begin with ``v=...;``.
lookalike_tail = st.one_of(st.just(""), st.text(min_size=1, max_size=12).filter(lambda t: not t.startswith(";")))


@given(good=ident, tail=lookalike_tail, before=st.booleans())
def test_records_not_beginning_with_v_stsv1_semicolon_are_not_candidates(good: str, tail: str, before: bool) -> None:
    """RFC 8461 §3.1: "records that do not begin with "v=STSv1;" are discarded. If the number of
    resulting records is not one, ... senders MUST assume the recipient domain does not have an
    available MTA-STS Policy"."""
    lookalike = "v=STSv1" + tail
    txts = [lookalike, f"v=STSv1; id={good};"] if before else [f"v=STSv1; id={good};", lookalike]
    found = parse_sts_records(txts)
    assert found.record is not None and found.record.id == good
    assert found.candidates == [f"v=STSv1; id={good};"]
    assert [w.field for w in found.warnings] == ["record"]
    assert "senders ignore it" in found.warnings[0].reason


@pytest.mark.parametrize("lookalike", ["v=STSv1", "v=STSv1 id=a", "v=STSv1 ; id=abc;", "v=stsv1; id=abc;"])
def test_the_issue_examples_are_ignored_not_a_second_record(lookalike: str) -> None:
    found = parse_sts_records([lookalike, "v=STSv1; id=good1;"])
    assert found.record is not None and found.record.id == "good1" and found.problems == []
    alone = parse_sts_records([lookalike])
    if lookalike == "v=STSv1 ; id=abc;":  # valid by the ABNF: the discard rule is said of several answers
        assert alone.record is not None and alone.record.id == "abc" and alone.literal_readers_drop
    else:
        assert alone.record is None and "no TXT record begins with 'v=STSv1;'" in alone.problems[0].reason


@given(host=s.hostname, tail=lookalike_tail)
def test_tlsrpt_records_not_beginning_with_v_tlsrptv1_semicolon_are_not_candidates(host: str, tail: str) -> None:
    """RFC 8460 §3: records that do not begin with "v=TLSRPTv1;" are discarded; "If the number of
    resulting records is not one, senders MUST assume the recipient domain does not implement
    TLSRPT"."""
    good = f"v=TLSRPTv1; rua=mailto:r@{host}"
    found = parse_tlsrpt_records(["v=TLSRPTv1" + tail, good])
    assert found.record is not None and found.record.rua == (f"mailto:r@{host}",)
    assert len(found.warnings) == 1


@given(first=ident, second=ident)
def test_a_second_id_is_ignored_with_a_warning(first: str, second: str) -> None:
    """RFC 8461 §3.2 (for "TXT records and policy files"): "If any non-repeated field -- i.e.,
    all fields excluding "mx" -- is duplicated, all entries except for the first SHALL be
    ignored." """
    found = parse_sts_records([f"v=STSv1; id={first}; id={second};"])
    assert found.record is not None and found.record.id == first
    assert [w.field for w in found.warnings] == ["id"]


@given(good=ident, bad=st.text(alphabet="abc-_.+/", min_size=1, max_size=10).filter(lambda t: not t.isalnum()))
def test_an_id_field_that_is_no_sts_id_can_only_be_an_extension(good: str, bad: str) -> None:
    """RFC 8461 §3.1: ``sts-id = %s"id=" 1*32(ALPHA / DIGIT)``; ``sts-extension = sts-ext-name "="
    sts-ext-value`` with ``sts-ext-name`` allowing ``id``. So ``id=x-y`` can only be an
    extension named ``id``, before or after the real id."""
    for record in (f"v=STSv1; id={good}; id={bad}", f"v=STSv1; id={bad}; id={good};"):
        found = parse_sts_records([record])
        assert found.record is not None and found.record.id == good, record
        assert [w.field for w in found.warnings] == ["id"]
        assert "can only be an extension" in found.warnings[0].reason


def test_an_id_field_alone_that_is_no_id_means_no_record() -> None:
    found = parse_sts_records(["v=STSv1; id=x-y;"])
    assert found.record is None and [p.field for p in found.problems] == ["id"]


@given(a=s.hostname, b=s.hostname)
def test_a_second_rua_is_ignored_with_a_warning(a: str, b: str) -> None:
    found = parse_tlsrpt_records([f"v=TLSRPTv1; rua=mailto:r@{a}; rua=mailto:r@{b}"])
    assert found.record is not None and found.record.rua == (f"mailto:r@{a}",)
    assert [w.field for w in found.warnings] == ["rua"]
