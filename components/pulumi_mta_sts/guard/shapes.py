"""What the policy rules read from resources, in the shapes the providers' Pulumi schemas give them.

A policy pack sees every resource as its type token and its input properties with the schema's
camelCase names (pulumi-aws 7, pulumi-cloudflare 6; older Cloudflare ``Record`` too). This module
turns them into the few facts MTA-STS cares about, for any program, hand-made or ours:

- TXT records: ``aws:route53/record:Record`` (``name``, ``type``, ``zoneId``, ``records``: one entry
  per value, character-strings joined by ``""``), ``cloudflare:index/dnsRecord:DnsRecord`` and
  ``cloudflare:index/record:Record`` (``name``, ``type``, ``zoneId``, ``content`` or ``value``);
- policy objects: ``aws:s3/bucketObjectv2:BucketObjectv2`` / ``aws:s3/bucketObject:BucketObject``
  whose ``key`` is ``.well-known/mta-sts.txt`` (``bucket``, ``content``, ``contentType``);
- policy hosts: ``aws:cloudfront/distribution:Distribution`` with an ``aliases`` entry
  ``mta-sts.<domain>``;
- bucket exposure: ``aws:s3/bucketAclV2``/``bucketAcl`` (``acl``), ``aws:s3/bucket``/``bucketV2``
  (legacy ``acl``), ``aws:s3/bucketPublicAccessBlock`` (the four ``block*``/``ignore*``/``restrict*``
  flags), ``aws:s3/bucketPolicy`` (``policy``, a JSON document).

Pure: the standard library and the core only (it runs inside the policy pack, and in tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.core.txt_values import decode_txt

__all__ = [
    "POLICY_KEY",
    "PUBLIC_ACLS",
    "PolicyObject",
    "TxtRecord",
    "bucket_exposure",
    "is_policy_host",
    "policy_object",
    "txt_record",
]

ROUTE53_RECORD = "aws:route53/record:Record"
CLOUDFLARE_RECORDS = ("cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record")
POLICY_OBJECTS = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject")
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
BUCKET_ACLS = (
    "aws:s3/bucketAclV2:BucketAclV2",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
)
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
#: Where RFC 8461 §3.3 puts the policy: ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.
POLICY_KEY = ".well-known/mta-sts.txt"
#: Canned ACLs that let anyone (or any AWS account) read the bucket.
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@dataclass(frozen=True)
class TxtRecord:
    """TXT values at one name of one zone, as resolvers return them (unquoted, strings joined)."""

    zone: str
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class PolicyObject:
    """An object served as the policy file."""

    bucket: str
    content: str | None
    content_type: str | None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _name(value: object) -> str:
    return _text(value).strip().rstrip(".").lower()


def txt_record(type_: str, props: Mapping[str, Any]) -> TxtRecord | None:
    """The TXT record ``props`` of a Route53 or Cloudflare record describe (``None``: not a TXT record)."""
    if _text(props.get("type")).upper() != "TXT":
        return None
    if type_ == ROUTE53_RECORD:
        raw = props.get("records") or []
        entries = [decode_txt(v) for v in raw if isinstance(v, str)] if isinstance(raw, Sequence) else []
    elif type_ in CLOUDFLARE_RECORDS:
        entries = [decode_txt(_text(props.get("content") or props.get("value")))]
    else:
        return None
    return TxtRecord(_text(props.get("zoneId")), _name(props.get("name")), tuple(entries))


def policy_object(type_: str, props: Mapping[str, Any]) -> PolicyObject | None:
    """The policy file ``props`` of an S3 object describe (``None``: not an object at the policy's key)."""
    if type_ not in POLICY_OBJECTS or _text(props.get("key")).lstrip("/") != POLICY_KEY:
        return None
    content = props.get("content")
    content_type = props.get("contentType")
    return PolicyObject(
        _text(props.get("bucket")),
        content if isinstance(content, str) else None,
        content_type if isinstance(content_type, str) else None,
    )


def is_policy_host(type_: str, props: Mapping[str, Any]) -> bool:
    """Whether ``props`` describe a CloudFront distribution serving ``mta-sts.<domain>``."""
    aliases = props.get("aliases") or []
    return type_ == DISTRIBUTION and any(_name(a).startswith("mta-sts.") for a in aliases if isinstance(a, str))


def _public_statement(statement: object) -> bool:
    """An ``Allow`` for everyone (``"*"`` or ``{"AWS": "*"}``) without a condition narrowing it."""
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow" or statement.get("Condition"):
        return False
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        principal = principal.get("AWS")
    principals = principal if isinstance(principal, list) else [principal]
    return "*" in principals


def _policy_statements(document: object) -> list[object]:
    if isinstance(document, str):
        try:
            document = load_bounded_json(document)
        except JsonInputError:
            return []
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    return statements if isinstance(statements, list) else [statements]


def bucket_exposure(type_: str, props: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(bucket, how it is public)`` when ``props`` make a bucket public; ``None`` otherwise."""
    bucket = _text(props.get("bucket"))
    if type_ in BUCKET_ACLS and _text(props.get("acl")) in PUBLIC_ACLS:
        return bucket, f"its ACL is {props.get('acl')}"
    if type_ == PUBLIC_ACCESS_BLOCK:
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if props.get(flag) is not True]
        if off:
            return bucket, f"its public access block leaves {', '.join(off)} off"
    if type_ == BUCKET_POLICY and any(_public_statement(s) for s in _policy_statements(props.get("policy"))):
        return bucket, 'its bucket policy allows Principal "*" without a condition'
    return None
