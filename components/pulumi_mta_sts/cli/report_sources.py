"""Where ``mta-sts reports summary|ready|html`` read reports, all checked first: a file, a directory
(hidden names skipped, links to directories not followed), or ``s3://bucket[/prefix]``, read an
identity's first body before its versions, so the summary counts the body the receiver kept first.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pulumi_mta_sts.config.files import UnreadableFile, read_regular_file
from pulumi_mta_sts.core.errors import InputError, Problem, provider_sdk
from pulumi_mta_sts.receiver_lambda.contract import MAX_STORED_BYTES, REPORTS_PREFIX, STORED_NAME
from pulumi_mta_sts.receiver_lambda.listing import list_objects
from pulumi_mta_sts.reports.limits import DEFAULT_LIMITS
from pulumi_mta_sts.reports.parse import ParseFailure, ParseResult, parse_input
from pulumi_mta_sts.reports.stored import looks_stored, parse_stored

S3_SCHEME = "s3://"
#: S3 general purpose bucket names.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")

#: Formats a report file is mistaken for, by magic bytes: the file is named for what it is.
FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x9d", "compress (.Z) data"),
    (b"%PDF-", "a PDF document"),
)


class S3Source:
    def __init__(self, url: str) -> None:
        self.bucket, _, self.prefix = url[len(S3_SCHEME) :].partition("/")


def _problem(text: str, source: Path | S3Source) -> Problem | None:
    if not isinstance(source, S3Source):
        fix = "does not exist: name a report file, a directory of reports or s3://BUCKET"
        return None if os.path.lexists(source) else Problem(text, text, fix)
    if _BUCKET.fullmatch(source.bucket) and ".." not in source.bucket:
        return None
    fix = "is not an S3 bucket URL: write s3://BUCKET or s3://BUCKET/PREFIX (a bucket name is 3-63 characters "
    return Problem(text, text, fix + "a-z, 0-9, '.', '-')")


def check_sources(sources: Sequence[str]) -> list[Path | S3Source]:
    checked = [S3Source(text) if text.startswith(S3_SCHEME) else Path(text) for text in sources]
    problems = [p for text, source in zip(sources, checked, strict=True) if (p := _problem(text, source))]
    if problems:
        raise InputError(problems)
    return checked


def read_path(path: Path, *, stored: bool = True) -> ParseResult:
    """One file (``stored``: or the stored report it is, ``aws s3 sync``); one not a readable regular
    file (a named pipe is never opened) or in another format is a failure of that file, not of the command."""
    try:
        data = read_regular_file(path, DEFAULT_LIMITS.max_email_bytes)
    except UnreadableFile as exc:
        return ParseResult(failures=[ParseFailure(str(path), f"cannot read the file: it {exc.reason}")])
    real = next((name for magic, name in FOREIGN_FORMATS if data.startswith(magic)), None)
    if real is not None:
        reason = f"the file is {real}, not a TLS report (gzip or JSON) or an email; unpack it and parse what is inside"
        return ParseResult(failures=[ParseFailure(str(path), reason)])
    return parse_stored(data, str(path)) if stored and looks_stored(data) else parse_input(data, str(path))


def _files(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield from (Path(root) / name for name in sorted(files) if not name.startswith("."))


def read_sources(sources: Sequence[Path | S3Source]) -> Iterator[ParseResult]:
    for source in sources:
        if isinstance(source, S3Source):
            yield from read_bucket(source.bucket, source.prefix)
        elif source.is_dir() and not source.is_symlink():
            yield from map(read_path, _files(source))
        else:
            yield read_path(source)


# ---- s3:// -------------------------------------------------------------------------------------------
def _aws_module(name: str) -> Any:
    """Imported by name: the base CLI does not declare boto3."""
    with provider_sdk("reading reports from s3://"):
        return importlib.import_module(name)


def _stored_keys(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    """First bodies before their versions."""
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
