"""Writes one dataview period as gzip-compressed CSV files of bounded size.

A period's rows are streamed from the warehouse in a total order and cut into parts:
each part starts with the header and holds whole rows, and a new part begins before its
uncompressed size would pass `max_bytes` (a part always holds at least one row). The
gzip header carries no file name and no time, so the same warehouse gives the same
bytes.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb

from registry_insights.exports.catalog import Dataview

FETCH_ROWS = 10_000


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

    dataview: Dataview
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


def csv_value(value: object) -> object:
    """How a mart value is written: null as `\\N`, dates ISO, timestamps to the second."""
    if value is None:
        return r"\N"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def csv_line(values: list[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(csv_value(value) for value in values)
    return buffer.getvalue().encode("utf-8")


def query_rows(
    connection: duckdb.DuckDBPyConnection, period: ExportPeriod
) -> Iterator[tuple[object, ...]]:
    """The period's rows in the dataview's published columns and total order."""
    view = period.dataview
    sql = (
        f"select {', '.join(view.mart_columns)} from {view.relation} "
        "where date_granularity = ? and date_reference = ?"
    )
    parameters: list[object] = [period.date_granularity, period.date_reference]
    if period.namespace is not None:
        sql += " and namespace = ?"
        parameters.append(period.namespace)
    sql += f" order by {', '.join(view.sort_columns)}"
    cursor = connection.execute(sql, parameters)
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


def write_period(
    connection: duckdb.DuckDBPyConnection, period: ExportPeriod, out_dir: Path, max_bytes: int
) -> list[ExportPart]:
    """Write `<out_dir>/<stem>_<NNN>.csv.gz` parts; an empty period gives one header-only part."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f"{period.stem}_*.csv.gz"):
        stale.unlink()
    header = csv_line(list(period.dataview.header))
    writer = _PartWriter(out_dir, period.stem, header)
    try:
        for row in query_rows(connection, period):
            line = csv_line(list(row))
            if writer.rows and writer.uncompressed + len(line) > max_bytes:
                writer.next_part()
            writer.write(line)
    finally:
        writer.close()
    return writer.parts


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
        self.uncompressed = 0
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
