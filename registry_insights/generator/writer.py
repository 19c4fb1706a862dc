"""Day-partitioned Parquet output: ``<table>/date=YYYY-MM-DD/part-NNNNN.parquet``."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from registry_insights.generator.config import ROW_GROUP_ROWS

#: Columns with (nearly) unique values, where dictionary encoding only costs time.
_NO_DICTIONARY = frozenset({"event_id", "occurred_at", "response_bytes"})


def partition_dir(table_dir: Path, day: datetime.date) -> Path:
    return table_dir / f"date={day.isoformat()}"


def temporary_path(path: Path) -> Path:
    """The hidden name a file is written under before it is renamed into place: the raw
    tables' readers (``*.parquet``) never see a half-written file."""
    return path.with_name(f".{path.name}.tmp")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` under its temporary name, then rename it into place."""
    temporary = temporary_path(path)
    try:
        pq.write_table(table, temporary, compression="zstd")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def reset_table_dir(table_dir: Path) -> None:
    """Remove a table folder from an earlier run, so datasets never mix."""
    if table_dir.exists():
        shutil.rmtree(table_dir)
    table_dir.mkdir(parents=True)


class DayPartitionedWriter:
    """Streams tables into day partitions, in parts of at most ``chunk_rows`` rows.

    Rows must arrive day by day (never back to an earlier day). Rows of the current
    day are buffered until a row group is full, sorted by ``sort_column`` within
    each row group, so memory stays bounded by one row group plus one incoming table.
    """

    def __init__(
        self,
        table_dir: Path,
        schema: pa.Schema,
        chunk_rows: int,
        sort_column: str = "occurred_at",
        row_group_rows: int = ROW_GROUP_ROWS,
    ) -> None:
        self.table_dir = table_dir
        self.schema = schema
        self.chunk_rows = chunk_rows
        self.sort_column = sort_column
        self.row_group_rows = row_group_rows
        self.rows_written = 0
        self.files: list[Path] = []
        self._day: datetime.date | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None
        self._part_rows = 0
        self._parts_in_day = 0

    def add(self, day: datetime.date, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if day != self._day:
            if self._day is not None and day < self._day:
                raise ValueError(f"rows for {day} arrived after {self._day}")
            self._drain(final=True)
            self._day = day
            self._parts_in_day = 0
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= min(self.row_group_rows, self.chunk_rows - self._part_rows):
            self._drain(final=False)

    def close(self) -> None:
        self._drain(final=True)

    def _drain(self, final: bool) -> None:
        if self._buffered:
            table = pa.concat_tables(self._buffer)
            table = table.take(pc.sort_indices(table, sort_keys=[(self.sort_column, "ascending")]))
            offset = 0
            while offset < table.num_rows:
                room = min(self.chunk_rows - self._part_rows, self.row_group_rows)
                left = table.num_rows - offset
                if left < room and not final:
                    break
                size = min(left, room)
                self._write(table.slice(offset, size))
                offset += size
            rest = table.slice(offset)
            self._buffer = [rest] if rest.num_rows else []
            self._buffered = rest.num_rows
        if final:
            self._close_part()

    def _write(self, table: pa.Table) -> None:
        assert self._day is not None
        if self._writer is None:
            folder = partition_dir(self.table_dir, self._day)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"part-{self._parts_in_day:05d}.parquet"
            self._parts_in_day += 1
            self._writer = pq.ParquetWriter(
                temporary_path(path),
                self.schema,
                compression="zstd",
                use_dictionary=[n for n in self.schema.names if n not in _NO_DICTIONARY],
            )
            self.files.append(path)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self._part_rows += table.num_rows
        self.rows_written += table.num_rows
        if self._part_rows >= self.chunk_rows:
            self._close_part()

    def _close_part(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            temporary_path(self.files[-1]).replace(self.files[-1])
        self._part_rows = 0
