"""The scheduled watcher's schedule (``mta-sts:watch.schedule``), checked as EventBridge Scheduler reads
it before anything is registered: AWS would refuse a bad expression half-way through ``pulumi up``.

The grammar is EventBridge Scheduler's (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
and ``ScheduleExpression`` of its API reference): ``rate(value unit)`` with a positive whole ``value``
and ``minute(s)``, ``hour(s)`` or ``day(s)``; ``cron(minutes hours day-of-month month day-of-week
year)`` where exactly one of the two day fields is ``?``; ``at(yyyy-mm-ddThh:mm:ss)``, a one-time
schedule, which a watcher cannot be (refused with the fix). Rounds closer together than
:data:`MIN_RATE_MINUTES` only cost (senders cache a policy for a day or more): a shorter rate, and a cron
expression whose minutes are not one number (more than once an hour), are refused too. A value the unit
of 1 is singular and of more plural, as EventBridge's schedule expressions have always been written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pulumi_mta_sts.core.errors import Problem

DEFAULT_SCHEDULE = "rate(1 hour)"
#: The shortest ``rate(...)`` a watcher takes (its rounds may take minutes; see receiver/watch_schedule.py).
MIN_RATE_MINUTES = 15
_EXAMPLES = "e.g. rate(1 hour), rate(30 minutes) or cron(0 7 * * ? *) (docs/configuration.md)"
_RATE = re.compile(r"rate\((?P<value>[0-9]+) (?P<unit>minutes?|hours?|days?)\)")
_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"


@dataclass(frozen=True)
class CronField:
    """One field of a cron expression: its name, its range and what else it may hold."""

    name: str
    low: int
    high: int
    names: str = ""
    extra: str = ""  # besides numbers, names, ``*``, ``,``, ``-``, ``/``: ``?``, ``L``, ``W``, ``#``

    def problems(self, text: str) -> str | None:
        """Why ``text`` is not a valid value of this field, or ``None``."""
        if text == "?" and "?" in self.extra:
            return None
        for part in text.split(","):
            reason = self._part_problem(part)
            if reason:
                return reason
        return None

    def _part_problem(self, part: str) -> str | None:
        value = rf"(?:[0-9]{{1,4}}|{self.names})" if self.names else r"[0-9]{1,4}"
        special = []
        if "L" in self.extra:
            special.append(r"L" if self.name == "day-of-month" else rf"{value}?L")
        if "W" in self.extra:
            special += [r"LW", rf"{value}W"]
        if "#" in self.extra:
            special.append(rf"{value}#[1-5]")
        plain = rf"(?:\*|{value}(?:-{value})?)(?:/[0-9]{{1,4}})?"
        if not re.fullmatch("|".join([plain, *special]), part, re.IGNORECASE):
            return f"{part!r} is not a {self.name} value"
        for number in re.findall(r"(?<![#/0-9])[0-9]+", part):
            if not self.low <= int(number) <= self.high:
                return f"{number} is out of the {self.name} range {self.low}-{self.high}"
        return None


CRON_FIELDS = (
    CronField("minutes", 0, 59),
    CronField("hours", 0, 23),
    CronField("day-of-month", 1, 31, extra="?LW"),
    CronField("month", 1, 12, _MONTHS),
    CronField("day-of-week", 1, 7, _DAYS, extra="?L#"),
    CronField("year", 1970, 2199),
)


def schedule_problems(value: object, key: str = "schedule") -> list[Problem]:
    """Why ``value`` is not a recurring EventBridge Scheduler expression a watcher may run on, each
    problem naming ``key`` and the fix; ``[]`` when it is one."""
    if not isinstance(value, str) or not value.strip():
        return [Problem(key, value, f"must be a schedule expression, {_EXAMPLES}")]
    reason = _reason(value)
    return [Problem(key, value, f"{reason}; {_EXAMPLES}")] if reason else []


def _reason(expression: str) -> str | None:
    if expression.startswith("rate("):
        return _rate_reason(expression)
    if expression.startswith("cron(") and expression.endswith(")"):
        return _cron_reason(expression[5:-1])
    if expression.startswith("at("):
        return _at_reason(expression)
    return "must be rate(value unit) or cron(six fields), as EventBridge Scheduler reads them"


def _rate_reason(expression: str) -> str | None:
    match = _RATE.fullmatch(expression)
    if match is None:
        return "a rate is rate(value unit): a whole number, one space, then minute(s), hour(s) or day(s)"
    value, unit = int(match["value"]), match["unit"].rstrip("s")
    if value < 1:
        return "a rate's value must be a positive whole number"
    if (unit == match["unit"]) != (value == 1):
        return "a rate's unit is singular for 1 (rate(1 hour)) and plural for more (rate(2 hours))"
    if value * _MINUTES[unit] < MIN_RATE_MINUTES:
        return f"the watcher runs at most every {MIN_RATE_MINUTES} minutes (a round may take minutes)"
    return None


def _cron_reason(fields_text: str) -> str | None:
    fields = fields_text.split(" ")
    if len(fields) != len(CRON_FIELDS) or not all(fields):
        names = " ".join(f.name for f in CRON_FIELDS)
        return f"a cron expression has six fields separated by single spaces: ({names})"
    for spec, text in zip(CRON_FIELDS, fields, strict=True):
        reason = spec.problems(text)
        if reason:
            return reason
    if not re.fullmatch(r"[0-9]{1,2}", fields[0]):
        return "the watcher runs at most once an hour: a cron expression's minutes must be one number, 0 to 59"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    return None


def _at_reason(expression: str) -> str:
    inner = expression.removeprefix("at(").removesuffix(")")
    try:
        datetime.strptime(inner, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return "at(yyyy-mm-ddThh:mm:ss) is a one-time schedule (and this one is not a valid date-time)"
    return "at(...) runs once; a watcher needs a recurring schedule, rate(...) or cron(...)"
