"""A fleet's unpinned CloudFront-hosted domains: the warning names each entry with the shard the
plan places it in, so the pins can go into the same change (docs/fleets.md, Stable shards)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.fleet_stack import load_fleet_config
from pulumi_mta_sts.core.shards import assign_shards
from pulumi_mta_sts.program.layouts import lifecycle_warnings


def fleet(n: int, pinned: set[int]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for i in range(n):
        entry: dict[str, Any] = {"domain": f"d{i}.example.com", "policy": {"mx": [f"mx.d{i}.example.com"]}}
        if i in pinned:
            entry["shard"] = i // 10
        entries.append(entry)
    return {
        "defaults": {"dns": {"provider": "route53"}, "policy": {"mode": "testing", "max_age": 86401}},
        "domains": entries,
    }


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1)))))
def test_the_warning_gives_every_unpinned_entry_its_planned_shard(case: tuple[int, set[int]]) -> None:
    n, pinned = case
    cfg = load_fleet_config(fleet(n, pinned))
    previous = {d.domain: d.shard for d in cfg.domains if d.shard is not None}
    shards = assign_shards([d.domain for d in cfg.domains], previous, 10)
    warnings = [w for w in lifecycle_warnings(cfg, shards=shards) if "pinned shard" in w]
    unpinned = [i for i in range(n) if i not in pinned]
    if not unpinned:
        assert warnings == []
        return
    [warning] = warnings
    assert warning.startswith(f"{len(unpinned)} CloudFront-hosted domains have no pinned shard")
    named = re.findall(r"mta-sts:domains\[(\d+)\] \(([^)]+)\): shard: (\d+)", warning)
    assert [int(i) for i, _, _ in named] == unpinned[:10]
    for i, domain, shard in named:
        assert domain == f"d{i}.example.com" and int(shard) == shards[domain]
    assert ("more" in warning) is (len(unpinned) > 10)
