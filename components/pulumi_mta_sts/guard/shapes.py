"""What the policy rules read from resources, in the providers' Pulumi schemas' shapes (pulumi-aws 7,
pulumi-cloudflare 6 and 5). What is read from :data:`UNKNOWN` is unknown too, never a guess; a value
of another type is absent (docs/packaging.md, "Values unknown at preview").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal

from pulumi_mta_sts.core.acceptance import WELL_KNOWN_PATH
from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.core.record_resources import CLOUDFLARE_RECORD, CLOUDFLARE_RECORD_V5, ROUTE53_RECORD
from pulumi_mta_sts.core.txt_values import decode_txt

CLOUDFLARE_RECORDS = (CLOUDFLARE_RECORD, CLOUDFLARE_RECORD_V5)
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
POLICY_KEY = WELL_KNOWN_PATH.lstrip("/")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


class Unknown(Enum):
    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown.UNKNOWN


@dataclass(frozen=True)
class TxtRecord:
    """The known TXT values at one name of one zone (``None``: unknown; ``complete``: all known)."""

    zone: str | None
    name: str | None
    values: tuple[str, ...]
    complete: bool = True


@dataclass(frozen=True)
class PolicyObject:
    """An object served as the policy file (``bucket`` ``None``: unknown)."""

    bucket: str | None
    content: str | Literal[Unknown.UNKNOWN] | None
    content_type: str | Literal[Unknown.UNKNOWN] | None


def mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _known_text(value: object) -> str | None:
    return None if value is UNKNOWN else _text(value)


def _name(value: object) -> str:
    return _text(value).strip().rstrip(".").lower()


def _txt_values(type_: str, props: Mapping[str, Any]) -> tuple[list[str], bool]:
    if type_ == ROUTE53_RECORD:
        raw = props.get("records")
        entries = items(raw)
        known = [decode_txt(v) for v in entries if isinstance(v, str)]
        return known, raw is not UNKNOWN and len(known) == len(entries)
    raw = props.get("content")
    if raw is None or raw == "":
        raw = props.get("value")  # the legacy Record's name for it
    return ([decode_txt(raw)], True) if isinstance(raw, str) else ([], raw is not UNKNOWN)


def txt_record(type_: str, props: Mapping[str, Any]) -> TxtRecord | None:
    if _text(props.get("type")).upper() != "TXT" or (type_ != ROUTE53_RECORD and type_ not in CLOUDFLARE_RECORDS):
        return None
    values, complete = _txt_values(type_, props)
    name = None if props.get("name") is UNKNOWN else _name(props.get("name"))
    return TxtRecord(_known_text(props.get("zoneId")), name, tuple(values), complete)


def policy_object(type_: str, props: Mapping[str, Any]) -> PolicyObject | None:
    if type_ not in POLICY_OBJECTS or _text(props.get("key")).lstrip("/") != POLICY_KEY:
        return None
    content = props.get("content")
    content_type = props.get("contentType")
    return PolicyObject(
        _known_text(props.get("bucket")),
        content if isinstance(content, str) or content is UNKNOWN else None,
        content_type if isinstance(content_type, str) or content_type is UNKNOWN else None,
    )


def is_policy_host(type_: str, props: Mapping[str, Any]) -> bool:
    aliases = items(props.get("aliases"))
    return type_ == DISTRIBUTION and any(_name(a).startswith("mta-sts.") for a in aliases if isinstance(a, str))


def _public_statement(statement: object) -> bool:
    """An ``Allow`` known to be for everyone with no condition (an unknown one may narrow it)."""
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow" or statement.get("Condition"):
        return False  # (UNKNOWN is true: an unknown condition counts as one)
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
    statements = mapping(document).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def bucket_exposure(type_: str, props: Mapping[str, Any]) -> tuple[str, str] | None:
    bucket = _known_text(props.get("bucket"))
    if bucket is None:
        return None
    if type_ in BUCKET_ACLS and _text(props.get("acl")) in PUBLIC_ACLS:
        return bucket, f"its ACL is {props.get('acl')}"
    if type_ == PUBLIC_ACCESS_BLOCK:
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if props.get(flag) is not True and props.get(flag) is not UNKNOWN]
        if off:
            return bucket, f"its public access block leaves {', '.join(off)} off"
    if type_ == BUCKET_POLICY and any(_public_statement(s) for s in _policy_statements(props.get("policy"))):
        return bucket, 'its bucket policy allows Principal "*" without a condition'
    return None
