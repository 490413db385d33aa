"""Reading the receiver's bucket (``s3://bucket[/prefix]``, ``reports/`` by default) for ``mta-sts
reports``, boto3 (``[aws]``) imported only then. Only stored reports are read, an identity's first
body before its versions, so the summary counts the body the receiver kept first.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.receiver_lambda.contract import MAX_STORED_BYTES, REPORTS_PREFIX, STORED_NAME
from pulumi_mta_sts.receiver_lambda.listing import list_objects
from pulumi_mta_sts.reports import ParseResult
from pulumi_mta_sts.reports.parse import ParseFailure
from pulumi_mta_sts.reports.stored import parse_stored


def _aws_module(name: str) -> Any:
    """``name`` from the ``[aws]`` extra, imported by name: the base CLI does not declare boto3."""
    with provider_sdk("reading reports from s3://"):
        return importlib.import_module(name)


def _stored_keys(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    """(key, size) of every stored report under ``prefix``, first bodies before their versions."""
    group: list[tuple[bool, str, int]] = []
    group_id = None
    for item in list_objects(client, bucket, prefix):
        match = STORED_NAME.fullmatch(item.key.rpartition("/")[2])
        if match is None:
            continue
        ident = item.key[: len(item.key) - len(match.group(0))] + match["id"]
        if ident != group_id:
            yield from ((key, size) for _, key, size in sorted(group))
            group, group_id = [], ident
        group.append((match["version"] is not None, item.key, item.size))
    yield from ((key, size) for _, key, size in sorted(group))


def _read(client: Any, bucket: str, key: str, size: int) -> ParseResult:
    source = f"s3://{bucket}/{key}"
    if size > MAX_STORED_BYTES:
        return ParseResult(failures=[ParseFailure(source, f"object is {size} bytes, more than a stored report", b"")])
    return parse_stored(client.get_object(Bucket=bucket, Key=key)["Body"].read(), source)


def read_bucket(bucket: str, prefix: str) -> Iterator[ParseResult]:
    """Every stored report under ``s3://bucket/prefix`` (``reports/`` when ``prefix`` is empty)."""
    client = _aws_module("boto3").client("s3")
    errors = _aws_module("botocore.exceptions")
    keys = _stored_keys(client, bucket, prefix or REPORTS_PREFIX)
    while True:
        try:
            key, size = next(keys)
            result = _read(client, bucket, key, size)
        except StopIteration:
            return
        except (errors.BotoCoreError, errors.ClientError) as exc:
            code = str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code", "")) or type(exc).__name__
            reason = (
                f"cannot be read ({code}): check the bucket name, the AWS region and credentials "
                "(AWS_PROFILE / AWS_REGION) and that they allow s3:ListBucket and s3:GetObject"
            )
            raise InputError([Problem(f"s3://{bucket}", f"s3://{bucket}", reason)]) from None
        yield result
