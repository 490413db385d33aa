"""The table objects of reports stored before the table existed (``{"backfill": {...}}`` to the reader).

Each run lists at most ``max_reports`` reports after ``start_after`` in key order, writes each
one's table object create-only (running it twice, or beside the parser, changes nothing) and
answers ``next``, where the next run starts (``None``: all seen). A stored object is checked as
every reader checks it (:func:`~pulumi_mta_sts.reports.stored.check_stored`); one that fails is
listed in ``unreadable`` and gets no rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.stored import check_stored, stored_bounds

from .contract import REPORTS_PREFIX, is_version_key
from .store import S3Store, list_objects
from .table import partition_day, table_key, table_lines

__all__ = ["DEFAULT_BATCH", "MAX_BATCH", "Backfill", "backfill"]

#: Reports one run handles unless told (each a GET and a conditional PUT).
DEFAULT_BATCH = 1_000
#: The most one run may be asked to handle (a run has 900 seconds).
MAX_BATCH = 5_000


@dataclass
class Backfill:
    """What one run did, and where the next one starts."""

    written: int = 0
    existing: int = 0
    unreadable: list[str] = field(default_factory=list)
    next: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _batch(request: Mapping[str, Any]) -> int:
    size = request.get("max_reports", DEFAULT_BATCH)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
        raise ValueError(f"backfill.max_reports must be a whole number from 1 to {MAX_BATCH}, got {size!r}")
    return size


def backfill(client: Any, bucket: str, request: Mapping[str, Any]) -> Backfill:
    """One run of the backfill (``request``: ``start_after``, ``max_reports``; both optional)."""
    start_after = request.get("start_after")
    size = _batch(request)
    store = S3Store(bucket, client)
    done = Backfill()
    last = None
    for item in list_objects(
        client, bucket, REPORTS_PREFIX, start_after=str(start_after) if start_after else None, max_keys=size
    ):
        last = item.key
        try:
            body = client.get_object(Bucket=bucket, Key=item.key)["Body"].read()
            document = check_stored(load_bounded_json(body, stored_bounds()))
            day = partition_day(document, received=item.last_modified.date())
            lines = table_lines(document, report_key=item.key, conflict=is_version_key(item.key))
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, ReportError | JsonInputError) else type(exc).__name__
            done.unreadable.append(f"{item.key}: {reason}"[:300])
            continue
        if store.put_new(table_key(item.key, day), lines, "application/x-ndjson", {"report-key": item.key[:512]}):
            done.written += 1
        else:
            done.existing += 1
    done.next = last if last is not None and done.written + done.existing + len(done.unreadable) >= size else None
    return done
