"""The same project on Spark gives the same marts as on DuckDB, row for row.

`make build-spark-test` builds one small generated dataset twice: on DuckDB (a warehouse
file) and on Spark (dbt-spark's session method, a local PySpark whose tables are Parquet
folders under build/spark/warehouse/<schema>.db/<table>). These tests read the Spark
tables' Parquet files with DuckDB and compare every mart with the DuckDB build
(registry_insights.spark_marts, which `make bench-spark` uses too): the same columns, the
same number of rows and the same rows (as a multiset), timestamps in UTC and
floating-point values to a relative tolerance. Skipped without those builds, unless
REGISTRY_INSIGHTS_REQUIRE_SPARK=1 (`make test`, which builds them first), where that fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from support.spark_session import skip_or_fail

from registry_insights.spark_marts import (
    compare_mart,
    comparison_connection,
    duckdb_marts,
    spark_marts,
)

DUCKDB_BUILD = os.environ.get("REGISTRY_INSIGHTS_SPARK_TEST_DB")
SPARK_WAREHOUSE = os.environ.get("REGISTRY_INSIGHTS_SPARK_WAREHOUSE")


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
    if problem is not None:
        skip_or_fail(f"no builds to compare: {problem}")


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    assert DUCKDB_BUILD
    with comparison_connection(Path(DUCKDB_BUILD)) as con:
        yield con


def built_marts() -> list[str]:
    if _missing_builds() is not None:
        return []
    assert DUCKDB_BUILD
    return duckdb_marts(Path(DUCKDB_BUILD))


def test_every_mart_was_built_on_spark() -> None:
    marts = built_marts()
    assert marts, "the DuckDB build has no marts"
    assert spark_marts(Path(str(SPARK_WAREHOUSE))) == marts


# Without the builds there is no mart to list: one placeholder, which the autouse fixture
# skips or fails, rather than an empty parameter set that pytest would skip silently.
@pytest.mark.parametrize("mart", built_marts() or [pytest.param("", id="no-build")])
def test_spark_mart_equals_duckdb_mart(connection: duckdb.DuckDBPyConnection, mart: str) -> None:
    comparison = compare_mart(connection, mart, Path(str(SPARK_WAREHOUSE)))
    assert comparison.spark_columns == comparison.duckdb_columns
    assert comparison.duckdb_rows, f"{mart} is empty: the comparison would prove nothing"
    assert comparison.equal, comparison.describe()
