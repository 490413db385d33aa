"""The receiver's bucket (the toolkit's private bucket, versioned) and its retention rules: junk is
kept briefly since anyone can send it. Each rule keeps its ``id`` and meaning; a new rule goes last.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import S3_BUCKET, autoname_base
from pulumi_mta_sts.hosting.private_bucket import BucketNames, private_bucket
from pulumi_mta_sts.receiver_lambda.contract import JUNK_TAG, QUARANTINE_PREFIX, RAW_PREFIX, RESULTS_PREFIX, TEST_PREFIX

from .analytics import RESULTS_RETENTION_DAYS
from .args import CheckedReceiverArgs
from .documents import bucket_policy_document

#: Days an overwritten or deleted object's old version is kept.
NONCURRENT_VERSION_DAYS = 30
#: Days an old version of junk (quarantined or test) is kept: junk is not worth a month.
JUNK_NONCURRENT_DAYS = 1
#: Days test reports (``mta-sts receiver test``, stored under ``test/``) are kept.
TEST_REPORT_DAYS = 7
ABORT_MULTIPART_DAYS = 7
#: The rule that removes expired object delete markers. S3 takes ``ExpiredObjectDeleteMarker`` only
#: in an expiration without ``Days``, so it is a rule of its own; ``prefix: ""`` is the whole bucket.
DELETE_MARKER_RULE = "expired-delete-markers"

_Rule = aws.s3.BucketLifecycleConfigurationRuleArgsDict


@dataclass(frozen=True)
class ReportStorage:
    """The bucket and its policy (the receipt rule waits for the policy: SES checks it may write)."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def create_storage(
    receiver: CheckedReceiverArgs, *, parent: pulumi.Resource, account: pulumi.Input[str], rule_arn: pulumi.Input[str]
) -> ReportStorage:
    """The bucket, its versioning, lifecycle and policy (only SES acting for ``rule_arn`` writes mail)."""
    name, region = receiver.name, receiver.region
    names = BucketNames(
        bucket=autoname_base(S3_BUCKET, name, "reports"),
        ownership=f"{name}-reports-ownership",
        public_access=f"{name}-reports-private",
        encryption=f"{name}-reports-encryption",
    )
    force_destroy = receiver.settings.force_destroy
    private = private_bucket(names, parent=parent, region=region, bucket_key=True, force_destroy=force_destroy)
    bucket, child = private.bucket, pulumi.ResourceOptions(parent=parent)
    versioning = aws.s3.BucketVersioning(
        f"{name}-reports-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        region=region,
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-reports-lifecycle",
        bucket=bucket.id,
        rules=_lifecycle_rules(receiver),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    arns = pulumi.Output.all(bucket_arn=bucket.arn, account=account, rule_arn=rule_arn)
    policy = aws.s3.BucketPolicy(
        f"{name}-reports-policy",
        bucket=bucket.id,
        policy=arns.apply(lambda named: bucket_policy_document(**named)),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.public_access]),
    )
    return ReportStorage(bucket=bucket, policy=policy)


def _expiring(rule_id: str, prefix: str, days: int, *, junk: bool = True, tagged: bool = False) -> _Rule:
    """Objects under ``prefix`` (``tagged``: junk only) expire after ``days``; junk's old versions sooner."""
    rule: _Rule = {
        "id": rule_id,
        "status": "Enabled",
        "filter": {"and_": {"prefix": prefix, "tags": dict(JUNK_TAG)}} if tagged else {"prefix": prefix},
        "expiration": {"days": days},
    }
    if junk:
        rule["noncurrent_version_expiration"] = {"noncurrent_days": JUNK_NONCURRENT_DAYS}
    return rule


def _lifecycle_rules(receiver: CheckedReceiverArgs) -> list[_Rule]:
    """Retention per prefix; S3 applies the shortest expiration when several rules match."""
    settings = receiver.settings
    raw_days, junk_days = settings.raw_retention_days, settings.quarantine_retention_days
    results = [_expiring("athena-results-retention", RESULTS_PREFIX, RESULTS_RETENTION_DAYS)]
    return [
        _expiring("raw-retention", RAW_PREFIX, raw_days, junk=False),
        _expiring("quarantine-retention", QUARANTINE_PREFIX, junk_days),
        _expiring("raw-junk-retention", RAW_PREFIX, min(junk_days, raw_days), tagged=True),
        _expiring("test-retention", TEST_PREFIX, TEST_REPORT_DAYS),
        *(results if settings.analytics else []),
        {
            "id": "old-versions",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_VERSION_DAYS},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_MULTIPART_DAYS},
        },
        {
            "id": DELETE_MARKER_RULE,
            "status": "Enabled",
            "filter": {"prefix": ""},
            "expiration": {"expired_object_delete_marker": True},
        },
    ]
