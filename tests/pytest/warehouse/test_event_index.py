"""The event-id index of daily runs (ops_request_event_index).

A few generated days, plus copies of day-1 requests redelivered in the partition of day 3
(one of them earlier than its first copy, so that it wins), are built day by day twice:
with the index's full 64-bit hash, and with a hash cut to 3 bits, so that every event
collides with thousands of others. Both daily warehouses must equal one full refresh
(redelivered copies and valid requests), the index must equal its recomputation from the
raw files, and a daily run must read only its own files and the old files holding a true
copy of one of its events.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.daily_runs import PROCESS_DATE, run_for_day
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import dbt_invoke

from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.retention.prune import prune_raw, read_manifest

START = datetime.date(2026, 6, 1)
DAYS = 4
REDELIVERY_DAY = START + datetime.timedelta(days=2)
REQUESTS = "raw_registry_requests"
FEW_BITS = 3
# the run's request files, their staging and redelivered copies, then the ledger
DAILY = ["--select", "+stg_registry__requests ops_request_files_ledger"]
REDELIVERIES_SQL = Path("compiled/registry_insights/models/ops/ops_request_redeliveries.sql")


def _vars(bits: int) -> str:
    return "{report_as_of_date: '2026-07-01', event_id_hash_bits: " + str(bits) + "}"


@pytest.fixture(scope="module")
def raw_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated days, with day-1 events redelivered in the partition of day 3."""
    raw = tmp_path_factory.mktemp("index") / "raw"
    generate_dataset(
        GeneratorConfig(rows=6_000, days=DAYS, seed=23, start_date=START), raw, progress=False
    )
    first_day = sorted((raw / REQUESTS / f"date={START:%Y-%m-%d}").glob("*.parquet"))[0]
    rows = pq.read_table(first_day).to_pylist()
    copies = [dict(row) for row in rows[:40:4] if row["event_id"] is not None]
    # the first copy is earlier than the original: it is kept, the original is not
    moment = copies[0]["occurred_at"]
    assert isinstance(moment, datetime.datetime)
    copies[0]["occurred_at"] = moment - datetime.timedelta(seconds=1)
    folder = raw / REQUESTS / f"date={REDELIVERY_DAY:%Y-%m-%d}"
    pq.write_table(
        pa.Table.from_pylist(copies, schema=RAW_REQUESTS_SCHEMA), folder / "redelivered.parquet"
    )
    return raw


def _run(raw: Path, database: Path, bits: int, day: datetime.date, *selection: str) -> None:
    run_for_day(raw, database, _vars(bits), day, *selection)


@dataclass(frozen=True)
class DailyBuild:
    database: Path
    # the raw files named by ops_request_redeliveries' SQL, per day of an incremental run
    files_read: dict[datetime.date, set[str]]


def _daily_build(raw_days: Path, work: Path, bits: int) -> DailyBuild:
    raw = work / "raw"
    shutil.copytree(raw_days, raw)
    database = work / "daily.duckdb"
    assert dbt_invoke("seed", raw, database).success
    files_read: dict[datetime.date, set[str]] = {}
    for offset in range(DAYS):
        day = START + datetime.timedelta(days=offset)
        if offset == 0:
            _run(raw, database, bits, day, *DAILY, "stg_reference__*")
            continue
        _run(raw, database, bits, day, *DAILY)
        compiled = (work / "target" / REDELIVERIES_SQL).read_text()
        files_read[day] = set(re.findall(r"'([^']+[.]parquet)'", compiled))
    return DailyBuild(database, files_read)


@pytest.fixture(scope="module")
def daily_full_hash(raw_days: Path, tmp_path_factory: pytest.TempPathFactory) -> DailyBuild:
    return _daily_build(raw_days, tmp_path_factory.mktemp("daily64"), 64)


@pytest.fixture(scope="module")
def daily_few_bits(raw_days: Path, tmp_path_factory: pytest.TempPathFactory) -> DailyBuild:
    return _daily_build(raw_days, tmp_path_factory.mktemp("daily3"), FEW_BITS)


@pytest.fixture(scope="module")
def full_refresh(raw_days: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("full")
    raw = work / "raw"
    shutil.copytree(raw_days, raw)
    database = work / "full.duckdb"
    assert dbt_invoke("seed", raw, database).success
    _run(raw, database, 64, START + datetime.timedelta(days=DAYS - 1), *DAILY, "stg_reference__*")
    return database


def _fetch(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a query on a warehouse, opened read-only."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _differences(daily: Path, full: Path, relation: str, columns: str) -> tuple[int, int]:
    connection = duckdb.connect(str(daily), read_only=True)
    try:
        # as "full", the name its views refer to
        connection.execute(f"attach '{full}' (read_only)")
        mine = f"select {columns} from daily.{relation}"
        theirs = f'select {columns} from "full".{relation}'
        counts = [
            connection.execute(f"select count(*) from ({a} except all {b})").fetchone()
            for a, b in [(mine, theirs), (theirs, mine)]
        ]
    finally:
        connection.close()
    assert counts[0] is not None and counts[1] is not None
    return counts[0][0], counts[1][0]


# source_file is the path in the warehouse's raw folder: compare from the table's name on
RELATIVE_FILE = f"regexp_extract(source_file, '{REQUESTS}/.*$')"


@pytest.mark.parametrize("build", ["daily_full_hash", "daily_few_bits"])
def test_daily_runs_equal_a_full_refresh(
    build: str, full_refresh: Path, request: pytest.FixtureRequest
) -> None:
    daily: DailyBuild = request.getfixturevalue(build)
    redeliveries = f"event_id, {RELATIVE_FILE}, file_row_number, delivery_rank"
    assert _differences(
        daily.database, full_refresh, "ops.ops_request_redeliveries", redeliveries
    ) == (0, 0)
    requests = f"event_id, occurred_at, {RELATIVE_FILE}, file_row_number"
    assert _differences(
        daily.database, full_refresh, "staging.stg_registry__requests", requests
    ) == (0, 0)


def test_cross_day_copies_are_found(full_refresh: Path) -> None:
    """The test data holds what it is meant to: day-1 copies not kept, one day-3 copy
    not kept either (its earlier copy wins)."""
    found = _fetch(
        full_refresh,
        "select regexp_extract(source_file, 'date=([0-9-]+)/', 1) as day, count(*) "
        "from ops.ops_request_redeliveries group by day order by day",
    )
    by_day = dict(found)
    assert by_day.get(f"{START:%Y-%m-%d}", 0) >= 1  # a day-1 original lost to an earlier copy
    assert by_day.get(f"{REDELIVERY_DAY:%Y-%m-%d}", 0) >= 5  # later copies on day 3


def test_the_few_bits_hash_collides(daily_few_bits: DailyBuild) -> None:
    connection = duckdb.connect(str(daily_few_bits.database), read_only=True)
    try:
        found = connection.execute(
            "select count(distinct event_id_hash), count(*) from ops.ops_request_event_index"
        ).fetchone()
    finally:
        connection.close()
    assert found is not None and found[0] <= 2**FEW_BITS and found[1] > 1_000


def _index_against_raw(database: Path, raw: Path) -> tuple[list[tuple[Any, ...]], int]:
    """The index's rows against their recomputation from the raw files (hash of the event
    id, hash of the path, row number): rows only stored, rows only recomputed; and its
    row count."""
    recomputed = (
        "select hash(event_id) as event_id_hash, hash(filename) as file_key, "
        "cast(file_row_number as bigint) as file_row_number "
        f"from read_parquet('{raw / REQUESTS}/*/*.parquet', filename = true, "
        "file_row_number = true) where event_id is not null"
    )
    stored = "select event_id_hash, file_key, file_row_number from ops.ops_request_event_index"
    counts = [
        _fetch(database, f"select count(*) from ({a} except all {b})")[0]
        for a, b in [(stored, recomputed), (recomputed, stored)]
    ]
    (rows,) = _fetch(database, "select count(*) from ops.ops_request_event_index")[0]
    return counts, rows


@pytest.mark.parametrize("build", ["daily_full_hash", "full_refresh"])
def test_the_index_equals_its_recomputation_from_the_raw_files(
    build: str, request: pytest.FixtureRequest
) -> None:
    fixture = request.getfixturevalue(build)
    database = fixture.database if isinstance(fixture, DailyBuild) else fixture
    differences, rows = _index_against_raw(database, database.parent / "raw")
    assert differences == [(0,), (0,)]
    assert rows > 1_000


def test_two_files_sharing_a_key_stop_the_daily_run(full_refresh: Path, tmp_path: Path) -> None:
    """File keys cut to one bit: of the raw files taken in, two share a key, and the
    daily run stops, naming them, before the index could mix their rows."""
    database = tmp_path / "shared_key.duckdb"
    shutil.copy(full_refresh, database)
    raw = full_refresh.parent / "raw"
    variables = "{report_as_of_date: '2026-07-01', raw_file_key_bits: 1}"
    os.environ[PROCESS_DATE] = (START + datetime.timedelta(days=DAYS)).isoformat()
    try:
        stopped = dbt_invoke("run", raw, database, "--vars", variables, *DAILY)
    finally:
        del os.environ[PROCESS_DATE]
    assert not stopped.success
    messages = [message for message in stopped.messages if "have the same key" in message]
    assert messages, stopped.messages
    assert len(re.findall(r"[.]parquet", messages[0])) >= 2


def test_an_index_written_with_paths_gets_its_file_keys(full_refresh: Path, tmp_path: Path) -> None:
    """A warehouse whose index holds each row's path (as written before the file key)
    gets the keys at its next daily run, in place of the paths, and the index then equals
    its recomputation."""
    database = tmp_path / "upgraded.duckdb"
    shutil.copy(full_refresh, database)
    raw = full_refresh.parent / "raw"
    connection = duckdb.connect(str(database))
    try:
        connection.execute(
            "create or replace table ops.ops_request_event_index as "
            "select hash(event_id) as event_id_hash, filename as source_file, "
            "cast(file_row_number as bigint) as file_row_number "
            f"from read_parquet('{raw / REQUESTS}/*/*.parquet', filename = true, "
            "file_row_number = true) where event_id is not null"
        )
    finally:
        connection.close()
    _run(raw, database, 64, START + datetime.timedelta(days=DAYS), *DAILY)
    columns = _fetch(
        database,
        "select column_name from information_schema.columns "
        "where table_schema = 'ops' and table_name = 'ops_request_event_index'",
    )
    assert sorted(column for (column,) in columns) == [
        "event_id_hash",
        "file_key",
        "file_row_number",
    ]
    differences, rows = _index_against_raw(database, raw)
    assert differences == [(0,), (0,)]
    assert rows > 1_000


def test_a_daily_run_reads_only_its_files_and_those_with_true_copies(
    daily_full_hash: DailyBuild,
) -> None:
    raw = daily_full_hash.database.parent / "raw" / REQUESTS
    connection = duckdb.connect()
    try:
        rows = connection.execute(
            "select event_id, filename, "
            "cast(regexp_extract(filename, 'date=([0-9-]+)/', 1) as date) as day "
            f"from read_parquet('{raw}/*/*.parquet', filename = true) where event_id is not null"
        ).fetchall()
    finally:
        connection.close()
    for day, files_read in daily_full_hash.files_read.items():
        new = {(event, file) for event, file, on in rows if on == day}
        new_events = {event for event, _ in new}
        old_with_copy = {file for event, file, on in rows if on < day and event in new_events}
        expected = {file for _, file in new} | old_with_copy
        assert files_read == expected, day
    # the redelivery day read a day-1 file, every other day its own files only
    assert any(
        f"date={START:%Y-%m-%d}" in file for file in daily_full_hash.files_read[REDELIVERY_DAY]
    )


def _index_rows(database: Path, files: list[str] | None = None) -> list[tuple[object, ...]]:
    """The index rows (event-id hash, file path, row number) of `files`, or of every file of
    the raw folder beside the warehouse: the index stores a key of each path (its hash)."""
    raw = database.parent / "raw" / REQUESTS
    connection = duckdb.connect(str(database), read_only=True)
    try:
        if files is None:
            found = connection.execute(
                f"select distinct filename from read_parquet('{raw}/*/*.parquet', filename = true)"
            ).fetchall()
            files = [row[0] for row in found]
        connection.execute("create temp table files (file_path varchar)")
        connection.executemany("insert into files values (?)", [[file] for file in files])
        return connection.execute(
            "select indexed.event_id_hash, files.file_path, indexed.file_row_number "
            "from ops.ops_request_event_index as indexed "
            "inner join files on indexed.file_key = hash(files.file_path)"
        ).fetchall()
    finally:
        connection.close()


def test_a_changed_hash_stops_the_run_and_pruned_files_leave_the_index(
    raw_days: Path, tmp_path: Path
) -> None:
    """An index written with another hash (as after a DuckDB upgrade that changed hash())
    stops the next daily run with the documented remedy; after it (drop the index, run
    again) the index is right again. The rows of files pruned since leave the index at
    the next daily run."""
    build = _daily_build(raw_days, tmp_path, 64)
    raw = tmp_path / "raw"
    # another hash: every stored hash differs from this run's
    connection = duckdb.connect(str(build.database))
    try:
        connection.execute(
            "update ops.ops_request_event_index set event_id_hash = xor(event_id_hash, 1)"
        )
    finally:
        connection.close()
    # a new day brings a file, so the daily run looks old copies up
    next_day = START + datetime.timedelta(days=DAYS)
    last_day = sorted(
        (raw / REQUESTS / f"date={next_day - datetime.timedelta(days=1):%Y-%m-%d}").glob(
            "*.parquet"
        )
    )[0]
    folder = raw / REQUESTS / f"date={next_day:%Y-%m-%d}"
    folder.mkdir()
    shutil.copy(last_day, folder / "again.parquet")
    os.environ[PROCESS_DATE] = next_day.isoformat()
    try:
        stopped = dbt_invoke("run", raw, build.database, "--vars", _vars(64), *DAILY)
    finally:
        del os.environ[PROCESS_DATE]
    assert not stopped.success
    assert any("another event-id hash" in message for message in stopped.messages), stopped.messages
    # the remedy the message gives
    connection = duckdb.connect(str(build.database))
    try:
        connection.execute("drop table ops.ops_request_event_index")
    finally:
        connection.close()
    _run(raw, build.database, 64, next_day, *DAILY)
    rehashed = _index_rows(build.database)
    connection = duckdb.connect()
    try:
        wrong = [
            row
            for row in rehashed[:200]
            if connection.execute(
                "select hash(event_id) from read_parquet(?, file_row_number = true) "
                "where file_row_number = ?",
                [row[1], row[2]],
            ).fetchone()
            != (row[0],)
        ]
    finally:
        connection.close()
    assert rehashed and not wrong
    # pruning: the first day's files leave the raw folder, then the index
    report = prune_raw(
        raw,
        build.database,
        2,
        today=next_day + datetime.timedelta(days=1),
        late_arrival_days=0,
        progress=False,
    )
    pruned = [row["file_path"] for row in read_manifest(raw)]
    assert pruned and report
    assert _index_rows(build.database, pruned[:1])
    _run(raw, build.database, 64, next_day + datetime.timedelta(days=1), *DAILY)
    assert _index_rows(build.database, pruned) == []
    assert _index_rows(build.database)
