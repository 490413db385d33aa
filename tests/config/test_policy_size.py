"""A policy too large for senders is refused when the stack config is loaded, naming
``mta-sts:policy`` and the size (issue 11 §1: senders fetch at most 64 KiB)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.acceptance import MAX_POLICY_BYTES
from pulumi_mta_sts.core.errors import InputError

LABEL = "a-long-label-that-makes-every-pattern-big"


def _config(count: int) -> dict[str, object]:
    patterns = [f"mx{i}.{LABEL}.example.com" for i in range(count)]
    return {"domain": "example.com", "dns": {"provider": "route53"}, "policy": {"mode": "testing", "mx": patterns}}


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1400, max_value=3000))
def test_an_oversized_policy_names_the_policy_key_and_its_size(count: int) -> None:
    with pytest.raises(InputError) as err:
        load_stack_config(_config(count))
    [problem] = err.value.problems
    assert problem.field == "mta-sts:policy"
    assert f"at most {MAX_POLICY_BYTES} bytes" in problem.reason and str(problem.value) in problem.reason


def test_a_policy_just_under_the_cap_is_accepted() -> None:
    cfg = load_stack_config(_config(1000))
    assert len(cfg.policy.render_bytes()) <= MAX_POLICY_BYTES
