"""Daily incremental runs give exactly the marts of one full refresh.

A generated month, plus hand-written request streams on the edges of days (pulls across
midnight, a chain of GETs by digest whose pairing parity runs across several
midnights, the window edge at midnight, ties), is built day by day with
`--vars {process_date: ...}`, with late files landing in old day partitions: one within
`late_arrival_days` (it changes the pairing of a chain already classified, and brings a
redelivered copy that wins over the kept one), one too late (rejected and reported). A
run that dies half-way is rerun, and the last day is run twice. Every mart of the daily
warehouse then equals, row for row, the marts of one full refresh over the same
accepted files.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.daily_runs import DAILY, REPORTS, REQUESTS, run_for_day
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import DbtOutcome, dbt_invoke

from registry_insights.generator import GeneratorConfig, generate_dataset

START = datetime.date(2026, 6, 1)
DAYS = 30
LATE_ARRIVAL_DAYS = 2
DIGESTS = ["sha256:" + letter * 64 for letter in "abcd"]
VARS = f"report_as_of_date: '2026-08-01', late_arrival_days: {LATE_ARRIVAL_DAYS}"


def _at(day: datetime.date, seconds: float) -> datetime.datetime:
    """`seconds` after midnight of `day` (negative: before it), UTC."""
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    return midnight + datetime.timedelta(seconds=seconds)


@dataclass
class Stream:
    """Successful manifest requests of one client, written as raw rows."""

    client: str
    rows: list[dict[str, object]]

    def add(
        self,
        event_id: str,
        at: datetime.datetime,
        method: str,
        reference: str,
        digest: str | None = None,
    ) -> None:
        by_digest = reference.startswith("sha256:")
        self.rows.append(
            {
                "event_id": f"{self.client}-{event_id}",
                "occurred_at": at,
                "http_method": method,
                "object_type": "manifest",
                "repository": "edge/midnight",
                "reference": reference,
                "response_digest": reference if by_digest else digest,
                "media_type": "application/vnd.oci.image.index.v1+json",
                "status_code": 200,
                "response_bytes": 1_000,
                "client_ip": "198.51.100.7",
                "user_agent": f"edge-client/{self.client}",
                "account_id": None,
            }
        )


def _midnight_streams(day: datetime.date) -> list[dict[str, object]]:
    """Requests around the midnight that ends `day`, one client per edge case."""
    tag = f"t{day:%m%d}"
    straddle = Stream(f"straddle-{day}", [])  # HEAD tag, GET same, GET other across midnight
    straddle.add("1", _at(day, 86_390), "HEAD", "latest", DIGESTS[0])
    straddle.add("2", _at(day, 86_405), "GET", DIGESTS[0])
    straddle.add("3", _at(day, 86_420), "GET", DIGESTS[1])
    edge = Stream(f"edge-{day}", [])  # exactly W after the start, across midnight
    edge.add("1", _at(day, 86_340), "GET", DIGESTS[2])
    edge.add("2", _at(day, 86_400), "GET", DIGESTS[3])
    edge.add("3", _at(day, 86_399.999999), "HEAD", DIGESTS[0])
    edge.add("4", _at(day, 86_459.999999), "GET", DIGESTS[0])
    edge.add("5", _at(day, 86_460), "GET", DIGESTS[1])
    ties = Stream(f"ties-{day}", [])  # same instant at midnight: event ids decide
    ties.add("b", _at(day, 86_400), "GET", DIGESTS[1])
    ties.add("a", _at(day, 86_400), "HEAD", tag, DIGESTS[1])
    ties.add("c", _at(day, 86_400), "GET", DIGESTS[2])
    return straddle.rows + edge.rows + ties.rows


def _chain(day: datetime.date, hours: int, offset: float = 0.0) -> Stream:
    """GETs by digest every 40 s, alternating digests, from noon of `day` for `hours`:
    each could follow the one before, so pairing parity runs through the whole chain."""
    chain = Stream(f"chain-{day}", [])
    for step in range(hours * 90):
        chain.add(f"{step:05d}", _at(day, 43_200 + offset + 40 * step), "GET", DIGESTS[step % 2])
    return chain


def _partition_rows(rows: list[dict[str, object]]) -> dict[datetime.date, list[dict[str, object]]]:
    by_day: dict[datetime.date, list[dict[str, object]]] = {}
    for row in rows:
        moment = row["occurred_at"]
        assert isinstance(moment, datetime.datetime)
        by_day.setdefault(moment.date(), []).append(row)
    return by_day


def _write(raw: Path, day: datetime.date, name: str, rows: list[dict[str, object]]) -> Path:
    folder = raw / REQUESTS / f"date={day:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=RAW_REQUESTS_SCHEMA), path)
    return path


@dataclass(frozen=True)
class LateFile:
    """A file for the partition of `day` that lands after `arrives` was processed."""

    day: datetime.date
    arrives: datetime.date
    name: str
    rows: list[dict[str, object]]


def _late_files() -> list[LateFile]:
    chain_day = START + datetime.timedelta(days=4)
    # one extra GET inside the day-5 chain shifts the parity of every pairing after it,
    # including those past the next midnight, already classified
    inserted = Stream(f"chain-{chain_day}", [])
    inserted.add("late", _at(chain_day, 43_200 + 40 * 500 + 7), "GET", DIGESTS[2])
    # a redelivered copy, earlier than the kept one: it wins and moves the request
    redelivered = dict(_midnight_streams(chain_day)[0])
    redelivered["occurred_at"] = _at(chain_day, 86_380)
    accepted = LateFile(
        chain_day,
        chain_day + datetime.timedelta(days=2),
        "late-accepted",
        [*inserted.rows, redelivered],
    )
    too_late_day = START + datetime.timedelta(days=2)
    rejected_stream = Stream(f"too-late-{too_late_day}", [])
    rejected_stream.add("1", _at(too_late_day, 3_600), "GET", "latest", DIGESTS[0])
    rejected = LateFile(
        too_late_day, START + datetime.timedelta(days=19), "late-rejected", rejected_stream.rows
    )
    return [accepted, rejected]


def _edge_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for offset in range(DAYS - 1):
        rows += _midnight_streams(START + datetime.timedelta(days=offset))
    # chains across one and across two midnights
    rows += _chain(START + datetime.timedelta(days=4), hours=16).rows
    rows += _chain(START + datetime.timedelta(days=10), hours=40, offset=0.5).rows
    return rows


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated month with the edge streams, late files not yet landed."""
    raw = tmp_path_factory.mktemp("month") / "raw"
    generate_dataset(
        GeneratorConfig(rows=20_000, days=DAYS, seed=11, start_date=START), raw, progress=False
    )
    for day, rows in _partition_rows(_edge_rows()).items():
        _write(raw, day, "edges", rows)
    # a redelivered copy of a request of the 12th, in the partition of the 14th
    copy = _midnight_streams(START + datetime.timedelta(days=10))[1]
    _write(raw, START + datetime.timedelta(days=13), "edges-redelivered", [copy])
    return raw


def _run(database: Path, raw: Path, selection: list[str], day: datetime.date | None = None) -> None:
    """`dbt run` of `selection` (everything, seeds first, when empty) for `day`. The day
    goes in the environment, so that dbt need not parse the project for every day."""
    if not selection:
        assert dbt_invoke("seed", raw, database).success
    run_for_day(raw, database, "{" + VARS + "}", day, *selection)


@dataclass(frozen=True)
class DailyBuild:
    database: Path
    rejected_files_test: DbtOutcome


@pytest.fixture(scope="module")
def daily_warehouse(month: Path, tmp_path_factory: pytest.TempPathFactory) -> DailyBuild:
    """The month built one day at a time, late files landing as they arrive, and the
    warning test of rejected files run on it."""
    work = tmp_path_factory.mktemp("daily")
    raw = work / "raw"
    shutil.copytree(month, raw)
    database = work / "daily.duckdb"
    late = _late_files()
    for offset in range(DAYS):
        day = START + datetime.timedelta(days=offset)
        for late_file in late:
            if late_file.arrives == day:
                _write(raw, late_file.day, late_file.name, late_file.rows)
        if offset == 0:
            _run(database, raw, [], day)  # the first run builds everything
            continue
        if offset == 14:  # a run that dies before the fact table, then is rerun
            _run(
                database, raw, ["--select", "+int_client_ips_enriched +int_user_agents_parsed"], day
            )
        _run(database, raw, DAILY, day)
    _run(database, raw, DAILY, day)  # the last day, twice
    _run(database, raw, REPORTS)
    warning = dbt_invoke("test", raw, database, "--select", "assert_no_late_request_files_rejected")
    return DailyBuild(database, warning)


@pytest.fixture(scope="module")
def full_warehouse(month: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full refresh over the month and the accepted late file."""
    work = tmp_path_factory.mktemp("full")
    raw = work / "raw"
    shutil.copytree(month, raw)
    accepted = _late_files()[0]
    _write(raw, accepted.day, accepted.name, accepted.rows)
    database = work / "full.duckdb"
    _run(database, raw, [], START + datetime.timedelta(days=DAYS - 1))
    return database


@pytest.fixture(scope="module")
def both(daily_warehouse: DailyBuild, full_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(daily_warehouse.database), read_only=True)
    connection.execute(f"attach '{full_warehouse}' as full_refresh (read_only)")
    yield connection
    connection.close()


def _mart_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = 'marts' order by table_name",
        [catalog],
    ).fetchall()
    return [name for (name,) in rows]


def test_daily_runs_build_every_mart(both: duckdb.DuckDBPyConnection) -> None:
    daily = _mart_tables(both, "daily")
    assert daily == _mart_tables(both, "full_refresh")
    assert "fct_pull_actions" in daily and len(daily) >= 6


def test_every_mart_equals_the_full_refresh_row_for_row(both: duckdb.DuckDBPyConnection) -> None:
    differing = {}
    for table in _mart_tables(both, "daily"):
        daily, full = f"daily.marts.{table}", f"full_refresh.marts.{table}"
        only_daily = both.execute(
            f"select count(*) from (select * from {daily} except all select * from {full})"
        ).fetchone()
        only_full = both.execute(
            f"select count(*) from (select * from {full} except all select * from {daily})"
        ).fetchone()
        if only_daily != (0,) or only_full != (0,):
            differing[table] = (only_daily, only_full)
    assert differing == {}
    for table in ["fct_pull_actions", "rpt_summary", "rpt_trends", "rpt_technographic"]:
        rows = both.execute(f"select count(*) from daily.marts.{table}").fetchone()
        assert rows is not None and rows[0] > 0, table


def test_edge_streams_were_classified_across_midnight(both: duckdb.DuckDBPyConnection) -> None:
    """The edge cases are in the data: straddling pulls absorbed requests of the next day,
    and the late GET changed the chain (fewer pairs after it than without it)."""
    straddling = both.execute(
        "select count(*) from daily.marts.fct_pull_actions "
        "where repository = 'edge/midnight' and request_count = 3 "
        "and cast(action_at as date) <> cast(action_at + interval 30 second as date)"
    ).fetchone()
    assert straddling is not None and straddling[0] >= DAYS - 2


def test_late_files_are_taken_in_or_rejected_and_counted(both: duckdb.DuckDBPyConnection) -> None:
    ledger = both.execute(
        "select regexp_extract(file_path, '([a-z-]+)[.]parquet$', 1), is_accepted, row_count, "
        "batch_date - partition_date "
        "from daily.ops.ops_request_files_ledger where file_path like '%late-%' "
        "order by 1"
    ).fetchall()
    assert ledger == [("late-accepted", True, 2, 2), ("late-rejected", False, 1, 17)]
    rejected = both.execute(
        "select count(*) from daily.staging.base_registry__requests "
        "where source_file like '%late-rejected%'"
    ).fetchone()
    assert rejected == (0,)


def test_rejected_files_are_reported_by_a_warning(daily_warehouse: DailyBuild) -> None:
    outcome = daily_warehouse.rejected_files_test
    assert outcome.success  # a warning, not an error
    assert outcome.failed_names == ["assert_no_late_request_files_rejected"]
