"""A ``_smtp._tls`` record too long for the DNS providers is refused when the stack config is loaded,
naming ``mta-sts:reporting.rua`` (and, from the CLI, the stack file): before, each URI was checked
when loaded but the whole record only when it was built, and the problem named ``rua`` alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.config.fleet_stack import load_fleet_config
from pulumi_mta_sts.config.stack import load_stack_config
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.core.records import tlsrpt_record_value
from tests.cli.test_hostile_files import cli

POLICY = {"mode": "testing", "mx": ["mx1.example.com"]}

#: ``count`` valid mailto: URIs with local parts and host labels as long as drawn: lists within the providers'
#: limits and lists past them (a list of generated items this long is more than Hypothesis draws at once).
ruas = st.builds(
    lambda count, local, host: [f"mailto:r{i}{'a' * local}@{'h' * host}{i}.example.net" for i in range(count)],
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=50),
)


def _too_long(uris: list[str]) -> bool:
    try:
        tlsrpt_record_value(uris)
    except InputError:
        event("too long")
        return True
    event("within the limits")
    return False


@settings(max_examples=60, deadline=None)
@given(ruas)
def test_a_stack_is_refused_exactly_when_its_record_is_too_long(uris: list[str]) -> None:
    values = {"domain": "example.com", "dns": {"provider": "route53"}, "policy": POLICY, "reporting": {"rua": uris}}
    if not _too_long(uris):
        assert load_stack_config(values).reporting.rua == tuple(uris)
        return
    with pytest.raises(InputError) as err:
        load_stack_config(values)
    [problem] = err.value.problems
    assert problem.field == "mta-sts:reporting.rua" and "makes a TXT value of" in problem.reason


@settings(max_examples=30, deadline=None)
@given(ruas, st.booleans())
def test_a_fleet_names_where_the_long_list_was_written(uris: list[str], in_defaults: bool) -> None:
    own = {"domain": "b.example", "reporting": {"rua": uris}}
    defaults = {"dns": {"provider": "route53"}, "policy": POLICY, "reporting": {"rua": uris if in_defaults else []}}
    values = {"defaults": defaults, "domains": [{"domain": "a.example"}, {} if in_defaults else own]}
    values["domains"] = [d for d in values["domains"] if d] or [{"domain": "a.example"}]
    if not _too_long(uris):
        load_fleet_config(values)
        return
    with pytest.raises(InputError) as err:
        load_fleet_config(values)
    fields = {problem.field for problem in err.value.problems}
    assert all(field.endswith("reporting.rua") for field in fields)
    assert ("mta-sts:defaults.reporting.rua" in fields) == in_defaults


def test_render_names_the_stack_file_and_the_key(tmp_path: Path) -> None:
    uris = "".join(f"\n      - mailto:reports-{i}-{'y' * 40}@example.net" for i in range(100))
    stack = tmp_path / "Pulumi.too-long.yaml"
    stack.write_text(
        "config:\n  mta-sts:domain: example.com\n  mta-sts:dns:\n    provider: route53\n"
        "  mta-sts:policy:\n    mode: testing\n    mx: [mx1.example.com]\n"
        f"  mta-sts:reporting:\n    rua:{uris}\n"
    )
    code, out, err = cli("render", "--stack", "too-long", "--stacks-dir", str(tmp_path))
    assert code == 2 and not out
    assert err.startswith("mta-sts render: Pulumi.too-long.yaml: mta-sts:reporting.rua: makes a TXT value of")
    assert "Traceback" not in err
