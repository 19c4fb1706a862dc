"""Dataview (pull and extension export) files: one period as gzip-compressed CSV parts of
bounded size, `<stem>_<NNN>.csv.gz`.

A period's rows are streamed from the warehouse in the dataview's total order and cut into
parts: each part starts with the header and holds whole rows, and a new part begins before
its uncompressed size would pass `max_bytes` (a part always holds at least one row). The
gzip header carries no file name and no time, so the same warehouse gives the same bytes.
"""

from __future__ import annotations

import datetime
import gzip
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb

from registry_insights.publishing.catalog import DATAVIEWS, Period, PublishedDataset
from registry_insights.publishing.csv_format import csv_line
from registry_insights.publishing.rows import period_rows, periods_of

# Largest uncompressed export file, unless the operator says otherwise (100 MB).
DEFAULT_MAX_FILE_BYTES = 100_000_000


@dataclass(frozen=True)
class ExportPart:
    """One written file of a dataview period."""

    path: Path
    size: int
    rows: int


@dataclass(frozen=True)
class ExportPeriod:
    """What to export: a dataview, a granularity and the period's first day, optionally
    one namespace only."""

    dataview: PublishedDataset
    date_granularity: str
    date_reference: datetime.date
    namespace: str | None = None

    @property
    def stem(self) -> str:
        prefix = f"{self.namespace}_" if self.namespace else ""
        return (
            f"{prefix}{self.dataview.name}_{self.date_granularity}_"
            f"{self.date_reference.isoformat()}"
        )


@dataclass(frozen=True)
class ExportedPeriod:
    dataview: str
    date_granularity: str
    date_reference: datetime.date
    parts: list[ExportPart]


def write_period(
    connection: duckdb.DuckDBPyConnection, period: ExportPeriod, out_dir: Path, max_bytes: int
) -> list[ExportPart]:
    """Write `<out_dir>/<stem>_<NNN>.csv.gz` parts; an empty period gives one header-only part."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f"{period.stem}_*.csv.gz"):
        stale.unlink()
    namespaces = None if period.namespace is None else [period.namespace]
    rows = period_rows(
        connection, period.dataview, period.date_granularity, period.date_reference, namespaces
    )
    writer = _PartWriter(out_dir, period.stem, csv_line(period.dataview.header))
    try:
        for row in rows:
            line = csv_line(row)
            if writer.rows and writer.uncompressed + len(line) > max_bytes:
                writer.next_part()
            writer.write(line)
    finally:
        writer.close()
    return writer.parts


def export_dataviews(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    max_bytes: int,
    names: Iterable[str],
    only: Collection[Period] | None = None,
) -> list[ExportedPeriod]:
    """Write `<out_dir>/<dataview>/<dataview>_<granularity>_<date>_<NNN>.csv.gz` for every
    period of the named dataviews, only those of `only` when given."""
    exported = []
    for name in names:
        view = DATAVIEWS[name]
        for granularity, reference in periods_of(connection, view):
            if only is not None and (granularity, reference) not in only:
                continue
            period = ExportPeriod(view, granularity, reference)
            parts = write_period(connection, period, out_dir / view.name, max_bytes)
            exported.append(ExportedPeriod(view.name, granularity, reference, parts))
    return exported


class _PartWriter:
    """Gzip parts `<stem>_000.csv.gz`, `<stem>_001.csv.gz`, ..., each with the header."""

    def __init__(self, out_dir: Path, stem: str, header: bytes) -> None:
        self.out_dir = out_dir
        self.stem = stem
        self.header = header
        self.parts: list[ExportPart] = []
        self._raw: BinaryIO | None = None
        self._gzip: gzip.GzipFile | None = None
        self._open(0)

    def _path(self, index: int) -> Path:
        return self.out_dir / f"{self.stem}_{index:03d}.csv.gz"

    def _open(self, index: int) -> None:
        self._index = index
        self._raw = self._path(index).with_suffix(".tmp").open("wb")
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        self.rows = 0
        self._gzip.write(self.header)
        self.uncompressed = len(self.header)

    def write(self, line: bytes) -> None:
        assert self._gzip is not None
        self._gzip.write(line)
        self.uncompressed += len(line)
        self.rows += 1

    def _finish(self) -> None:
        if self._gzip is None or self._raw is None:
            return
        self._gzip.close()
        self._raw.close()
        temporary = self._path(self._index).with_suffix(".tmp")
        path = self._path(self._index)
        temporary.replace(path)
        self.parts.append(ExportPart(path, path.stat().st_size, self.rows))
        self._gzip = None
        self._raw = None

    def next_part(self) -> None:
        self._finish()
        self._open(self._index + 1)

    def close(self) -> None:
        self._finish()
