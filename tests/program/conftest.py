"""Fixtures of the stack-program tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_mta_sts.program.options import ProgramOptions
from tests.livefixture.dns_server import DnsFixture, Zone


@pytest.fixture
def live_dns() -> Iterator[tuple[Zone, ProgramOptions]]:
    """A loopback DNS server and the options that point the program's live look-ups at it."""
    server = DnsFixture(Zone())
    server.zone.add("example.com", "A", "127.0.0.1")
    yield server.zone, ProgramOptions(nameservers=(server.nameserver,), dns_timeout=2)
    server.stop()
