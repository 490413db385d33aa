"""Shared fixtures. Keep additions small and documented; several suites share this file."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.pulumi_mock import Recorder

# No profile has a per-example deadline or a health check that times data generation: the
# README's test command must pass on a two-core machine whose other core is busy, so nothing in
# the suite depends on how fast the machine is (speed is measured in bench/, never here).
# CI (CI=true) also runs the same generated cases every time, so a red build always reproduces
# and a landing never depends on luck; local runs keep exploring new cases (and report a seed to
# replay). tests/test_no_clock.py checks both profiles and every @settings of the suite.
UNTIMED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("local", UNTIMED)
settings.register_profile("ci", UNTIMED, derandomize=True)
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.load_profile("ci" if CI else "local")


@pytest.fixture
def pulumi_mocks() -> Iterator[Recorder]:
    """A fresh recording Pulumi mock engine (``tests/pulumi_mock.py``: the test cloud of
    ``pulumi_mta_sts/plan/cloud.py``), installed with project ``mta-sts``, stack ``test``,
    ``preview=False`` and empty config, on an open event loop (closed again afterwards).

    Run a program with ``pulumi_mocks.run(fn)``; afterwards query ``resources``,
    ``one(type_token)``, ``named(name)``, ``invocations``, ``warnings``. Re-install with other
    config via ``pulumi_mocks.install(stack=..., config={"ns:key": "value"})``.
    """
    from .pulumi_mock import make_recorder  # imported lazily: it imports pulumi

    recorder = make_recorder().install(project="mta-sts", stack="test")
    yield recorder
    import pulumi.runtime

    pulumi.runtime.set_all_config({})
    recorder.close()
