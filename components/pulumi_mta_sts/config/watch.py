"""The ``mta-sts:watch`` section of a stack file: whether the scheduled watcher runs, how often, who
is told, and when a policy left in ``testing`` earns a reminder. Read by the stack loaders (so a
wrong value stops ``plan`` and ``pulumi up`` before anything is created) and by whoever runs a
watch round (:func:`watch_config`). Every default lives here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.spec.receiver_settings import alarm_email_problems
from pulumi_mta_sts.spec.watch_schedule import DEFAULT_SCHEDULE, schedule_problems

from .sections import Collector

WATCH_SECTION: Final = "watch"
KEYS: Final = ("enabled", "schedule", "alarm_email", "testing_reminder_days")
#: Days a published policy may stay in ``testing`` before ``watch`` reminds you to read the reports.
DEFAULT_TESTING_REMINDER_DAYS: Final = 30
TESTING_REMINDER_DAYS_MAX: Final = 3650


@dataclass(frozen=True)
class WatchConfig:
    """``mta-sts:watch``; ``alarm_email`` is already defaulted to ``mta-sts:reporting.alarm_email``."""

    enabled: bool = False
    schedule: str = DEFAULT_SCHEDULE
    alarm_email: str | None = None
    testing_reminder_days: int = DEFAULT_TESTING_REMINDER_DAYS


def schedule_problem(value: object) -> str | None:
    """Why ``value`` is not a schedule the watcher accepts (``None``: it is), as EventBridge Scheduler reads
    it: the one grammar, in spec/watch_schedule.py, that the scheduled watcher's component also applies."""
    problems = schedule_problems(value)
    return problems[0].reason if problems else None


def load_watch(c: Collector, values: Mapping[str, Any]) -> WatchConfig:
    """``mta-sts:watch`` of a stack's values (``alarm_email`` not yet defaulted), every problem added to ``c``."""
    value = c.mapping(WATCH_SECTION, values.get(WATCH_SECTION), KEYS)
    if not value:
        return WatchConfig()
    given = {name: (None if value.get(name) == "" else value.get(name)) for name in KEYS}
    enabled = c.boolean(f"{WATCH_SECTION}.enabled", given["enabled"], False)
    schedule = DEFAULT_SCHEDULE if given["schedule"] is None else given["schedule"]
    if (why := schedule_problem(schedule)) is not None:
        c.add(f"{WATCH_SECTION}.schedule", schedule, why)
    alarm = given["alarm_email"]
    for problem in alarm_email_problems(alarm):
        c.add(f"{WATCH_SECTION}.alarm_email", problem.value, problem.reason)
    path, days = f"{WATCH_SECTION}.testing_reminder_days", given["testing_reminder_days"]
    reminder = c.integer(path, days, DEFAULT_TESTING_REMINDER_DAYS, 1, TESTING_REMINDER_DAYS_MAX)
    return WatchConfig(enabled, str(schedule), alarm if isinstance(alarm, str) else None, reminder)


def _reporting_alarm(values: Mapping[str, Any]) -> str | None:
    """``mta-sts:reporting.alarm_email`` (a fleet: ``mta-sts:defaults.reporting.alarm_email``)."""
    section = values.get("defaults") if "domains" in values else values
    reporting = section.get("reporting") if isinstance(section, Mapping) else None
    alarm = reporting.get("alarm_email") if isinstance(reporting, Mapping) else None
    return alarm if isinstance(alarm, str) and not alarm_email_problems(alarm) else None


def watch_config(values: Mapping[str, Any]) -> WatchConfig:
    """A stack's ``mta-sts:`` values (no namespace, as :func:`~.stack.stack_values` gives them) to its
    :class:`WatchConfig`, ``alarm_email`` defaulting to the reporting one; :class:`InputError` naming each key."""
    c = Collector()
    config = load_watch(c, values)
    c.check()
    if config.alarm_email is None:
        return WatchConfig(config.enabled, config.schedule, _reporting_alarm(values), config.testing_reminder_days)
    return config
