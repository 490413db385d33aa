"""Fixtures of the live-I/O tests: one test CA and one loopback HTTPS server per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.livefixture.https_server import HttpsFixture
from tests.livefixture.pki import Pki


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    """A trustme CA that issues the server certificates of the module's tests."""
    p = Pki()
    yield p
    p.close()


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[HttpsFixture]:
    """The loopback HTTPS server; tests add their sites with ``server.serve(host, site, context)``."""
    fixture = HttpsFixture(pki.server_context("unknown.invalid"))
    yield fixture
    fixture.stop()
