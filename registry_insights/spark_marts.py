"""Compare the marts built on Spark with the DuckDB build of the same data, row for row.

dbt-spark's local session writes each table as a folder of Parquet files,
`<spark warehouse>/<schema>.db/<table>/`. Every mart of the DuckDB warehouse is compared
with the Parquet files of its Spark folder, read by DuckDB: the same columns in the same
order, and the same rows as a multiset (EXCEPT ALL both ways). Values are compared in the
DuckDB column's type (Spark's timestamps, written as UTC instants, in UTC), and
floating-point values rounded to FLOAT_DIGITS significant digits, since the engines may
sum in another order.

Used by tests/pytest/warehouse/test_spark_matches_duckdb.py (`make test`) and by
scripts/bench_spark.py (`make bench-spark`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

MART_SCHEMA = "marts"
FLOAT_DIGITS = 9  # floating-point values are compared rounded to this many significant digits
DUCKDB_CATALOG = "duck"
EXAMPLES = 3
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@dataclass(frozen=True)
class MartComparison:
    """One mart on both engines: its columns, its row counts, and the rows found on one
    side only (counts, and a few examples)."""

    mart: str
    duckdb_columns: list[str]
    spark_columns: list[str]
    duckdb_rows: int = 0
    spark_rows: int = 0
    only_duckdb: int = 0
    only_spark: int = 0
    examples_only_duckdb: list[tuple[Any, ...]] = field(default_factory=list)
    examples_only_spark: list[tuple[Any, ...]] = field(default_factory=list)
    problem: str = ""

    @property
    def equal(self) -> bool:
        return (
            not self.problem
            and self.spark_columns == self.duckdb_columns
            and self.duckdb_rows == self.spark_rows
            and self.only_duckdb == 0
            and self.only_spark == 0
        )

    def describe(self) -> str:
        if self.problem:
            return f"{self.mart}: {self.problem}"
        if self.spark_columns != self.duckdb_columns:
            return (
                f"{self.mart}: columns differ: DuckDB {self.duckdb_columns}, "
                f"Spark {self.spark_columns}"
            )
        status = "equal" if self.equal else "DIFFERENT"
        text = (
            f"{self.mart}: {self.duckdb_rows} rows on DuckDB, {self.spark_rows} on Spark, "
            f"{self.only_duckdb} only on DuckDB, {self.only_spark} only on Spark: {status}"
        )
        if not self.equal:
            text += (
                f"; only on DuckDB e.g. {self.examples_only_duckdb}"
                f"; only on Spark e.g. {self.examples_only_spark}"
            )
        return text


def spark_table_folder(spark_warehouse: Path, table: str, schema: str = MART_SCHEMA) -> Path:
    """The folder of one Spark table's Parquet files."""
    return spark_warehouse / f"{schema}.db" / table


def spark_marts(spark_warehouse: Path, schema: str = MART_SCHEMA) -> list[str]:
    """The tables of `schema` in the Spark warehouse, by name."""
    folder = spark_warehouse / f"{schema}.db"
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir() if entry.is_dir())


def duckdb_marts(database: Path, schema: str = MART_SCHEMA) -> list[str]:
    """The tables of `schema` in the DuckDB warehouse file, by name."""
    with comparison_connection(database) as connection:
        return attached_marts(connection, schema)


def attached_marts(connection: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> list[str]:
    """The tables of `schema` in the attached DuckDB warehouse (comparison_connection)."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by 1",
        [DUCKDB_CATALOG, schema],
    ).fetchall()
    return [str(name) for (name,) in rows]


@contextmanager
def comparison_connection(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB (UTC) with the DuckDB warehouse attached read-only as `duck`."""
    connection = duckdb.connect()
    try:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach '{database}' as {DUCKDB_CATALOG} (read_only)")
        yield connection
    finally:
        connection.close()


def _comparable(column: str, data_type: str, *, cast: bool) -> str:
    """One column as compared: in the DuckDB column's type, floats rounded."""
    value = f'cast("{column}" as {data_type})' if cast else f'"{column}"'
    if data_type.upper() in _FLOAT_TYPES:
        magnitude = f"cast(floor(log10(abs({value}))) as integer)"
        value = (
            f"case when {value} is null or isnan({value}) or isinf({value}) or {value} = 0 "
            f"then {value} else round({value}, {FLOAT_DIGITS - 1} - {magnitude}) end"
        )
    return f'{value} as "{column}"'


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(f"select count(*) from ({sql})").fetchone()
    return int(row[0]) if row else 0


def _examples(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return connection.execute(f"{sql} limit {EXAMPLES}").fetchall()


def compare_mart(
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    spark_warehouse: Path,
    schema: str = MART_SCHEMA,
) -> MartComparison:
    """Compare one mart of the attached DuckDB warehouse (comparison_connection) with its
    Spark Parquet files."""
    typed = connection.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [DUCKDB_CATALOG, schema, mart],
    ).fetchall()
    duckdb_columns = [str(name) for name, _ in typed]
    spark_files = f"read_parquet('{spark_table_folder(spark_warehouse, mart, schema)}/*.parquet')"
    described = connection.execute(f"select * from {spark_files} limit 0").description or []
    spark_columns = [str(column[0]) for column in described]
    if spark_columns != duckdb_columns:
        return MartComparison(mart, duckdb_columns, spark_columns)
    duck_sql = "select {} from {}.{}.{}".format(
        ", ".join(_comparable(name, str(kind), cast=False) for name, kind in typed),
        DUCKDB_CATALOG,
        schema,
        mart,
    )
    spark_sql = "select {} from {}".format(
        ", ".join(_comparable(name, str(kind), cast=True) for name, kind in typed), spark_files
    )
    only_duck_sql = f"{duck_sql} except all {spark_sql}"
    only_spark_sql = f"{spark_sql} except all {duck_sql}"
    only_duckdb = _count(connection, only_duck_sql)
    only_spark = _count(connection, only_spark_sql)
    return MartComparison(
        mart,
        duckdb_columns,
        spark_columns,
        duckdb_rows=_count(connection, duck_sql),
        spark_rows=_count(connection, spark_sql),
        only_duckdb=only_duckdb,
        only_spark=only_spark,
        examples_only_duckdb=_examples(connection, only_duck_sql) if only_duckdb else [],
        examples_only_spark=_examples(connection, only_spark_sql) if only_spark else [],
    )


def compare_marts(
    database: Path, spark_warehouse: Path, schema: str = MART_SCHEMA
) -> list[MartComparison]:
    """Every mart of either build compared: a mart built on one engine only is a
    difference."""
    on_spark = set(spark_marts(spark_warehouse, schema))
    results = []
    with comparison_connection(database) as connection:
        on_duckdb = set(attached_marts(connection, schema))
        for mart in sorted(on_duckdb | on_spark):
            if mart not in on_spark or mart not in on_duckdb:
                engine = "DuckDB" if mart in on_duckdb else "Spark"
                results.append(MartComparison(mart, [], [], problem=f"built on {engine} only"))
                continue
            results.append(compare_mart(connection, mart, spark_warehouse, schema))
    return results
