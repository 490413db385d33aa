"""The once-per-episode rule, on generated sequences of rounds: each problem is new exactly once per
episode (the first round it is seen, or when it gets louder), its recovery is said exactly once,
and the state goes through its JSON bytes between rounds as a file or an S3 object would."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.check.model import DomainReport, failed, passed
from pulumi_mta_sts.watch import RoundOutcome, judge_round, state_from_bytes
from pulumi_mta_sts.watch.model import Severity, WatchProblem
from pulumi_mta_sts.watch.round import advance
from pulumi_mta_sts.watch.state import DomainState

START = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
DOMAINS = ("a.example", "b.example")
#: Check rows that become problems when they fail, and their codes.
ROWS = {"sts-record": "sts-record-invalid", "starttls:mx1.a.example": "mx-starttls:mx1.a.example"}
ROWS |= {"policy-fetch": "policy-unavailable", "tlsrpt-record": "tlsrpt-record-invalid"}
ROWS |= {"dane:mx1.a.example": "dane-mismatch:mx1.a.example"}

round_failures = st.dictionaries(st.sampled_from(DOMAINS), st.frozensets(st.sampled_from(sorted(ROWS))), max_size=2)


def reports_of(failing: dict[str, frozenset[str]]) -> list[DomainReport]:
    """Every watched domain, its failing rows failed and the others passed."""
    return [
        DomainReport(
            d, [failed(r, f"{r} broke", "fix it") if r in failing.get(d, ()) else passed(r, "ok") for r in ROWS]
        )
        for d in DOMAINS
    ]


def codes(outcome: RoundOutcome, domain: str, new: bool | None = None) -> set[str]:
    found = next(d for d in outcome.domains if d.domain == domain)
    return {p.code for p, is_new in found.problems if new is None or is_new is new}


@given(st.lists(round_failures, min_size=1, max_size=12))
def test_new_once_per_episode_and_recovered_once(rounds: list[dict[str, frozenset[str]]]) -> None:
    state: bytes | None = None
    seen: dict[str, set[str]] = {d: set() for d in DOMAINS}
    for number, failing in enumerate(rounds):
        previous = None if state is None else state_from_bytes(state, "state.json")
        outcome = judge_round(reports_of(failing), {}, previous, None, START + dt.timedelta(hours=number))
        for domain in DOMAINS:
            now = {ROWS[r] for r in failing.get(domain, ())}
            assert codes(outcome, domain) == now
            if state is None:  # the first round has no state: everything is new
                assert codes(outcome, domain, new=True) == now
            else:
                assert codes(outcome, domain, new=True) == now - seen[domain]
                assert codes(outcome, domain, new=False) == now & seen[domain]
            recovered = {r.code for d in outcome.domains if d.domain == domain for r in d.recovered}
            assert recovered == (seen[domain] - now if state is not None else set())
            seen[domain] = now
        state = json.dumps(outcome.state_json()).encode()
        failing_rows = {r for rows in failing.values() for r in rows}
        assert outcome.exit_code == (1 if failing_rows & {"sts-record", "policy-fetch", "dane:mx1.a.example"} else 0)


@given(st.lists(round_failures, min_size=1, max_size=6))
def test_without_state_every_problem_is_new_and_nothing_recovers(rounds: list[dict[str, frozenset[str]]]) -> None:
    for number, failing in enumerate(rounds):
        outcome = judge_round(reports_of(failing), {}, None, None, START + dt.timedelta(days=number))
        assert all(new for d in outcome.domains for _, new in d.problems)
        assert outcome.recovered == []


CODE = "certificate-expiring:mx.example"
SEVERITY_RANK = {"warn": 0, "fail": 1}
levels = st.lists(st.tuples(st.sampled_from(["warn", "fail"]), st.integers(0, 3)) | st.none(), min_size=1, max_size=15)


@given(levels)
def test_a_louder_problem_is_said_again_a_quieter_one_is_not(sequence: list[tuple[Severity, int] | None]) -> None:
    """Escalation (a certificate crossing 30, 14, 7 days; a warning becoming a failure) is news;
    calming down is not, until the problem has gone and comes back (a new episode)."""
    before = DomainState()
    last: tuple[Severity, int] | None = None
    for step in sequence:
        problems = [] if step is None else [WatchProblem(CODE, step[0], "m", "f", step[1])]
        outcome, said = advance("d.example", problems, before, True, START)
        if step is None:
            assert [r.code for r in outcome.recovered] == ([CODE] if last is not None else [])
        else:
            louder = last is None or (SEVERITY_RANK[step[0]], step[1]) > (SEVERITY_RANK[last[0]], last[1])
            assert outcome.problems[0][1] is louder
            assert outcome.recovered == ()
        before, last = DomainState(said), step
