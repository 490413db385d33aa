"""The table objects of reports stored before the table existed (``{"backfill": {...}}`` to the reader):
create-only (a second run changes nothing), in batches that say where the next starts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_mta_sts.core.bounded_json import JsonInputError, load_bounded_json
from pulumi_mta_sts.reports.limits import ReportError
from pulumi_mta_sts.reports.stored import check_stored, stored_bounds

from .contract import REPORTS_PREFIX, is_version_key
from .listing import list_objects
from .store import S3Store
from .table import partition_day, table_key, table_lines

#: Reports one run handles unless told, and at most (each a GET and a conditional PUT; a run has 900 s).
DEFAULT_BATCH, MAX_BATCH = 1_000, 5_000


def backfill(client: Any, bucket: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """One run: table objects ``written`` and ``existing``, ``unreadable`` reports, the ``next`` start."""
    start_after, size = request.get("start_after"), request.get("max_reports", DEFAULT_BATCH)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
        raise ValueError(f"backfill.max_reports must be a whole number from 1 to {MAX_BATCH}, got {size!r}")
    store = S3Store(bucket, client)
    written = existing = 0
    unreadable: list[str] = []
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
            unreadable.append(f"{item.key}: {reason}"[:300])
            continue
        if store.put_new(table_key(item.key, day), lines, "application/x-ndjson", {"report-key": item.key[:512]}):
            written += 1
        else:
            existing += 1
    more = last is not None and written + existing + len(unreadable) >= size
    return {"written": written, "existing": existing, "unreadable": unreadable, "next": last if more else None}
