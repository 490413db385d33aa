"""A look-up's canonical name (issue 25 took the name asked as canonical when no CNAME is at it,
without converting the answer's name): asked in any case, with or without the final dot, directly or
through a CNAME chain, over a loopback DNS server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.net.lookup import Answers, Outcome, lookup
from pulumi_mta_sts.net.resolver import make_resolver
from tests.livefixture import LiveFixture, live_fixture

ZONE = "canonical.test"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        fixture.zone.add(f"txt.{ZONE}", "TXT", "v=STSv1; id=1")
        fixture.zone.add(f"a.{ZONE}", "A", "127.0.0.1")
        fixture.zone.add(f"one.{ZONE}", "CNAME", f"txt.{ZONE}")
        fixture.zone.add(f"two.{ZONE}", "CNAME", f"one.{ZONE}")
        yield fixture


def spelled(name: str, upper: list[bool], dot: bool) -> str:
    """``name`` with the characters ``upper`` marks in upper case, and a final dot if ``dot``."""
    chars = [c.upper() if i < len(upper) and upper[i] else c for i, c in enumerate(name)]
    return "".join(chars) + ("." if dot else "")


@settings(max_examples=30, deadline=None)
@given(
    asked=st.sampled_from(["txt", "one", "two", "a"]),
    rtype=st.sampled_from(["TXT", "A"]),
    upper=st.lists(st.booleans(), max_size=20),
    dot=st.booleans(),
    cached=st.booleans(),
)
def test_the_canonical_name_is_where_the_cname_chain_ends(
    live: LiveFixture, asked: str, rtype: str, upper: list[bool], dot: bool, cached: bool
) -> None:
    resolver = make_resolver([live.nameserver], 3.0)
    name = spelled(f"{asked}.{ZONE}", upper, dot)
    found = lookup(Answers(resolver) if cached else resolver, name, rtype)
    end = {"txt": "txt", "one": "txt", "two": "txt", "a": "a"}[asked]
    assert found.name == name
    assert found.canonical == f"{end}.{ZONE}"
    assert found.cname == {"txt": None, "a": None, "one": f"txt.{ZONE}", "two": f"one.{ZONE}"}[asked]
    assert found.outcome is (Outcome.OK if (end == "txt") == (rtype == "TXT") else Outcome.NODATA)
