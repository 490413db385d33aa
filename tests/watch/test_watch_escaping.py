"""A stranger's text wherever ``watch`` shows one (a check's detail and hint quoting DNS or a server,
a stored report's organisation and MX host, a state file's remembered message) comes out inert:
terminal text printable with only the renderer's line ends, JSON printable and the same value."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.check.model import DomainReport, failed
from pulumi_mta_sts.escape import terminal
from pulumi_mta_sts.watch import judge_round, problems_from_reports, state_from_bytes, state_from_json
from pulumi_mta_sts.watch.text import render_text
from tests.strategies import hostile_text

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def report_naming(value: str) -> dict[str, object]:
    detail = {"result_type": "certificate-expired", "failed_session_count": 1, "receiving_mx_hostname": value}
    policy = {"policy_type": "sts", "policy_domain": "a.example", "policy_strings": [], "failure_details": [detail]}
    return {"organization_name": value, "end": "2026-12-07T00:00:00Z", "policies": [policy]}


@settings(max_examples=100, deadline=None)
@given(hostile_text)
def test_watch_text_and_json(value: str) -> None:
    row = failed("policy-fetch", f"served {value}", f"fix {value}")
    first = judge_round(
        [DomainReport("a.example", [row])],
        {},
        {"version": 1, "domains": {}},
        problems_from_reports([report_naming(value)], NOW),
        NOW,
    )
    later = judge_round(
        [DomainReport("a.example", [])], {}, first.state_json(), None, NOW
    )  # recovered: the stored message
    for outcome in (first, later):
        text = render_text(outcome)
        for line in text.split("\n"):
            assert line.isprintable(), ascii(line)
        lines = 1 + 2 * len(outcome.domains[0].problems) + len(outcome.domains[0].recovered) + 1
        assert len(text.split("\n")) == lines  # no line a stranger added
        document = terminal.json_text(outcome.as_json())
        assert all(char.isprintable() or char == "\n" for char in document), ascii(document)
        assert json.loads(document) == outcome.as_json()
    messages = [p.message for _, p in first.new] + [r.said.message for _, r in later.recovered]
    assert all(value in message for message in messages)


@settings(max_examples=30, deadline=None)
@given(hostile_text, st.integers(0, 20_000))
def test_the_state_a_round_writes_is_always_read_back(value: str, length: int) -> None:
    """However long a stranger's text (a served policy quoted in full, a report's MX host), the next
    round reads the state this one wrote."""
    long = (value * (length // max(1, len(value)) + 1))[:length]
    row = failed("policy-fetch", long, long)
    found = problems_from_reports([report_naming(long)], NOW)
    outcome = judge_round([DomainReport("a.example", [row])], {}, None, found, NOW)
    assert state_from_bytes(outcome.state.to_bytes(), "state") == state_from_json(outcome.state_json())
