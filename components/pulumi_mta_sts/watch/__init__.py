"""``mta-sts watch``: the sender-view check (the same code as ``mta-sts check``) run again and again,
compared with what the stack declares and with the previous round, so what breaks between deploys
(an MX record changed by someone else, a certificate near its end, a policy host that stopped
answering, a policy left in ``testing``) is said once per episode, and its recovery once.

The API the scheduled watchers call (docs/watch.md):

- :func:`run_round` (network: ``check``'s runner) / :func:`judge_round` (pure) -> :class:`RoundOutcome`
  with ``.as_json()`` (the ``--format json`` document), ``.state_json()`` (the next state),
  ``.exit_code`` (0, or 1 when a problem fails), ``.new`` and ``.recovered`` (what to notify).
- :func:`expectations_of` (a loaded stack) / :class:`Expectation` (``as_json``/``from_json``): what a
  stack declares per domain, as JSON-serialisable data.
- :func:`state_from_bytes` / :func:`state_from_json`: the previous state, checked (a bad one is an
  :class:`~pulumi_mta_sts.core.errors.InputError` naming it and the fix).
- :func:`problems_from_reports`: the receiver's stored reports of the last day as problems (for
  ``--no-smtp`` rounds, where port 25 is blocked).
- :func:`~pulumi_mta_sts.config.watch.watch_config`: a stack's ``mta-sts:watch.*`` settings, checked.
"""

from pulumi_mta_sts.config.watch import WatchConfig, watch_config

from .model import FAIL, WARN, Expectation, WatchProblem, expectation_of, expectations_of
from .reports import problems_from_reports
from .round import DomainOutcome, Recovered, RoundOutcome, judge_round, run_round
from .state import WatchState, state_from_bytes, state_from_json

__all__ = [
    "FAIL",
    "WARN",
    "DomainOutcome",
    "Expectation",
    "Recovered",
    "RoundOutcome",
    "WatchConfig",
    "WatchProblem",
    "WatchState",
    "expectation_of",
    "expectations_of",
    "judge_round",
    "problems_from_reports",
    "run_round",
    "state_from_bytes",
    "state_from_json",
    "watch_config",
]
