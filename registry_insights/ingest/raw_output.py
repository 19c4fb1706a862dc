"""Appending raw rows to ``<raw_path>/raw_registry_requests/date=YYYY-MM-DD/``.

File names are derived from the content (a hash of the sorted event ids), files are
written to a hidden temporary name, flushed to disk and renamed into place, so a reader
never sees half a file and writing the same rows again replaces a file by itself.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from registry_insights.ingest.raw_rows import TABLE, RawRequest, to_table


def table_dir(raw_path: Path) -> Path:
    return raw_path / TABLE


def partition_dir(raw_path: Path, day: datetime.date) -> Path:
    return table_dir(raw_path) / f"date={day.isoformat()}"


class _RawRow(Protocol):
    @property
    def event_id(self) -> str: ...

    @property
    def day(self) -> datetime.date: ...


class PresentEventIds:
    """The event ids already under ``raw_path`` (in ``table``, by default
    ``raw_registry_requests``), read lazily, one day partition at a time: a row is
    looked up in its own day and the two neighbouring days (the log's and the
    notification's timestamps of one request may straddle midnight)."""

    def __init__(self, raw_path: Path, table: str = TABLE) -> None:
        self.raw_path = raw_path
        self.table = table
        self._days: dict[datetime.date, set[str]] = {}

    def _ids(self, day: datetime.date) -> set[str]:
        if day not in self._days:
            folder = self.raw_path / self.table / f"date={day.isoformat()}"
            files = sorted(folder.glob("*.parquet"))
            ids: set[str] = set()
            if files:
                column = ds.dataset([str(path) for path in files], format="parquet").to_table(
                    columns=["event_id"]
                )["event_id"]
                ids = {value for value in column.to_pylist() if value is not None}
            self._days[day] = ids
        return self._days[day]

    def __contains__(self, row: _RawRow) -> bool:
        one_day = datetime.timedelta(days=1)
        return any(row.event_id in self._ids(row.day + shift * one_day) for shift in (0, -1, 1))

    def add(self, rows: Iterable[_RawRow]) -> None:
        for row in rows:
            self._ids(row.day).add(row.event_id)


def content_name(prefix: str, event_ids: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()[:20]
    return f"{prefix}-{digest}.parquet"


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_file(path: Path, rows: list[RawRequest]) -> Path:
    """Write ``rows`` (sorted by time) to ``path`` atomically and durably."""
    ordered = sorted(rows, key=lambda row: (row.occurred_at, row.event_id))
    return write_table_file(path, to_table(ordered))


#: Errors of a full disk (or quota, or file size limit): the write can succeed once
#: space is freed, so they are reported as such, not as a crash.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class RawWriteError(Exception):
    """A raw file could not be written; its temporary file was removed, nothing partial
    is left under its final name, and the same command can be run again."""


def raw_write_error(path: Path, error: OSError) -> RawWriteError:
    if error.errno in DISK_FULL_ERRNOS:
        reason = f"disk full ({os.strerror(error.errno)})"
    else:
        reason = str(error)
    return RawWriteError(
        f"{reason} while writing {path}; nothing partial was kept: "
        "free space and run the same command again"
    )


def write_table_file(path: Path, table: pa.Table) -> Path:
    """Write ``table`` to ``path`` atomically (hidden temporary name, fsync, rename);
    on failure the temporary file is removed and :class:`RawWriteError` raised."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, temporary, compression="zstd")
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
        _fsync_dir(path.parent)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise raw_write_error(path, error) from error
    return path


def group_by_day(rows: Iterable[RawRequest]) -> dict[datetime.date, list[RawRequest]]:
    days: dict[datetime.date, list[RawRequest]] = defaultdict(list)
    for row in rows:
        days[row.day].append(row)
    return dict(days)


def append_rows(raw_path: Path, rows: list[RawRequest], prefix: str) -> list[Path]:
    """One file per day of ``rows``, named after its content."""
    return [
        write_file(
            partition_dir(raw_path, day) / content_name(prefix, (r.event_id for r in day_rows)),
            day_rows,
        )
        for day, day_rows in sorted(group_by_day(rows).items())
    ]
