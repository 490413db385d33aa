"""``mta-sts migrate`` on a fleet stack (``mta-sts:domains``): for generated fleets (several domains, some
with their own ``policy.mx`` as block or flow lists, some inheriting ``mta-sts:defaults.policy.mx``, with
comments, CRLF or LF) each step edits only the migrated domain's list item: every byte before and after
it is kept, inside it only the ``mx`` lines (and, for an inheriting domain, the ``policy:`` line that
gives it its own list) change, ``mta-sts:defaults`` and every other domain load as before, and each
domain's record is found again above its own item."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pulumi_mta_sts.config.fleet_stack import load_fleet_config
from pulumi_mta_sts.config.migrate_fleet import fleet_item
from pulumi_mta_sts.config.stack import load_deployment_file
from pulumi_mta_sts.config.stack_edit import EditRefused
from pulumi_mta_sts.core.migrate_steps import Record
from pulumi_mta_sts.core.policy import Policy
from pulumi_mta_sts.migrate.stack_mx import read_record, rewrite
from tests.livefixture import LiveFixture, live_fixture
from tests.migrate.world import Domain, with_ttls
from tests.strategies import hostname, mx_list

comment = st.text(alphabet="abc XYZ-:#'\"{}[]é", max_size=20).map(lambda s: "# " + s)
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
DEFAULT_MX = ["mx.default.example", "*.shared.example"]


@st.composite
def entries(draw: st.DrawFn, index: int) -> tuple[str, list[str] | None]:
    """One ``- domain:`` item (its lines, LF) and its own mx (``None``: inherited)."""
    domain = f"d{index}.fleet.example"
    lines = [f"    # {index}: {draw(comment)}"] if draw(st.booleans()) else []
    quoted = draw(st.sampled_from(["{}", "'{}'", '"{}"'])).format(domain)
    lines.append(f"    - domain: {quoted}")
    kind = draw(st.sampled_from(["block", "flow", "mode-only", "none"]))
    own = draw(mx_list) if kind in ("block", "flow") else None
    if kind != "none":
        lines += ["      policy:  " + draw(comment)]
        lines += ["        mode: enforce"] if kind == "mode-only" or draw(st.booleans()) else []
    if own is not None and kind == "flow":
        lines.append("        mx: [" + ", ".join(json.dumps(p) for p in own) + "]")
    elif own is not None:
        lines += ["        mx:", *[f"          - {json.dumps(p)}" for p in own]]
    if draw(st.booleans()):
        lines += ["      reporting:", "        rua: [mailto:tls@example.net]  " + draw(comment)]
    return "\n".join(lines) + "\n", own


@st.composite
def fleets(draw: st.DrawFn) -> tuple[str, list[list[str] | None], str]:
    """(the stack file, each domain's own mx, the line end)."""
    drawn = [draw(entries(i)) for i in range(draw(st.integers(2, 5)))]
    head = ["# a fleet", "config:", "  aws:region: eu-west-1  " + draw(comment), "  mta-sts:defaults:"]
    head += ["    dns: {provider: route53}", "    policy:", "      mode: testing", "      max_age: 86401"]
    head += ["      mx: [" + ", ".join(map(json.dumps, DEFAULT_MX)) + "]", "  mta-sts:domains:", ""]
    tail = "  " + draw(comment) + "\n  other:key: 'x'\n"
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = "\n".join(head) + "".join(t for t, _ in drawn) + tail
    return text.replace("\n", newline), [own for _, own in drawn], newline


def loaded_mx(text: str) -> dict[str, list[str]]:
    """Each domain's mx as the fleet loader reads the file (in the loader's order: compared sorted)."""
    config = yaml.safe_load(text)["config"]
    values = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("mta-sts:")}
    return {d.domain: sorted(d.policy.mx) for d in load_fleet_config(values).domains}


def _unchanged_lines(item: str) -> list[str]:
    """An item's lines that no mx edit may touch: all but ``mx:``, its block items and ``policy:``."""
    kept = []
    for line in item.splitlines(keepends=True):
        bare = line.strip()
        if bare.startswith(("mx:", '- "')) or bare.split("#")[0].strip() == "policy:":
            continue
        kept.append(line)
    return kept


@given(fleet=fleets(), target=st.integers(0, 4), new=mx_list)
def test_a_step_edits_only_that_domains_item(
    fleet: tuple[str, list[list[str] | None], str], target: int, new: list[str]
) -> None:
    text, own, _ = fleet
    index = target % len(own)
    domain = f"d{index}.fleet.example"
    before = loaded_mx(text)
    assert before[domain] == sorted(own[index] or DEFAULT_MX)
    item = fleet_item(text, None, domain)
    after = rewrite(text, None, tuple(new), None, domain)
    tail = len(text) - item.end
    assert after[: item.start] == text[: item.start] and after[len(after) - tail :] == text[item.end :]
    assert _unchanged_lines(after[item.start : len(after) - tail]) == _unchanged_lines(text[item.start : item.end])
    expected = dict(before) | {domain: sorted(new)}
    assert loaded_mx(after) == expected  # the defaults and the other domains load as before


@given(fleet=fleets(), to=st.lists(hostname, min_size=1, max_size=3), seconds=st.integers(0, 10**9))
def test_each_domains_record_is_found_again_above_its_own_item(
    fleet: tuple[str, list[list[str] | None], str], to: list[str], seconds: int
) -> None:
    text, own, _ = fleet
    seen = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    records = {
        f"d{i}.fleet.example": Record((*to, f"mx{i}.new.example"), i, "a", "b", seen, None, i, 60)
        for i in range(len(own))
    }
    with_records = text
    for domain, record in records.items():
        with_records = rewrite(with_records, None, None, record, domain)
    assert yaml.safe_load(with_records) == yaml.safe_load(text)  # comments: the stack deploys the same
    for domain, record in records.items():
        assert read_record(with_records, None, domain) == record
        above = with_records[: fleet_item(with_records, None, domain).start].splitlines()[-1]
        assert above.startswith("    # mta-sts migrate: ") and f'"{record.to[-1]}"' in above
    for domain in records:
        with_records = rewrite(with_records, None, None, None, domain)
    assert with_records == text
    assert all(read_record(text, None, d) is None for d in records)


def test_a_record_of_another_domain_is_not_used() -> None:
    text = "config:\n  mta-sts:domains:\n    - domain: a.example\n    - domain: b.example\n"
    record = Record(("mx.new.example",), 60, None, None, None, None, 0, 0)
    written = rewrite(text, None, None, record, "b.example")
    assert written.splitlines()[3].startswith("    # mta-sts migrate: ")
    assert read_record(written, None, "b.example") == record and read_record(written, None, "a.example") is None


@pytest.mark.parametrize(
    ("domains", "reason"),
    [
        ("    - {domain: a.example, policy: {mx: [a.example]}}\n", "entries in flow style ({domain: ...}) cannot"),
        ("  [{domain: a.example}]\n", "flow style"),
        (
            "    - domain: a.example\n      policy: {mx: [a.example]}\n",
            "has no mx list under mta-sts:domains[0].policy",
        ),
        (
            "    - domain: a.example\n      policy: &p\n        mx: [a.example]\n"
            "    - domain: b.example\n      policy: *p\n",
            "anchors or aliases",
        ),
        ("    - domain: b.example\n", "has no entry for a.example"),
        ("    -\n      domain: a.example\n", "not written as '- domain: ...'"),
        ("    - domain: >-\n        a.example\n", "has no entry for a.example"),
    ],
)
def test_what_cannot_be_edited_in_place_is_refused(domains: str, reason: str) -> None:
    with pytest.raises(EditRefused, match=re.escape(reason)):
        rewrite(
            "config:\n  mta-sts:domains:\n" + domains.replace("  [", "    ["), None, ("b.example",), None, "a.example"
        )


class FleetDomain(Domain):
    """A domain of the fleet stack ``fleet`` in the loopback world: deployed from its fleet entry."""

    @property
    def stack(self) -> str:
        return "fleet"

    def policy(self) -> Policy:
        return next(d.policy for d in load_deployment_file(self.path).domains if d.domain == self.name)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveFixture]:
    with live_fixture() as fixture:
        with_ttls(fixture, {})
        yield fixture


def test_a_fleet_domain_migrates_live_and_only_its_entry_changes(live: LiveFixture, tmp_path: Path) -> None:
    """Widen, wait, switch, narrow for the inheriting domain of a three-domain fleet: the CLI writes
    its own ``policy.mx`` and its record above its entry; the others and the defaults stay as written."""
    names = [f"f{i}.fleetmigrate.test" for i in range(3)]
    domains = [FleetDomain(live, name, tmp_path) for name in names]
    items = f"    - domain: {names[0]}\n      policy: {{mx: [mx.f0.example]}}\n    - domain: {names[1]}\n"
    items += f"    # the inheriting one\n    - domain: {names[2]}\n      policy:\n        mx: [mx.f2.example]\n"
    text = "config:\n  mta-sts:defaults:\n    dns: {provider: route53}\n"
    text += '    policy:\n      mode: enforce\n      max_age: 86400\n      mx: ["mx1.old.example"]\n'
    domains[0].path.write_text(text + "  mta-sts:domains:\n" + items)
    for domain, old in zip(domains, ["mx.f0.example", "mx1.old.example", "mx.f2.example"], strict=True):
        domain.set_mx([old])
        domain.deploy()
    moving, new = domains[1], ["mx1.new.example"]
    before = moving.path.read_text()
    code, out, err = moving.migrate(T0, new)
    assert (code, out["state"], out["written"]) == (0, "widen", True), err
    widened = moving.path.read_text()
    assert widened.startswith(before[: before.index(f"    - domain: {names[1]}")] + "    # mta-sts migrate: ")
    assert widened.endswith(before[before.index("    # the inheriting one") :])
    assert loaded(moving.path) == {
        names[0]: ["mx.f0.example"],
        names[1]: [*new, "mx1.old.example"],
        names[2]: ["mx.f2.example"],
    }
    moving.deploy()
    assert moving.migrate(T0, new)[1]["state"] == "wait"
    moving.set_mx(new)
    code, out, err = moving.migrate(T0 + dt.timedelta(hours=1), new, "--narrow")
    assert code == 1 and "narrowing refused before 2026-12-08T09:02:00Z" in err  # seen T0 + 86400 + TTLs
    assert loaded(moving.path)[names[1]] == [*new, "mx1.old.example"]
    code, out, err = moving.migrate(T0 + dt.timedelta(days=2), new, "--narrow")
    assert (code, out["state"], out["record"]) == (0, "narrow", None), err
    assert moving.path.read_text() == before.replace(
        f"    - domain: {names[1]}\n", f'    - domain: {names[1]}\n      policy:\n        mx:\n          - "{new[0]}"\n'
    )
    moving.deploy()
    assert moving.migrate(T0 + dt.timedelta(days=3), new)[1]["state"] == "done"


def loaded(path: Path) -> dict[str, list[str]]:
    return {d.domain: sorted(d.policy.mx) for d in load_deployment_file(path).domains}
