"""`registry-insights export` (and the scheduled period exports): every published dataset
of the warehouse as files, reports in `<out>/<report>/`, dataviews in
`<out>/exports/<dataview>/`."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from registry_insights.publishing.catalog import DATAVIEWS, REPORTS, Period
from registry_insights.publishing.completeness import data_complete_through, unpublished_reason
from registry_insights.publishing.dataview_files import (
    DEFAULT_MAX_FILE_BYTES,
    ExportedPeriod,
    export_dataviews,
)
from registry_insights.publishing.report_files import ExportedFile, export_reports
from registry_insights.publishing.rows import ExportError, read_only_warehouse

DATAVIEWS_FOLDER = "exports"


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the report files and the dataview periods with their parts."""

    reports: list[ExportedFile]
    dataviews: list[ExportedPeriod]

    @property
    def file_count(self) -> int:
        return len(self.reports) + sum(len(period.parts) for period in self.dataviews)


def _selected(names: Iterable[str] | None, known: Collection[str], what: str) -> list[str]:
    selected = list(known) if names is None else list(names)
    unknown = [name for name in selected if name not in known]
    if unknown:
        raise ExportError(f"unknown {what}(s) {unknown}; known: {sorted(known)}")
    return selected


def export_warehouse(
    database: Path,
    out_dir: Path,
    reports: Iterable[str] | None = None,
    dataviews: Iterable[str] | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    only: Collection[Period] | None = None,
) -> Exported:
    """Write every period (only those of `only` when given) of the named reports and
    dataviews (None: all of each)."""
    report_names = _selected(reports, REPORTS, "report")
    dataview_names = _selected(dataviews, DATAVIEWS, "dataview")
    with read_only_warehouse(database) as connection:
        return Exported(
            export_reports(connection, out_dir, report_names, only),
            export_dataviews(
                connection, out_dir / DATAVIEWS_FOLDER, max_file_bytes, dataview_names, only
            ),
        )


def why_not_exported(database: Path, granularity: str, start: datetime.date) -> str:
    """Why the period has nothing to export: its data is not complete (from the ledger),
    or the period itself has not ended before the reports' cut-off."""
    with read_only_warehouse(database) as connection:
        through = data_complete_through(connection)
    return f"not complete yet: {unpublished_reason(granularity, start, through)}"
