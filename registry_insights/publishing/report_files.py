"""Report CSV files: `<out>/<report>/<report>_<granularity>_<YYYY-MM-DD>.csv`, one per report
and period, with the report's published header (the dashboard's downloads are the same bytes)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from registry_insights.publishing.catalog import REPORTS, Period, PublishedDataset
from registry_insights.publishing.csv_format import write_csv
from registry_insights.publishing.rows import period_rows, periods_of


@dataclass(frozen=True)
class ExportedFile:
    report: str
    date_granularity: str
    date_reference: datetime.date
    path: Path
    rows: int


def report_file_name(
    report: PublishedDataset, granularity: str, date_reference: datetime.date
) -> str:
    """`<report>_<granularity>_<YYYY-MM-DD>.csv`, the exported file's name."""
    return f"{report.name}_{granularity}_{date_reference.isoformat()}.csv"


def report_csv_bytes(
    connection: duckdb.DuckDBPyConnection,
    report: PublishedDataset,
    granularity: str,
    date_reference: datetime.date,
    namespaces: Collection[str] | None = None,
) -> bytes:
    """The bytes `export` writes for this period (for `namespaces` only, when given)."""
    buffer = io.StringIO(newline="")
    rows = period_rows(connection, report, granularity, date_reference, namespaces)
    write_csv(buffer, report.header, rows)
    return buffer.getvalue().encode("utf-8")


def export_reports(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    names: Iterable[str],
    only: Collection[Period] | None = None,
) -> list[ExportedFile]:
    """Write every period of the named reports (only those of `only` when given)."""
    exported = []
    for name in names:
        report = REPORTS[name]
        periods = periods_of(connection, report)
        report_dir = out_dir / report.name
        report_dir.mkdir(parents=True, exist_ok=True)
        for granularity, date_reference in periods:
            if only is not None and (granularity, date_reference) not in only:
                continue
            path = report_dir / report_file_name(report, granularity, date_reference)
            rows = list(period_rows(connection, report, granularity, date_reference))
            temporary = path.with_suffix(".csv.tmp")
            with temporary.open("w", newline="", encoding="utf-8") as handle:
                write_csv(handle, report.header, rows)
            temporary.replace(path)
            exported.append(ExportedFile(name, granularity, date_reference, path, len(rows)))
    return exported
