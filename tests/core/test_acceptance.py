"""The sender's acceptance rules (RFC 8461 §3.3), one test per rule, with generated cases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.core import records
from pulumi_mta_sts.core.acceptance import (
    ACCEPTED_MEDIA_TYPE,
    ACCEPTED_STATUS,
    MAX_POLICY_BYTES,
    WELL_KNOWN_PATH,
    Accepted,
    Fetched,
    FetchError,
    Refused,
    Rule,
    Verdict,
    is_accepted_media_type,
    judge,
)
from pulumi_mta_sts.core.policy import Policy
from tests.strategies import case_variants

HOST = "mta-sts.example.com"
POLICY = Policy.build("enforce", ["mx1.example.com"], 604800).render_bytes()


def good(**changes: object) -> Fetched:
    """A fetch a sender accepts, with ``changes`` applied."""
    fields: dict[str, object] = {"host": HOST, "status": 200, "content_type": "text/plain", "body": POLICY}
    fields.update(changes)
    return Fetched(**fields)  # type: ignore[arg-type]


def refused(verdict: Verdict) -> Refused:
    assert isinstance(verdict, Refused), verdict
    assert verdict.reason and verdict.fix, "a refusal must say what is wrong and what to do"
    return verdict


def test_the_rules_are_those_of_rfc_8461() -> None:
    assert (MAX_POLICY_BYTES, ACCEPTED_MEDIA_TYPE, ACCEPTED_STATUS) == (65536, "text/plain", 200)
    assert WELL_KNOWN_PATH == "/.well-known/mta-sts.txt"
    assert records.policy_url("example.com") == f"https://{HOST}{WELL_KNOWN_PATH}"


def test_a_good_fetch_is_accepted_with_its_text() -> None:
    assert judge(good()) == Accepted(POLICY, POLICY.decode("utf-8"))


# ---- status ----------------------------------------------------------------------------------------


@given(st.integers(min_value=100, max_value=599).filter(lambda s: s != 200))
def test_every_status_but_200_is_refused(status: int) -> None:
    verdict = refused(judge(good(status=status)))
    if 300 <= status < 400:
        assert verdict.rule is Rule.NO_REDIRECT and f"{status} redirect" in verdict.reason
        assert "never follow redirects" in verdict.fix
    else:
        assert verdict.rule is Rule.STATUS and verdict.reason == f"answers HTTP {status}"


@given(st.sampled_from([301, 302, 303, 307, 308]), st.one_of(st.none(), st.just("https://elsewhere.example/p")))
def test_a_redirect_to_a_good_policy_is_still_refused_and_names_its_target(status: int, location: str | None) -> None:
    verdict = refused(judge(good(status=status, location=location)))
    assert verdict.reason == f"answers {status} redirect to {location or '?'}"


def test_the_status_is_judged_before_the_body() -> None:
    assert refused(judge(good(status=302, content_type="text/html", too_large=True))).rule is Rule.NO_REDIRECT


# ---- media type ------------------------------------------------------------------------------------

_PARAMETERS = st.sampled_from(["", ";charset=utf-8", "; charset=UTF-8", ' ; charset="utf-8"', "; format=flowed"])


@given(case_variants("text/plain"), _PARAMETERS, st.sampled_from(["", " ", "\t"]))
def test_text_plain_in_any_case_with_any_parameters_is_accepted(media: str, params: str, pad: str) -> None:
    content_type = f"{pad}{media}{pad}{params}"
    assert is_accepted_media_type(content_type)
    assert isinstance(judge(good(content_type=content_type)), Accepted)


@given(
    st.one_of(
        st.sampled_from(
            [
                "text/html",
                "text/html; charset=utf-8",
                "application/octet-stream",
                "text/plainx",
                "text/plain-ish",
                "text/plain, text/html",
                "text / plain",
                "plain/text",
                "text",
                "",
            ]
        ),
        st.from_regex(r"\A[a-z]{1,8}/[a-z.+-]{1,12}\Z").filter(lambda t: t != "text/plain"),
    )
)
def test_other_media_types_are_refused(content_type: str) -> None:
    verdict = refused(judge(good(content_type=content_type)))
    assert verdict.rule is Rule.MEDIA_TYPE and "text/plain" in verdict.fix


def test_no_content_type_is_refused_and_said_so() -> None:
    verdict = refused(judge(good(content_type=None)))
    assert verdict.rule is Rule.MEDIA_TYPE and verdict.reason == "is served as no Content-Type"


# ---- size ------------------------------------------------------------------------------------------


@given(st.integers(min_value=MAX_POLICY_BYTES - 64, max_value=MAX_POLICY_BYTES + 64))
def test_sizes_around_the_cap(size: int) -> None:
    body = (POLICY + b"x" * size)[:size]
    verdict = judge(good(body=body))
    if size <= MAX_POLICY_BYTES:
        assert isinstance(verdict, Accepted) and verdict.body == body
    else:
        refusal = refused(verdict)
        assert refusal.rule is Rule.SIZE and "64 KiB" in refusal.reason


def test_a_body_cut_at_the_cap_by_the_fetch_is_refused_when_there_was_more() -> None:
    verdict = judge(good(body=b"a" * MAX_POLICY_BYTES, too_large=True))
    assert refused(verdict).rule is Rule.SIZE


# ---- encoding --------------------------------------------------------------------------------------


@given(st.binary(max_size=200))
def test_a_body_is_accepted_exactly_when_it_is_utf_8(body: bytes) -> None:
    try:
        text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    verdict = judge(good(body=body))
    if text is None:
        refusal = refused(verdict)
        assert refusal.rule is Rule.UTF8 and "UTF-8" in refusal.reason
    else:
        assert verdict == Accepted(body, text)


@given(st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"version: STSv1\r\nmode: \xe9\r\n"]))
def test_bytes_that_are_not_utf_8_are_refused_naming_the_position(bad: bytes) -> None:
    verdict = refused(judge(good(body=bad)))
    assert verdict.rule is Rule.UTF8 and "byte " in verdict.reason


# ---- no answer -------------------------------------------------------------------------------------


@given(st.sampled_from(list(FetchError)), st.text(min_size=1, max_size=40))
def test_a_fetch_without_an_answer_is_refused_with_its_error_and_a_fix_naming_the_host(
    kind: FetchError, error: str
) -> None:
    verdict = refused(judge(Fetched(host=HOST, error=error, error_kind=kind)))
    assert verdict.reason == error and HOST in verdict.fix
    assert verdict.rule is (Rule.CERTIFICATE if kind is FetchError.TLS else Rule.ANSWER)


def test_an_error_wins_over_whatever_else_was_recorded() -> None:
    got = good(error="certificate rejected: certificate has expired", error_kind=FetchError.TLS)
    verdict = refused(judge(got))
    assert verdict.rule is Rule.CERTIFICATE and "trust" in verdict.fix


def test_no_status_and_no_error_is_still_no_answer() -> None:
    verdict = refused(judge(Fetched(host=HOST)))
    assert verdict.rule is Rule.ANSWER and verdict.reason == "no HTTP answer" and HOST in verdict.fix
