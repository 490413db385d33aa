"""Our verdict beside two real peers' for each policy and record form our tests use (issue 12).

Peers (installed as test dependencies, their code unchanged):

- postfix-mta-sts-resolver, a sender: its ``utils.parse_mta_sts_policy`` / ``parse_mta_sts_record``
  and the checks ``STSResolver.resolve`` applies after them (resolver.py: version ``STSv1``,
  ``int(max_age)`` within 0..31557600, a known mode, mx present unless ``none``; a record set
  filtered with ``startswith('v=STSv1')``, exactly one, ``v`` and ``id`` present);
- checkdmarc, a checker: ``mta_sts.parse_mta_sts_policy`` / ``parse_mta_sts_record`` and the
  candidate rule of ``query_mta_sts_record`` (``v=STSv1 *WSP ;``).

Each row gives what each applies: the mode (policies) or the id (records), or ``None`` for
"no policy". ``ours`` is what senders following RFC 8461 apply (:func:`parse_policy`,
:func:`parse_sts_records`); ``strict`` says whether :func:`validate_policy_text` finds nothing.
Rows where the columns differ are the expected differences; ``why`` explains each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from checkdmarc.mta_sts import MTASTSError
from checkdmarc.mta_sts import parse_mta_sts_policy as checkdmarc_policy
from checkdmarc.mta_sts import parse_mta_sts_record as checkdmarc_record
from postfix_mta_sts_resolver.utils import parse_mta_sts_policy as postfix_policy
from postfix_mta_sts_resolver.utils import parse_mta_sts_record as postfix_record

from pulumi_mta_sts.core.policy import parse_policy, validate_policy_text
from pulumi_mta_sts.core.records import parse_sts_records

GOOD = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n"


@dataclass(frozen=True)
class PolicyRow:
    name: str
    text: str
    ours: str | None
    strict: bool
    postfix: str | None
    checkdmarc: str | None
    why: str = ""


POLICIES = [
    PolicyRow("canonical CRLF", GOOD, "enforce", True, "enforce", "enforce"),
    PolicyRow("LF line ends", GOOD.replace("\r\n", "\n"), "enforce", True, "enforce", "enforce"),
    PolicyRow("no final line end", GOOD[:-2], "enforce", True, "enforce", "enforce"),
    PolicyRow("spaces and tabs after values", GOOD.replace("\r\n", " \t\r\n"), "enforce", True, "enforce", "enforce"),
    PolicyRow(
        "version not first",
        "mode: enforce\nversion: STSv1\nmx: mx1.example.com\nmax_age: 1\n",
        "enforce",
        True,
        "enforce",
        "enforce",
    ),
    PolicyRow(
        "a blank line between fields",
        GOOD.replace("\r\nmode", "\r\n\r\nmode"),
        "enforce",
        True,
        "enforce",
        "enforce",
        "the grammar has no blank line, but every peer skips it: advice (lint), not a violation",
    ),
    PolicyRow(
        "ending in an empty line",
        GOOD + "\r\n",
        "enforce",
        False,
        "enforce",
        "enforce",
        "one optional line end after the last field ([sts-policy-term]): strict parsers (Mimecast's with CRLF "
        "required) refuse it, both peers skip the empty line; a violation whose hint says both (check fails)",
    ),
    PolicyRow(
        "mode repeated",
        GOOD + "mode: testing\r\n",
        "enforce",
        True,
        "testing",
        "enforce",
        "RFC 8461 §3.2 keeps the first value; postfix-mta-sts-resolver builds a dict, so the last wins",
    ),
    PolicyRow(
        "max_age repeated",
        GOOD + "max_age: 99999999999\r\n",
        "enforce",
        True,
        None,
        "enforce",
        "the first max_age counts; postfix-mta-sts-resolver checks the last one and refuses the policy",
    ),
    PolicyRow(
        "mx with a trailing dot",
        GOOD.replace("mx1.example.com", "mx1.example.com."),
        "enforce",
        False,
        "enforce",
        None,
        "not valid syntax (A-labels, no trailing dot): a strict checker refuses, a lenient sender applies it; "
        "we report it (check fails) and apply the normal form for coverage",
    ),
    PolicyRow(
        "mx in U-label form",
        GOOD.replace("mx1.example.com", "mx1.bücher.example"),
        "enforce",
        False,
        "enforce",
        None,
        "as for the trailing dot",
    ),
    PolicyRow(
        "U+2028 in an extension",
        GOOD + "note: a\u2028mx: evil.example.net\r\n",
        "enforce",
        True,
        "enforce",
        "enforce",
        "lines end at LF/CRLF only: postfix-mta-sts-resolver (str.splitlines) also reads 'mx: evil.example.net' "
        "(see the mx row test below); we lint it",
    ),
    PolicyRow(
        "a lone CR between fields",
        GOOD.replace("\r\nmode", "\rmode"),
        None,
        False,
        "enforce",
        None,
        "a lone CR is no line end (sts-policy-term = LF / CRLF); str.splitlines splits there",
    ),
    PolicyRow(
        "a line that is not key: value",
        GOOD + "garbage\r\n",
        "enforce",
        False,
        "enforce",
        None,
        "the grammar refuses it (checkdmarc too); lenient senders ignore the line",
    ),
    PolicyRow("space before a field name", GOOD.replace("mode:", " mode:"), None, False, None, None),
    PolicyRow("space before the colon", GOOD.replace("mode:", "mode :"), None, False, None, None),
    PolicyRow("field names are case-sensitive", GOOD.replace("mode:", "Mode:"), None, False, None, None),
    PolicyRow(
        "tab inside an extension value",
        GOOD + "note: a\tb\r\n",
        "enforce",
        False,
        "enforce",
        None,
        "only %x20 may be inside sts-policy-ext-value; a lenient sender ignores the unknown field",
    ),
    PolicyRow("max_age over one year", GOOD.replace("604800", "31557601"), None, False, None, None),
    PolicyRow(
        "max_age with a sign",
        GOOD.replace("604800", "+5"),
        None,
        False,
        "enforce",
        None,
        "max_age is 1*10DIGIT; postfix-mta-sts-resolver uses int(), which takes '+5'",
    ),
    PolicyRow("enforce without mx", GOOD.replace("mx: mx1.example.com\r\n", ""), None, False, None, None),
    PolicyRow(
        "none without mx",
        GOOD.replace("mx: mx1.example.com\r\n", "").replace("enforce", "none"),
        "none",
        True,
        "none",
        "none",
    ),
    PolicyRow(
        "wildcard not leftmost",
        GOOD.replace("mx1.example.com", "mx.*.example.com"),
        None,
        False,
        "enforce",
        None,
        "postfix-mta-sts-resolver does not check mx values",
    ),
    PolicyRow(
        "IP-literal mx",
        GOOD.replace("mx1.example.com", "192.0.2.1"),
        None,
        False,
        "enforce",
        "enforce",
        "deliberately stricter (docs/standards.md): MX hosts are names, a certificate is checked for a name",
    ),
    PolicyRow(
        "single-label mx",
        GOOD.replace("mx1.example.com", "localhost"),
        None,
        False,
        "enforce",
        "enforce",
        "deliberately stricter (docs/standards.md): no public MX is a single label",
    ),
]


def postfix_applies(text: str) -> str | None:
    """The mode postfix-mta-sts-resolver applies, after the checks of ``STSResolver.resolve``."""
    policy = postfix_policy(text)
    if policy.get("version") != "STSv1" or "mode" not in policy:
        return None
    try:
        max_age = int(policy.get("max_age", "-1"))
    except ValueError:
        return None
    if not 0 <= max_age <= 31_557_600 or policy["mode"] not in ("none", "testing", "enforce"):
        return None
    if policy["mode"] != "none" and not policy["mx"]:
        return None
    mode: str = policy["mode"]
    return mode


def checkdmarc_applies(text: str) -> str | None:
    try:
        mode: str = checkdmarc_policy(text)["policy"]["mode"]
    except MTASTSError:
        return None
    return mode


def ours_applies(text: str) -> str | None:
    parsed = parse_policy(text)
    return parsed.policy.mode if parsed.policy is not None else None


@pytest.mark.parametrize("row", POLICIES, ids=[r.name for r in POLICIES])
def test_policy_verdicts_beside_the_peers(row: PolicyRow) -> None:
    assert (ours_applies(row.text), validate_policy_text(row.text) == []) == (row.ours, row.strict)
    assert postfix_applies(row.text) == row.postfix
    assert checkdmarc_applies(row.text) == row.checkdmarc
    peers_agree = row.ours == row.postfix == row.checkdmarc and row.strict == (row.ours is not None)
    assert peers_agree or row.why, "every difference is listed with its reason"


def test_the_unicode_break_row_is_an_injection_for_splitlines_senders() -> None:
    text = next(r.text for r in POLICIES if r.name == "U+2028 in an extension")
    assert postfix_policy(text)["mx"] == ["mx1.example.com", "evil.example.net"]
    assert checkdmarc_policy(text)["policy"]["mx"] == ["mx1.example.com"]
    parsed = parse_policy(text)
    assert parsed.policy is not None and parsed.policy.mx == ("mx1.example.com",)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class RecordRow:
    name: str
    txts: tuple[str, ...]
    ours: str | None
    postfix: str | None
    checkdmarc: str | None
    why: str = ""


RECORDS = [
    RecordRow("one record", ("v=STSv1; id=abc;",), "abc", "abc", "abc"),
    RecordRow("with an unrelated record", ("v=spf1 -all", "v=STSv1; id=abc;"), "abc", "abc", "abc"),
    RecordRow("two records", ("v=STSv1; id=abc;", "v=STSv1; id=def;"), None, None, None),
    RecordRow(
        "'v=STSv1' beside a good one",
        ("v=STSv1", "v=STSv1; id=abc;"),
        "abc",
        None,
        "abc",
        "RFC 8461 §3.1 discards records not beginning with 'v=STSv1;'; postfix-mta-sts-resolver filters "
        "on 'v=STSv1' and then sees two records",
    ),
    RecordRow("'v=STSv1 id=a' beside a good one", ("v=STSv1 id=a", "v=STSv1; id=abc;"), "abc", None, "abc", "as above"),
    RecordRow(
        "space before the first ';', the only answer",
        ("v=STSv1 ; id=abc;",),
        "abc",
        "abc",
        "abc",
        'valid by the ABNF (sts-field-delim = *WSP ";" *WSP); the discard rule is said of several answers. '
        "Senders that apply it to a single answer drop the record, so check warns",
    ),
    RecordRow(
        "space before the first ';', beside another TXT record",
        ("v=STSv1 ; id=abc;", "v=spf1 -all"),
        None,
        "abc",
        "abc",
        "with several answers RFC 8461 §3.1 discards records not beginning with the literal 'v=STSv1;'; "
        "postfix-mta-sts-resolver filters on 'v=STSv1' and checkdmarc on 'v=STSv1 *WSP ;'",
    ),
    RecordRow(
        "a second id",
        ("v=STSv1; id=abc; id=def;",),
        "abc",
        "def",
        "abc",
        "RFC 8461 §3.2: the first of a repeated field counts; a dict keeps the last (we warn)",
    ),
    RecordRow(
        "id=x-y after the id",
        ("v=STSv1; id=abc; id=x-y;",),
        "abc",
        "x-y",
        "abc",
        "'id=x-y' can only be an extension; postfix-mta-sts-resolver keeps the last id= (we warn)",
    ),
    RecordRow(
        "id=x-y before the id",
        ("v=STSv1; id=x-y; id=abc;",),
        "abc",
        "abc",
        None,
        "'id=x-y' can only be an extension, so 'id=abc' is the id; checkdmarc takes the first id= and "
        "refuses its value",
    ),
    RecordRow(
        "an id that is no id",
        ("v=STSv1; id=has-dash;",),
        None,
        "has-dash",
        None,
        "postfix-mta-sts-resolver does not check the id (it only compares it with the cached one)",
    ),
]


def postfix_record_id(txts: tuple[str, ...]) -> str | None:
    candidates = [t for t in txts if t.startswith("v=STSv1")]
    if len(candidates) != 1:
        return None
    fields = postfix_record(candidates[0])
    if fields.get("v") != "STSv1" or "id" not in fields:
        return None
    record_id: str = fields["id"]
    return record_id


def checkdmarc_record_id(txts: tuple[str, ...]) -> str | None:
    candidates = [t for t in txts if re.match(r"v=STSv1[ \t]*;", t)]
    if len(candidates) != 1:
        return None
    try:
        record_id: str = checkdmarc_record(candidates[0])["tags"]["id"]
    except MTASTSError:
        return None
    return record_id


@pytest.mark.parametrize("row", RECORDS, ids=[r.name for r in RECORDS])
def test_record_verdicts_beside_the_peers(row: RecordRow) -> None:
    found = parse_sts_records(list(row.txts))
    assert (found.record.id if found.record else None) == row.ours
    assert postfix_record_id(row.txts) == row.postfix
    assert checkdmarc_record_id(row.txts) == row.checkdmarc
    assert row.ours == row.postfix == row.checkdmarc or row.why, "every difference is listed with its reason"
