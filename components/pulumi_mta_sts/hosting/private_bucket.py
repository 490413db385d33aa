"""The one way this toolkit makes an S3 bucket (the policy hosts' and the TLS-RPT receiver's), so
the set-up cannot drift apart: ``BucketOwnerEnforced`` (no ACLs), all four public-access blocks, SSE-S3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from pulumi_mta_sts.core.errors import provider_sdk

with provider_sdk("PrivateBucket"):
    import pulumi_aws as aws


@dataclass(frozen=True)
class BucketNames:
    """Resource names of the bucket and its three set-up resources."""

    bucket: str
    ownership: str
    public_access: str
    encryption: str

    @classmethod
    def around(cls, bucket: str, prefix: str) -> BucketNames:
        """``bucket`` and ``<prefix>-ownership``, ``-public-access``, ``-encryption``."""
        return cls(bucket, f"{prefix}-ownership", f"{prefix}-public-access", f"{prefix}-encryption")


@dataclass(frozen=True)
class PrivateBucket:
    """The bucket and its set-up resources (ownership, public access, encryption); anything written
    to it waits for :attr:`setup`, and a bucket policy for :attr:`public_access` (S3 refuses policies
    the block would forbid)."""

    bucket: aws.s3.Bucket
    public_access: aws.s3.BucketPublicAccessBlock
    setup: list[pulumi.Resource]


def private_bucket(
    names: BucketNames,
    *,
    parent: pulumi.Resource,
    region: str | None = None,
    tags: dict[str, str] | None = None,
    bucket_key: bool = False,
    force_destroy: bool = False,
) -> PrivateBucket:
    """A private bucket, child of ``parent``. ``bucket_key`` cuts request costs for many small objects;
    without ``force_destroy``, S3 keeps a bucket that is not empty from a stray destroy."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(names.bucket, force_destroy=force_destroy, tags=tags, region=region, opts=child)
    ownership = aws.s3.BucketOwnershipControls(
        names.ownership, bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, region=region, opts=child
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        names.public_access,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=child,
    )
    rule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        ),
        bucket_key_enabled=True if bucket_key else None,
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        names.encryption, bucket=bucket.id, rules=[rule], region=region, opts=child
    )
    return PrivateBucket(bucket, public_access, [ownership, public_access, encryption])


def tls_only_statement(bucket_arn: str, sid: str) -> dict[str, Any]:
    """The bucket policy statement denying every request made without TLS."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
