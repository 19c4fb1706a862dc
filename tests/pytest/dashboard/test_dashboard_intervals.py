"""Each interval shows its own span on a year of data (issue 14): a warehouse whose
marts have the test warehouse's schemas and a Summary report of 13 months, the
dashboard's 3, 6 and 12 month intervals draw 3, 6 and 12 months (13, 26 and 52 or 53
weeks), each a different span ending at the latest complete period."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from support.dashboard_harness import charts, dashboard
from support.warehouse_build import BuiltWarehouse

LATEST_WEEK = datetime.date(2026, 11, 23)  # a Monday
LATEST_MONTH = datetime.date(2026, 11, 1)


@pytest.fixture(scope="module")
def year_warehouse(
    built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Every mart of the test warehouse, empty, a Summary report of 13 months for one
    repository (60 weeks and 13 months of repository rows) and a ledger of raw files
    that makes them complete."""
    database = tmp_path_factory.mktemp("year") / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"attach '{built_warehouse.database}' as test (read_only)")
        connection.execute("create schema marts")
        marts = connection.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'test' and table_schema = 'marts'"
        ).fetchall()
        for (name,) in marts:
            connection.execute(
                f"create table marts.{name} as select * from test.marts.{name} limit 0"
            )
        weeks = [LATEST_WEEK - datetime.timedelta(weeks=n) for n in range(60)]
        months = [datetime.date(2025 + (10 + m) // 12, (10 + m) % 12 + 1, 1) for m in range(13)]
        assert months[-1] == LATEST_MONTH
        rows = [("weekly", day) for day in weeks] + [("monthly", day) for day in months]
        connection.executemany(
            "insert into marts.rpt_summary values (?, ?, 'Acme Inc.', 'acme', 'acme/api', "
            "'repository', 'acme/api', ?, ?, ?)",
            [(g, day, 10 + day.toordinal() % 7, 3, 13 + day.toordinal() % 7) for g, day in rows],
        )
        # the ledger of raw files the periods are complete by: a file a day through
        # December 1, taken in on December 2 (the stream moved past November 30)
        connection.execute(
            "create schema ops; create table ops.ops_request_files_ledger as "
            "select 'raw/' || day::date || '.parquet' as file_path, day::date as partition_date, "
            "date '2026-12-01' as batch_date, false as closes_batch_date, true as is_accepted, "
            "1::bigint as row_count, day as max_occurred_at, "
            "timestamp '2026-12-02 01:00' as taken_in_at "
            "from generate_series(timestamp '2025-09-01', timestamp '2026-12-01', "
            "interval 1 day) as days(day)"
        )
        connection.execute("detach test")
    return database


def _span(app: AppTest) -> list[str]:
    ((_, data),) = charts(app)
    return sorted(set(data["period"].astype(str)))


@pytest.mark.parametrize(
    ("granularity", "counts"), [("weekly", (13, 26, 52)), ("monthly", (3, 6, 12))]
)
def test_each_interval_shows_its_own_span(
    monkeypatch: pytest.MonkeyPatch,
    year_warehouse: Path,
    granularity: str,
    counts: tuple[int, int, int],
) -> None:
    app = dashboard(monkeypatch, year_warehouse, query_params={"granularity": granularity}).run()
    assert not app.exception
    latest = LATEST_WEEK if granularity == "weekly" else LATEST_MONTH
    spans = []
    for months, count in zip((3, 6, 12), counts, strict=True):
        app.radio(key="months").set_value(months).run()
        assert not app.exception
        span = _span(app)
        assert span[-1] == latest.isoformat()
        assert len(span) in {count, count + 1}, (months, span)
        spans.append(span)
    assert spans[0] != spans[1] != spans[2]
    assert set(spans[0]) < set(spans[1]) < set(spans[2])
