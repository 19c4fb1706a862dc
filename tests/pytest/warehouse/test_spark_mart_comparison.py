"""The Spark-versus-DuckDB mart comparison (registry_insights.spark_marts) sees what it
must: a changed value, a missing or repeated row, columns in another order, a mart built
on one engine only; and it passes what the engines may legitimately differ in: the last
digits of a float, a timestamp written as a UTC instant. No Spark needed: the "Spark"
tables are Parquet folders written by DuckDB, laid out as dbt-spark's session writes them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from registry_insights.spark_marts import MartComparison, compare_marts

Row = tuple[object, ...]
SHARE = 0.1 + 0.2  # 0.30000000000000004
ROWS: list[Row] = [
    (1, "a", SHARE, "2026-06-01 10:00:00", 12.50),
    (2, "b", 1e-7 / 3, "2026-06-02 23:59:59.123456", 0.00),
    (2, "b", 1e-7 / 3, "2026-06-02 23:59:59.123456", 0.00),
    (3, None, None, None, None),
]
DUCKDB_TABLE = (
    "create table marts.rpt_example (id integer, name varchar, share double, "
    "seen_at timestamp, amount decimal(10, 2))"
)


def duckdb_warehouse(folder: Path) -> Path:
    database = folder / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        con.execute(DUCKDB_TABLE)
        con.executemany("insert into marts.rpt_example values (?, ?, ?, ?, ?)", ROWS)
    return database


def spark_warehouse(folder: Path, rows: list[Row], select: str = "*") -> Path:
    """A Spark-like warehouse holding marts.rpt_example: Parquet with timestamps as UTC
    instants, as dbt-spark writes them (spark.sql.parquet.outputTimestampType)."""
    table = folder / "spark" / "marts.db" / "rpt_example"
    table.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            DUCKDB_TABLE.replace("marts.", "").replace("seen_at timestamp", "seen_at timestamptz")
        )
        con.executemany("insert into rpt_example values (?, ?, ?, ?, ?)", rows)
        con.execute(
            f"copy (select {select} from rpt_example) to '{table}/part-00000.parquet' "
            "(format parquet)"
        )
    return folder / "spark"


def only(comparisons: list[MartComparison]) -> MartComparison:
    assert len(comparisons) == 1
    return comparisons[0]


def test_equal_marts_compare_equal(tmp_path: Path) -> None:
    comparison = only(compare_marts(duckdb_warehouse(tmp_path), spark_warehouse(tmp_path, ROWS)))
    assert comparison.equal, comparison.describe()
    assert (comparison.duckdb_rows, comparison.spark_rows) == (4, 4)


def test_floats_equal_to_nine_digits_compare_equal(tmp_path: Path) -> None:
    """A sum in another order differs in the last digits only."""
    jittered = [(1, "a", SHARE * (1 + 1e-13), *ROWS[0][3:]), *ROWS[1:]]
    assert jittered[0][2] != SHARE
    spark = spark_warehouse(tmp_path, jittered)
    comparison = only(compare_marts(duckdb_warehouse(tmp_path), spark))
    assert comparison.equal, comparison.describe()


@pytest.mark.parametrize(
    ("name", "spark_rows", "only_duckdb", "only_spark"),
    [
        ("changed value", [(1, "a", 0.3, "2026-06-01 10:00:00", 12.51), *ROWS[1:]], 1, 1),
        ("changed float", [(1, "a", 0.3001, *ROWS[0][3:]), *ROWS[1:]], 1, 1),
        ("changed time", [(1, "a", SHARE, "2026-06-01 10:00:01", 12.50), *ROWS[1:]], 1, 1),
        ("missing row", ROWS[:-1], 1, 0),
        ("one copy fewer", [ROWS[0], ROWS[1], ROWS[3]], 1, 0),
        ("extra copy", [*ROWS, ROWS[0]], 0, 1),
        ("null for value", [(1, None, *ROWS[0][2:]), *ROWS[1:]], 1, 1),
    ],
)
def test_a_difference_is_found(
    tmp_path: Path,
    name: str,
    spark_rows: list[Row],
    only_duckdb: int,
    only_spark: int,
) -> None:
    comparison = only(
        compare_marts(duckdb_warehouse(tmp_path), spark_warehouse(tmp_path, spark_rows))
    )
    assert not comparison.equal, name
    assert (comparison.only_duckdb, comparison.only_spark) == (only_duckdb, only_spark)
    assert "DIFFERENT" in comparison.describe()


def test_columns_in_another_order_differ(tmp_path: Path) -> None:
    spark = spark_warehouse(tmp_path, ROWS, select="name, id, share, seen_at, amount")
    comparison = only(compare_marts(duckdb_warehouse(tmp_path), spark))
    assert not comparison.equal
    assert "columns differ" in comparison.describe()


def test_a_mart_built_on_one_engine_only_differs(tmp_path: Path) -> None:
    database = duckdb_warehouse(tmp_path)
    spark = spark_warehouse(tmp_path, ROWS)
    (spark / "marts.db" / "rpt_spark_only").mkdir()
    with duckdb.connect(str(database)) as con:
        con.execute("create table marts.rpt_duckdb_only (id integer)")
    by_mart = {comparison.mart: comparison for comparison in compare_marts(database, spark)}
    assert by_mart["rpt_example"].equal
    assert by_mart["rpt_spark_only"].describe() == "rpt_spark_only: built on Spark only"
    assert by_mart["rpt_duckdb_only"].describe() == "rpt_duckdb_only: built on DuckDB only"
    assert not by_mart["rpt_spark_only"].equal and not by_mart["rpt_duckdb_only"].equal
