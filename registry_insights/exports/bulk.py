"""`registry-insights export`'s dataview half: every dataview period, all namespaces."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from registry_insights.exports.catalog import DATAVIEWS, Dataview
from registry_insights.exports.files import ExportPart, ExportPeriod, write_period
from registry_insights.reports.csv_export import ExportError, Period
from registry_insights.warehouse import open_read_only


@dataclass(frozen=True)
class ExportedPeriod:
    dataview: str
    date_granularity: str
    date_reference: datetime.date
    parts: list[ExportPart]


def periods_of(
    connection: duckdb.DuckDBPyConnection, view: Dataview
) -> list[tuple[str, datetime.date]]:
    """The (granularity, first day) periods a dataview's mart holds."""
    rows = connection.execute(
        f"select distinct date_granularity, date_reference from {view.relation} order by 1, 2"
    ).fetchall()
    return [(str(granularity), reference) for granularity, reference in rows]


def export_dataviews(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    max_bytes: int,
    names: Iterable[str] | None = None,
    only: Collection[Period] | None = None,
) -> list[ExportedPeriod]:
    """Write `<out_dir>/<dataview>/<dataview>_<granularity>_<date>_<NNN>.csv.gz` for every
    period of every named dataview (default: all), only those of `only` when given."""
    exported = []
    for name in names or DATAVIEWS:
        view = DATAVIEWS[name]
        try:
            periods = periods_of(connection, view)
        except duckdb.CatalogException as error:
            raise ExportError(
                f"the warehouse has no {view.relation}: run `dbt build` first ({error})"
            ) from error
        for granularity, reference in periods:
            if only is not None and (granularity, reference) not in only:
                continue
            period = ExportPeriod(view, granularity, reference)
            parts = write_period(connection, period, out_dir / view.name, max_bytes)
            exported.append(ExportedPeriod(view.name, granularity, reference, parts))
    return exported


def export_warehouse_dataviews(
    database: Path,
    out_dir: Path,
    max_bytes: int,
    names: Iterable[str] | None = None,
    only: Collection[Period] | None = None,
) -> list[ExportedPeriod]:
    """export_dataviews on the warehouse file, opened read-only."""
    selected = list(names) if names else list(DATAVIEWS)
    unknown = sorted(set(selected) - DATAVIEWS.keys())
    if unknown:
        raise ExportError(f"unknown dataview(s) {unknown}; known: {sorted(DATAVIEWS)}")
    if not database.exists():
        raise ExportError(f"no warehouse at {database}: run `dbt build` (or `make demo`) first")
    with open_read_only(database) as connection:
        return export_dataviews(connection, out_dir, max_bytes, selected, only)
