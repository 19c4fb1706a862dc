"""Export files for one namespace, written on demand into a cache and served by signed link."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import duckdb

from registry_insights.publishing.catalog import DATAVIEWS
from registry_insights.publishing.dataview_files import ExportPeriod, write_period

_WRITING = threading.Lock()


def _cache_folder(cache: Path, database: Path, period: ExportPeriod) -> Path:
    # A rebuilt warehouse gets a fresh folder, so no stale file is ever served.
    built = database.stat().st_mtime_ns
    return cache / str(built) / str(period.namespace) / period.dataview.name


def export_parts(
    cursor: duckdb.DuckDBPyConnection,
    cache: Path,
    database: Path,
    dataview: str,
    granularity: str,
    date_reference: datetime.date,
    namespace: str,
    max_bytes: int,
) -> list[Path]:
    """The period's files for the namespace, in part order, written first if the cache
    lacks them. A period without rows for the namespace gives one header-only file."""
    period = ExportPeriod(DATAVIEWS[dataview], granularity, date_reference, namespace)
    folder = _cache_folder(cache, database, period)
    marker = folder / f"{period.stem}.done"
    with _WRITING:
        if not marker.exists():
            write_period(cursor, period, folder, max_bytes)
            marker.touch()
    return sorted(folder.glob(f"{period.stem}_*.csv.gz"))
