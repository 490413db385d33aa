"""The test-suite does not depend on how fast the machine is (issue 23: the README's test command
failed once on a loaded two-core machine).

- Every Hypothesis profile (the local one too, not only CI's) has no per-example deadline and
  does not time data generation; no ``@settings`` of the suite sets a deadline.
- No test reads the clock or sleeps: tests wait on readiness (a barrier, an event, a socket that
  is bound before it is used) and assert what happened, never how long it took. Only the loopback
  servers may use time, to play a slow or trickling server and to end themselves (``livefixture``).
  Speed is measured in ``bench/``, never here.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent
#: Where time may be used, and why (see the module docstring).
MAY_USE_TIME = {
    TESTS / "livefixture" / "dns_server.py": "plays a slow DNS server (Zone.delay)",
    TESTS / "livefixture" / "https_server.py": "plays a slow policy host (Site.delay)",
    TESTS / "livefixture" / "hostile.py": "paces hostile servers and ends them after MAX_LIFETIME",
}
_CLOCK = re.compile(r"\btime\.(?:monotonic|perf_counter|time|sleep|process_time)\b|\bfrom time import\b")
_DEADLINE = re.compile(r"\bdeadline=(?!None\b)")


def test_no_hypothesis_profile_has_a_deadline_or_times_generation() -> None:
    for name in ("local", "ci"):
        profile = settings.get_profile(name)
        assert profile.deadline is None, name
        assert HealthCheck.too_slow in profile.suppress_health_check, name
    assert settings().deadline is None  # the profile this run loaded


def test_no_settings_of_the_suite_sets_a_deadline() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _DEADLINE.search(line)
    ]
    assert not found, f"a Hypothesis deadline fails tests on a busy machine: {found}"


def test_no_test_reads_the_clock_or_sleeps() -> None:
    here = Path(__file__).resolve()
    found = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path not in MAY_USE_TIME and path != here
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _CLOCK.search(line)
    ]
    assert not found, f"wait on readiness and assert what happened, not how long it took: {found}"
