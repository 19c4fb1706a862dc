"""Writes each report as CSV files: one file per report, granularity and period."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

from registry_insights.reports.catalog import REPORTS, ReportDefinition
from registry_insights.warehouse import open_read_only


@dataclass(frozen=True)
class ExportedFile:
    report: str
    date_granularity: str
    date_reference: datetime.date
    path: Path
    rows: int


class ExportError(RuntimeError):
    """The warehouse cannot be exported as asked (missing file, missing mart, ...)."""


#: A report or dataview period: (date_granularity, date_reference), e.g. ("weekly", Monday).
Period = tuple[str, datetime.date]


def export_reports(
    database: Path,
    out_dir: Path,
    report_names: Iterable[str] | None = None,
    periods: Collection[Period] | None = None,
) -> list[ExportedFile]:
    """Write `<out_dir>/<report>/<report>_<granularity>_<YYYY-MM-DD>.csv` for every period
    (only those of `periods` when given)."""
    names = list(report_names) if report_names else list(REPORTS)
    unknown = [name for name in names if name not in REPORTS]
    if unknown:
        raise ExportError(f"unknown report(s) {unknown}; known: {sorted(REPORTS)}")
    if not database.exists():
        raise ExportError(f"no warehouse at {database}: run `dbt build` (or `make demo`) first")
    connection = open_read_only(database)
    try:
        exported: list[ExportedFile] = []
        for name in names:
            exported.extend(_export_report(connection, REPORTS[name], out_dir, periods))
        return exported
    finally:
        connection.close()


def _export_report(
    connection: duckdb.DuckDBPyConnection,
    report: ReportDefinition,
    out_dir: Path,
    only: Collection[Period] | None = None,
) -> list[ExportedFile]:
    try:
        periods = connection.execute(
            f"select distinct date_granularity, date_reference from {report.relation} "
            "order by date_granularity, date_reference"
        ).fetchall()
    except duckdb.CatalogException as error:
        raise ExportError(
            f"the warehouse has no {report.relation}: run `dbt build` first ({error})"
        ) from error
    report_dir = out_dir / report.name
    report_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    for granularity, date_reference in periods:
        if only is not None and (granularity, date_reference) not in only:
            continue
        rows = report_rows(connection, report, granularity, date_reference)
        path = report_dir / report_file_name(report, granularity, date_reference)
        _write_csv(path, report.header, rows)
        exported.append(ExportedFile(report.name, granularity, date_reference, path, len(rows)))
    return exported


def report_file_name(
    report: ReportDefinition, granularity: str, date_reference: datetime.date
) -> str:
    """`<report>_<granularity>_<YYYY-MM-DD>.csv`, the exported file's name."""
    return f"{report.name}_{granularity}_{date_reference.isoformat()}.csv"


def report_rows(
    connection: duckdb.DuckDBPyConnection,
    report: ReportDefinition,
    granularity: str,
    date_reference: datetime.date,
    namespaces: Collection[str] | None = None,
) -> list[tuple[object, ...]]:
    """One period of a report: its published columns in the export's order. With
    `namespaces`, only the rows of those namespaces (None: every namespace)."""
    columns = ", ".join(report.published_columns)
    order = ", ".join(report.sort_columns)
    parameters: list[object] = [granularity, date_reference]
    only_namespaces = ""
    if namespaces is not None:
        only_namespaces = f" and {report.namespace_column} in (select unnest(?::varchar[]))"
        parameters.append(sorted(namespaces))
    return connection.execute(
        f"select {columns} from {report.relation} "
        f"where date_granularity = ? and date_reference = ?{only_namespaces} order by {order}",
        parameters,
    ).fetchall()


def report_csv_bytes(
    connection: duckdb.DuckDBPyConnection,
    report: ReportDefinition,
    granularity: str,
    date_reference: datetime.date,
    namespaces: Collection[str] | None = None,
) -> bytes:
    """The bytes `export` writes for this period (for `namespaces` only, when given)."""
    buffer = io.StringIO(newline="")
    write_csv(
        buffer,
        report.header,
        report_rows(connection, report, granularity, date_reference, namespaces),
    )
    return buffer.getvalue().encode("utf-8")


def write_csv(handle: TextIO, header: list[str], rows: Iterable[tuple[object, ...]]) -> None:
    """The published CSV dialect: `\\n` line ends, null as `\\N`, dates as ISO."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(_format(value) for value in row)


def _write_csv(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    temporary = path.with_suffix(".csv.tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        write_csv(handle, header, rows)
    temporary.replace(path)


def _format(value: object) -> object:
    if value is None:
        return r"\N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
