"""One watch round: ``check``'s run for each domain judged against the stack and the previous round's
state. :func:`judge_round` is pure (a simulated clock, no network); :func:`run_round` runs the checks
first, with the same code and options as ``mta-sts check``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.check.model import DomainReport
from pulumi_mta_sts.check.runner import CheckOptions, check_domains
from pulumi_mta_sts.config.watch import DEFAULT_TESTING_REMINDER_DAYS

from .migration import narrow_due
from .model import FAIL, Expectation, WatchProblem
from .problems import domain_problems, testing_problem
from .state import DomainState, Said, WatchState, state_from_json

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1


@dataclass(frozen=True)
class Recovered:
    """A problem said in an earlier round that is gone now: reported once, then forgotten."""

    code: str
    said: Said

    def as_json(self) -> dict[str, Any]:
        since = self.said.since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"code": self.code, "severity": self.said.severity, "message": self.said.message, "since": since}


@dataclass(frozen=True)
class DomainOutcome:
    domain: str
    problems: tuple[tuple[WatchProblem, bool], ...]
    """Each problem and whether it is new (not said before in this episode, or louder than then)."""
    recovered: tuple[Recovered, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "problems": [problem.as_json(new) for problem, new in self.problems],
            "recovered": [item.as_json() for item in self.recovered],
        }


@dataclass(frozen=True)
class RoundOutcome:
    """What a round found (:meth:`as_json`: the ``--format json`` document), the state for the next
    round (:meth:`state_json`), and what to notify (:attr:`new`, :attr:`recovered`)."""

    domains: tuple[DomainOutcome, ...]
    state: WatchState

    def as_json(self) -> dict[str, Any]:
        return {"domains": [d.as_json() for d in self.domains]}

    def state_json(self) -> dict[str, Any]:
        return self.state.as_json()

    @property
    def exit_code(self) -> int:
        """1 when any problem (new or not) is a failure, else 0: warnings allowed."""
        failing = any(p.severity == FAIL for d in self.domains for p, _ in d.problems)
        return EXIT_FAILED if failing else EXIT_OK

    @property
    def new(self) -> list[tuple[str, WatchProblem]]:
        """``(domain, problem)`` to notify now."""
        return [(d.domain, p) for d in self.domains for p, new in d.problems if new]

    @property
    def recovered(self) -> list[tuple[str, Recovered]]:
        """``(domain, recovered)`` to notify now."""
        return [(d.domain, r) for d in self.domains for r in d.recovered]


def _utc(now: dt.datetime) -> dt.datetime:
    moment = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _testing_since(report: DomainReport, before: DomainState | None, now: dt.datetime) -> dt.datetime | None:
    """Since when the published policy is in ``testing``; a round that got no policy keeps what was known."""
    known = before.testing_since if before else None
    policy = report.facts.policy if report.facts else None
    if policy is None:
        return known
    return (known or now) if policy.mode == "testing" else None


def advance(
    domain: str, problems: Sequence[WatchProblem], before: DomainState | None, known: bool, now: dt.datetime
) -> tuple[DomainOutcome, dict[str, Said]]:
    """The episode rule: a problem is new unless already said at least as loudly; a problem said
    before and absent now is recovered. ``known``: there is a previous state (without one, all is new)."""
    said_before = before.problems if before else {}
    marked: list[tuple[WatchProblem, bool]] = []
    said_now: dict[str, Said] = {}
    for problem in problems:
        earlier = said_before.get(problem.code)
        new = not known or earlier is None or problem.rank > earlier.rank
        marked.append((problem, new))
        said_now[problem.code] = Said.of(problem, earlier.since if earlier else now)
    recovered = tuple(Recovered(code, said) for code, said in sorted(said_before.items()) if code not in said_now)
    return DomainOutcome(domain, tuple(marked), recovered), said_now


def _reminder_days(days: int | Mapping[str, int], domain: str) -> int:
    return days if isinstance(days, int) else days.get(domain, DEFAULT_TESTING_REMINDER_DAYS)


def _expectation(value: Expectation | Mapping[str, Any]) -> Expectation:
    return value if isinstance(value, Expectation) else Expectation.from_json(value)


def judge_round(
    reports: Sequence[DomainReport],
    expectations: Mapping[str, Expectation | Mapping[str, Any]],
    previous: WatchState | Mapping[str, Any] | None,
    report_problems: Mapping[str, Sequence[WatchProblem]] | None,
    now: dt.datetime,
    testing_reminder_days: int | Mapping[str, int] = DEFAULT_TESTING_REMINDER_DAYS,
) -> RoundOutcome:
    """Judge the ``check`` reports of one round. ``expectations``: by domain, what the stack declares
    (a domain without one is compared with nothing but itself); ``previous``: the last state (a
    :class:`WatchState` or its JSON; ``None``: every problem is new); ``report_problems``: by domain,
    from :func:`~.reports.problems_from_reports` (the ``--no-smtp`` stand-in for STARTTLS probes);
    ``testing_reminder_days``: one for all, or by domain (``mta-sts:watch.testing_reminder_days`` of each stack)."""
    now = _utc(now)
    state = previous if isinstance(previous, WatchState) or previous is None else state_from_json(previous)
    kept = dict(state.domains) if state else {}
    outcomes = []
    for report in reports:
        before = kept.get(report.domain)
        since = _testing_since(report, before, now)
        extra = list((report_problems or {}).get(report.domain, ()))
        days = _reminder_days(testing_reminder_days, report.domain)
        if (reminder := testing_problem(report, since, now, days)) is not None:
            extra.append(reminder)
        given = expectations.get(report.domain)
        expected = None if given is None else _expectation(given)
        if (due := narrow_due(report, expected, now)) is not None:
            extra.append(due)
        found = domain_problems(report, expected, now, extra)
        outcome, said = advance(report.domain, found, before, state is not None, now)
        outcomes.append(outcome)
        kept[report.domain] = DomainState(said, since)
    return RoundOutcome(tuple(outcomes), WatchState(kept))


def run_round(
    domains: Sequence[str],
    expectations: Mapping[str, Expectation | Mapping[str, Any]],
    previous: WatchState | Mapping[str, Any] | None,
    options: CheckOptions,
    report_problems: Mapping[str, Sequence[WatchProblem]] | None,
    now: dt.datetime,
    testing_reminder_days: int | Mapping[str, int] = DEFAULT_TESTING_REMINDER_DAYS,
) -> RoundOutcome:
    """One round for ``domains`` (normalised host names): the sender-view checks (``options`` as
    ``check`` takes them; ``smtp=False`` for ``--no-smtp``), then :func:`judge_round`. Raises what
    ``check`` raises: :class:`~pulumi_mta_sts.net.resolver.DnsUnreachable` when no DNS answers."""
    reports = check_domains(domains, options)
    return judge_round(reports, expectations, previous, report_problems, now, testing_reminder_days)
