"""Issue 11 §2, memory: the worst input the receiver still ACCEPTS (at the JSON-value cap, at the
report-text cap, a message at the message cap) stays well inside the function's ``memorySize``;
the 58 KB body that inflated into 313k rows (~280 MB) is refused cheaply. Peaks are measured with
tracemalloc; ``bench/bench_reports.py`` also prints a fresh process's max RSS."""

from __future__ import annotations

import base64
import functools
import gzip
import json
from typing import Any

import pytest

from pulumi_mta_sts.receiver.function import MEMORY_MB
from pulumi_mta_sts.receiver_lambda import handler as lam
from tests.reports.bench_module import BENCH
from tests.reports.memory_store import MemoryStore

MIB = 1024 * 1024
#: The handler's own peak may use at most this much of the function's memory: the runtime and
#: boto3 take about 40-80 MB more, and the rest is headroom.
BUDGET = MEMORY_MB * MIB // 3
SETTINGS = lam.Settings(bucket="b", domains=frozenset({"example.com"}))


NAMES = [
    "max items, full rows",
    "max items, minimal rows",
    "max text, one accented string",
    "max text, one astral string",
]


@functools.cache
def _bodies() -> dict[str, bytes]:
    bodies: dict[str, bytes] = BENCH.worst_accepted_bodies()
    return bodies


def _post(body: bytes) -> dict[str, Any]:
    return {
        "requestContext": {"http": {"method": "POST"}, "requestId": "worst"},
        "headers": {"content-type": "application/tlsrpt+gzip"},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def _drop(document: dict[str, Any]) -> None:
    """Metrics are not what is measured."""


def test_the_cases_measured_are_the_benchs() -> None:
    assert sorted(_bodies()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_worst_accepted_https_body_stays_well_inside_memory_size(name: str) -> None:
    body = _bodies()[name]
    store = MemoryStore()
    responses: list[dict[str, Any]] = []

    def run() -> None:
        responses.append(lam.handle_http(_post(body), store, SETTINGS, _drop))

    peak = BENCH.handler_peak_bytes(run)
    assert responses[0]["statusCode"] == 200, responses[0]["body"]  # accepted, not refused
    assert peak < BUDGET, f"{name}: {peak / MIB:.1f} MiB"


def test_the_worst_accepted_message_stays_well_inside_memory_size() -> None:
    raw = BENCH.worst_accepted_email()
    store = MemoryStore({"raw/email/w": (raw, "message/rfc822", {})})
    outcomes: list[lam.Outcome] = []
    peak = BENCH.handler_peak_bytes(lambda: outcomes.append(lam.handle_raw("raw/email/w", store, SETTINGS, _drop)))
    assert len(outcomes[0].stored) == 1, outcomes[0].errors
    assert peak < BUDGET, f"{peak / MIB:.1f} MiB"


def test_the_58_kb_post_of_313k_rows_is_quarantined_at_a_small_cost() -> None:
    row = {"result-type": "x", "failed-session-count": 1}
    doc = json.loads(json.dumps(BENCH._report_with([])))
    doc["policies"][0]["failure-details"] = [row] * 313_000
    body = gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), 9)
    assert len(body) < 64 * 1024
    store = MemoryStore()
    responses: list[dict[str, Any]] = []
    peak = BENCH.handler_peak_bytes(lambda: responses.append(lam.handle_http(_post(body), store, SETTINGS, _drop)))
    assert responses[0]["statusCode"] == 400
    assert "limit" in json.loads(responses[0]["body"])["error"]
    assert peak < 64 * MIB  # the text is counted, never decoded into rows (that took ~280 MB)
