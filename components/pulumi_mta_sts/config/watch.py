"""The ``mta-sts:watch`` section of a stack file: whether the scheduled watcher runs, how often, who
is told, and when a policy left in ``testing`` earns a reminder. Read by the stack loaders (so a
wrong value stops ``plan`` and ``pulumi up`` before anything is created) and by whoever runs a
watch round (:func:`watch_config`). Every default lives here, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_mta_sts.spec.receiver_settings import alarm_email_problems

from .sections import Collector

WATCH_SECTION: Final = "watch"
KEYS: Final = ("enabled", "schedule", "alarm_email", "testing_reminder_days")
#: How often the scheduled watcher runs unless ``mta-sts:watch.schedule`` says otherwise.
DEFAULT_SCHEDULE: Final = "rate(1 hour)"
#: Days a published policy may stay in ``testing`` before ``watch`` reminds you to read the reports.
DEFAULT_TESTING_REMINDER_DAYS: Final = 30
TESTING_REMINDER_DAYS_MAX: Final = 3650
#: The shortest ``rate(...)``: more often pages nobody sooner (senders cache policies for a day or more).
MIN_RATE_MINUTES: Final = 15
_RATE = re.compile(r"rate\(([1-9][0-9]{0,5}) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\(([0-9]{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_UNIT_MINUTES: Final = {"minute": 1, "hour": 60, "day": 1440}
_SCHEDULE_FIX = (
    "write an EventBridge Scheduler expression: rate(N minutes|hours|days) with N*unit at least "
    f"{MIN_RATE_MINUTES} minutes and 'minute'/'hour'/'day' only for 1 (e.g. {DEFAULT_SCHEDULE!r}), or "
    "cron(M H DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR) with one minute M from 0 to 59 (at most once an hour) and "
    "'?' in exactly one of DAY-OF-MONTH and DAY-OF-WEEK"
)


@dataclass(frozen=True)
class WatchConfig:
    """``mta-sts:watch``; ``alarm_email`` is already defaulted to ``mta-sts:reporting.alarm_email``."""

    enabled: bool = False
    schedule: str = DEFAULT_SCHEDULE
    alarm_email: str | None = None
    testing_reminder_days: int = DEFAULT_TESTING_REMINDER_DAYS


def schedule_problem(value: object) -> str | None:
    """Why ``value`` is not a schedule the watcher accepts (``None``: it is)."""
    if not isinstance(value, str):
        return f"must be text such as {DEFAULT_SCHEDULE!r}; {_SCHEDULE_FIX}"
    rate, cron = _RATE.fullmatch(value), _CRON.fullmatch(value)
    if rate is not None:
        count, unit = int(rate[1]), rate[2]
        singular = unit.removesuffix("s") == unit
        if singular != (count == 1) or count * _UNIT_MINUTES[unit.removesuffix("s")] < MIN_RATE_MINUTES:
            return f"{value!r} is not allowed; {_SCHEDULE_FIX}"
        return None
    if cron is not None and int(cron[1]) < 60 and (cron[3] == "?") != (cron[5] == "?"):
        return None
    return f"{value!r} is not a schedule the watcher accepts; {_SCHEDULE_FIX}"


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
