"""Tag pushes (raw_tag_pushes) in the tag history: a tag only ever pulled by digest has
its history from its push, a push earlier than the requests dates the run, malformed
push rows are quarantined with their reason, and daily incremental runs, with a push
file landing days late and a day that brings pushes only, equal one full refresh."""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.raw_schema import RAW_REQUESTS_SCHEMA, RAW_TAG_PUSHES_SCHEMA
from support.warehouse_build import dbt_invoke

A, B, C = ("sha256:" + letter * 64 for letter in "abc")
DAY = [datetime.date(2026, 6, day) for day in range(1, 5)]
PROCESS_DATE = "REGISTRY_INSIGHTS_PROCESS_DATE"
SELECTION = [
    "--select",
    "+fct_pull_actions +int_tag_digest_history +stg_registry__tag_pushes_quarantined"
    " ops_request_files_ledger",
]
HISTORY = (
    "select repository, tag, digest, valid_from, valid_to"
    " from {catalog}intermediate.int_tag_digest_history order by all"
)


def _at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, tzinfo=datetime.UTC)


def _request(
    event_id: str, at: datetime.datetime, reference: str, digest: str
) -> dict[str, object]:
    return {
        "event_id": event_id,
        "occurred_at": at,
        "http_method": "HEAD" if reference == "latest" else "GET",
        "object_type": "manifest",
        "repository": "acme/app",
        "reference": reference,
        "response_digest": digest,
        "media_type": "application/vnd.oci.image.index.v1+json",
        "status_code": 200,
        "response_bytes": 1_000,
        "client_ip": "198.51.100.7",
        "user_agent": "docker/27.3.1",
        "account_id": None,
    }


def _push(
    event_id: str | None,
    at: datetime.datetime | None,
    tag: str | None,
    digest: str | None,
    **overrides: object,
) -> dict[str, object]:
    row: dict[str, object] = {
        "event_id": event_id,
        "pushed_at": at,
        "repository": "acme/app",
        "tag": tag,
        "manifest_digest": digest,
        "media_type": "application/vnd.oci.image.index.v1+json",
    }
    return {**row, **overrides}


PUSH_DEFECTS = {
    "missing_event_id": _push(None, _at(1, 1), "x", A),
    "missing_pushed_at": _push("d1", None, "x", A),
    "missing_tag": _push("d2", _at(1, 1), None, A),
    "missing_manifest_digest": _push("d3", _at(1, 1), "x", None),
    "malformed_repository": _push("d4", _at(1, 1), "x", A, repository="app"),
    "malformed_tag": _push("d5", _at(1, 1), "-x", A),
    "malformed_manifest_digest": _push("d6", _at(1, 1), "x", "sha256:short"),
}

#: (the run's day index, the partition's day index, table, name, rows): files as they land
FILES: list[tuple[int, int, str, str, list[dict[str, object]]]] = [
    (
        0,
        0,
        "raw_registry_requests",
        "requests",
        [_request("q1", _at(1, 10), "latest", A), _request("q2", _at(1, 12), C, C)],
    ),
    (
        0,
        0,
        "raw_tag_pushes",
        "pushes",
        [
            _push("p1", _at(1, 9), "latest", A),  # before the first request: dates the run
            _push("p2", _at(1, 11), "2.0", C),  # 2.0 is only ever pulled by digest
            _push("p2", _at(1, 11), "2.0", C),  # redelivered: one row
            *PUSH_DEFECTS.values(),
        ],
    ),
    (1, 1, "raw_registry_requests", "requests", [_request("q3", _at(2, 10), "latest", B)]),
    (2, 2, "raw_registry_requests", "requests", [_request("q4", _at(3, 10), "latest", B)]),
    # lands on the third day, for the first: the tag moved to B hours before any request
    # saw it, which the stored history did not know
    (2, 0, "raw_tag_pushes", "late-pushes", [_push("p3", _at(1, 20), "latest", B)]),
    # a day with pushes only
    (3, 3, "raw_tag_pushes", "pushes", [_push("p4", _at(4, 8), "latest", A)]),
]

EXPECTED = [
    ("acme/app", "2.0", C, _at(1, 11), None),
    ("acme/app", "latest", A, _at(1, 9), _at(1, 20)),
    ("acme/app", "latest", B, _at(1, 20), _at(4, 8)),
    ("acme/app", "latest", A, _at(4, 8), None),
]


def _write(
    raw: Path, day: datetime.date, table: str, name: str, rows: list[dict[str, object]]
) -> None:
    schema = RAW_REQUESTS_SCHEMA if table == "raw_registry_requests" else RAW_TAG_PUSHES_SCHEMA
    folder = raw / table / f"date={day:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / f"{name}.parquet")


def _run(database: Path, raw: Path, day: datetime.date, *args: str) -> None:
    os.environ[PROCESS_DATE] = day.isoformat()
    try:
        outcome = dbt_invoke("run", raw, database, *args)
    finally:
        del os.environ[PROCESS_DATE]
    assert outcome.success, outcome.messages


def _naive(rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The expected instants as the warehouse stores them (UTC, without a zone)."""
    return [
        tuple(
            value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value
            for value in row
        )
        for row in rows
    ]


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(daily, full): the files built day by day as they land, and in one full refresh."""
    work = tmp_path_factory.mktemp("tag-pushes")
    daily_raw, daily = work / "daily-raw", work / "daily" / "warehouse.duckdb"
    daily.parent.mkdir()
    assert dbt_invoke("seed", daily_raw, daily).success
    for index, day in enumerate(DAY):
        for run_day, partition, table, name, rows in FILES:
            if run_day == index:
                _write(daily_raw, DAY[partition], table, name, rows)
        _run(daily, daily_raw, day, *SELECTION)
    full_raw, full = work / "full-raw", work / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copytree(daily_raw, full_raw)
    assert dbt_invoke("seed", full_raw, full).success
    _run(full, full_raw, DAY[-1], *SELECTION)
    return daily, full


def test_the_history_takes_pushes_as_observations(warehouses: tuple[Path, Path]) -> None:
    _, full = warehouses
    with duckdb.connect(str(full), read_only=True) as connection:
        history = connection.sql(HISTORY.format(catalog="")).fetchall()
    assert history == sorted(_naive(EXPECTED), key=lambda row: (row[1], str(row[2]), str(row[3])))


def test_daily_runs_with_a_late_push_equal_the_full_refresh(
    warehouses: tuple[Path, Path],
) -> None:
    daily, full = warehouses
    with duckdb.connect(str(daily), read_only=True) as connection:
        connection.execute(f"attach '{full}' as full_refresh (read_only)")
        assert connection.sql(HISTORY.format(catalog="")).fetchall() == (
            connection.sql(HISTORY.format(catalog="full_refresh.")).fetchall()
        )


def test_each_push_defect_is_quarantined_with_its_reason(warehouses: tuple[Path, Path]) -> None:
    _, full = warehouses
    with duckdb.connect(str(full), read_only=True) as connection:
        reasons = connection.sql(
            "select quarantine_reason, count(*)"
            " from staging.stg_registry__tag_pushes_quarantined group by all"
        ).fetchall()
        valid = connection.sql(
            "select event_id from staging.stg_registry__tag_pushes order by all"
        ).fetchall()
    assert dict(reasons) == dict.fromkeys(PUSH_DEFECTS, 1)
    assert valid == [("p1",), ("p2",), ("p3",), ("p4",)]
