"""Reading raw Parquet files through DuckDB: the connection, the read_parquet SQL, the
column types and row count, the (sampled) rows loaded for Great Expectations, and the
partition-date and future-timestamp checks that run on all rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from registry_insights.raw_validation.contract import PARTITION_PREFIX, Table
from registry_insights.raw_validation.limits import MAX_EXAMPLES, SAMPLE_SEED
from registry_insights.raw_validation.report import ExpectationResult, Finding

#: Names of the two checks DuckDB runs on all rows (not Great Expectations expectations).
PARTITION_CHECK = "expect_column_values_to_match_partition_date"
FUTURE_CHECK = "expect_column_values_to_not_be_in_the_future"

_FILE_COLUMN = "__raw_validation_file"


@contextmanager
def connect_duckdb() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    try:
        # Dates of timestamps with a time zone are taken in UTC, as the layout says.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        yield con
    finally:
        con.close()


def _read_parquet_sql(with_file: bool = False) -> str:
    options = "union_by_name = true, hive_partitioning = false"
    if with_file:
        options += f", filename = '{_FILE_COLUMN}'"
    return f"read_parquet($1, {options})"


def column_types(con: duckdb.DuckDBPyConnection, files: list[str]) -> dict[str, str]:
    """The DuckDB type of each column of ``files``, read by name across files."""
    source = _read_parquet_sql()
    return {
        str(name): str(type_)
        for name, type_, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}", [files]).fetchall()
    }


def count_rows(con: duckdb.DuckDBPyConnection, files: list[str]) -> int:
    row = con.execute(f"SELECT count(*) FROM {_read_parquet_sql()}", [files]).fetchone()
    return int(row[0]) if row else 0


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}


def is_timestamp(duckdb_type: str | None) -> bool:
    return duckdb_type is not None and duckdb_type.startswith("TIMESTAMP")


def column_selection(
    table: Table, types: Mapping[str, str]
) -> tuple[list[tuple[str, str]], dict[str, Finding]]:
    """SELECT expressions of the contract columns present, and the columns whose value
    rules cannot run (their type is wrong: only their not-null check runs)."""
    selected: list[tuple[str, str]] = []
    skipped: dict[str, Finding] = {}
    for column in table.columns:
        duckdb_type = types.get(column.name)
        if duckdb_type is None:
            continue
        quoted = _quote(column.name)
        fits = {
            "varchar": duckdb_type == "VARCHAR",
            "timestamp": is_timestamp(duckdb_type),
            "integer": duckdb_type in _INTEGER_TYPES,
            "bigint": duckdb_type in _INTEGER_TYPES,
            "double": duckdb_type in _INTEGER_TYPES or duckdb_type in ("FLOAT", "DOUBLE"),
        }[column.type]
        if column.type == "varchar" and not fits:
            selected.append((column.name, f"CAST({quoted} AS VARCHAR)"))
            continue
        selected.append((column.name, quoted))
        if not fits and column.rules:
            skipped[column.name] = Finding(
                "data",
                "note",
                f"value rules of {column.name} not checked: it reads as {duckdb_type}, "
                f"not {column.type}",
            )
    return selected, skipped


def load_rows(
    con: duckdb.DuckDBPyConnection,
    files: list[str],
    selected: Sequence[tuple[str, str]],
    sample_rows: int | None,
) -> pd.DataFrame:
    """The selected columns of all rows, or of a reservoir sample of ``sample_rows`` rows,
    in file order.

    The sample is drawn on (file, row number) only and joined back, which is much faster
    than sampling whole rows; with a fixed seed it is the same sample on every run.
    """
    source = (
        "read_parquet($1, union_by_name = true, hive_partitioning = false, "
        f"filename = '{_FILE_COLUMN}', file_row_number = true)"
    )
    columns = ", ".join(f"{expression} AS {_quote(name)}" for name, expression in selected)
    order = f"ORDER BY r.{_FILE_COLUMN}, r.file_row_number"
    if sample_rows is None:
        query = f"SELECT {columns} FROM {source} AS r {order}"
    else:
        query = f"""
            WITH sampled AS (
                SELECT {_FILE_COLUMN} AS file, file_row_number AS row_number
                FROM {source}
                USING SAMPLE reservoir({int(sample_rows)} ROWS) REPEATABLE ({SAMPLE_SEED})
            )
            SELECT {columns} FROM {source} AS r
            SEMI JOIN sampled AS s
                ON s.file = r.{_FILE_COLUMN} AND s.row_number = r.file_row_number
            {order}
        """
    arrow = con.execute(query, [files]).to_arrow_table()
    frame: pd.DataFrame = arrow.to_pandas(types_mapper=_pandas_type)
    return frame


def _pandas_type(arrow_type: pa.DataType) -> Any:
    """Nullable integers (no float conversion when a value is null); strings stay Python
    objects, which Great Expectations' pandas engine handles faster and with less peak
    memory than pyarrow-backed strings."""
    if pa.types.is_integer(arrow_type) and arrow_type != pa.uint64():
        return pd.Int64Dtype()
    return None


# --- checks in DuckDB, on all rows ------------------------------------------------------------


def partition_check(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    partition_days: Mapping[str, dt.date],
    has_event_id: bool,
) -> ExpectationResult:
    """Rows of files in a day folder whose event time's UTC day is another day. ``files``
    are all files read (the columns depend on them); those outside day folders drop out
    of the join."""
    column = table.event_time
    assert column is not None
    rule = f"UTC day = its {PARTITION_PREFIX} folder's day"
    if not partition_days:
        return ExpectationResult(PARTITION_CHECK, column, rule, True, 0, 0.0, scope="all rows")
    folders = pa.table(
        {
            "file": pa.array(list(partition_days), pa.string()),
            "partition_day": pa.array(list(partition_days.values()), pa.date32()),
        }
    )
    con.register("__raw_validation_partitions", folders)
    try:
        quoted = _quote(column)
        event_id = _quote("event_id") if has_event_id else "NULL"
        rows = f"""
            SELECT {event_id}::VARCHAR AS event_id, {quoted} AS ts, p.partition_day
            FROM {_read_parquet_sql(with_file=True)} AS r
            JOIN __raw_validation_partitions AS p ON p.file = r.{_FILE_COLUMN}
            WHERE {quoted} IS NOT NULL
        """
        counts = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE ts::DATE <> partition_day) FROM ({rows})",
            [files],
        ).fetchone()
        checked, wrong = (int(counts[0]), int(counts[1])) if counts else (0, 0)
        examples: list[str] = []
        if wrong:
            for event, ts, day in con.execute(
                f"SELECT event_id, ts, partition_day FROM ({rows}) "
                f"WHERE ts::DATE <> partition_day ORDER BY ts, event_id LIMIT {MAX_EXAMPLES}",
                [files],
            ).fetchall():
                prefix = "" if event is None else f"{event}: "
                examples.append(f"{prefix}{_timestamp_text(ts)} in {PARTITION_PREFIX}{day}")
    finally:
        con.unregister("__raw_validation_partitions")
    return ExpectationResult(
        PARTITION_CHECK,
        column,
        rule,
        wrong == 0,
        wrong,
        _percent(wrong, checked),
        tuple(examples),
        scope="all rows",
    )


def future_check(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[str]
) -> ExpectationResult:
    column = table.event_time
    assert column is not None
    quoted = _quote(column)
    source = _read_parquet_sql()
    counts = con.execute(
        f"SELECT count({quoted}), count(*) FILTER (WHERE {quoted} > now()) FROM {source}",
        [files],
    ).fetchone()
    checked, future = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    examples: tuple[str, ...] = ()
    if future:
        examples = tuple(
            _timestamp_text(ts)
            for (ts,) in con.execute(
                f"SELECT DISTINCT {quoted} FROM {source} WHERE {quoted} > now() "
                f"ORDER BY 1 LIMIT {MAX_EXAMPLES}",
                [files],
            ).fetchall()
        )
    return ExpectationResult(
        FUTURE_CHECK,
        column,
        "not later than now",
        future == 0,
        future,
        _percent(future, checked),
        examples,
        scope="all rows",
    )


def _timestamp_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ") + " UTC"
    return str(value)


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0
