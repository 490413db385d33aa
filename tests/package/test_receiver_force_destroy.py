"""The package input ``settings.forceDestroy`` (issue 22): additive, off by default, reaching the
reports bucket exactly as the Python setting does, and checked before anything registers."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_mta_sts.core.errors import InputError
from pulumi_mta_sts.package import TlsRptReceiver
from tests.pulumi_mock import make_recorder

from .equivalence import record
from .programs import RECEIVER_INPUTS
from .test_package import construct

BUCKET = "aws:s3/bucket:Bucket"


def _receiver_inputs(**settings: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {**RECEIVER_INPUTS, "settings": {**RECEIVER_INPUTS["settings"], **settings}}
    return inputs


@pytest.mark.parametrize("force", [True, False])
def test_force_destroy_through_the_provider_reaches_the_reports_bucket(force: bool) -> None:
    inputs = {
        "domain": "example.com",
        "dns": {"provider": "route53", "zoneId": RECEIVER_INPUTS["dns"].get("zone_id")},
        "settings": {"region": "eu-west-1", "ruleSetName": "default-rule-set", "forceDestroy": force},
    }
    built = record(lambda: construct("mta-sts:index:TlsRptReceiver", inputs, "reports"))
    assert built.one(BUCKET).inputs["forceDestroy"] is force


def test_without_it_the_bucket_is_kept_as_before() -> None:
    built = record(lambda: TlsRptReceiver("reports", RECEIVER_INPUTS))
    assert built.one(BUCKET).inputs["forceDestroy"] is False


@pytest.mark.parametrize("value", ["yes", 1, {"on": True}])
def test_a_value_that_is_not_a_switch_is_refused_before_anything_registers(value: object) -> None:
    recorder = make_recorder().install(project="mta-sts", stack="test")
    try:
        with pytest.raises(InputError) as caught:
            recorder.run(lambda: TlsRptReceiver("reports", _receiver_inputs(force_destroy=value)))  # type: ignore[arg-type]
    finally:
        recorder.close()
    assert [p.field for p in caught.value.problems] == ["force_destroy"]
    assert recorder.resources == []
