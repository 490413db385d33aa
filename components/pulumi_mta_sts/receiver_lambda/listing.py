"""Listing the receiver's bucket, bounded (the digest, the backfill and ``reports s3://`` read ``reports/``).

Standard library and a client passed in: the base install's ``s3://`` reader imports it without boto3.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Listed", "list_objects"]


@dataclass(frozen=True)
class Listed:
    """One listed object: its key, when it was written and its size in bytes."""

    key: str
    last_modified: datetime
    size: int


def list_objects(
    client: Any, bucket: str, prefix: str, *, start_after: str | None = None, max_keys: int | None = None
) -> Iterator[Listed]:
    """The objects under ``prefix`` in key order (after ``start_after``), at most ``max_keys``,
    each page (1,000 keys) fetched as it is read."""
    arguments = {"Bucket": bucket, "Prefix": prefix, **({"StartAfter": start_after} if start_after else {})}
    listed = 0
    for page in client.get_paginator("list_objects_v2").paginate(**arguments):
        for item in page.get("Contents") or ():
            if max_keys is not None and listed >= max_keys:
                return
            listed += 1
            yield Listed(str(item["Key"]), item["LastModified"], int(item.get("Size", 0)))
