"""Issue 22: ``pulumi destroy`` of a receiver can complete, and delete markers do not pile up.

Under the mock engine (the inputs the providers would get): the Athena workgroup is always made
with ``forceDestroy`` (Athena refuses to delete a workgroup that ran queries otherwise); the
reports bucket gets ``forceDestroy`` only when the receiver's ``force_destroy`` setting asks for
it (reports are data); the lifecycle configuration gains exactly one rule, last, that removes
expired object delete markers, every earlier rule keeping its id and meaning. moto then takes the
planned configuration as S3 would (``PutBucketLifecycleConfiguration``: it refuses
``ExpiredObjectDeleteMarker`` beside ``Days`` or ``Date``, and a rule without a filter).
"""

from __future__ import annotations

import copy
from typing import Any, Final

import boto3
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from pulumi_mta_sts.dns import Route53Dns, Route53DnsArgs
from pulumi_mta_sts.receiver.component import TlsRptReceiver, TlsRptReceiverArgs
from pulumi_mta_sts.receiver.storage import DELETE_MARKER_RULE
from pulumi_mta_sts.spec.receiver_settings import ReceiverSettings
from tests.pulumi_mock import Recorder, make_recorder

REGION: Final = "eu-west-1"
BUCKET = "aws:s3/bucket:Bucket"
WORKGROUP = "aws:athena/workgroup:Workgroup"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"

#: The rules a receiver with the default settings had before issue 22, as the engine records them
#: (tests/plan/golden/example-net.json before the change): deployed state, kept rule for rule.
RULES_BEFORE: list[dict[str, Any]] = [
    {"id": "raw-retention", "status": "Enabled", "filter": {"prefix": "raw/"}, "expiration": {"days": 365}},
    {
        "id": "quarantine-retention",
        "status": "Enabled",
        "filter": {"prefix": "quarantine/"},
        "expiration": {"days": 90},
        "noncurrentVersionExpiration": {"noncurrentDays": 1},
    },
    {
        "id": "raw-junk-retention",
        "status": "Enabled",
        "filter": {"and": {"prefix": "raw/", "tags": {"tlsrpt-outcome": "quarantined"}}},
        "expiration": {"days": 90},
        "noncurrentVersionExpiration": {"noncurrentDays": 1},
    },
    {
        "id": "test-retention",
        "status": "Enabled",
        "filter": {"prefix": "test/"},
        "expiration": {"days": 7},
        "noncurrentVersionExpiration": {"noncurrentDays": 1},
    },
    {
        "id": "athena-results-retention",
        "status": "Enabled",
        "filter": {"prefix": "results/"},
        "expiration": {"days": 30},
        "noncurrentVersionExpiration": {"noncurrentDays": 1},
    },
    {
        "id": "old-versions",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "noncurrentVersionExpiration": {"noncurrentDays": 30},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
    },
]
NEW_RULE: dict[str, Any] = {
    "id": DELETE_MARKER_RULE,
    "status": "Enabled",
    "filter": {"prefix": ""},
    "expiration": {"expiredObjectDeleteMarker": True},
}


def deploy(mocks: Recorder, **changes: Any) -> Recorder:
    """A receiver for example.com with the default settings, ``changes`` applied."""
    chosen = ReceiverSettings(region=REGION, rule_set_name="default-rule-set", **changes)

    def program() -> None:
        dns = Route53Dns("dns", Route53DnsArgs(zone_id="Z0123456789EXAMPLE"))
        TlsRptReceiver("tlsrpt", TlsRptReceiverArgs("example.com", dns, chosen))

    mocks.run(program)
    return mocks


def planned(**changes: Any) -> Recorder:
    """A closed recorder of :func:`deploy` (for generated cases: one fresh engine each)."""
    recorder = make_recorder().install(project="mta-sts", stack="test")
    try:
        return deploy(recorder, **changes)
    finally:
        recorder.close()


def rules_of(mocks: Recorder) -> list[dict[str, Any]]:
    return list(mocks.one(LIFECYCLE).inputs["rules"])


# ---- the Athena workgroup ------------------------------------------------------------------------


def test_the_workgroup_is_forced_so_a_destroy_can_delete_it_after_queries(pulumi_mocks: Recorder) -> None:
    workgroup = deploy(pulumi_mocks).one(WORKGROUP)
    assert workgroup.inputs["forceDestroy"] is True


def test_without_analytics_there_is_no_workgroup_to_force(pulumi_mocks: Recorder) -> None:
    assert deploy(pulumi_mocks, analytics=False).of_type(WORKGROUP) == []


# ---- the reports bucket --------------------------------------------------------------------------


def test_by_default_the_reports_bucket_is_never_emptied_by_a_destroy(pulumi_mocks: Recorder) -> None:
    [bucket] = [b for b in deploy(pulumi_mocks).of_type(BUCKET) if b.name.startswith("tlsrpt-")]
    assert bucket.inputs["forceDestroy"] is False  # exactly what a deployed stack has: no diff


def test_force_destroy_is_given_to_the_reports_bucket_only(pulumi_mocks: Recorder) -> None:
    deploy(pulumi_mocks, force_destroy=True)
    bucket = pulumi_mocks.one(BUCKET)
    assert bucket.name == "tlsrpt-reports" and bucket.inputs["forceDestroy"] is True


# ---- the lifecycle rules -------------------------------------------------------------------------


def test_existing_rules_keep_their_ids_and_meaning_and_one_rule_is_appended(pulumi_mocks: Recorder) -> None:
    assert rules_of(deploy(pulumi_mocks)) == [*RULES_BEFORE, NEW_RULE]


def test_without_analytics_only_the_results_rule_is_absent(pulumi_mocks: Recorder) -> None:
    before = [r for r in RULES_BEFORE if r["id"] != "athena-results-retention"]
    assert rules_of(deploy(pulumi_mocks, analytics=False)) == [*before, NEW_RULE]


def _whole(value: Any) -> Any:
    """The engine passes numbers as floats (``365.0``); S3's API takes whole days."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def s3_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A recorded rule (the provider's camelCase inputs) as S3's API takes it."""
    out: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"], "Filter": _s3_filter(rule["filter"])}
    if "expiration" in rule:
        names = {"days": "Days", "date": "Date", "expiredObjectDeleteMarker": "ExpiredObjectDeleteMarker"}
        out["Expiration"] = {names[k]: _whole(v) for k, v in rule["expiration"].items()}
    if "noncurrentVersionExpiration" in rule:
        days = _whole(rule["noncurrentVersionExpiration"]["noncurrentDays"])
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
    if "abortIncompleteMultipartUpload" in rule:
        days = _whole(rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"])
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


def _s3_filter(given: dict[str, Any]) -> dict[str, Any]:
    if "and" in given:
        tags = [{"Key": k, "Value": v} for k, v in given["and"]["tags"].items()]
        return {"And": {"Prefix": given["and"]["prefix"], "Tags": tags}}
    return {"Prefix": given["prefix"]}


def put_into_s3(rules: list[dict[str, Any]]) -> list[str]:
    """Put ``rules`` on a versioned bucket of moto's S3 and return the ids S3 keeps."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket="reports", VersioningConfiguration={"Status": "Enabled"})
        configuration: Any = {"Rules": [s3_rule(r) for r in rules]}
        s3.put_bucket_lifecycle_configuration(Bucket="reports", LifecycleConfiguration=configuration)
        kept = s3.get_bucket_lifecycle_configuration(Bucket="reports")["Rules"]
    return [str(r["ID"]) for r in kept]


#: Each case runs the whole receiver under the engine: no shrinking (a failure names its inputs anyway).
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    raw=st.integers(min_value=1, max_value=36500),
    quarantine=st.integers(min_value=1, max_value=36500),
    analytics=st.booleans(),
)
def test_every_planned_configuration_is_one_s3_takes(raw: int, quarantine: int, analytics: bool) -> None:
    rules = rules_of(planned(raw_retention_days=raw, quarantine_retention_days=quarantine, analytics=analytics))
    assert rules[-1] == NEW_RULE  # last: a deployed stack's preview shows one rule added
    assert [r["id"] for r in rules if "expiredObjectDeleteMarker" in r.get("expiration", {})] == [DELETE_MARKER_RULE]
    assert all("filter" in r for r in rules)
    assert put_into_s3(rules) == [r["id"] for r in rules]


def test_s3_refuses_the_marker_rule_merged_into_an_expiration_with_days() -> None:
    """What the separate rule avoids: moto answers as S3 does (MalformedXML)."""
    merged = copy.deepcopy(RULES_BEFORE)
    merged[0]["expiration"]["expiredObjectDeleteMarker"] = True
    with pytest.raises(Exception, match="MalformedXML"):
        put_into_s3(merged)


def test_s3_refuses_a_rule_without_a_filter() -> None:
    unfiltered = s3_rule(NEW_RULE)
    del unfiltered["Filter"]
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
        configuration: Any = {"Rules": [unfiltered]}
        with pytest.raises(Exception, match="MalformedXML"):
            s3.put_bucket_lifecycle_configuration(Bucket="reports", LifecycleConfiguration=configuration)
