"""The fast report normaliser (issue 25) answers exactly what the previous one answered
(tests/reports/reference_normalise.py, the code before the speed work): the same normalised report and
warnings, or the same refusal word for word, on generated reports whose every field may be what senders
send, what they should not (other types, hostile text, aliases, unknown keys, missing keys) or a hostile
JSON token; on the same reports through ``parse_report``; and on every real sender's report."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.reports.json_text import load_json_counted
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.normalise import normalise_report
from pulumi_mta_sts.reports.parse import parse_body, parse_report
from tests.hostile import control_text, hostile_json, other_types
from tests.strategies import hostile_text

from . import reference_normalise
from .realworld_files import REALWORLD_FILES, needs_real_reports

MANY = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], odds: int) -> st.SearchStrategy[Any]:
    """``bad`` about one time in ``odds`` (``one_of`` would weigh each of ``bad``'s own branches as one of
    ``good``; a middle value, as Hypothesis draws a range's ends more often)."""
    return st.integers(0, 2 * odds).flatmap(lambda n: bad if n in (odds, odds + 1) else good)


def _or_other(*good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value a sender sends, else any other JSON value or hostile text."""
    return _mostly(st.one_of(*good), other_types | hostile_text, 25)


_host = st.sampled_from(
    [
        "mx1.example.com",
        "MX.Example.COM.",
        "*.example.net",
        "bücher.example",
        "a..b",
        " mx.example.org ",
        "-a.b",
        "mx example.org",
    ]
)
_mx_line = st.builds(
    "{}{}:{}{}{}".format,
    st.sampled_from(["mx", "MX", "mxx", "mx "]),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " ", " \t"]),
    _host | hostile_text,
    st.sampled_from(["", ".", "..", " ", "\r", "\t "]),
)
_line = _mx_line | st.sampled_from(["version: STSv1", "mode: enforce", "max_age: 1", "", "  "]) | hostile_text
_typical = st.builds(
    lambda mx, joined, more: ["version: STSv1", "mode: testing", *mx, *joined, "max_age: 86400", *more],
    st.lists(_mx_line, min_size=1, max_size=3),
    st.lists(st.lists(_line, min_size=2, max_size=3).map("\n".join), max_size=1),
    st.lists(_line, max_size=2),
)
_policy_string = _mostly(
    _typical,
    st.one_of(
        st.lists(_line, max_size=6),
        st.lists(_line, max_size=6).map("\n".join),
        st.lists(_line, max_size=6).map("\r\n".join),
        st.lists(st.lists(_line, max_size=3).map("\n".join), max_size=3),
        st.lists(st.text("3 1 0abcdef", max_size=12), max_size=3).map(lambda r: [json.dumps(r)]),
        st.sampled_from([['["3 1 1 aa", 7]'], ["[[1]]"], ["[not json"], ['["x"]', "3 1 1 bb"]]),
    ),
    3,
)
_count = _mostly(
    st.integers(0, 10**6),
    st.one_of(
        st.integers(-(2**70), 2**70),
        st.sampled_from(["12", " 7 ", "007", "1" * 25, "-3", "1.0", "٣", 3.0, 2.5, float("inf"), 1e30, True]),
    ),
    4,
)
_timestamp = _mostly(
    st.just("2024-03-01T00:00:00Z"),
    st.sampled_from(
        [
            "2024-03-01T23:59:59Z",
            "2024-02-30T00:00:00Z",
            "2024-03-01T00:00:00",
            "2024-03-01T00:00:00z",
            " 2024-03-01 10:00:00 UTC",
            "2024-03-01T02:00:00+02:00",
            "2024-W09-1T00:00:00Z",
            "1709251200",
            1709251200,
            1709251200.5,
            1e30,
            "",
        ]
    ),
    3,
)
_KEYS_SENT = ["extra-key", "X-Vendor", "", "policy", "mx-host-pattern", "receiving-mx-host-name", "additional-info-uri"]


def _obj(fields: dict[str, Any]) -> st.SearchStrategy[Any]:
    """An object of ``fields``, one in thirty of them missing, unknown or alias keys one time in four, rarely
    no object at all."""
    unknown = st.dictionaries(st.sampled_from(_KEYS_SENT) | control_text, _or_other(st.text(max_size=8)), max_size=2)
    kept = st.fixed_dictionaries(
        {key: _mostly(value.map(lambda v: (v,)), st.just(()), 30) for key, value in fields.items()}
    )
    built = st.builds(
        lambda values, more: {**more, **{key: v[0] for key, v in values.items() if v}},
        kept,
        _mostly(st.just({}), unknown, 4).map(lambda m: m if isinstance(m, dict) else {}),
    )
    return _mostly(built, other_types, 40)


_detail = _obj(
    {
        "result-type": _or_other(st.sampled_from(["validation-failure", " STARTTLS-Not-Supported ", ""])),
        "failed-session-count": _count,
        "sending-mta-ip": _or_other(st.just("192.0.2.1")),
        "receiving-mx-hostname": _or_other(_host),
        "receiving-mx-host-name": _or_other(_host),
        "receiving-ip": _or_other(st.just(" 198.51.100.2 ")),
        "additional-information": _or_other(st.just("https://example.net/why")),
        "additional-info-uri": _or_other(st.just("https://example.net/uri")),
        "failure-reason-code": _or_other(st.just("X509_V_ERR")),
        "receiving-mx-helo": _or_other(st.just("")),
    }
)
_policy = _obj(
    {
        "policy": _obj(
            {
                "policy-type": _or_other(st.sampled_from(["sts", "tlsa", "no-policy-found", " STS ", "other"])),
                "policy-domain": _or_other(_host),
                "policy-string": _or_other(_policy_string),
                "mx-host": _mostly(st.none(), _or_other(st.lists(_host, max_size=3), _host), 2),
                "mx-host-pattern": _mostly(_or_other(st.lists(_host, max_size=2)), st.none(), 2),
            }
        ),
        "summary": _obj({"total-successful-session-count": _count, "total-failure-session-count": _count}),
        "failure-details": _or_other(st.lists(_detail, max_size=3), _detail),
    }
)
reports = _obj(
    {
        "organization-name": _or_other(st.sampled_from(["Google Inc.", "  Mail.ru  ", 8460])),
        "policies": _or_other(st.lists(_policy, max_size=3)),
        "report-id": _or_other(st.sampled_from(["2024-03-01T00:00:00Z_example.com", " r1 ", "r-2"])),
        "contact-info": _or_other(st.just("smtp-tls-reporting@example.net")),
        "date-range": _obj({"start-datetime": _or_other(_timestamp), "end-datetime": _or_other(_timestamp)}),
    }
)


def _answer(normalise: Any, document: Any) -> tuple[str, Any]:
    try:
        return "report", normalise(document)
    except ReportError as exc:
        return "refused", exc.reason


def _reference(data: bytes) -> tuple[str, Any]:
    try:
        document = load_json_counted(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)[0]
    except ReportError as exc:
        return "refused", exc.reason
    return _answer(reference_normalise.normalise_report, document)


@MANY
@given(reports)
def test_the_fast_normaliser_answers_as_the_previous_one(document: Any) -> None:
    ours, previous = _answer(normalise_report, document), _answer(reference_normalise.normalise_report, document)
    assert ours == previous
    assert json.dumps(ours, default=repr) == json.dumps(previous, default=repr)  # each key in its place, as stored


@MANY
@given(reports.map(lambda d: json.dumps(d).encode()), st.booleans())
def test_parse_report_answers_as_the_previous_parser(text: bytes, gzipped: bool) -> None:
    data = gzip.compress(text, mtime=0) if gzipped else text
    assert _answer(parse_report, data) == _reference(data)


_SENT = {
    "organization-name": "Google Inc.",
    "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
    "contact-info": "smtp-tls-reporting@google.com",
    "report-id": "2024-03-01T00:00:00Z_example.com",
    "policies": [
        {
            "policy": {
                "policy-type": "sts",
                "policy-string": ["version: STSv1", "mode: testing", "mx: mx1.example.com", "max_age: 86400"],
                "policy-domain": "example.com",
            },
            "summary": {"total-successful-session-count": 5, "total-failure-session-count": 2},
            "failure-details": [
                {
                    "result-type": "certificate-expired",
                    "receiving-mx-hostname": "mx1.example.com",
                    "failed-session-count": 2,
                }
            ],
        }
    ],
}


@MANY
@given(hostile_json(_SENT))
def test_a_hostile_change_anywhere_gets_the_previous_answer(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    assert _answer(parse_report, data) == _reference(data)


@needs_real_reports
def test_every_real_senders_report_gets_the_previous_answer() -> None:
    files = [p for p in sorted(Path(REALWORLD_FILES).iterdir()) if p.name.endswith((".json", ".json.gz"))]
    assert files
    for path in files:
        data = path.read_bytes()
        assert _answer(parse_report, data) == _reference(data), path.name


_arrays = st.lists(st.text(max_size=8) | st.integers() | st.floats() | st.none(), max_size=4).map(json.dumps)
_array_texts = st.one_of(
    _arrays,
    _arrays.map(lambda text: text + " x"),
    st.sampled_from([1, 2, 999, 1000, 1500, 5000]).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 40).map(lambda n: '["' + "9" * n + '"]'),
    st.integers(39, 4400).map(lambda n: "[" + "9" * n + "]"),
    st.sampled_from(['["NaN"]', "[NaN]", "[1e400]", '["a", ["b"]]', '["a", {"b": 1}]', "[", '["\\ud800"]', '[" x "]']),
)


@MANY
@given(_array_texts)
def test_a_tlsa_string_holding_json_is_split_as_the_bounded_reader_split_it(text: str) -> None:
    from pulumi_mta_sts.reports.normalise import _json_string_array

    assert _json_string_array(text) == reference_normalise._json_string_array(text)


_moments = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["", "Z", "z", " UTC", "+01:00", ".5Z", " "]),
)


@MANY
@given(_moments)
def test_a_timestamp_gets_the_previous_answer(value: str) -> None:
    from pulumi_mta_sts.reports.normalise import _timestamp

    assert _answer(lambda v: _timestamp(v, "date-range.start-datetime"), value) == _answer(
        lambda v: reference_normalise._timestamp(v, "date-range.start-datetime"), value
    )


@MANY
@given(st.lists(_moments | st.sampled_from([20240301, 1.5, True, None, "2024-03-01T00:00:00Z"]), max_size=6))
def test_a_timestamp_read_before_gets_the_answer_it_got_the_first_time(values: list[Any]) -> None:
    """Date-times are kept once read (the first :data:`_KEPT_TIMES`): a second reading, with others between and
    the values numbers equal to others, answers as the previous code; only canonical text is kept."""
    from pulumi_mta_sts.reports import normalise

    path = "date-range.end-datetime"
    for value in [*values, *reversed(values)]:
        expected = _answer(lambda v: reference_normalise._timestamp(v, path), value)
        assert _answer(lambda v: normalise._timestamp(v, path), value) == expected
    kept = normalise._CANONICAL_TIMES
    assert len(kept) <= normalise._KEPT_TIMES
    for key, answer in kept.items():
        assert type(key) is str and reference_normalise._timestamp(key, "date-range.start-datetime") == answer


def test_date_times_kept_are_bounded() -> None:
    from pulumi_mta_sts.reports import normalise

    for day in range(2 * normalise._KEPT_TIMES):
        moment = f"{2000 + day // 60:04d}-01-01T00:00:{day % 60:02d}Z"
        assert normalise._timestamp(moment, "date-range.start-datetime") == moment
    assert len(normalise._CANONICAL_TIMES) == normalise._KEPT_TIMES


_TIME_TEXT = "0123456789-:+.,WTZ \u0663\uff10"
_twenty_characters = st.builds(
    "{}T{}Z".format,
    st.sampled_from(["2024-03-01", "2024-W09-1", "2024-061+0", "20240301+0", "0999-03-01", "2024-02-30"])
    | st.text(_TIME_TEXT, min_size=10, max_size=10),
    st.sampled_from(["00:00:00", "00:00+01", "000000.1", "00:00:0.", "23:59:60", "12:00,50", "00:00:00"])
    | st.text(_TIME_TEXT, min_size=8, max_size=8),
)


@MANY
@given(_twenty_characters)
def test_twenty_characters_with_t_and_z_in_place_are_kept_only_in_canonical_form(value: str) -> None:
    """What fits ``YYYY-MM-DDTHH:MM:SSZ``'s length and its T and Z but not its form (a week date, an offset,
    basic format) is read as any other date-time: its instant in canonical form, or refused."""
    from pulumi_mta_sts.reports.normalise import _timestamp

    answer = _answer(lambda v: _timestamp(v, "date-range.start-datetime"), value)
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError:
        assert answer[0] == "refused"
        return
    kept = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value, re.ASCII) and answer == ("report", value)
    assert kept or answer == ("report", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


@MANY
@given(
    st.sampled_from(["0001-01-01T00:", "9999-12-31T23:"]),
    st.integers(0, 59),
    st.sampled_from(["+", "-"]),
    st.integers(0, 23),
    st.booleans(),
)
def test_a_date_time_outside_the_calendar_in_utc_is_refused_naming_its_field(
    start: str, minute: int, sign: str, hours: int, raw: bool
) -> None:
    """Year 1 ahead of UTC or year 9999 behind it: refused with the field's path (was an OverflowError)."""
    value = f"{start}{minute:02d}:00{sign}{hours:02d}:00"
    dates = {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": value}
    document: dict[str, Any] = {"organization-name": "x", "report-id": "1", "policies": [], "date-range": dates}
    answer = _answer(normalise_report, document) if raw else _answer(parse_report, json.dumps(document).encode())
    moment = datetime.fromisoformat(value)
    try:
        expected = ("report", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    except OverflowError:
        expected = ("refused", f"date-range.end-datetime is not an RFC 3339 date-time: {value!r}")
    assert answer[0] == expected[0] and (answer == expected or answer[1]["end"] == expected[1])


@MANY
@given(hostile_json(_SENT), st.booleans())
def test_parse_report_and_parse_body_agree(text: str, gzipped: bool) -> None:
    data = text.encode("utf-8", "surrogatepass")
    data = gzip.compress(data, mtime=0) if gzipped else data
    result = parse_body(data, "test")
    assert _answer(parse_report, data) == (
        ("report", result.reports[0].report) if result.reports else ("refused", result.failures[0].error)
    )


_PREVIOUS_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_PREVIOUS_MX_PLAIN = re.compile(
    rf"mx[ \t]*:[ \t]*((?i:(?:\*\.)?{_PREVIOUS_LABEL}(?:\.{_PREVIOUS_LABEL})*))\.?[ \t]*\Z", re.ASCII
)
_word = st.text(st.sampled_from([*"aZ0_"]), min_size=1, max_size=3)
_label = st.builds("{}{}{}".format, _word, st.sampled_from(["", "-", "--", "-a-", "_-"]), _word)
_mx_texts = st.builds(
    "{}{}{}{}".format,
    _mostly(st.sampled_from(["mx:", "mx: ", "mx :", "mx\t:\t"]), st.sampled_from(["MX:", "m", ""]), 5),
    _mostly(st.sampled_from(["", "*."]), st.sampled_from(["*", "."]), 5),
    st.lists(_mostly(_label, st.sampled_from(["", "-a", "a-", "é", "\u212a", "*"]), 8), min_size=1, max_size=4).map(
        ".".join
    ),
    _mostly(st.sampled_from(["", ".", " ", "\t "]), st.sampled_from(["..", "\r", ":"]), 5),
)


@MANY
@given(_mx_texts | _mx_line)
def test_a_plain_mx_line_is_matched_as_the_backtracking_pattern_matched_it(line: str) -> None:
    """The possessive, case-spelt pattern takes the same lines and the same value (K, the Kelvin sign, too)."""
    from pulumi_mta_sts.reports.normalise import _MX_PLAIN

    ours, previous = _MX_PLAIN.match(line), _PREVIOUS_MX_PLAIN.match(line)
    assert (ours and ours.group(1)) == (previous and previous.group(1))
