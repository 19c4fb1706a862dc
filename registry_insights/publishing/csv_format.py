"""The published CSV dialect, one for every published file: `\\n` line ends, null as `\\N`,
dates as YYYY-MM-DD, timestamps to the second (YYYY-MM-DD HH:MM:SS)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from typing import TextIO


def csv_value(value: object) -> object:
    """How a mart value is written."""
    if value is None:
        return r"\N"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def write_csv(handle: TextIO, header: list[str], rows: Iterable[tuple[object, ...]]) -> None:
    """The header, then the rows."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(csv_value(value) for value in row)


def csv_line(values: Iterable[object]) -> bytes:
    """One CSV line, UTF-8 encoded."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(csv_value(value) for value in values)
    return buffer.getvalue().encode("utf-8")
