"""Which TXT record senders use, against an oracle written here from the RFCs' text and ABNF.

RFC 8461 §3.1 (MTA-STS)::

    sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
    sts-field       = sts-id / sts-extension        ; Note that sts-id record is required.
    sts-field-delim = *WSP ";" *WSP
    sts-version     = %s"v=STSv1"
    sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
    sts-extension   = sts-ext-name "=" sts-ext-value
    sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)

    "If multiple TXT records for _mta-sts are returned by the resolver, records that do not begin
    with "v=STSv1;" are discarded. If the number of resulting records is not one, or if the
    resulting record is syntactically invalid, senders MUST assume the recipient domain does not
    have an available MTA-STS Policy."

RFC 8460 §3 (TLS-RPT)::

    tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
    field-delim      = *WSP ";" *WSP
    tlsrpt-field     = tlsrpt-rua / tlsrpt-extension   ; the tlsrpt-rua field is required
    tlsrpt-version   = %s"v=TLSRPTv1"
    tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
    tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
    tlsrpt-ext-name  = 1*32(ALPHA / DIGIT / "_" / "-" / ".")
    tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)

    "If multiple TXT records for _smtp._tls are returned by the resolver, records that do not
    begin with "v=TLSRPTv1;" are discarded. If the number of resulting records is not one,
    senders MUST assume the recipient domain does not implement TLSRPT."

RFC 5234: ``WSP = SP / HTAB``. The discard rule is said of several answers; a single answer is
judged by the ABNF alone. A repeated field keeps its first entry (RFC 8461 §3.2; we apply the same
to ``rua``, docs/standards.md). ``tlsrpt-uri`` is RFC 3986's ``URI``: the oracle takes the URIs
this test draws from, all valid (the toolkit is stricter than RFC 3986 on ``rua``, which is not
what this test is about).
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.core.records import parse_sts_records, parse_tlsrpt_records

# ---- the oracle, from the ABNF above -------------------------------------------------------------
WSP = "[ \t]"
FIELD_DELIM = f"{WSP}*;{WSP}*"
STS_ID = "id=([A-Za-z0-9]{1,32})"
STS_EXT = "[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\x21-\x3a\x3c\x3e-\x7e]+"
STS_TEXT_RECORD = re.compile(f"v=STSv1(?:{FIELD_DELIM}(?:{STS_ID}|{STS_EXT}))+(?:{FIELD_DELIM})?")
URIS = (
    "mailto:tlsrpt@example.com",
    "mailto:r+x@mail.example.org",
    "https://tlsrpt.example.net/v1",
    "https://r.example",
)
TLSRPT_URI = "(?:" + "|".join(re.escape(uri) for uri in URIS) + ")"
TLSRPT_RUA = f"rua=({TLSRPT_URI}(?:{WSP}*,{WSP}*{TLSRPT_URI})*)"
#: RFC 3986's URI outline (scheme ":" then URI characters but the record's ',' and ';'): what a
#: repeated ``rua=`` field must be for the record to follow the grammar. Its value is never used
#: (the first field is), so only its syntax matters, and two fields run together without a ';'
#: (``rua=mailto:a@b.comrua=mailto:c@d.com``) are one such URI.
ANY_URI = "[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:/?#@!$&'()*+=%\\[\\]-]+"
TLSRPT_ANY_RUA = f"rua={ANY_URI}(?:{WSP}*,{WSP}*{ANY_URI})*"
TLSRPT_EXT = "[A-Za-z0-9_.-]{1,32}=[\x21-\x3a\x3c\x3e-\x7e]+"
TLSRPT_RECORD = re.compile(
    f"v=TLSRPTv1(?:{FIELD_DELIM}(?:{TLSRPT_RUA}|{TLSRPT_ANY_RUA}|{TLSRPT_EXT}))+(?:{FIELD_DELIM})?"
)


def _selected(txts: list[str], version: str) -> str | None:
    """The one record left by the discard rule (several answers) or the single answer."""
    if len(txts) > 1:
        txts = [t for t in txts if t.startswith(version + ";")]
    return txts[0] if len(txts) == 1 else None


def _fields(text: str, version: str) -> list[str]:
    return [f for f in re.split(FIELD_DELIM, text[len(version) :])[1:] if f]


def oracle_sts_id(txts: list[str]) -> str | None:
    """The id senders use, or ``None`` for "no policy"."""
    text = _selected(txts, "v=STSv1")
    if text is None or not STS_TEXT_RECORD.fullmatch(text):
        return None
    ids = [m.group(1) for f in _fields(text, "v=STSv1") if (m := re.fullmatch(STS_ID, f))]
    return ids[0] if ids else None  # the first sts-id; none: "sts-id record is required"


def oracle_tlsrpt_rua(txts: list[str]) -> tuple[str, ...] | None:
    """The rua senders use, or ``None`` for "no TLS reporting"."""
    text = _selected(txts, "v=TLSRPTv1")
    if text is None or not TLSRPT_RECORD.fullmatch(text):
        return None
    first = next((f for f in _fields(text, "v=TLSRPTv1") if f.startswith("rua=")), None)
    used = re.fullmatch(TLSRPT_RUA, first) if first is not None else None  # the URIs this test draws
    return tuple(re.split(f"{WSP}*,{WSP}*", used.group(1))) if used else None


# ---- generated records: valid ones, and each way of missing the grammar --------------------------
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
wsp = st.text(alphabet=" \t", max_size=3)
#: White space the ABNF does not call WSP, to show where the class ends.
not_wsp = st.sampled_from(["\u00a0", "\r", "\n", "\x0b", "\x0c", "\u3000", "\u2028"])
gap = st.one_of(*[wsp] * 4, st.tuples(wsp, not_wsp, wsp).map("".join))
good_delim = st.tuples(wsp, st.just(";"), wsp).map("".join)
delim = st.one_of(*[st.tuples(gap, st.just(";"), gap).map("".join)] * 6, st.sampled_from(["", " ", ";;", "; ;", ","]))
ident = st.text(alphabet=ALNUM, min_size=1, max_size=32)
bad_ident = st.one_of(st.just(""), st.text(alphabet=ALNUM, min_size=33, max_size=34), st.sampled_from(["x-y", "a b"]))
#: ``1*(%x21-3A / %x3C / %x3E-7E)``: visible characters but ';' and '='.
good_ext_value = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=";="), min_size=1)
ext_value = st.one_of(good_ext_value, st.sampled_from(["", "a=b", "a b", "\u00e9", "a\tb"]))
good_ext_name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,5}", fullmatch=True)
ext_name = st.one_of(good_ext_name, st.sampled_from(["_x", "", "a b"]))
good_sts_field = st.one_of(ident.map("id={}".format), st.tuples(good_ext_name, good_ext_value).map("=".join))
sts_field = st.one_of(
    good_sts_field,
    bad_ident.map("id={}".format),
    st.tuples(ext_name, ext_value).map("=".join),
    st.sampled_from(["id", "ID=abc", "", "v=STSv1"]),
)
sts_versions = st.sampled_from(["v=STSv1", "v=stsv1", "v=STSv2", "V=STSv1", " v=STSv1", "v=STSv1x"])


@st.composite
def records(draw: st.DrawFn, version: str, good: st.SearchStrategy[str], anything: st.SearchStrategy[str]) -> str:
    """Half the time a record built by the grammar (any WSP around each ';'), half the time
    with any version, delimiter, field or ending."""
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(good_delim, good), min_size=1, max_size=3))
        tail = draw(st.one_of(st.just(""), good_delim))
        return version + "".join(d + f for d, f in pairs) + tail
    versions = st.sampled_from([version, version.lower(), version[:-1] + "2", " " + version, version + "x"])
    pairs = draw(st.lists(st.tuples(delim, st.one_of(good, anything)), min_size=1, max_size=4))
    tail = draw(st.one_of(st.just(""), st.just(""), delim, wsp))
    return draw(versions) + "".join(d + f for d, f in pairs) + tail


unrelated = st.sampled_from(["v=spf1 -all", "google-site-verification=abc", "", "v=DMARC1; p=none"])


def answers(record: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """One answer as often as several (the rule differs), and sometimes none."""
    return st.one_of(
        record.map(lambda r: [r]),
        st.lists(st.one_of(record, record, unrelated), min_size=2, max_size=3),
        st.lists(unrelated, max_size=1),
    )


GENERATED = settings(max_examples=400, deadline=None)


@GENERATED
@given(txts=answers(records("v=STSv1", good_sts_field, sts_field)))
@example(txts=["v=STSv1 ;id=abc"])
@example(txts=["v=STSv1 \t ;\t id=abc ;"])
@example(txts=["v=STSv1 ;id=abc", "v=spf1 -all"])
@example(txts=["v=STSv1 ;id=abc", "v=STSv1; id=def;"])
@example(txts=["v=STSv1\u00a0;id=abc"])
@example(txts=["v=STSv1; id=abc "])
def test_the_sts_record_senders_use_is_the_oracles(txts: list[str]) -> None:
    found = parse_sts_records(txts)
    assert (found.record.id if found.record is not None else None) == oracle_sts_id(txts)


@GENERATED
@given(txts=answers(records("v=STSv1", good_sts_field, sts_field)))
def test_a_record_only_the_grammar_accepts_is_used_with_a_warning(txts: list[str]) -> None:
    """Used as the single answer, but senders that apply the discard rule to it drop it: say so."""
    found = parse_sts_records(txts)
    spaced = found.record is not None and len(txts) == 1 and not txts[0].startswith("v=STSv1;")
    assert found.literal_readers_drop is spaced
    assert any("literally drop it" in w.reason for w in found.warnings) is spaced


@settings(deadline=None)
@given(before=wsp.filter(bool), after=wsp, record_id=ident, end=st.sampled_from(["", ";", " ;", "\t;\t"]))
def test_white_space_before_the_first_semicolon_counts_only_for_a_single_answer(
    before: str, after: str, record_id: str, end: str
) -> None:
    spaced = f"v=STSv1{before};{after}id={record_id}{end}"
    alone = parse_sts_records([spaced])
    assert alone.record is not None and alone.record.id == record_id and alone.problems == []
    assert alone.literal_readers_drop and alone.candidates == [spaced]
    beside = parse_sts_records([spaced, "v=spf1 -all"])
    assert beside.record is None and beside.candidates == []
    assert any("discards it" in w.reason for w in beside.warnings)
    good = parse_sts_records([spaced, "v=STSv1; id=other1;"])
    assert good.record is not None and good.record.id == "other1" and not good.literal_readers_drop


rua_field = st.lists(st.sampled_from(URIS), min_size=1, max_size=3).flatmap(
    lambda uris: st.lists(st.tuples(wsp, wsp), min_size=len(uris) - 1, max_size=len(uris) - 1).map(
        lambda gaps: "rua=" + uris[0] + "".join(f"{a},{b}{u}" for (a, b), u in zip(gaps, uris[1:], strict=True))
    )
)
good_tlsrpt_ext = st.tuples(good_ext_name.filter(lambda n: n != "rua"), good_ext_value).map("=".join)
good_tlsrpt_field = st.one_of(rua_field, good_tlsrpt_ext)
tlsrpt_field = st.one_of(
    st.tuples(ext_name.filter(lambda n: n != "rua"), ext_value).map("=".join),
    st.sampled_from(["", "rua", "v=TLSRPTv1"]),
)


@GENERATED
@given(txts=answers(records("v=TLSRPTv1", good_tlsrpt_field, tlsrpt_field)))
@example(txts=["v=TLSRPTv1 ;rua=mailto:tlsrpt@example.com"])
@example(txts=["v=TLSRPTv1\t; rua=https://r.example ,\tmailto:tlsrpt@example.com ;"])
@example(txts=["v=TLSRPTv1 ;rua=mailto:tlsrpt@example.com", "v=spf1 -all"])
@example(txts=["v=TLSRPTv1;rua=mailto:tlsrpt@example.com "])
@example(txts=["v=TLSRPTv1; rua= mailto:tlsrpt@example.com;"])
@example(txts=["v=TLSRPTv1;rua=mailto:tlsrpt@example.com;rua=mailto:tlsrpt@example.comrua=mailto:tlsrpt@example.com"])
@example(txts=["v=TLSRPTv1;rua=mailto:tlsrpt@example.comrua=mailto:tlsrpt@example.com"])
def test_the_tlsrpt_record_senders_use_is_the_oracles(txts: list[str]) -> None:
    found = parse_tlsrpt_records(txts)
    assert (found.record.rua if found.record is not None else None) == oracle_tlsrpt_rua(txts)
    spaced = found.record is not None and len(txts) == 1 and not txts[0].startswith("v=TLSRPTv1;")
    assert found.literal_readers_drop is spaced
    assert any("literally drop it" in w.reason for w in found.warnings) is spaced
