"""``mta-sts:watch.*``: every wrong value stops the stack loaders (so ``plan`` and ``pulumi up``) with
the key and the fix; the defaults; ``alarm_email`` defaulting to the reporting one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_any_config
from pulumi_mta_sts.config.watch import DEFAULT_TESTING_REMINDER_DAYS, WatchConfig, schedule_problem, watch_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.spec.watch_schedule import DEFAULT_SCHEDULE, MIN_RATE_MINUTES

SINGLE: dict[str, Any] = {
    "domain": "example.com",
    "dns": {"provider": "route53"},
    "policy": {"mode": "testing", "mx": ["mx1.example.com"]},
    "reporting": {"rua": ["mailto:tlsrpt@example.com"], "alarm_email": "ops@example.com"},
}
FLEET: dict[str, Any] = {
    "defaults": {"dns": {"provider": "route53"}, "reporting": {"alarm_email": "fleet@example.com"}},
    "domains": [{"domain": "example.com", "policy": {"mx": ["mx1.example.com"]}}],
}
UNITS = {"minute": 1, "hour": 60, "day": 1440}


def problems(values: dict[str, Any]) -> list[str]:
    try:
        load_any_config(values)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_defaults_and_the_alarm_address_of_the_reporting_section() -> None:
    assert watch_config(SINGLE) == WatchConfig(
        False, DEFAULT_SCHEDULE, "ops@example.com", DEFAULT_TESTING_REMINDER_DAYS
    )
    assert watch_config(FLEET).alarm_email == "fleet@example.com"
    own = {**SINGLE, "watch": {"enabled": "true", "alarm_email": "watch@example.com", "testing_reminder_days": "45"}}
    assert watch_config(own) == WatchConfig(True, DEFAULT_SCHEDULE, "watch@example.com", 45)
    assert problems(own) == [] and problems({**FLEET, "watch": {"enabled": True}}) == []


@given(st.integers(1, 500), st.sampled_from(sorted(UNITS)), st.booleans())
def test_rate_expressions(count: int, unit: str, plural: bool) -> None:
    text = f"rate({count} {unit}{'s' if plural else ''})"
    allowed = plural == (count != 1) and count * UNITS[unit] >= MIN_RATE_MINUTES
    assert (schedule_problem(text) is None) is allowed
    found = problems({**SINGLE, "watch": {"schedule": text}})
    assert (found == []) is allowed
    assert all(line.startswith("mta-sts:watch.schedule: ") and "rate(1 hour)" in line for line in found)


@given(st.text(max_size=40))
def test_any_other_text_is_refused_unless_it_is_a_rate_or_an_hourly_cron(text: str) -> None:
    if schedule_problem(text) is None:
        assert text.startswith(("rate(", "cron("))


@pytest.mark.parametrize(
    ("watch", "key"),
    [
        ({"enabled": "yes"}, "mta-sts:watch.enabled"),
        ({"schedule": "cron(*/5 * * * ? *)"}, "mta-sts:watch.schedule"),
        ({"schedule": "at(2026-12-24T00:00:00)"}, "mta-sts:watch.schedule"),
        ({"schedule": 3600}, "mta-sts:watch.schedule"),
        ({"alarm_email": "not an address"}, "mta-sts:watch.alarm_email"),
        ({"testing_reminder_days": 0}, "mta-sts:watch.testing_reminder_days"),
        ({"testing_reminder_days": "٣"}, "mta-sts:watch.testing_reminder_days"),
        ({"shedule": "rate(1 hour)"}, "mta-sts:watch.shedule"),
        ("on", "mta-sts:watch"),
    ],
)
def test_wrong_values_name_the_key_in_both_kinds_of_stack(watch: object, key: str) -> None:
    for stack in (SINGLE, FLEET):
        found = problems({**stack, "watch": watch})
        assert [line.partition(": ")[0] for line in found] == [key], found
    with pytest.raises(InputError):
        watch_config({**SINGLE, "watch": watch})


def test_a_misspelt_section_is_refused_with_a_suggestion() -> None:
    assert any("did you mean 'watch'" in line for line in problems({**SINGLE, "wacth": {}}))


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("cron(0 * * * ? *)", True),
        ("cron(15 8 ? * MON-FRI *)", True),
        ("cron(0 * * * * *)", False),  # '?' in neither day field: EventBridge refuses it
        ("cron(0 * ? * ? *)", False),
        ("cron(60 * * * ? *)", False),
        ("cron(0,30 * * * ? *)", False),  # twice an hour
        ("cron(0 * * * ?)", False),
    ],
)
def test_cron_expressions(text: str, allowed: bool) -> None:
    assert (schedule_problem(text) is None) is allowed
