"""``mta-sts check`` reads each fetched policy body once (issue 25): one decode and one parse give
the policy, the violations and the advice, and the ``policy-content`` row says exactly what the
three separate readings (:func:`parse_policy`, :func:`validate_policy_text`, :func:`lint_policy_text`)
say, over generated bodies, valid and not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pulumi_mta_sts.core.policy as policy_module
from pulumi_mta_sts.check import CheckOptions, check_domains
from pulumi_mta_sts.check.model import Status
from pulumi_mta_sts.check.policy_checks import ONE_DAY, check_policy_content
from pulumi_mta_sts.core.policy import (
    Policy,
    lint_policy_text,
    mx_form_problems,
    parse_policy,
    read_policy_text,
    validate_policy_text,
)
from tests import strategies as s
from tests.livefixture import LiveFixture, live_fixture

#: Lines that make a body invalid for some sender, or only worth advice, or leave it as it is.
ODD_LINES = (
    "",
    " ",
    "version: STSv2",
    "mode: testing",
    "mode: bogus",
    "max_age: 60",
    "max_age: -1",
    "mx: MX.Example.COM.",
    "mx: bücher.example",
    "mx: *.example..com",
    "not a field",
    "x-ext: value",
    "x-ext:",
    "x-ext: a\x01b",
    "note: a\u2028b",
    "Mode: enforce",
    "lone\rcr: x",
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A rendered valid policy, then some of its lines dropped, repeated, reordered or replaced by odd
    ones, LF or CRLF line ends, empty lines at the end, now and then bytes that are not UTF-8."""
    policy = draw(st.builds(Policy.build, s.mode, s.mx_list, s.max_age, s.extensions))
    lines = policy.render().split("\r\n")[:-1]
    edit_kinds = st.tuples(st.sampled_from(["drop", "repeat", "odd", "swap"]), st.integers(0, 99))
    edits = draw(st.lists(edit_kinds, max_size=4))
    for edit, at in edits:
        i = at % len(lines) if lines else 0
        if edit == "drop" and lines:
            del lines[i]
        elif edit == "repeat" and lines:
            lines.insert(i, lines[i])
        elif edit == "odd":
            lines.insert(i, draw(st.sampled_from(ODD_LINES) | s.hostile_text))
        elif lines:
            lines[0], lines[i] = lines[i], lines[0]
    end = draw(st.sampled_from(["\r\n", "\n"]))
    text = end.join(lines) + draw(st.sampled_from(["", end, end * 2]))
    return text.encode("utf-8") + draw(st.sampled_from([b"", b"", b"\xff"]))


@settings(max_examples=400, deadline=None)
@given(body=bodies())
def test_one_read_says_what_the_three_readings_say(body: bytes) -> None:
    assert read_policy_text(body) == (parse_policy(body), validate_policy_text(body), lint_policy_text(body))


@settings(max_examples=400, deadline=None)
@given(body=bodies())
def test_every_served_mx_value_out_of_normal_form_is_named(body: bytes) -> None:
    """The parse looks again only at ``mx`` values its policy does not hold (those are in normal form)."""
    parsed = parse_policy(body)
    if parsed.policy is not None:
        named = [p for p in parsed.warnings if p.field.startswith("mx[")]
        assert named == mx_form_problems(parsed.fields.get("mx", []))
        assert mx_form_problems(parsed.policy.mx) == []


@settings(max_examples=400, deadline=None)
@given(body=bodies())
def test_the_content_row_is_what_the_three_readings_say(body: bytes) -> None:
    """Fails on any violation (the first four named), else warns on advice; the policy is the parse's."""
    parsed, violations, advice = parse_policy(body), validate_policy_text(body), lint_policy_text(body)
    row, policy = check_policy_content(body)
    assert policy == parsed.policy
    if violations:
        assert row.status is Status.FAIL
        assert all(str(p) in row.detail for p in violations[:4])
        assert (f"(+{len(violations) - 4} more)" in row.detail) is (len(violations) > 4)
        return
    assert policy is not None
    short = policy.max_age < ONE_DAY if policy.mode == "enforce" else policy.max_age <= ONE_DAY
    notes = bool(advice or parsed.unknown_keys) or (short and policy.mode != "none")
    assert row.status is (Status.WARN if notes else Status.PASS)
    assert all(str(p) in row.detail for p in advice)
    assert row.detail.startswith(f"mode {policy.mode}, max_age {policy.max_age}, mx ")


@contextmanager
def counted_reads() -> Iterator[Counter[str]]:
    """How often bodies are decoded, cut into field lines and parsed meanwhile (threads included)."""
    calls: Counter[str] = Counter()
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("_decode", "_field_lines", "_parse_lines"):
            monkeypatch.setattr(policy_module, name, _counted(calls, name, getattr(policy_module, name)))
        yield calls


def _counted(calls: Counter[str], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        calls[name] += 1
        return real(*args)

    return counted


@given(body=bodies())
@settings(max_examples=50, deadline=None)
def test_the_content_check_reads_a_body_once(body: bytes) -> None:
    with counted_reads() as calls:
        check_policy_content(body)
    utf8 = b"\xff" not in body
    assert calls == Counter({"_decode": 1, "_field_lines": int(utf8), "_parse_lines": int(utf8)})


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        yield fixture


def test_a_run_reads_each_domains_policy_body_once(live: LiveFixture) -> None:
    """Fetched over IPv4 and IPv6 or not, each domain's policy body is decoded and parsed once."""
    domains = [f"r{i}.read-once.test" for i in range(6)]
    for i, domain in enumerate(domains):
        live.publish(domain, aaaa=None if i % 2 else False, smtp_certs=False)
    options = CheckOptions(
        nameservers=(live.nameserver,), cafile=live.cafile, https_port=live.https.port, smtp=False, concurrency=3
    )
    with counted_reads() as reads:
        reports = check_domains(domains, options)
    assert [c.status for r in reports for c in r.checks if c.id == "policy-content"] == [Status.PASS] * 6
    assert reads == Counter({"_decode": 6, "_field_lines": 6, "_parse_lines": 6})
