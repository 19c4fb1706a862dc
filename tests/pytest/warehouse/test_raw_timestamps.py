"""Raw request files read by `read_raw_table(..., files=...)` on DuckDB: a contract
`timestamp` column held as TIMESTAMP WITH TIME ZONE is read through the epoch (macro
`duckdb__utc_timestamp`), and gives exactly what the cast to `timestamp` gives in the
profile's TimeZone (UTC) on every instant up to the year 100000, the infinities included.
Near DuckDB's largest timestamp (year 294247) the cast, which goes through ICU's
milliseconds as a double, loses microseconds; the epoch keeps them. A file that holds
the column without a time zone is read by the plain cast."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import dbt_compiled_code

# DuckDB's timestamps: infinity and -infinity are the int64 extremes; the finite values
# run from 290309 BC to 294247 AD
INFINITY_US = 2**63 - 1
LARGEST_FINITE_US = 9223371331200000000 - 1  # 294247-01-01 23:59:59.999999
SMALLEST_FINITE_US = -9223372022400000000  # 290309-12-22 (BC) 00:00:00
YEAR_100000_US = 3093527980800000000
EDGE_MICROSECONDS = [
    INFINITY_US,
    -INFINITY_US,
    YEAR_100000_US,
    SMALLEST_FINITE_US,
    0,
    -1,
    1,
    1_772_495_990_123_456,  # 2026-03-02 23:59:50.123456
    -62_135_596_800_000_000,  # 0001-01-01
    253_402_300_799_999_999,  # 9999-12-31 23:59:59.999999
]


def _write_requests(folder: Path, occurred_at: pa.Array) -> Path:
    schema = RAW_REQUESTS_SCHEMA.set(
        RAW_REQUESTS_SCHEMA.get_field_index("occurred_at"),
        pa.field("occurred_at", occurred_at.type),
    )
    columns = {
        name: pa.nulls(len(occurred_at), schema.field(name).type)
        for name in schema.names
        if name != "occurred_at"
    }
    columns["occurred_at"] = occurred_at
    path = folder / "raw_registry_requests" / "date=2026-03-02" / "part-00000.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), path)
    return path


def _read_sql(work_dir: Path, file: Path) -> str:
    return dbt_compiled_code(
        work_dir,
        "compile",
        "--inline",
        "select file_row_number, occurred_at from ("
        f"{{{{ read_raw_table(source('registry', 'raw_registry_requests'), files=['{file}']) }}}}"
        ") as raw",
    )


@pytest.fixture(scope="module")
def with_time_zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work_dir = tmp_path_factory.mktemp("raw_timestamptz")
    file = _write_requests(
        work_dir / "raw", pa.array([*EDGE_MICROSECONDS, None], pa.timestamp("us", tz="UTC"))
    )
    return file, _read_sql(work_dir, file)


def _utc_session() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    return connection


def _cast_rows(connection: duckdb.DuckDBPyConnection, file: Path) -> list[tuple[int, str]]:
    return connection.execute(
        "select file_row_number, cast(cast(occurred_at as timestamp) as varchar) "
        f"from read_parquet('{file}', file_row_number = true) order by 1"
    ).fetchall()


def _model_rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[int, str]]:
    return connection.execute(
        f"select file_row_number, cast(occurred_at as varchar) from ({sql}) order by 1"
    ).fetchall()


def test_time_zone_column_is_read_through_the_epoch(with_time_zone: tuple[Path, str]) -> None:
    _, sql = with_time_zone
    assert "make_timestamp(epoch_us(" in sql


def test_edge_values_equal_the_cast(with_time_zone: tuple[Path, str]) -> None:
    file, sql = with_time_zone
    connection = _utc_session()
    expected = _cast_rows(connection, file)
    assert [value for _, value in expected][:2] == ["infinity", "-infinity"]
    assert _model_rows(connection, sql) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    microseconds=st.lists(
        st.integers(min_value=SMALLEST_FINITE_US, max_value=YEAR_100000_US),
        min_size=1,
        max_size=40,
    )
)
def test_any_instant_equals_the_cast(
    with_time_zone: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
    microseconds: list[int],
) -> None:
    _, sql = with_time_zone
    file = _write_requests(
        tmp_path_factory.mktemp("instants"), pa.array(microseconds, pa.timestamp("us", tz="UTC"))
    )
    connection = _utc_session()
    # the compiled SQL names the edge file; the same read of another file
    assert _model_rows(connection, sql.replace(str(with_time_zone[0]), str(file))) == _cast_rows(
        connection, file
    )


def test_the_largest_timestamp_keeps_its_microseconds(tmp_path: Path) -> None:
    file = _write_requests(
        tmp_path / "raw", pa.array([LARGEST_FINITE_US], pa.timestamp("us", tz="UTC"))
    )
    sql = _read_sql(tmp_path, file)
    assert _model_rows(_utc_session(), sql) == [(0, "294247-01-01 23:59:59.999999")]


def test_the_instant_is_read_in_utc_whatever_the_session_time_zone(
    with_time_zone: tuple[Path, str],
) -> None:
    file, sql = with_time_zone
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'America/New_York'")
    assert _model_rows(connection, sql) == _cast_rows(_utc_session(), file)


def test_a_column_without_time_zone_is_cast(tmp_path: Path) -> None:
    file = _write_requests(tmp_path / "raw", pa.array(EDGE_MICROSECONDS[2:], pa.timestamp("us")))
    sql = _read_sql(tmp_path, file)
    assert "make_timestamp" not in sql
    connection = _utc_session()
    assert _model_rows(connection, sql) == _cast_rows(connection, file)
