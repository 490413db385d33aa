"""The watcher's schedule as EventBridge Scheduler reads it (spec/watch_schedule.py): generated valid
``rate(...)`` and ``cron(...)`` expressions pass; each kind of mistake (a field out of range, both or
neither day field ``?``, a wrong field count, a rate too short or of the wrong number, ``at(...)``, not
text) is one problem naming the key with the fix; the stack loader's own check never accepts what this
refuses for a reason the loader also knows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.watch import schedule_problem
from pulumi_mta_sts.spec.watch_schedule import CRON_FIELDS, MIN_RATE_MINUTES, schedule_problems

KEY = "mta-sts:watch.schedule"
_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def numbers(low: int, high: int) -> st.SearchStrategy[str]:
    single = st.integers(low, high).map(str)
    ranged = st.tuples(st.integers(low, high), st.integers(low, high)).map(lambda p: f"{min(p)}-{max(p)}")
    stepped = st.tuples(st.sampled_from(["*", str(low)]), st.integers(1, 9)).map(lambda p: f"{p[0]}/{p[1]}")
    listed = st.lists(single, min_size=2, max_size=3).map(",".join)
    return st.one_of(single, ranged, stepped, listed, st.just("*"))


@st.composite
def crons(draw: st.DrawFn) -> str:
    minute = str(draw(st.integers(0, 59)))
    hours, month, year = draw(numbers(0, 23)), draw(numbers(1, 12)), draw(numbers(1970, 2199))
    day_of_month = draw(st.one_of(numbers(1, 31), st.sampled_from(["L", "15W", "LW"])))
    day_of_week = draw(st.one_of(numbers(1, 7), st.sampled_from(["MON-FRI", "SUN", "6#3", "5L", "SAT,SUN"])))
    if draw(st.booleans()):
        day_of_month = "?"
    else:
        day_of_week = "?"
    return f"cron({minute} {hours} {day_of_month} {month} {day_of_week} {year})"


@st.composite
def rates(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(sorted(_MINUTES)))
    value = draw(st.integers(max(1, -(-MIN_RATE_MINUTES // _MINUTES[unit])), 10_000))
    return f"rate({value} {unit if value == 1 else unit + 's'})"


@settings(max_examples=300, deadline=None)
@given(st.one_of(crons(), rates()))
def test_valid_expressions_pass(expression: str) -> None:
    assert schedule_problems(expression, KEY) == []


@settings(max_examples=300, deadline=None)
@given(crons(), st.integers(0, 5), st.integers(0, 9_999))
def test_a_number_out_of_its_fields_range_is_named(expression: str, index: int, number: int) -> None:
    fields = expression.removeprefix("cron(").removesuffix(")").split(" ")
    spec = CRON_FIELDS[index]
    if spec.low <= number <= spec.high or (index == 0 and number > 99) or fields[index] == "?":
        return
    fields[index] = str(number)
    (problem,) = schedule_problems(f"cron({' '.join(fields)})", KEY)
    assert problem.field == KEY and f"{spec.name} range" in problem.reason and "e.g. rate(1 hour)" in problem.reason


@settings(max_examples=200, deadline=None)
@given(crons())
def test_both_or_neither_day_field_unspecified_is_refused(expression: str) -> None:
    fields = expression.removeprefix("cron(").removesuffix(")").split(" ")
    both = [*fields[:2], "?", fields[3], "?", fields[5]]
    neither = [*fields[:2], "1", fields[3], "MON", fields[5]]
    for wrong in (both, neither):
        (problem,) = schedule_problems(f"cron({' '.join(wrong)})", KEY)
        assert "exactly one of day-of-month and day-of-week" in problem.reason


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_MINUTES)), st.integers(0, 10_000), st.booleans())
def test_rates(unit: str, value: int, plural: bool) -> None:
    expression = f"rate({value} {unit + 's' if plural else unit})"
    problems = schedule_problems(expression, KEY)
    valid = value >= 1 and plural == (value != 1) and value * _MINUTES[unit] >= MIN_RATE_MINUTES
    assert (problems == []) == valid
    if valid:
        assert schedule_problem(expression) is None  # the loader accepts every rate this does


def test_other_mistakes_each_say_the_fix() -> None:
    cases = {
        "at(2027-01-01T00:00:00)": "runs once",
        "at(tomorrow)": "one-time schedule",
        "cron(0 7 * * ?)": "six fields",
        "cron(0/5 7 * * ? *)": "at most once an hour",
        "cron(0 7 * FOO ? *)": "not a month value",
        "every hour": "rate(value unit) or cron(six fields)",
        "rate(1  hour)": "a rate is rate(value unit)",
        "": "must be a schedule expression",
    }
    for expression, says in cases.items():
        (problem,) = schedule_problems(expression, KEY)
        assert problem.field == KEY and says in problem.reason, expression
    assert schedule_problems(None, KEY)[0].value is None and schedule_problems(60, KEY)[0].field == KEY
