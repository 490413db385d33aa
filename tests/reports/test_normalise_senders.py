"""Reading what real senders say, in full (issue 12, "Reports"): MX hosts from the policy string,
Microsoft's TLSA records, non-RFC key names, unknown keys, and summary totals that disagree with
their rows. Each rule is tested on generated reports, beside the named examples."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postfix_mta_sts_resolver.utils import parse_mta_sts_policy

from pulumi_mta_sts.reports.normalise import DETAIL_ALIASES, POLICY_ALIASES, normalise_report
from pulumi_mta_sts.reports.parse import parse_report

GENERATED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

#: Keys the normalised report had before this change: they stay, with their meaning.
OLD_REPORT_KEYS = {"organization_name", "report_id", "contact_info", "start", "end", "policies"}
OLD_POLICY_KEYS = {
    "policy_type",
    "policy_domain",
    "policy_strings",
    "mx_hosts",
    "successful",
    "failed",
    "failure_details",
}
OLD_DETAIL_KEYS = {
    "result_type",
    "failed_session_count",
    "sending_mta_ip",
    "receiving_mx_hostname",
    "receiving_mx_helo",
    "receiving_ip",
    "additional_information",
    "failure_reason_code",
}
RFC_KEYS = {
    "organization-name",
    "date-range",
    "contact-info",
    "report-id",
    "policies",
    "start-datetime",
    "end-datetime",
    "policy",
    "summary",
    "failure-details",
    "policy-type",
    "policy-string",
    "policy-domain",
    "mx-host",
    "total-successful-session-count",
    "total-failure-session-count",
    "result-type",
    "failed-session-count",
    "sending-mta-ip",
    "receiving-mx-hostname",
    "receiving-mx-helo",
    "receiving-ip",
    "additional-information",
    "failure-reason-code",
}


def report(policy: dict[str, Any], details: list[Any] | None = None, failed: int = 0) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "policy": policy,
        "summary": {"total-successful-session-count": 1, "total-failure-session-count": failed},
    }
    if details is not None:
        entry["failure-details"] = details
    return {
        "organization-name": "Generated",
        "date-range": {"start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z"},
        "report-id": "gen-1",
        "policies": [entry],
    }


def sts(lines: Any, **more: Any) -> dict[str, Any]:
    return {"policy-type": "sts", "policy-domain": "example.com", "policy-string": lines, **more}


# --- strategies ----------------------------------------------------------------------------------

alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
label = st.builds(lambda head, tail: head + (f"-{tail}" if tail else ""), alnum, st.none() | alnum)
pattern = st.builds(
    lambda wild, labels: ("*." if wild else "") + ".".join(labels),
    st.booleans(),
    st.lists(label, min_size=1, max_size=4),
)
spaces = st.sampled_from(["", " ", "\t", "  \t"])
#: Lines of a policy that are not ``mx`` fields: required fields, extensions, and keys that only
#: look like ``mx`` (field names are case-sensitive, RFC 8461 §3.2).
other_line = st.sampled_from(
    [
        "version: STSv1",
        "mode: enforce",
        "mode: testing",
        "max_age: 86400",
        "MX: upper.example",
        "Mx: mixed.example",
        "mxhost: ext.example",
        "x-mx: ext.example",
        "max_age: 604800",
    ]
)


@st.composite
def policy_with_mx(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """(policy lines as a sender would serve them, the mx values they hold, normalised)."""
    patterns = draw(st.lists(pattern, max_size=6))
    lines: list[str] = []
    for value in patterns:
        shown = draw(st.sampled_from([value, value.upper(), value + "."]))
        lines.append(f"mx{draw(spaces)}:{draw(spaces)}{shown}{draw(spaces)}")
    others = draw(st.lists(other_line, max_size=5))
    slots = draw(st.permutations([True] * len(lines) + [False] * len(others)))
    mx_lines, other_lines = iter(lines), iter(others)  # fields in any order; mx lines keep theirs
    return [next(mx_lines) if is_mx else next(other_lines) for is_mx in slots], patterns


# --- MX hosts from the policy string --------------------------------------------------------------


@GENERATED
@given(policy_with_mx(), st.sampled_from(["list", "lf", "crlf"]))
def test_without_mx_host_the_mx_hosts_are_the_policy_strings_mx_lines(
    policy: tuple[list[str], list[str]], shape: str
) -> None:
    """RFC 8460 §4.3, mx-host: "In the case where "policy-type" is "sts", it's the pattern of MX
    hostnames from the applied policy." RFC 8461 §3.2: "mx: Allowed MX patterns." and
    ``sts-policy-mx-field = "mx" *WSP ":" *WSP sts-policy-mx-value``."""
    lines, patterns = policy
    value: Any = lines if shape == "list" else ("\n" if shape == "lf" else "\r\n").join(lines)
    out = normalise_report(report(sts(value)))["policies"][0]
    assert out["mx_hosts"] == patterns
    assert out["mx_hosts_source"] == ("policy-string" if patterns else None)


@GENERATED
@given(st.lists(pattern, max_size=6), st.lists(other_line, max_size=4))
def test_the_mx_hosts_agree_with_postfix_mta_sts_resolver(patterns: list[str], others: list[str]) -> None:
    """A sender's own parser (postfix-mta-sts-resolver) reads the same mx values from the policy."""
    text = "\r\n".join([f"mx: {p}" for p in patterns] + others) + "\r\n"
    theirs = [mx.lower().rstrip(".") for mx in parse_mta_sts_policy(text)["mx"]]
    assert normalise_report(report(sts(text)))["policies"][0]["mx_hosts"] == theirs


@GENERATED
@given(st.lists(pattern, min_size=1, max_size=4), policy_with_mx())
def test_a_sent_mx_host_list_wins_over_the_policy_string(declared: list[str], policy: tuple[list[str], Any]) -> None:
    out = normalise_report(report(sts(policy[0], **{"mx-host": declared})))["policies"][0]
    assert (out["mx_hosts"], out["mx_hosts_source"]) == (declared, "mx-host")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e", "\r"])
def test_only_lf_and_crlf_end_a_policy_line(separator: str) -> None:
    """RFC 8461 §3.2: ``sts-policy-term = LF / CRLF``: a sender reads ``mx: a.example<sep>mx: evil``
    as ONE mx value, which matches no host; it must not appear as a second MX host."""
    text = f"version: STSv1\r\nmode: enforce\r\nmx: a.example{separator}mx: evil.example\r\nmax_age: 86400\r\n"
    for value in (text, text.split("\r\n")):
        out = normalise_report(report(sts(value)))
        assert "evil.example" not in out["policies"][0]["mx_hosts"]
        assert out["policies"][0]["mx_hosts"] == []
        assert "is not a host name pattern" in out["warnings"][0]


def test_u_label_mx_values_are_kept_as_a_labels() -> None:
    out = normalise_report(report(sts(["mx: mx.bücher.example", "mx: *.bücher.example."])))
    assert out["policies"][0]["mx_hosts"] == ["mx.xn--bcher-kva.example", "*.xn--bcher-kva.example"]


def test_mx_hosts_come_only_from_sts_policies() -> None:
    tlsa = {"policy-type": "tlsa", "policy-domain": "example.com", "policy-string": ["mx: looks.example"]}
    assert normalise_report(report(tlsa))["policies"][0]["mx_hosts_source"] is None


def test_an_empty_mx_host_list_is_absent_information(  # SocketLabs sends "mx-host": [] on failures
) -> None:
    out = normalise_report(report(sts(["mx: mx.example.com"], **{"mx-host": []})))["policies"][0]
    assert (out["mx_hosts"], out["mx_hosts_source"]) == (["mx.example.com"], "policy-string")


# --- Microsoft's TLSA policy-string --------------------------------------------------------------

tlsa_record = st.builds(
    lambda u, s, m, data: f"{u} {s} {m} {data}",
    st.integers(0, 3),
    st.integers(0, 1),
    st.integers(0, 2),
    st.text(alphabet="0123456789ABCDEF", min_size=8, max_size=64),
)


@GENERATED
@given(st.lists(tlsa_record, min_size=1, max_size=15), st.booleans())
def test_a_tlsa_policy_string_holding_a_json_array_is_split_into_its_records(records: list[str], as_list: bool) -> None:
    """RFC 8460 §4.3, policy-string: "An encoding of the applied policy as a JSON array of strings";
    Microsoft sends the TLSA records as ONE string that holds a JSON array."""
    encoded = json.dumps(records, separators=(",", ":"))
    out = normalise_report(
        report(
            {"policy-type": "tlsa", "policy-domain": "example.com", "policy-string": [encoded] if as_list else encoded}
        )
    )
    assert out["policies"][0]["policy_strings"] == records


@pytest.mark.parametrize(
    "kept",
    ["[not json", '[["nested"]]', "[1, 2]", "[" * 40 + "]" * 40, '["a"] trailing'],
)
def test_a_tlsa_item_that_is_not_a_flat_array_of_strings_is_kept_as_sent(kept: str) -> None:
    out = normalise_report(report({"policy-type": "tlsa", "policy-domain": "example.com", "policy-string": [kept]}))
    assert out["policies"][0]["policy_strings"] == [kept]


# --- non-RFC key names and unknown keys -------------------------------------------------------------

text_value = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20).filter(
    lambda s: bool(s.strip()) and s.strip() == s
)


@GENERATED
@given(st.sampled_from(sorted(DETAIL_ALIASES)), text_value, st.one_of(st.none(), text_value))
def test_a_detail_alias_is_read_as_its_rfc_key(alias: str, value: str, rfc_value: str | None) -> None:
    """SocketLabs sends ``receiving-mx-host-name`` for RFC 8460's ``receiving-mx-hostname``; an
    alias beside its RFC key is not lost either."""
    rfc_key = DETAIL_ALIASES[alias]
    row: dict[str, Any] = {"result-type": "validation-failure", "failed-session-count": 1, alias: value}
    if rfc_value is not None:
        row[rfc_key] = rfc_value
    out = normalise_report(report(sts([]), [row], failed=1))["policies"][0]["failure_details"][0]
    assert out[rfc_key.replace("-", "_")] == (rfc_value if rfc_value is not None else value)
    assert out["extra"] == (None if rfc_value is None else {alias: value})


@GENERATED
@given(st.lists(pattern, min_size=1, max_size=3), st.one_of(st.none(), st.lists(pattern, min_size=1, max_size=3)))
def test_the_mx_host_pattern_alias_is_read_as_mx_host(aliased: list[str], rfc: list[str] | None) -> None:
    (alias,) = POLICY_ALIASES
    policy = sts([], **{alias: aliased})
    if rfc is not None:
        policy["mx-host"] = rfc
    out = normalise_report(report(policy))["policies"][0]
    assert out["mx_hosts"] == (rfc if rfc is not None else aliased)
    assert out["extra"] == (None if rfc is None else {f"policy.{alias}": aliased})


json_scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=10)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
unknown_keys = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(
        lambda k: k not in RFC_KEYS and k not in DETAIL_ALIASES and k not in POLICY_ALIASES
    ),
    json_value,
    max_size=3,
)


@GENERATED
@given(unknown_keys, unknown_keys, unknown_keys, unknown_keys, unknown_keys, unknown_keys)
def test_unknown_keys_at_every_level_are_kept_where_they_were_sent(
    top: dict[str, Any],
    date_range: dict[str, Any],
    entry: dict[str, Any],
    policy: dict[str, Any],
    summary: dict[str, Any],
    detail: dict[str, Any],
) -> None:
    doc = report(
        sts(["mx: mx.example.com"]), [{"result-type": "dane-required", "failed-session-count": 2, **detail}], 2
    )
    doc.update(top)
    doc["date-range"].update(date_range)
    doc["policies"][0].update(entry)
    doc["policies"][0]["policy"].update(policy)
    doc["policies"][0]["summary"].update(summary)
    sent = copy.deepcopy(doc)
    out = normalise_report(doc)
    assert doc == sent  # the decoded report is not changed
    assert out["extra"] == ({**top, **{f"date-range.{k}": v for k, v in date_range.items()}} or None)
    assert out["policies"][0]["extra"] == (
        {
            **entry,
            **{f"policy.{k}": v for k, v in policy.items()},
            **{f"summary.{k}": v for k, v in summary.items()},
        }
        or None
    )
    assert out["policies"][0]["failure_details"][0]["extra"] == (detail or None)
    assert json.loads(json.dumps(out)) == out  # what the receiver stores is plain JSON


# --- summary totals against the failure-detail rows ----------------------------------------------


@GENERATED
@given(st.lists(st.integers(0, 10**6), max_size=6), st.integers(0, 10**7))
def test_totals_that_disagree_with_the_rows_are_kept_with_a_warning(rows: list[int], total: int) -> None:
    """RFC 8460 §4.3: total-failure-session-count is "The aggregate count of failures to negotiate a
    TLS-enabled connection to the receiving site" and a row's failed-session-count "The number of
    (attempted) sessions that match the relevant "result-type" for this section". When they
    disagree (Mail.ru does), the sender's total is kept and the report says so."""
    details = [{"result-type": "validation-failure", "failed-session-count": n} for n in rows]
    out = normalise_report(report(sts([]), details, failed=total))
    assert out["policies"][0]["failed"] == total
    assert [d["failed_session_count"] for d in out["policies"][0]["failure_details"]] == rows
    disagree = bool(rows) and sum(rows) != total
    assert len(out["warnings"]) == int(disagree)
    if disagree:
        assert out["warnings"][0] == (
            f"policies[0]: summary.total-failure-session-count is {total} but the failure-details rows "
            f"add up to {sum(rows)}; the sender's total is kept"
        )


def test_the_mailru_example_keeps_its_total_and_warns() -> None:
    details = [
        {
            "failed-session-count": 1,
            "failure-reason-code": "bad https response code: 404",
            "result-type": "sts-policy-fetch-error",
        },
        {
            "failed-session-count": 1,
            "failure-reason-code": "bad https response code: 500",
            "result-type": "sts-policy-fetch-error",
        },
    ]
    out = parse_report(json.dumps(report({"policy-type": "sts", "policy-domain": "example.com"}, details, 1)).encode())
    assert out["policies"][0]["failed"] == 1
    assert "add up to 2" in out["warnings"][0]


# --- the shape only grows ----------------------------------------------------------------------------


@GENERATED
@given(policy_with_mx())
def test_every_key_of_the_old_shape_is_still_there(policy: tuple[list[str], Any]) -> None:
    out = normalise_report(report(sts(policy[0]), [{"result-type": "x", "failed-session-count": 0}]))
    assert OLD_REPORT_KEYS | {"extra", "warnings"} == set(out)
    assert OLD_POLICY_KEYS | {"mx_hosts_source", "extra"} == set(out["policies"][0])
    assert OLD_DETAIL_KEYS | {"extra"} == set(out["policies"][0]["failure_details"][0])


def test_a_failure_row_without_unknown_keys_stays_a_flat_record() -> None:
    """A large report holds hundreds of thousands of rows: a row that holds only strings, numbers
    and ``None`` is not tracked by the garbage collector (``extra`` is ``None``, not ``{}``)."""
    import gc

    out = normalise_report(report(sts([]), [{"result-type": "x", "failed-session-count": 1}], failed=1))
    assert not gc.is_tracked(out["policies"][0]["failure_details"][0])
