"""The scheduled watcher's one notice per round (watch_lambda/notify.py), from generated round documents
with hostile text: nothing to say when nothing is new or recovered; the subject ASCII, one line, under
100 characters; the message within SNS's size, every stranger's character shown, never obeyed."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.watch_lambda.notify import (
    MAX_MESSAGE_BYTES,
    MAX_SUBJECT_CHARACTERS,
    message_text,
    round_changes,
    subject_line,
)

hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["\x1b[31mred\x1b[0m", "line\r\nbreak", "\u202etxt.exe", "[bold]x[/bold]", "a" * 5000]
)
problem = st.fixed_dictionaries(
    {
        "code": hostile,
        "severity": st.sampled_from(["fail", "warn"]),
        "new": st.booleans(),
        "message": hostile,
        "fix": hostile,
    }
)
entry = st.fixed_dictionaries(
    {
        "domain": hostile,
        "problems": st.lists(problem, max_size=4),
        "recovered": st.lists(st.fixed_dictionaries({"code": hostile, "message": hostile}), max_size=3),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(entry, max_size=6), hostile)
def test_one_bounded_notice_only_when_something_changed(domains: list[dict[str, Any]], name: str) -> None:
    changes = round_changes({"domains": domains})
    new = sum(1 for d in domains for p in d["problems"] if p["new"])
    recovered = sum(len(d["recovered"]) for d in domains)
    assert (len(changes.new), len(changes.recovered)) == (new, recovered)
    assert changes.worth_saying == bool(new or recovered)
    assert changes.still_open == sum(len(d["problems"]) for d in domains) - new
    subject = subject_line(changes, name)
    assert subject.isascii() and subject.isprintable() and len(subject) <= MAX_SUBJECT_CHARACTERS
    message = message_text(changes, name)
    assert len(message.encode()) <= MAX_MESSAGE_BYTES
    assert "\x1b" not in message and "\r" not in message and "\u202e" not in message


def test_the_notice_says_each_new_problem_with_its_fix_and_each_recovery() -> None:
    document = {
        "domains": [
            {
                "domain": "example.com",
                "problems": [
                    {"code": "policy-unavailable", "severity": "fail", "new": True, "message": "m1", "fix": "f1"},
                    {"code": "tlsrpt-record-invalid", "severity": "warn", "new": False, "message": "m2", "fix": "f2"},
                ],
                "recovered": [{"code": "mx-not-covered:mx9.example.com", "severity": "fail", "message": "gone"}],
            }
        ]
    }
    changes = round_changes(document)
    text = message_text(changes, "example-com-watch")
    assert "- [fail] example.com: policy-unavailable\n    m1\n    fix: f1" in text
    assert "- example.com: mx-not-covered:mx9.example.com" in text and "Still open, said before: 1." in text
    assert "tlsrpt-record-invalid" not in text  # said in an earlier round
    assert subject_line(changes, "w") == "mta-sts watch w: 1 new (1 failing), 1 recovered: example.com"


def test_odd_documents_are_read_without_a_crash() -> None:
    for document in ({}, {"domains": None}, {"domains": [1, "x", {"problems": [None, {"new": True}]}]}):
        changes = round_changes(document)
        message_text(changes, "w")
        subject_line(changes, "w")
