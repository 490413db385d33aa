"""The one way this toolkit makes an S3 bucket: private, owner-enforced, encrypted at rest.

Both the CloudFront policy host (its bucket is read only by CloudFront through an origin access
control) and the TLS-RPT receiver (written only by SES and its function) need a bucket nobody
can make public by accident. Writing that set-up once keeps the two from drifting apart: every
bucket gets object ownership ``BucketOwnerEnforced`` (no ACLs), all four public-access blocks
and SSE-S3 encryption. What differs (resource names, region, tags, S3 bucket keys) is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from pulumi_mta_sts.core.errors import provider_sdk

with provider_sdk("PrivateBucket"):
    import pulumi_aws as aws


@dataclass(frozen=True)
class BucketNames:
    """Pulumi resource names of the bucket and its three set-up resources (kept stable: a new
    name would replace the resource)."""

    bucket: str
    ownership: str
    public_access: str
    encryption: str


@dataclass(frozen=True)
class PrivateBucket:
    """The bucket and its set-up resources; anything written to it waits for :attr:`setup`, and
    a bucket policy for :attr:`public_access` (S3 refuses policies the block would forbid)."""

    bucket: aws.s3.Bucket
    ownership: aws.s3.BucketOwnershipControls
    public_access: aws.s3.BucketPublicAccessBlock
    encryption: aws.s3.BucketServerSideEncryptionConfiguration

    @property
    def setup(self) -> list[pulumi.Resource]:
        return [self.ownership, self.public_access, self.encryption]


def private_bucket(
    names: BucketNames,
    *,
    parent: pulumi.Resource,
    region: str | None = None,
    tags: dict[str, str] | None = None,
    bucket_key: bool = False,
    force_destroy: bool = False,
) -> PrivateBucket:
    """Create a private bucket (see the module docs) as a child of ``parent``. ``region`` pins
    every resource to one region (default: the provider's); ``bucket_key`` turns on S3 bucket
    keys, which cut KMS-style request costs for buckets with many small objects;
    ``force_destroy`` lets a delete of the bucket remove every object and version in it first
    (off: S3 refuses to delete a bucket that is not empty, which keeps data from a stray destroy)."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(names.bucket, force_destroy=force_destroy, tags=tags, region=region, opts=child)
    ownership = aws.s3.BucketOwnershipControls(
        names.ownership,
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        region=region,
        opts=child,
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
    return PrivateBucket(bucket, ownership, public_access, encryption)
