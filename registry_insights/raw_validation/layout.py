"""The folder layout and Parquet schemas of a raw table: where its files sit, and whether
each file has every contract column with a compatible type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from registry_insights.raw_validation.contract import PARTITION_PREFIX, ColumnType, Table
from registry_insights.raw_validation.limits import MAX_LISTED_PATHS
from registry_insights.raw_validation.report import Finding

_PARTITION_FOLDER = re.compile(rf"{re.escape(PARTITION_PREFIX)}(\d{{4}}-\d{{2}}-\d{{2}})")


@dataclass
class Layout:
    """The files of a table folder: parquet files by day folder, misplaced, ignored."""

    partitioned: dict[Path, dt.date] = field(default_factory=dict)
    misplaced: list[Path] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)

    @property
    def parquet_files(self) -> list[Path]:
        return [*self.partitioned, *self.misplaced]


# --- layout -----------------------------------------------------------------------------


def scan_layout(table_dir: Path) -> Layout:
    layout = Layout()
    for path in sorted(table_dir.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(table_dir)
        if path.suffix != ".parquet" or any(part.startswith((".", "_")) for part in relative.parts):
            layout.ignored.append(path)
            continue
        day = _partition_day(relative.parts[0]) if len(relative.parts) == 2 else None
        if day is None:
            layout.misplaced.append(path)
        else:
            layout.partitioned[path] = day
    return layout


def _partition_day(folder: str) -> dt.date | None:
    match = _PARTITION_FOLDER.fullmatch(folder)
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def layout_findings(table_dir: Path, layout: Layout) -> list[Finding]:
    findings: list[Finding] = []
    relative = [path.relative_to(table_dir) for path in layout.misplaced]
    read_anyway = [path for path in relative if len(path.parts) == 2]
    not_read = [path for path in relative if len(path.parts) != 2]
    if read_anyway:
        findings.append(
            Finding(
                "layout",
                "error",
                f"{len(read_anyway)} parquet file(s) in a folder that is not "
                f"{PARTITION_PREFIX}YYYY-MM-DD (the warehouse still reads them): "
                + _list_paths(read_anyway),
            )
        )
    if not_read:
        findings.append(
            Finding(
                "layout",
                "error",
                f"{len(not_read)} parquet file(s) outside {PARTITION_PREFIX}YYYY-MM-DD folders "
                "(the warehouse does not read them): " + _list_paths(not_read),
            )
        )
    if layout.ignored:
        ignored = [path.relative_to(table_dir) for path in layout.ignored]
        findings.append(
            Finding(
                "layout",
                "note",
                f"{len(ignored)} other file(s) ignored (not *.parquet, or hidden): "
                + _list_paths(ignored),
            )
        )
    return findings


def _list_paths(paths: Sequence[Path]) -> str:
    shown = ", ".join(path.as_posix() for path in paths[:MAX_LISTED_PATHS])
    more = len(paths) - MAX_LISTED_PATHS
    return shown + (f" and {more} more" if more > 0 else "")


# --- schema -----------------------------------------------------------------------------


def check_schemas(
    table_dir: Path, table: Table, files: Sequence[Path]
) -> tuple[list[Path], list[Finding]]:
    """The readable files, and the schema findings over all files."""
    readable: list[Path] = []
    unreadable: list[Path] = []
    missing: dict[str, list[Path]] = {}
    wrong_type: dict[str, dict[str, list[Path]]] = {}
    extra: set[str] = set()
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException):
            unreadable.append(path)
            continue
        readable.append(path)
        names = set(schema.names)
        extra.update(names - set(table.column_names))
        for column in table.columns:
            if column.name not in names:
                missing.setdefault(column.name, []).append(path)
                continue
            arrow_type = schema.field(column.name).type
            if not _type_fits(arrow_type, column.type):
                by_type = wrong_type.setdefault(column.name, {})
                by_type.setdefault(str(arrow_type), []).append(path)

    findings: list[Finding] = []
    if unreadable:
        findings.append(
            Finding(
                "schema",
                "error",
                f"{len(unreadable)} file(s) are not readable Parquet: "
                + _list_paths([path.relative_to(table_dir) for path in unreadable]),
            )
        )
    for name, paths in missing.items():
        column = table.column(name)
        consequence = "its rows fail the not-null check" if column.required else "read as null"
        findings.append(
            Finding(
                "schema",
                "error",
                f"missing contract column {name} ({column.type}) in {len(paths)} of "
                f"{len(readable)} file(s) ({consequence}): "
                + _list_paths([path.relative_to(table_dir) for path in paths]),
            )
        )
    for name, by_type in wrong_type.items():
        column = table.column(name)
        for arrow_type, paths in by_type.items():
            findings.append(
                Finding(
                    "schema",
                    "error",
                    f"column {name} is {arrow_type} in {len(paths)} file(s), the contract says "
                    f"{column.type}: "
                    + _list_paths([path.relative_to(table_dir) for path in paths]),
                )
            )
    if extra:
        findings.append(
            Finding(
                "schema",
                "note",
                "extra columns, not in the contract (the warehouse ignores them): "
                + ", ".join(sorted(extra)),
            )
        )
    return readable, findings


def _type_fits(arrow_type: pa.DataType, expected: ColumnType) -> bool:
    if pa.types.is_null(arrow_type):  # an all-null column written without a type
        return True
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if expected == "varchar":
        return bool(
            pa.types.is_string(arrow_type)
            or pa.types.is_large_string(arrow_type)
            or pa.types.is_string_view(arrow_type)
        )
    if expected == "timestamp":
        return bool(pa.types.is_timestamp(arrow_type))
    if expected == "double":
        return bool(pa.types.is_floating(arrow_type) or pa.types.is_integer(arrow_type))
    return bool(pa.types.is_integer(arrow_type))
