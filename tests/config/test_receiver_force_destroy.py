"""``mta-sts:reporting.receiver.force_destroy`` (issue 22): a switch, off by default, checked like
every receiver setting. A wrong value of any type is one problem naming the key, from the stack
file, from ``ReceiverSettings`` (library and package users) and from ``mta-sts plan`` (exit 2, one
line, no traceback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.cli import main
from pulumi_mta_sts.config import load_stack_config
from pulumi_mta_sts.core import defaults
from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.spec import ReceiverSettings
from pulumi_mta_sts.spec.receiver_settings import check_receiver_settings

ROOT = Path(__file__).resolve().parents[2]
KEY = "mta-sts:reporting.receiver.force_destroy"


def stack(value: object) -> dict[str, Any]:
    receiver = {"region": "eu-west-1", "rule_set_name": "default-rule-set", "force_destroy": value}
    return {
        "domain": "example.com",
        "dns": {"provider": "route53"},
        "policy": {"mx": ["mx1.example.com"]},
        "reporting": {"receiver": receiver},
    }


def _is_switch_text(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("true", "false")


#: Anything a stack file or a program could hold that is not a switch (``None`` means "not set").
NOT_A_SWITCH = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12).filter(lambda t: not _is_switch_text(t)),
    st.lists(st.booleans(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.booleans(), max_size=2),
)


def test_it_is_off_by_default_everywhere() -> None:
    assert defaults.RECEIVER_FORCE_DESTROY is False
    assert ReceiverSettings().force_destroy is False
    assert load_stack_config(stack(None)).reporting.receiver.settings.force_destroy is False


@pytest.mark.parametrize(("given", "read"), [(True, True), (False, False), (" TRUE ", True), ("false", False)])
def test_a_switch_is_read_as_the_other_switches_are(given: object, read: bool) -> None:
    assert load_stack_config(stack(given)).reporting.receiver.settings.force_destroy is read


@settings(deadline=None)
@given(NOT_A_SWITCH)
def test_any_other_value_in_the_stack_file_is_one_problem_naming_the_key(value: object) -> None:
    with pytest.raises(InputError) as caught:
        load_stack_config(stack(value))
    [problem] = caught.value.problems
    assert problem.field == KEY and "must be true or false" in problem.reason


@settings(deadline=None)
@given(NOT_A_SWITCH)
def test_any_other_value_given_to_the_settings_is_one_problem_naming_it(value: object) -> None:
    settings = ReceiverSettings(region="eu-west-1", rule_set_name="r", force_destroy=value)  # type: ignore[arg-type]
    [problem] = check_receiver_settings("example.com", settings)
    assert problem.field == "force_destroy" and "must be true or false" in problem.reason


@pytest.mark.parametrize("value", ["maybe", 1, [True]])
def test_plan_says_it_in_one_line_and_exits_2(
    value: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "stacks" / "Pulumi.example-net.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    config["config"]["mta-sts:reporting"]["receiver"]["force_destroy"] = value
    (tmp_path / "Pulumi.x.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    code = main(["plan", "--stack", "x", "--stacks-dir", str(tmp_path), "--no-live-dns"])
    err = capsys.readouterr().err
    assert code == 2
    [line] = err.splitlines()
    assert "reporting.receiver.force_destroy" in line and "Traceback" not in err
