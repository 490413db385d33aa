"""Reading the TLS-RPT receiver's bucket (``s3://bucket[/prefix]``) for ``mta-sts reports``.

Needs boto3 (the ``[aws]`` extra), imported only when an ``s3://`` source is read, so the base
install runs every other source without it (and says which extra to install for this one).

Which objects: the receiver's layout (``receiver_lambda/handler.py``, ``placement.py``) keeps
each report under ``reports/<id>.json`` (the first body for a submitter + report-id) and
``reports/<id>.<content>.json`` (a later, different body for the same identity). Only keys of
those two forms are read: never ``raw/`` (the inputs as received), ``quarantine/`` (what failed)
or anything else someone put in the bucket. ``s3://bucket`` reads ``reports/``; with a prefix,
that prefix (``s3://bucket/test/`` reads the test reports). The listing is streamed page by page;
an identity's first object is read before its versions, so the first body the receiver stored
is the one the summary counts (the others are duplicates of its identity).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.receiver_lambda.placement import REPORTS_PREFIX, STORED_NAME
from pulumi_mta_sts.reports import ParseResult
from pulumi_mta_sts.reports.parse import ParseFailure
from pulumi_mta_sts.reports.stored import parse_stored

__all__ = ["DEFAULT_PREFIX", "STORED_KEY", "read_bucket"]

#: Where the receiver keeps reports.
DEFAULT_PREFIX = REPORTS_PREFIX
#: The name of a stored report: ``<id>.json`` or ``<id>.<content>.json``, as the receiver names it.
STORED_KEY = STORED_NAME
#: Largest stored object read (a normalised report is at most a few MiB; bigger is not ours).
MAX_OBJECT_BYTES = 16 * 1024 * 1024


def _aws_module(name: str) -> Any:
    """``name`` (boto3 or a botocore module) from the ``[aws]`` extra, imported on use; when it is
    missing, :class:`MissingExtraError` names the extra. Imported by name: this module is part of
    the base CLI, whose declared dependencies do not include boto3 (tests/test_architecture.py)."""
    with provider_sdk("reading reports from s3://"):
        return importlib.import_module(name)


def _client() -> Any:
    return _aws_module("boto3").client("s3")


def _stored_keys(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    """(key, size) of every stored report under ``prefix``, first keys before their versions."""
    paginator = client.get_paginator("list_objects_v2")
    group: list[tuple[str, int, bool]] = []
    group_id = None
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents") or ():
            key: str = item["Key"]
            match = STORED_KEY.fullmatch(key.rpartition("/")[2])
            if match is None:
                continue
            ident = key[: len(key) - len(match.group(0))] + match.group("id")
            if ident != group_id:
                yield from ((k, s) for k, s, _ in sorted(group, key=lambda g: (not g[2], g[0])))
                group, group_id = [], ident
            group.append((key, int(item.get("Size", 0)), match.group(0) == match.group("id") + ".json"))
    yield from ((k, s) for k, s, _ in sorted(group, key=lambda g: (not g[2], g[0])))


def _read(client: Any, bucket: str, key: str, size: int) -> ParseResult:
    source = f"s3://{bucket}/{key}"
    if size > MAX_OBJECT_BYTES:
        return ParseResult(failures=[ParseFailure(source, f"object is {size} bytes, more than a stored report", b"")])
    body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return parse_stored(body, source)


def _listing_problem(bucket: str, exc: Exception) -> InputError:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", "")) or type(exc).__name__
    return InputError(
        [
            Problem(
                f"s3://{bucket}",
                f"s3://{bucket}",
                f"cannot be read ({code}): check the bucket name, the AWS region and credentials "
                "(AWS_PROFILE / AWS_REGION) and that they allow s3:ListBucket and s3:GetObject",
            )
        ]
    )


def read_bucket(bucket: str, prefix: str) -> Iterator[ParseResult]:
    """Every stored report under ``s3://bucket/prefix`` (``reports/`` when ``prefix`` is empty)."""
    client = _client()
    errors = _aws_module("botocore.exceptions")
    keys = _stored_keys(client, bucket, prefix or DEFAULT_PREFIX)
    while True:
        try:
            key, size = next(keys)
            result = _read(client, bucket, key, size)
        except StopIteration:
            return
        except (errors.BotoCoreError, errors.ClientError) as exc:
            raise _listing_problem(bucket, exc) from None
        yield result
