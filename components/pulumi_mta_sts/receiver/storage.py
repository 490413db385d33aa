"""The receiver's storage: one private, encrypted, versioned bucket with retention rules.

Raw mail and bodies go under ``raw/``, parsed reports under ``reports/``, what could not be
parsed or is about a foreign domain under ``quarantine/``, test reports under ``test/``. ``raw/``
and ``quarantine/`` expire after the configured days; old versions after
:data:`NONCURRENT_VERSION_DAYS`. Junk is kept briefly, since anyone can send it: test reports
for :data:`TEST_REPORT_DAYS`, a raw object the function tagged ``JUNK_TAG``
(:mod:`~pulumi_mta_sts.receiver_lambda.handler`: nothing in it was stored) as long as the
quarantine, and old versions of both a day. Delete markers whose object has no version left
(an *expired object delete marker*) are removed (:data:`DELETE_MARKER_RULE`): nothing else
removes them under ``reports/`` and ``tables/``, where nothing expires. The bucket itself is the
toolkit's one private bucket set-up (:func:`~pulumi_mta_sts.hosting.private_bucket.private_bucket`),
made with ``force_destroy`` only when the receiver's ``force_destroy`` setting asks for it.

Deployed state is a contract: each rule keeps its ``id`` and meaning, and a new rule is appended
last, so a deployed stack's preview shows it as one added rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from pulumi_mta_sts.core.names import S3_BUCKET, autoname_base
from pulumi_mta_sts.hosting.private_bucket import BucketNames, private_bucket
from pulumi_mta_sts.receiver_lambda.handler import JUNK_TAG

from .analytics import RESULTS_PREFIX, RESULTS_RETENTION_DAYS
from .args import CheckedReceiverArgs
from .documents import bucket_policy_document

__all__ = ["DELETE_MARKER_RULE", "ReportStorage", "create_storage"]

#: Days an overwritten or deleted object's old version is kept.
NONCURRENT_VERSION_DAYS = 30
#: Days an old version of junk (quarantined or test) is kept: junk is not worth a month.
JUNK_NONCURRENT_DAYS = 1
#: Days test reports (``mta-sts receiver test``, stored under ``test/``) are kept.
TEST_REPORT_DAYS = 7
#: Days before an unfinished multipart upload is cleaned up.
ABORT_MULTIPART_DAYS = 7
#: The rule that removes expired object delete markers, bucket-wide. S3 takes
#: ``ExpiredObjectDeleteMarker`` only in an expiration without ``Days`` or ``Date``, so it is a
#: rule of its own (not part of ``old-versions``), and every rule needs a filter (``prefix: ""``:
#: the whole bucket). S3 removes a marker once its object has no noncurrent version left, which
#: ``old-versions`` ensures after :data:`NONCURRENT_VERSION_DAYS` days.
DELETE_MARKER_RULE = "expired-delete-markers"


@dataclass(frozen=True)
class ReportStorage:
    """The reports bucket and its policy (the receipt rule waits for the policy: SES checks it
    may write before it accepts the rule)."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def create_storage(
    receiver: CheckedReceiverArgs,
    *,
    parent: pulumi.Resource,
    account: pulumi.Input[str],
    rule_arn: pulumi.Input[str],
) -> ReportStorage:
    """Create the bucket, its versioning, lifecycle and policy as children of ``parent``. Only
    SES acting for ``rule_arn`` in ``account`` may write raw mail into it."""
    name, region = receiver.name, receiver.region
    names = BucketNames(
        bucket=autoname_base(S3_BUCKET, name, "reports"),
        ownership=f"{name}-reports-ownership",
        public_access=f"{name}-reports-private",
        encryption=f"{name}-reports-encryption",
    )
    force_destroy = receiver.settings.force_destroy
    private = private_bucket(names, parent=parent, region=region, bucket_key=True, force_destroy=force_destroy)
    bucket = private.bucket
    versioning = aws.s3.BucketVersioning(
        f"{name}-reports-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        region=region,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-reports-lifecycle",
        bucket=bucket.id,
        rules=_lifecycle_rules(receiver),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    document = pulumi.Output.all(bucket_arn=bucket.arn, account=account, rule_arn=rule_arn).apply(
        lambda arns: bucket_policy_document(**arns)
    )
    policy = aws.s3.BucketPolicy(
        f"{name}-reports-policy",
        bucket=bucket.id,
        policy=document,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.public_access]),
    )
    return ReportStorage(bucket=bucket, policy=policy)


def _results_rules(receiver: CheckedReceiverArgs) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    """With ``analytics``: Athena's query results (``results/``) expire; a query can be run again."""
    if not receiver.settings.analytics:
        return []
    return [
        {
            "id": "athena-results-retention",
            "status": "Enabled",
            "filter": {"prefix": RESULTS_PREFIX},
            "expiration": {"days": RESULTS_RETENTION_DAYS},
            "noncurrent_version_expiration": {"noncurrent_days": JUNK_NONCURRENT_DAYS},
        }
    ]


def _lifecycle_rules(receiver: CheckedReceiverArgs) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    """Retention per prefix; S3 applies the shortest expiration when several rules match."""
    settings = receiver.settings
    junk_days = settings.quarantine_retention_days
    return [
        {
            "id": "raw-retention",
            "status": "Enabled",
            "filter": {"prefix": "raw/"},
            "expiration": {"days": settings.raw_retention_days},
        },
        {
            "id": "quarantine-retention",
            "status": "Enabled",
            "filter": {"prefix": "quarantine/"},
            "expiration": {"days": junk_days},
            "noncurrent_version_expiration": {"noncurrent_days": JUNK_NONCURRENT_DAYS},
        },
        {
            "id": "raw-junk-retention",
            "status": "Enabled",
            "filter": {"and_": {"prefix": "raw/", "tags": dict(JUNK_TAG)}},
            "expiration": {"days": min(junk_days, settings.raw_retention_days)},
            "noncurrent_version_expiration": {"noncurrent_days": JUNK_NONCURRENT_DAYS},
        },
        {
            "id": "test-retention",
            "status": "Enabled",
            "filter": {"prefix": "test/"},
            "expiration": {"days": TEST_REPORT_DAYS},
            "noncurrent_version_expiration": {"noncurrent_days": JUNK_NONCURRENT_DAYS},
        },
        *_results_rules(receiver),
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
