"""Shared fixtures. Keep additions small and documented; several suites share this file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_mta_sts.plan.engine import Recorder


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
