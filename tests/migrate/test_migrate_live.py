"""``mta-sts migrate`` end to end in a loopback world (tests/migrate/world.py): MX records move from
provider A to provider B while the command runs at simulated moments. For generated (old MX, new MX,
max_age, TTLs, mode, line ends): step 1 widens the stack to old ∪ new, the wait's date is the moment
the widened policy was first seen live + the old max_age + the _mta-sts and MX TTLs, narrowing is
refused before it (and before the switch is seen) and written after it, and every edit keeps every
other byte of the stack file."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_stack_file
from pulumi_mta_sts.core.matching import matches, uncovered
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.core.records import policy_host, sts_record_name, sts_record_value
from tests.livefixture import LiveFixture, Site, live_fixture
from tests.migrate.world import Domain, stack_text, with_ttls, without_edited_lines

T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
_names = itertools.count()
TTLS: dict[tuple[str, str], int] = {}


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        with_ttls(fixture, TTLS)
        yield fixture


label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
#: Provider A and B: their own names under each provider, or Microsoft 365's old and new MX names.
providers = st.sampled_from(
    [
        ("mx{}.provider-a.example", "in{}.provider-b.example"),
        ("{}.mail.protection.outlook.com", "{}.o-v1.mx.microsoft"),
        ("mx{}.old.example", "mx{}.new.example"),
    ]
)


def _publish(live: LiveFixture, folder: Path, old: list[str], mode: str, max_age: int, newline: str) -> Domain:
    domain = Domain(live, f"d{next(_names)}.migrate.test", folder)
    domain.set_mx(old)
    for host in old:
        live.zone.add(host, "A", "127.0.0.1")
    domain.path.write_bytes(stack_text(domain.name, mode, max_age, old, newline).encode())
    domain.deploy()
    return domain


def _kept(before: bytes, after: bytes) -> None:
    assert without_edited_lines(before.decode()) == without_edited_lines(after.decode())


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    provider=providers,
    old_labels=st.lists(label, min_size=1, max_size=3, unique=True),
    new_labels=st.lists(label, min_size=1, max_size=3, unique=True),
    max_age=st.integers(min_value=0, max_value=31_557_600),
    txt_ttl=st.integers(min_value=0, max_value=86_400),
    mx_ttl=st.integers(min_value=0, max_value=86_400),
    mode=st.sampled_from(["enforce", "testing"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_a_migration_widens_waits_and_narrows_only_after_the_date(
    live: LiveFixture,
    tmp_path: Path,
    provider: tuple[str, str],
    old_labels: list[str],
    new_labels: list[str],
    max_age: int,
    txt_ttl: int,
    mx_ttl: int,
    mode: str,
    newline: str,
) -> None:
    old = [provider[0].format(x) for x in old_labels]
    new = [provider[1].format(x) for x in new_labels]
    folder = tmp_path / f"s{next(_names)}"
    folder.mkdir()
    domain = _publish(live, folder, old, mode, max_age, newline)
    TTLS[(domain.name, "MX")], TTLS[(sts_record_name(domain.name), "TXT")] = mx_ttl, txt_ttl

    # step 1: the stack is widened to old ∪ new; nothing else changes
    before = domain.path.read_bytes()
    code, out, err = domain.migrate(T0, new)
    assert code == 0, err
    assert (out["step"], out["state"], out["written"]) == (1, "widen", True)
    widened = load_stack_file(domain.path).policy
    assert uncovered([*old, *new], widened.mx) == [] and widened.max_age == max_age and widened.mode == mode
    _kept(before, domain.path.read_bytes())
    assert out["record"]["before_max_age"] == max_age

    # not deployed yet: step 1 still, nothing time-based starts
    code, out, _ = domain.migrate(T0 + dt.timedelta(hours=1), new)
    assert (code, out["state"], out["narrow_after"]) == (0, "deploy-widened", None)

    # deployed: step 2 from the first sighting, the date is sighting + old max_age + TTLs
    domain.deploy()
    seen = T0 + dt.timedelta(hours=2)
    code, out, _ = domain.migrate(seen, new)
    due = seen + dt.timedelta(seconds=max_age + txt_ttl + mx_ttl)
    assert (code, out["step"]) == (0, 2 if max_age + txt_ttl + mx_ttl else 3)
    assert out["narrow_after"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out, err = domain.migrate(seen, new, "--narrow")
    assert code == 1 and "switch the MX first" in err

    # a later run keeps the first sighting: the date does not move
    code, out, _ = domain.migrate(seen + dt.timedelta(seconds=max_age // 2 + 1), new)
    assert out["narrow_after"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")

    # the switch (outside the stack), seen at `switched`; narrowing refused before both dates
    domain.set_mx(new)
    for host in new:
        live.zone.add(host, "A", "127.0.0.1")
    switched = seen + dt.timedelta(seconds=max(1, max_age // 2))
    last = max(due, switched + dt.timedelta(seconds=mx_ttl))
    before = domain.path.read_bytes()
    if last > switched:
        code, out, err = domain.migrate(switched, new, "--narrow")
        assert code == 1 and "refused" in err and last.strftime("%Y-%m-%dT%H:%M:%SZ") in err
        assert load_stack_file(domain.path).policy.mx == widened.mx
        code, out, err = domain.migrate(last - dt.timedelta(seconds=1), new, "--narrow")
        assert code == 1, out
    else:
        domain.migrate(switched, new)

    # at the date: narrowed to the patterns that cover a new host; every live and new MX still covered
    code, out, err = domain.migrate(last, new, "--narrow")
    assert code == 0, err
    assert (out["state"], out["written"], out["record"]) == ("narrow", True, None)
    narrowed = load_stack_file(domain.path).policy
    assert uncovered(new, narrowed.mx) == []
    assert all(any(matches(h, [p]) for h in new) for p in narrowed.mx)
    _kept(before, domain.path.read_bytes())

    domain.deploy()
    code, out, _ = domain.migrate(last + dt.timedelta(days=1), new)
    assert (code, out["state"]) == (0, "done")


def test_losing_the_record_never_brings_the_date_earlier(live: LiveFixture, tmp_path: Path) -> None:
    domain = _publish(live, tmp_path, ["mx1.a.example"], "enforce", 604_800, "\n")
    new = ["mx1.b.example"]
    assert domain.migrate(T0, new)[0] == 0
    domain.deploy()
    _code, out, _ = domain.migrate(T0, new)
    due = out["narrow_after"]
    text = domain.path.read_text()
    domain.path.write_text("".join(line for line in text.splitlines(True) if "mta-sts migrate:" not in line))
    later = T0 + dt.timedelta(days=1)
    _code, out, _ = domain.migrate(later, new)
    assert out["narrow_after"] > due  # the sighting restarts and the old max_age counts as a year
    assert out["record"]["before_max_age"] is None and any("history" in w for w in out["warnings"])
    assert out["narrow_after"] == (later + dt.timedelta(seconds=31_557_600 + 120)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_policy_served_without_the_new_hosts_while_mx_moved_is_urgent(live: LiveFixture, tmp_path: Path) -> None:
    domain = _publish(live, tmp_path, ["mx1.a.example"], "enforce", 86_400, "\n")
    assert domain.migrate(T0, ["mx1.b.example"])[0] == 0
    domain.set_mx(["mx1.b.example"])  # switched before the widened policy was deployed
    code, out, _ = domain.migrate(T0, ["mx1.b.example"])
    assert (code, out["state"]) == (0, "deploy-widened")
    assert any("refuse it now" in w for w in out["warnings"])


def test_policy_host_trouble_is_exit_1_and_nothing_is_written(live: LiveFixture, tmp_path: Path) -> None:
    domain = _publish(live, tmp_path, ["mx1.a.example"], "enforce", 86_400, "\n")
    live.https.serve(policy_host(domain.name), Site(status=404), live.pki.server_context(policy_host(domain.name)))
    before = domain.path.read_bytes()
    code, out, err = domain.migrate(T0, ["mx1.b.example"])
    assert code == 1 and "HTTP 404" in err and domain.path.read_bytes() == before
    assert out["written"] is False and "HTTP 404" in out["error"]
    assert (
        sts_record_value(Policy.build("enforce", ["mx1.a.example"], 86_400).id)
        in live.zone.records[sts_record_name(domain.name)][0][1]
    )
