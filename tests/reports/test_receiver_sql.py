"""Issue 15, SQL at scale: the queries docs/receiver.md gives (``receiver_lambda/queries.py``), run
with DuckDB over the JSON-lines objects the receiver writes, give the numbers of
``reports summary`` over the reports it stored, for every generated corpus and period."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_mta_sts.receiver.queries import CONFLICTS, VIEWS
from pulumi_mta_sts.receiver_lambda import handler as lam
from pulumi_mta_sts.receiver_lambda.contract import COLUMNS, PARTITION_COLUMN, TABLE_NAME, TABLE_PREFIX
from pulumi_mta_sts.receiver_lambda.contract import FIRST_DAY as TABLE_FIRST_DAY
from pulumi_mta_sts.receiver_lambda.table import partition_day
from pulumi_mta_sts.reports.parse import parse_body
from tests.reports.memory_store import MemoryStore
from tests.reports.receiver_corpus import FIRST, deliver, report_lists, sample_report, write_tree
from tests.reports.summary_corpus import summarise

ROOT = Path(__file__).resolve().parents[2]
_DUCK_TYPES = {"string": "VARCHAR", "boolean": "BOOLEAN", "int": "INTEGER", "bigint": "BIGINT"}


def duck_type(glue_type: str) -> str:
    """The DuckDB type of a column of the Glue table (``array<string>`` → ``VARCHAR[]``)."""
    if glue_type.startswith("array<") and glue_type.endswith(">"):
        return duck_type(glue_type[6:-1]) + "[]"
    return _DUCK_TYPES[glue_type]


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with the receiver's table as Athena defines it: the same columns, ``dt`` from the path."""
    columns = ", ".join(f"'{name}': '{duck_type(kind)}'" for name, kind in COLUMNS)
    pattern = (root / TABLE_PREFIX / f"{PARTITION_COLUMN}=*" / "*").as_posix()
    db = duckdb.connect()
    if not list((root / TABLE_PREFIX).glob(f"{PARTITION_COLUMN}=*/*")):
        db.execute(f"CREATE TABLE {TABLE_NAME} ({', '.join(f'{n} {duck_type(k)}' for n, k in COLUMNS)}, dt VARCHAR)")
        return db
    db.execute(
        f"CREATE VIEW {TABLE_NAME} AS SELECT * FROM read_json('{pattern}', format = 'newline_delimited', "
        f"columns = {{{columns}}}, hive_partitioning = true, hive_types_autocast = false)"
    )
    return db


def run(db: duckdb.DuckDBPyConnection, sql: str, first: date, last: date) -> list[dict[str, Any]]:
    cursor = db.execute(sql, [first.isoformat(), last.isoformat()])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stored_reports(store: MemoryStore) -> Iterator[dict[str, Any]]:
    """The reports under ``reports/``, in the order the receiver stored them."""
    for key, (data, _, _) in store.objects.items():
        if key.startswith("reports/"):
            yield json.loads(data)


def _by(rows: list[dict[str, Any]], *key: str) -> dict[Any, dict[str, Any]]:
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in rows}


def assert_same_numbers(db: duckdb.DuckDBPyConnection, summary: dict[str, Any], first: date, last: date) -> None:
    """Every number of every ``summary`` view equals what its query answers."""
    domains = _by(run(db, VIEWS["domains"], first, last), "domain")
    days = _by(run(db, VIEWS["domains.days"], first, last), "domain", "day")
    assert set(domains) == {d["domain"] for d in summary["domains"]}
    for view in summary["domains"]:
        row = domains[view["domain"]]
        assert (row["successful"], row["failed"]) == (view["successful"], view["failed"])
        assert row["success_rate"] == pytest.approx(view["success_rate"])
        for day in view["days"]:
            sql_day = days[(view["domain"], day["day"])]
            assert (sql_day["successful"], sql_day["failed"], sql_day["organizations"]) == (
                day["successful"],
                day["failed"],
                day["organizations"],
            )
    assert len(days) == sum(len(view["days"]) for view in summary["domains"])
    orgs = run(db, VIEWS["organizations"], first, last)
    assert [(r["organization"], r["reports"], r["successful"], r["failed"], r["domains"]) for r in orgs] == [
        (o["organization"], o["reports"], o["successful"], o["failed"], len(o["domains"]))
        for o in summary["organizations"]
    ]
    _assert_failure_views(db, summary, first, last)


def _assert_failure_views(db: duckdb.DuckDBPyConnection, summary: dict[str, Any], first: date, last: date) -> None:
    result_types = run(db, VIEWS["result_types"], first, last)
    assert [
        (r["result_type"], r["failed"], r["organizations"], r["mx_hosts"], r["domains"], r["first_day"], r["last_day"])
        for r in result_types
    ] == [
        (
            v["result_type"],
            v["failed"],
            len(v["organizations"]),
            len(v["mx_hosts"]),
            len(v["domains"]),
            v["first_day"],
            v["last_day"],
        )
        for v in summary["result_types"]
    ]
    mx = run(db, VIEWS["mx_hosts"], first, last)
    assert [(r["mx_host"], r["successful"], r["failed"], r["ips"]) for r in mx] == [
        (v["mx_host"], v["successful"], v["failed"], len(v["ips"])) for v in summary["mx_hosts"]
    ]
    ips = run(db, VIEWS["mx_hosts.ips"], first, last)
    assert {(r["mx_host"], r["receiving_ip"]) for r in ips} == {
        (v["mx_host"], ip) for v in summary["mx_hosts"] for ip in v["ips"]
    }
    policies = run(db, VIEWS["policies"], first, last)
    numbers = ("first_day", "last_day", "successful", "failed")
    assert sorted(
        (r["domain"], r["policy_type"], r["policy_string"], r["organizations"], *(r[n] for n in numbers))
        for r in policies
    ) == sorted(
        (p["domain"], p["policy_type"], p["policy_string"], len(p["organizations"]), *(p[n] for n in numbers))
        for p in summary["policies"]
    )


PERIODS = st.tuples(st.integers(0, 9), st.integers(0, 9)).map(
    lambda days: (FIRST + timedelta(days=min(days)), FIRST + timedelta(days=max(days)))
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_lists(), PERIODS)
def test_each_documented_query_gives_the_numbers_of_reports_summary(
    reports: list[dict[str, Any]], period: tuple[date, date]
) -> None:
    store = MemoryStore()
    deliver(store, reports)
    first, last = period
    summary = summarise(stored_reports(store), since=first, until=last).as_json()
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(store, Path(tmp))
        assert_same_numbers(connect(Path(tmp)), summary, first, last)


def test_a_report_delivered_twice_is_one_table_object_and_counted_once(tmp_path: Path) -> None:
    report = sample_report()
    store = MemoryStore()
    deliver(store, [report, report])
    tables = [k for k in store.objects if k.startswith(TABLE_PREFIX)]
    assert len(tables) == 1
    write_tree(store, tmp_path)
    [row] = run(connect(tmp_path), VIEWS["organizations"], FIRST, FIRST + timedelta(days=9))
    assert row["reports"] == 1


def test_a_conflicting_version_is_listed_apart_and_not_counted_twice(tmp_path: Path) -> None:
    report = sample_report()
    changed = json.loads(json.dumps(report))
    changed["policies"][0]["summary"]["total-successful-session-count"] += 1
    store = MemoryStore()
    deliver(store, [report, changed])
    write_tree(store, tmp_path)
    db = connect(tmp_path)
    period = (FIRST, FIRST + timedelta(days=9))
    [org] = run(db, VIEWS["organizations"], *period)
    assert org["reports"] == 1
    first_successful = sum(p["summary"]["total-successful-session-count"] for p in report["policies"])
    assert org["successful"] == first_successful  # the first body stored counts, as `reports summary` reads it
    [conflict] = run(db, CONFLICTS, *period)
    assert (conflict["organization"], conflict["report_id"]) == (report["organization-name"], report["report-id"])


def test_without_the_switch_no_table_object_is_written() -> None:
    store = MemoryStore()
    deliver(store, [sample_report()], write_table=False)
    assert not [k for k in store.objects if k.startswith(TABLE_PREFIX)]
    assert [k for k in store.objects if k.startswith("reports/")]


def test_the_docs_give_each_query_exactly() -> None:
    doc = (ROOT / "docs" / "receiver.md").read_text()
    for name, sql in {**VIEWS, "conflicts": CONFLICTS}.items():
        assert sql in doc, f"docs/receiver.md: give the {name} query exactly as receiver_lambda/queries.py has it"


def test_a_report_whose_rows_would_be_huge_is_stored_without_rows_and_counted() -> None:
    report = sample_report(failed=0)
    report["organization-name"] = "o" * 300_000  # repeated on every row: 40 rows make 12 MB
    report["policies"][0]["failure-details"] = [
        {"result-type": "validation-failure", "failed-session-count": 1, "receiving-ip": f"10.0.0.{n}"}
        for n in range(60)
    ]
    report["policies"][0]["summary"]["total-failure-session-count"] = 60
    emitted: list[dict[str, Any]] = []
    store = MemoryStore()
    data = json.dumps(report).encode()
    settings = lam.Settings(bucket="b", domains=frozenset({"example.com"}), write_table=True)
    result = parse_body(data, "https:big")
    lam.store_result(result, raw_key="raw/x", input_data=data, store=store, settings=settings, emit=emitted.append)
    assert [k for k in store.objects if k.startswith("reports/")]
    assert not [k for k in store.objects if k.startswith(TABLE_PREFIX)]
    assert any(doc.get("TableSkipped") == 1 for doc in emitted)


def test_failure_rows_do_not_repeat_the_policy_strings() -> None:
    store = MemoryStore()
    deliver(store, [sample_report(failed=3)])
    [(data, _, _)] = [v for k, v in store.objects.items() if k.startswith(TABLE_PREFIX)]
    rows = [json.loads(line) for line in data.splitlines()]
    assert [r["kind"] for r in rows] == ["policy", "failure"]
    assert rows[0]["policy_strings"] and rows[1]["policy_strings"] == [] and rows[1]["mx_hosts"] == []
    assert rows[1]["mx_host"] == "mx1.example.com"  # where `reports summary` counts it: the policy's MX


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2999, 12, 31)), st.dates(min_value=TABLE_FIRST_DAY))
def test_a_report_is_filed_under_its_day_within_what_the_table_projects(day: date, received: date) -> None:
    filed = partition_day({"start": f"{day.isoformat()}T00:00:00Z"}, received=received)
    assert TABLE_FIRST_DAY <= filed <= received
    if TABLE_FIRST_DAY <= day <= received:
        assert filed == day


def test_text_a_sender_wrote_reaches_both_engines_as_valid_text(tmp_path: Path) -> None:
    report = sample_report()
    report["organization-name"] = 'Org \ud800 \u2028 "quoted"\nnewline é'  # a lone surrogate is valid JSON text
    store = MemoryStore()
    deliver(store, [report])
    write_tree(store, tmp_path)
    [row] = run(connect(tmp_path), VIEWS["organizations"], FIRST, FIRST)
    assert row["organization"] == 'Org ? \u2028 "quoted"\nnewline é'
