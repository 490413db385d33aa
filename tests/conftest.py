"""Shared fixtures. Keep additions small and documented; several suites share this file."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from pulumi_mta_sts.plan.engine import Recorder

# CI (CI=true) runs the same generated cases every time, so a red build always reproduces and a
# landing never depends on luck or on how loaded the machine is (no per-example deadline); local
# runs keep exploring new cases (and report a seed to replay).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")


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
