"""Pruning raw files past the retention, only those the warehouse has taken in.

A raw request file is pruned when all of these hold:

- its day partition (`date=YYYY-MM-DD`) is more than `older_than_days` before today (UTC);
- the ledger `ops.ops_request_files_ledger` holds it as accepted: its rows are in the
  warehouse's persisted tables;
- no daily run can read it again: its latest request is before the newest batch day of
  the ledger minus `late_arrival_days` and one day (a late file reopens at most that much
  history; by default the dbt var of the same name, read from `dbt_project.yml`).

A raw extension-event file is pruned when its day partition is past the retention and the
ledger `ops.ops_extension_files_ledger` holds it: its events are kept by the incremental
`int_extension_events_enriched`, and no run needs the file again (a redelivered copy is
compared with the event kept, not with the file).

Every other file is kept, with its reason, in the report.

The pruned files are appended to the manifest `<raw_path>/_retention/pruned_files.csv`
before any is deleted, so a prune that stops half-way leaves files listed as pruned that
still exist (harmless: daily runs neither take them in again nor read them), never the
reverse. dbt reads the manifest (macros/daily_runs/pruned_files.sql): a pruned file is
neither new nor missing for a daily run, and a rebuild of history refuses to run.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from registry_insights.publishing.completeness import late_arrival_days as dbt_late_arrival_days
from registry_insights.warehouse import WarehouseUnavailable, open_read_only

MANIFEST = Path("_retention") / "pruned_files.csv"
MANIFEST_COLUMNS = [
    "table_name",
    "file_path",
    "partition_date",
    "row_count",
    "size_bytes",
    "pruned_at",
]
REQUESTS = "raw_registry_requests"
EXTENSION_EVENTS = "raw_extension_events"
#: The ledger of the files taken in, per raw table (in schema `ops`).
LEDGERS = {REQUESTS: "ops_request_files_ledger", EXTENSION_EVENTS: "ops_extension_files_ledger"}
LEDGER = f"ops.{LEDGERS[REQUESTS]}"
NOT_TAKEN_IN = "not taken in by the warehouse yet (not in the ledger)"
_PARTITION = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")
_LEDGER_KEY = re.compile(r"([^/\\]+)[/\\](date=\d{4}-\d{2}-\d{2})[/\\]([^/\\]+\.parquet)$")


class PruneError(RuntimeError):
    """Pruning cannot run as asked (no raw folder, no warehouse, no ledger, ...)."""


@dataclass(frozen=True)
class RawFile:
    table: str
    path: Path
    partition_date: datetime.date
    size_bytes: int

    @property
    def key(self) -> tuple[str, str, str]:
        """(table, day folder, file name): how a ledger path is matched, whatever folder
        the raw path was given as when dbt listed it."""
        return (self.table, self.path.parent.name, self.path.name)


@dataclass
class PruneReport:
    """What a prune removed (or, in a dry run, would remove) and what it kept, and why."""

    cutoff: datetime.date
    dry_run: bool
    removed: list[RawFile] = field(default_factory=list)
    kept: dict[str, list[RawFile]] = field(default_factory=dict)

    def keep(self, reason: str, raw_file: RawFile) -> None:
        self.kept.setdefault(reason, []).append(raw_file)

    @property
    def removed_bytes(self) -> int:
        return sum(raw_file.size_bytes for raw_file in self.removed)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        lines = [
            f"{verb} {len(self.removed):,} file(s), {self.removed_bytes:,} bytes "
            f"(day partitions before {self.cutoff.isoformat()})"
        ]
        if self.removed:
            days = sorted({raw_file.partition_date for raw_file in self.removed})
            lines.append(f"  pruned days: {days[0].isoformat()} to {days[-1].isoformat()}")
        for reason, files in sorted(self.kept.items()):
            size = sum(raw_file.size_bytes for raw_file in files)
            lines.append(f"kept {len(files):,} file(s), {size:,} bytes: {reason}")
        if self.dry_run:
            lines.append("dry run: nothing was removed or recorded")
        return lines


def _raw_files(raw_path: Path, table: str) -> Iterator[RawFile]:
    folder = raw_path / table
    if not folder.is_dir():
        return
    for day_folder in sorted(folder.iterdir()):
        match = _PARTITION.match(day_folder.name)
        if not day_folder.is_dir() or match is None:
            continue
        day = datetime.date.fromisoformat(match.group(1))
        for path in sorted(day_folder.glob("*.parquet")):
            yield RawFile(table, path, day, path.stat().st_size)


@dataclass(frozen=True)
class LedgerEntry:
    file_path: str
    is_accepted: bool
    row_count: int
    max_occurred_at: datetime.datetime | None


@dataclass(frozen=True)
class Ledgers:
    """The files of the ledgers by (table, day folder, file name), the newest batch day of
    the request files, and the raw tables whose ledger the warehouse has."""

    entries: dict[tuple[str, str, str], LedgerEntry]
    newest_batch: datetime.date | None
    tables: frozenset[str]


def _ledger(database: Path) -> Ledgers:
    """The ledgers of request files (required) and of extension-event files (absent in a
    warehouse built before it)."""
    try:
        connection = open_read_only(database)
    except WarehouseUnavailable as error:
        raise PruneError(str(error)) from error
    with connection:
        present = {
            str(name)
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'ops' and table_name in (?, ?)",
                list(LEDGERS.values()),
            ).fetchall()
        }
        if LEDGERS[REQUESTS] not in present:
            raise PruneError(
                f"the warehouse {database} has no ledger ({LEDGER}): build it first "
                "(nothing can be pruned before the warehouse has taken files in)"
            )
        rows = connection.execute(
            f"select file_path, is_accepted, row_count, max_occurred_at from {LEDGER}"
        ).fetchall()
        if LEDGERS[EXTENSION_EVENTS] in present:
            rows += connection.execute(
                f"select file_path, true, row_count, null from ops.{LEDGERS[EXTENSION_EVENTS]}"
            ).fetchall()
        newest = connection.execute(f"select max(batch_date) from {LEDGER}").fetchone()
    tables = frozenset(table for table, name in LEDGERS.items() if name in present)
    entries: dict[tuple[str, str, str], LedgerEntry] = {}
    for file_path, is_accepted, row_count, max_occurred_at in rows:
        match = _LEDGER_KEY.search(str(file_path))
        if match is not None:
            key = (match.group(1), match.group(2), match.group(3))
            entries[key] = LedgerEntry(
                str(file_path), bool(is_accepted), int(row_count or 0), max_occurred_at
            )
    return Ledgers(entries, newest[0] if newest else None, tables)


def read_manifest(raw_path: Path) -> list[dict[str, str]]:
    """The manifest's rows (none when nothing was pruned)."""
    manifest = raw_path / MANIFEST
    if not manifest.is_file():
        return []
    with manifest.open(newline="") as stream:
        return list(csv.DictReader(stream))


def _record(raw_path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows to the manifest, durably (fsync) before any file is deleted."""
    manifest = raw_path / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    new = not manifest.exists()
    with manifest.open("a", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=MANIFEST_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
        stream.flush()
        os.fsync(stream.fileno())


def prune_raw(
    raw_path: Path,
    database: Path,
    older_than_days: int,
    *,
    today: datetime.date | None = None,
    late_arrival_days: int | None = None,
    dry_run: bool = False,
    progress: bool = True,
) -> PruneReport:
    """Remove the raw files past the retention that the warehouse has taken in (see the
    module); record them in the manifest first. Nothing is removed or recorded in a dry
    run. `late_arrival_days` defaults to the dbt var of `dbt_project.yml`."""
    raw_path = Path(raw_path)
    if not raw_path.is_dir():
        raise PruneError(f"raw path {raw_path} is not a folder")
    if older_than_days < 1:
        raise PruneError("--older-than must be at least 1 day")
    today = today or datetime.datetime.now(datetime.UTC).date()
    cutoff = today - datetime.timedelta(days=older_than_days)
    if late_arrival_days is None:
        late_arrival_days = dbt_late_arrival_days()
    ledgers = _ledger(Path(database))
    ledger, newest_batch = ledgers.entries, ledgers.newest_batch
    reopened_from = (
        None
        if newest_batch is None
        else datetime.datetime.combine(
            newest_batch - datetime.timedelta(days=late_arrival_days + 1), datetime.time()
        )
    )
    already = {row["file_path"] for row in read_manifest(raw_path)}
    report = PruneReport(cutoff, dry_run)
    candidates: list[tuple[RawFile, LedgerEntry]] = []
    for raw_file in _raw_files(raw_path, EXTENSION_EVENTS):
        if raw_file.partition_date >= cutoff:
            continue
        entry = ledger.get(raw_file.key)
        if EXTENSION_EVENTS not in ledgers.tables:
            report.keep(
                "extension-event files: the warehouse has no ledger of them yet "
                f"(ops.{LEDGERS[EXTENSION_EVENTS]}; the next daily run writes it)",
                raw_file,
            )
        elif entry is None:
            report.keep(NOT_TAKEN_IN, raw_file)
        else:
            candidates.append((raw_file, entry))
    for raw_file in _raw_files(raw_path, REQUESTS):
        if raw_file.partition_date >= cutoff:
            continue
        entry = ledger.get(raw_file.key)
        if entry is None:
            report.keep(NOT_TAKEN_IN, raw_file)
        elif not entry.is_accepted:
            report.keep(
                "rejected as too late by a daily run: its rows are not in the warehouse "
                "(a full refresh would take them in)",
                raw_file,
            )
        elif reopened_from is None or (
            entry.max_occurred_at is not None and entry.max_occurred_at >= reopened_from
        ):
            report.keep(
                f"a daily run may read it again (late files reopen {late_arrival_days} "
                "day(s) plus one before the newest batch day)",
                raw_file,
            )
        else:
            candidates.append((raw_file, entry))
    report.removed = [raw_file for raw_file, _ in candidates]
    if dry_run or not candidates:
        return report
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    _record(
        raw_path,
        [
            {
                "table_name": raw_file.table,
                "file_path": entry.file_path,
                "partition_date": raw_file.partition_date.isoformat(),
                "row_count": str(entry.row_count),
                "size_bytes": str(raw_file.size_bytes),
                "pruned_at": now,
            }
            for raw_file, entry in candidates
            if entry.file_path not in already
        ],
    )
    folders: set[Path] = set()
    for raw_file in tqdm(report.removed, desc="pruning", unit="file", disable=not progress):
        try:
            raw_file.path.unlink(missing_ok=True)
        except OSError as error:
            raise PruneError(
                f"could not remove {raw_file.path}: {error} (it is recorded as pruned; "
                "run prune-raw again once the cause is fixed)"
            ) from error
        folders.add(raw_file.path.parent)
    for folder in folders:
        if not any(folder.iterdir()):
            folder.rmdir()
    return report
