"""Check raw Parquet files against the raw-data contract, before a dbt build.

For each contract table folder under ``raw_path``:

1. layout: every ``*.parquet`` file must sit in ``<table>/date=YYYY-MM-DD/``;
2. schema: every file must have every contract column, with a compatible type (extra
   columns are a note: the warehouse ignores them);
3. data: up to ``sample_rows`` rows (a reservoir sample with a fixed seed when the table
   is larger) are read through DuckDB into pandas and validated with a Great
   Expectations suite built from :mod:`registry_insights.raw_validation.contract`;
4. on all rows, in DuckDB: each row's ``occurred_at`` UTC day equals its partition
   folder's day, and no ``occurred_at`` lies in the future.

The warehouse quarantines rows that break the rules instead of failing, so this is a
producer's quality report: per table and expectation, how many rows fail and a few
example values. Personal columns (client IP, account id) are reported as counts only.

Great Expectations runs with an ephemeral, in-memory context: it writes nothing to disk
(no project folder, no data docs), sends no analytics and shows no progress bars.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from registry_insights.raw_validation.contract import CONTRACT, TABLES, Table
from registry_insights.raw_validation.duckdb_reading import (
    FUTURE_CHECK,
    PARTITION_CHECK,
    column_selection,
    column_types,
    connect_duckdb,
    count_rows,
    future_check,
    is_timestamp,
    load_rows,
    partition_check,
)
from registry_insights.raw_validation.expectations import (
    GreatExpectationsRunner,
    NotNullRule,
    planned_checks,
)
from registry_insights.raw_validation.layout import check_schemas, layout_findings, scan_layout
from registry_insights.raw_validation.report import (
    ExpectationResult,
    Finding,
    RawValidationReport,
    TableReport,
)

# The report types and check names are also importable from here, as before the split.
__all__ = [
    "FUTURE_CHECK",
    "PARTITION_CHECK",
    "ExpectationResult",
    "Finding",
    "RawValidationReport",
    "TableReport",
    "main",
    "validate_raw",
]


def validate_raw(raw_path: Path, sample_rows: int | None = 1_000_000) -> RawValidationReport:
    """Validate every contract table under ``raw_path``.

    ``sample_rows`` bounds the rows loaded per table for the Great Expectations suite
    (None: all rows); the partition and future-timestamp checks always use all rows.
    Raises FileNotFoundError when ``raw_path`` is not a folder.
    """
    raw_path = Path(raw_path)
    if not raw_path.is_dir():
        raise FileNotFoundError(f"raw path {raw_path} is not a folder")
    if sample_rows is not None and sample_rows < 1:
        raise ValueError("sample_rows must be at least 1 (or None for all rows)")
    notes = [
        f"folder {child.name}/ is not a contract table; the warehouse ignores it"
        for child in sorted(raw_path.iterdir())
        if child.is_dir() and child.name not in TABLES and not child.name.startswith((".", "_"))
    ]
    tables: list[TableReport] = []
    with connect_duckdb() as con, GreatExpectationsRunner() as gx_runner:
        for table in CONTRACT:
            tables.append(
                _validate_table(con, gx_runner, raw_path / table.name, table, sample_rows)
            )
    return RawValidationReport(raw_path, sample_rows, tables, notes)


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    gx_runner: GreatExpectationsRunner,
    table_dir: Path,
    table: Table,
    sample_rows: int | None,
) -> TableReport:
    report = TableReport(table.name)
    if table_dir.exists() and not table_dir.is_dir():
        report.findings.append(
            Finding("layout", "error", f"{table_dir.name} is a file, not a table folder")
        )
    if not table_dir.is_dir():
        return report
    layout = scan_layout(table_dir)
    report.files = len(layout.parquet_files)
    report.findings.extend(layout_findings(table_dir, layout))
    readable, schema_findings = check_schemas(table_dir, table, layout.parquet_files)
    report.findings.extend(schema_findings)
    if not readable:
        return report
    files = [str(path) for path in readable]
    types = column_types(con, files)
    report.rows = count_rows(con, files)
    if report.rows == 0:
        return report

    selected, skipped = column_selection(table, types)
    report.findings.extend(skipped.values())
    checks = [
        check
        for check in planned_checks(table)
        if check.column.name in types
        and (check.column.name not in skipped or isinstance(check.rule, NotNullRule))
        and (check.condition_column is None or check.condition_column in types)
    ]
    needed = {check.column.name for check in checks} | {
        check.condition_column for check in checks if check.condition_column is not None
    }
    if checks:
        frame = load_rows(
            con,
            files,
            [(name, expression) for name, expression in selected if name in needed],
            sample_rows if sample_rows is not None and report.rows > sample_rows else None,
        )
        report.rows_validated = len(frame)
        report.results.extend(gx_runner.validate(table.name, frame, checks))
        del frame

    if table.event_time is not None and is_timestamp(types.get(table.event_time)):
        read = set(readable)
        days = {str(path): day for path, day in layout.partitioned.items() if path in read}
        report.results.append(partition_check(con, table, files, days, "event_id" in types))
        report.results.append(future_check(con, table, files))
    elif table.event_time is not None and table.event_time in types:
        report.findings.append(
            Finding(
                "data",
                "note",
                f"partition and future checks not run: {table.event_time} reads as "
                f"{types[table.event_time]}, not a timestamp",
            )
        )
    return report


def main(raw_path: Path, sample_rows: int) -> int:
    """Print the report; exit code 0 when the data meets the contract, 1 when violations
    were found, 2 when the input is unusable (no such folder, sample_rows < 1)."""
    if not Path(raw_path).is_dir():
        print(f"error: raw path {raw_path} is not a folder", file=sys.stderr)
        return 2
    if sample_rows < 1:
        print("error: sample_rows must be at least 1", file=sys.stderr)
        return 2
    try:
        report = validate_raw(Path(raw_path), sample_rows)
    except (OSError, duckdb.Error) as error:
        print(f"error: cannot read {raw_path}: {error}", file=sys.stderr)
        return 2
    print(report.to_text())
    return 0 if report.ok else 1
