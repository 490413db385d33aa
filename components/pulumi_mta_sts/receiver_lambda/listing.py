"""Listing the receiver's bucket, bounded (the digest and the table backfill read ``reports/``).

``ListObjectsV2`` answers at most 1,000 keys a page; :func:`list_objects` follows the pages
lazily and stops after ``max_keys``, so a run's work is bounded however large the archive grows.
Standard library + a boto3 S3 client.
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
    client: Any, bucket: str, prefix: str, *, start_after: str | None = None, max_keys: int
) -> Iterator[Listed]:
    """The objects under ``prefix`` in key order (after ``start_after``), at most ``max_keys``."""
    arguments: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        arguments["StartAfter"] = start_after
    listed = 0
    for page in client.get_paginator("list_objects_v2").paginate(**arguments):
        for item in page.get("Contents") or ():
            if listed >= max_keys:
                return
            listed += 1
            yield Listed(str(item["Key"]), item["LastModified"], int(item.get("Size", 0)))
