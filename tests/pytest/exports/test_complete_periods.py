"""Complete means complete: a week or month is published (export, Data API, scheduled
exports) only when the warehouse holds data through its last day, from the ledger of raw
files (or days the operator declared empty): `data_complete_through`."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import Failure
from fastapi.testclient import TestClient
from support.api_setup import API, bearer, make_config, pick_namespaces
from support.warehouse_build import BuiltWarehouse
from typer.testing import CliRunner, Result

from registry_insights.api.app import create_app
from registry_insights.cli import app
from registry_insights.orchestration.exports import export_period
from registry_insights.orchestration.settings import PipelineSettings
from registry_insights.publishing.completeness import (
    data_complete_through,
    is_published,
    published_condition,
)

LEDGER_DDL = (
    "create schema ops; create table ops.ops_request_files_ledger (file_path varchar, "
    "partition_date date, batch_date date, closes_batch_date boolean, is_accepted boolean, "
    "row_count bigint, max_occurred_at timestamp, taken_in_at timestamp)"
)
AUGUST = datetime.date(2026, 8, 1)


def _ledger(
    days: list[datetime.date], closes: datetime.date | None = None
) -> Iterator[tuple[object, ...]]:
    """Ledger rows: one accepted file per day, taken in by a run of the newest day (or of
    `closes`, a run given its day)."""
    batch = closes or max(days)
    for day in days:
        yield (
            f"raw/raw_registry_requests/date={day}/part.parquet",
            day,
            batch,
            closes is not None,
            True,
            10,
            datetime.datetime.combine(day, datetime.time(23)),
            datetime.datetime.combine(batch + datetime.timedelta(days=1), datetime.time(1)),
        )


def _through(
    rows: list[tuple[object, ...]], declared: tuple[datetime.date, ...] = ()
) -> datetime.date | None:
    with duckdb.connect() as connection:
        connection.execute(LEDGER_DDL)
        if rows:
            connection.executemany(
                "insert into ops.ops_request_files_ledger values (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        for day in declared:
            connection.execute(
                "create table if not exists ops.days_declared_empty "
                "(day date, declared_at timestamp, note varchar)"
            )
            connection.execute("insert into ops.days_declared_empty values (?, now(), null)", [day])
        return data_complete_through(connection)


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def test_the_demo_month_of_30_of_31_days_is_not_complete() -> None:
    # the demo: June 1 to August 30; the newest day is not known complete either
    through = _through(list(_ledger(_days(datetime.date(2026, 6, 1), datetime.date(2026, 8, 30)))))
    assert through == datetime.date(2026, 8, 29)
    assert not is_published("monthly", AUGUST, through)
    assert is_published("monthly", datetime.date(2026, 7, 1), through)
    assert is_published("weekly", datetime.date(2026, 8, 17), through)  # ends on the 23rd
    assert not is_published("weekly", datetime.date(2026, 8, 24), through)


def _built_at(
    rows: list[tuple[object, ...]], taken_in: datetime.datetime
) -> list[tuple[object, ...]]:
    return [(*row[:7], taken_in) for row in rows]


def test_a_history_built_after_the_late_arrival_limit_is_complete_through_its_last_day() -> None:
    # built in one go in December: no file of August can still be accepted
    december = datetime.datetime(2026, 12, 6, 5)
    august = list(_ledger(_days(AUGUST, datetime.date(2026, 8, 31))))
    assert _through(_built_at(august, december)) == datetime.date(2026, 8, 31)
    assert is_published("monthly", AUGUST, _through(_built_at(august, december)))
    # ... but the demo's missing August 31 still keeps August unpublished
    demo = list(_ledger(_days(datetime.date(2026, 6, 1), datetime.date(2026, 8, 30))))
    assert _through(_built_at(demo, december)) == datetime.date(2026, 8, 30)
    assert not is_published("monthly", AUGUST, _through(_built_at(demo, december)))
    # within the limit (two days after the last day), the last day is not settled yet
    early = datetime.datetime(2026, 9, 2, 23)
    assert _through(_built_at(august, early)) == datetime.date(2026, 8, 30)
    assert _through(_built_at(august, datetime.datetime(2026, 9, 3, 0))) == datetime.date(
        2026, 8, 31
    )


def test_a_daily_run_given_its_day_closes_it() -> None:
    august = _days(AUGUST, datetime.date(2026, 8, 31))
    assert _through(list(_ledger(august))) == datetime.date(2026, 8, 30)
    assert _through(list(_ledger(august, closes=datetime.date(2026, 8, 31)))) == datetime.date(
        2026, 8, 31
    )


def test_a_missing_day_stops_completeness_until_declared_empty() -> None:
    days = [day for day in _days(AUGUST, datetime.date(2026, 9, 2)) if day.day != 15]
    assert _through(list(_ledger(days))) == datetime.date(2026, 8, 14)
    declared = _through(list(_ledger(days)), (datetime.date(2026, 8, 15),))
    assert declared == datetime.date(2026, 9, 1)
    assert is_published("monthly", AUGUST, declared)


def test_a_future_partition_does_not_move_the_stream_past() -> None:
    rows = list(_ledger(_days(AUGUST, datetime.date(2026, 8, 31))))
    future = datetime.date(2099, 1, 1)
    taken_in = datetime.datetime(2026, 9, 1, 1)
    rows.append((f"raw/{future}/x.parquet", future, future, False, True, 1, None, taken_in))
    assert _through(rows) == datetime.date(2026, 8, 30)
    assert _through([]) is None


def test_published_condition_keeps_complete_periods_and_snapshots() -> None:
    condition, parameters = published_condition(datetime.date(2026, 8, 29))
    with duckdb.connect() as connection:
        rows = connection.execute(
            "select g, d from (values ('monthly', date '2026-07-01'), ('monthly', date "
            "'2026-08-01'), ('weekly', date '2026-08-17'), ('weekly', date '2026-08-24'), "
            f"('latest', date '2026-08-01')) as t(date_granularity, date_reference), "
            f"lateral (select date_granularity as g, date_reference as d) where {condition} "
            "order by all",
            parameters,
        ).fetchall()
    assert [(g, str(d)) for g, d in rows] == [
        ("latest", "2026-08-01"),
        ("monthly", "2026-07-01"),
        ("weekly", "2026-08-17"),
    ]


# ---- on the built test warehouse, one day of June missing ------------------------------


@pytest.fixture
def june_30_missing(built_warehouse: BuiltWarehouse, tmp_path: Path) -> BuiltWarehouse:
    """A copy of the test warehouse whose ledger lacks June 30 (as if its files never came)."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "delete from ops.ops_request_files_ledger where partition_date = '2026-06-30'"
        )
    return BuiltWarehouse(built_warehouse.raw_path, database)


def _export(database: Path, out: Path, granularity: str, period: str) -> Result:
    command = ["export", "--database", str(database), "--out", str(out), "--report", "summary"]
    return CliRunner().invoke(app, [*command, "--granularity", granularity, "--period", period])


def _declare(database: Path, day: str) -> Result:
    return CliRunner().invoke(app, ["declare-day", day, "--empty", "--database", str(database)])


def test_the_test_data_is_complete_through_its_last_day(
    built_warehouse: BuiltWarehouse,
) -> None:
    # files from June 1 to July 5 (and a future 2099 partition, which does not count),
    # built months later: past the late-arrival limit, July 5 is settled too
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        assert data_complete_through(connection) == datetime.date(2026, 7, 5)


def test_a_month_missing_its_last_day_is_not_exported_until_declared_empty(
    june_30_missing: BuiltWarehouse, tmp_path: Path
) -> None:
    database = june_30_missing.database
    refused = _export(database, tmp_path / "a", "monthly", "2026-06-01")
    assert refused.exit_code == 1
    assert "not complete yet" in refused.output
    assert "complete data through 2026-06-29" in refused.output
    assert not list((tmp_path / "a").rglob("*.csv*"))
    # the week that ended on the 28th is complete
    assert _export(database, tmp_path / "b", "weekly", "2026-06-22").exit_code == 0
    with pytest.raises(Failure, match="not complete yet"):
        export_period(_settings(database, tmp_path / "c"), "monthly", datetime.date(2026, 6, 1))

    declared = _declare(database, "2026-06-30")
    assert declared.exit_code == 0, declared.output
    assert "data complete through: 2026-07-05" in declared.output
    assert _declare(database, "2026-06-30").exit_code == 0  # idempotent
    published = _export(database, tmp_path / "d", "monthly", "2026-06-01")
    assert published.exit_code == 0, published.output
    assert list((tmp_path / "d" / "summary").glob("*monthly_2026-06-01*"))
    assert export_period(_settings(database, tmp_path / "e"), "monthly", datetime.date(2026, 6, 1))


def _settings(database: Path, export_dir: Path) -> PipelineSettings:
    return PipelineSettings(
        database=database,
        raw_path=export_dir / "raw",
        reference_path=export_dir / "reference",
        export_dir=export_dir,
        collector_store=None,
        registry_log=None,
    )


def test_the_data_api_lists_and_serves_only_published_periods(
    june_30_missing: BuiltWarehouse, tmp_path: Path
) -> None:
    namespaces = pick_namespaces(june_30_missing.database)
    base = f"{API}/namespaces/{namespaces.mine}/pulls/exports/years/2026"
    (tmp_path / "api").mkdir()
    config = make_config(june_30_missing, tmp_path / "api", namespaces)
    with TestClient(create_app(config)) as client:
        assert client.get(f"{base}/months", headers=bearer("member")).json() == {"months": []}
        june = client.get(f"{base}/months/6", headers=bearer("member"))
        assert june.status_code == 404
        assert "complete data through 2026-06-29" in june.json()["detail"]
        pulls = client.get(
            f"{API}/namespaces/{namespaces.mine}/pulls",
            params={"group": "namespace", "period": "last-3-months"},
            headers=bearer("member"),
        ).json()["pulls"]
        assert pulls == []
        # another organization's namespace still answers exactly like a missing one
        theirs = f"{API}/namespaces/{namespaces.theirs}/pulls/exports/years/2026/months/6"
        assert (
            client.get(theirs, headers=bearer("member")).json()
            == client.get(
                f"{API}/namespaces/no-such-namespace/pulls/exports/years/2026/months/6",
                headers=bearer("member"),
            ).json()
        )
    assert _declare(june_30_missing.database, "2026-06-30").exit_code == 0
    with TestClient(create_app(config)) as client:
        assert client.get(f"{base}/months", headers=bearer("member")).json() == {
            "months": [{"month": 6}]
        }
        assert client.get(f"{base}/months/6", headers=bearer("member")).status_code == 200
