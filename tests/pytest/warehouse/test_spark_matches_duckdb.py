"""The same project on Spark gives the same marts as on DuckDB, row for row.

`make build-spark-test` builds one small generated dataset twice: on DuckDB (a warehouse
file) and on Spark (dbt-spark's session method, a local PySpark whose tables are Parquet
folders under build/spark/warehouse/<schema>.db/<table>). These tests read the Spark
tables' Parquet files with DuckDB and compare every mart with the DuckDB build: the same
columns, the same number of rows and the same rows (as a multiset), timestamps in UTC and
floating-point values to a relative tolerance. Skipped without those builds, unless
REGISTRY_INSIGHTS_REQUIRE_SPARK=1 (`make test`, which builds them first), where that fails.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

DUCKDB_BUILD = os.environ.get("REGISTRY_INSIGHTS_SPARK_TEST_DB")
SPARK_WAREHOUSE = os.environ.get("REGISTRY_INSIGHTS_SPARK_WAREHOUSE")
MART_SCHEMA = "marts"
FLOAT_DIGITS = 9  # floats are compared rounded to this many significant digits


def _missing_builds() -> str | None:
    """Why the two builds cannot be compared, or None when both are there."""
    if not (DUCKDB_BUILD and SPARK_WAREHOUSE):
        return (
            "REGISTRY_INSIGHTS_SPARK_TEST_DB and REGISTRY_INSIGHTS_SPARK_WAREHOUSE are not set "
            "(`make test` sets them after `make build-spark-test`)"
        )
    missing = [path for path in (DUCKDB_BUILD, SPARK_WAREHOUSE) if not Path(path).exists()]
    if missing:
        return f"{' and '.join(missing)} not built: run `make build-spark-test`"
    return None


@pytest.fixture(scope="module", autouse=True)
def spark_builds() -> None:
    """Skip without the builds, unless REGISTRY_INSIGHTS_REQUIRE_SPARK=1 (`make test`,
    which builds Spark first): there a missing build fails."""
    problem = _missing_builds()
    if problem is None:
        return
    if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_SPARK") == "1":
        pytest.fail(f"the Spark comparison is required but {problem}")
    pytest.skip(f"Spark comparison: {problem}")


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{DUCKDB_BUILD}' as duck (read_only)")
    yield con
    con.close()


def duckdb_marts() -> list[str]:
    if _missing_builds() is not None:
        return []
    assert DUCKDB_BUILD
    with duckdb.connect(DUCKDB_BUILD, read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [MART_SCHEMA],
        ).fetchall()
    return [name for (name,) in rows]


def spark_table_folder(table: str) -> Path:
    assert SPARK_WAREHOUSE
    return Path(SPARK_WAREHOUSE) / f"{MART_SCHEMA}.db" / table


def normalised(value: Any) -> Any:
    """One comparable form per value: timestamps as naive UTC, floats rounded."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, float):
        if math.isnan(value) or value == 0:
            return value
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def rows_of(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]
) -> Counter[tuple[Any, ...]]:
    listed = ", ".join(f'"{column}"' for column in columns)
    rows = con.execute(f"select {listed} from {relation}").fetchall()
    return Counter(tuple(normalised(value) for value in row) for row in rows)


def test_every_mart_was_built_on_spark() -> None:
    marts = duckdb_marts()
    assert marts, "the DuckDB build has no marts"
    spark_tables = sorted(
        folder.name
        for folder in (Path(str(SPARK_WAREHOUSE)) / f"{MART_SCHEMA}.db").iterdir()
        if folder.is_dir()
    )
    assert spark_tables == marts


# Without the builds there is no mart to list: one placeholder, which the autouse fixture
# skips or fails, rather than an empty parameter set that pytest would skip silently.
@pytest.mark.parametrize("mart", duckdb_marts() or [pytest.param("", id="no-build")])
def test_spark_mart_equals_duckdb_mart(connection: duckdb.DuckDBPyConnection, mart: str) -> None:
    duck_columns = [
        name
        for (name,) in connection.execute(
            "select column_name from duckdb_columns() "
            "where database_name = 'duck' and schema_name = ? and table_name = ? "
            "order by column_index",
            [MART_SCHEMA, mart],
        ).fetchall()
    ]
    spark_files = f"{spark_table_folder(mart)}/*.parquet"
    described = connection.execute(f"select * from read_parquet('{spark_files}') limit 0")
    spark_columns = [column[0] for column in described.description or []]
    assert spark_columns == duck_columns

    duck_rows = rows_of(connection, f"duck.{MART_SCHEMA}.{mart}", duck_columns)
    spark_rows = rows_of(connection, f"read_parquet('{spark_files}')", duck_columns)
    assert duck_rows, f"{mart} is empty: the comparison would prove nothing"
    assert sum(spark_rows.values()) == sum(duck_rows.values())
    only_duck = duck_rows - spark_rows
    only_spark = spark_rows - duck_rows
    assert not only_duck and not only_spark, (
        f"{mart}: {sum(only_duck.values())} rows only on DuckDB, e.g. {list(only_duck)[:3]}; "
        f"{sum(only_spark.values())} only on Spark, e.g. {list(only_spark)[:3]}"
    )
