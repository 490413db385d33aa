"""The stack-file edits of ``migrate`` keep every other byte: for generated stack files (comments
before, inside and after the policy entry, quoting styles, block or flow ``mx`` lists, flow or block
policy mappings, LF or CRLF), only the ``mx`` value and the record line change, the result reads back
as the new list, and the record round-trips and goes away without a trace."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack_edit import EditRefused
from pulumi_mta_sts.core.migrate_steps import Record
from pulumi_mta_sts.migrate.stack_mx import read_record, rewrite
from tests.strategies import hostname, mx_list

comment = st.text(alphabet="abc XYZ-:#'\"{}[]é", max_size=20).map(lambda s: "# " + s)
quoting = st.sampled_from(["{}", "'{}'", '"{}"'])


@st.composite
def stack_files(draw: st.DrawFn) -> tuple[str, str, str, list[str], str]:
    """(prefix, the mx entry as written, suffix, its values, line end): the file is their concatenation."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    old = draw(mx_list)
    written = [draw(quoting).format(p) if not p.startswith("*") else json.dumps(p) for p in old]
    head = [draw(comment), "encryptionsalt: v1:abc", "config:", "  aws:region: eu-west-1  " + draw(comment)]
    head += ["  mta-sts:domain: example.com", "  " + draw(comment), "  mta-sts:policy:"]
    head += ["    mode: enforce  " + draw(comment), "    " + draw(comment), "    max_age: 86400", ""]
    if draw(st.booleans()):
        entry = "    mx:" + nl + "".join(f"      - {w}{nl}" for w in written)
    else:
        entry = "    mx: [" + ", ".join(written) + "]" + nl
    tail = ["    " + draw(comment), "  mta-sts:reporting:", "    rua: [mailto:a@example.com]"]
    tail += ["  other:key: 'x'  " + draw(comment), ""]
    return nl.join(head), entry, nl.join(tail), old, nl


def _mx(text: str) -> list[str]:
    return list(yaml.safe_load(text)["config"]["mta-sts:policy"]["mx"])


@given(parts=stack_files(), new=mx_list)
def test_only_the_mx_entry_changes(parts: tuple[str, str, str, list[str], str], new: list[str]) -> None:
    prefix, entry, suffix, old, nl = parts
    text = prefix + entry + suffix
    assert _mx(text) == old
    after = rewrite(text, None, tuple(new), None)
    assert after == prefix + "    mx:" + nl + "".join(f"      - {json.dumps(p)}{nl}" for p in new) + suffix
    assert _mx(after) == new


@given(parts=stack_files(), to=st.lists(hostname, min_size=1, max_size=3), seconds=st.integers(0, 10**9))
def test_the_record_round_trips_and_leaves_no_trace(
    parts: tuple[str, str, str, list[str], str], to: list[str], seconds: int
) -> None:
    text = "".join(parts[:3])
    seen = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    record = Record(tuple(to), 604_800, "abc", "def", seen, None, 300, 3600)
    with_record = rewrite(text, None, None, record)
    assert read_record(with_record, None) == record
    assert len(with_record.splitlines()) == len(text.splitlines()) + 1
    assert yaml.safe_load(with_record) == yaml.safe_load(text)  # a comment: the stack deploys the same
    assert rewrite(with_record, None, None, None) == text
    assert read_record(text, None) is None


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ("  mta-sts:policy:\n    mode: none\n", "has no mx list"),
        ("  mta-sts:policy: {mode: testing, mx: [a.example]}\n", "has no mx list under mta-sts:policy in block"),
        ("  mta-sts:policy:\n    mx: &m [a.example]\n  x:y: *m\n", "uses YAML anchors or aliases"),
        ("  x:y: &m [a.example]\n  mta-sts:policy:\n    mx: *m\n", "uses YAML anchors or aliases"),
        ("  mta-sts:domain: a.example\n", "has no mta-sts:policy"),
    ],
)
def test_what_cannot_be_edited_in_place_is_refused(policy: str, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason):
        rewrite("config:\n" + policy, None, ("b.example",), None)


@pytest.mark.parametrize(
    "line", ["# mta-sts migrate: not json", '# mta-sts migrate: {"to": 1}', "# mta-sts migrate: []"]
)
def test_a_record_that_does_not_read_is_no_record(line: str) -> None:
    text = f"config:\n  {line}\n  mta-sts:policy:\n    mx: [a.example]\n"
    assert read_record(text, None) is None
