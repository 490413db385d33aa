"""Listing the receiver's bucket, bounded, with a client passed in (``reports s3://`` runs without boto3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Listed:
    key: str
    last_modified: datetime
    size: int


def list_objects(
    client: Any, bucket: str, prefix: str, *, start_after: str | None = None, max_keys: int | None = None
) -> Iterator[Listed]:
    """The objects under ``prefix`` in key order, at most ``max_keys``, each page fetched as read."""
    arguments = {"Bucket": bucket, "Prefix": prefix, **({"StartAfter": start_after} if start_after else {})}
    listed = 0
    for page in client.get_paginator("list_objects_v2").paginate(**arguments):
        for item in page.get("Contents") or ():
            if max_keys is not None and listed >= max_keys:
                return
            listed += 1
            yield Listed(str(item["Key"]), item["LastModified"], int(item.get("Size", 0)))
