"""Complete means complete: a week or month is published (export, Data API, dashboard,
scheduled exports) only when the warehouse holds data through its last day.

A day is complete, from the ledger of raw request files (`ops.ops_request_files_ledger`):

- the ledger holds an accepted file of that day, and the stream has moved past it: a
  file of a later day (not of a day still in the future when it was taken in), or a
  file taken in by a run that was given its day (`process_date`) on or after it: a daily
  run starts once its day's files are written, so it closes its day; or the warehouse
  last took files in more than `late_arrival_days` (the dbt var, read from
  `dbt_project.yml`) after the day ended: a file that late is the exception the
  late-arrival rule exists for, so a history built in one go is complete through its
  last day with files;
- or the operator declared the day empty (`registry-insights declare-day DAY --empty`,
  recorded in the warehouse table `ops.days_declared_empty`).

The data is complete through the last day of the unbroken run of complete days that
starts at the ledger's first day: a day without files that nobody declared empty stops
it, whatever comes after. :func:`data_complete_through` is the one place that decides;
every publisher calls it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

LEDGER = "ops.ops_request_files_ledger"
#: The project's `late_arrival_days` when `dbt_project.yml` cannot be read.
DEFAULT_LATE_ARRIVAL_DAYS = 2
DECLARED_EMPTY = "ops.days_declared_empty"
GRANULARITIES = ("weekly", "monthly")


def _table_exists(connection: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    schema, name = relation.split(".")
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return {str(row[0]) for row in rows}


def late_arrival_days() -> int:
    """The dbt var `late_arrival_days` of the project's `dbt_project.yml`."""
    project = Path(__file__).resolve().parents[2] / "dbt_project.yml"
    try:
        found = re.search(
            r"^\s+late_arrival_days:\s*(\d+)\s*$", project.read_text(encoding="utf-8"), re.M
        )
    except OSError:
        return DEFAULT_LATE_ARRIVAL_DAYS
    return int(found.group(1)) if found else DEFAULT_LATE_ARRIVAL_DAYS


def declared_empty_days(connection: duckdb.DuckDBPyConnection) -> set[datetime.date]:
    """The days the operator declared empty."""
    if not _table_exists(connection, DECLARED_EMPTY):
        return set()
    return {row[0] for row in connection.execute(f"select day from {DECLARED_EMPTY}").fetchall()}


def data_complete_through(connection: duckdb.DuckDBPyConnection) -> datetime.date | None:
    """The last day through which every day is complete (see the module), or None when no
    day is (no ledger, an empty one, or its first day not complete yet)."""
    if not _table_exists(connection, LEDGER):
        return None
    closes = (
        "coalesce(closes_batch_date, false)"
        if "closes_batch_date" in _columns(connection, LEDGER)
        else "false"
    )
    days_with_files = {
        row[0]
        for row in connection.execute(
            f"select distinct partition_date from {LEDGER} "
            "where is_accepted and partition_date <= cast(taken_in_at as date)"
        ).fetchall()
    }
    bounds = connection.execute(
        f"select max(partition_date) filter (where partition_date <= cast(taken_in_at as date)),"
        f" max(batch_date) filter (where {closes}), max(taken_in_at) from {LEDGER}"
    ).fetchone()
    newest, closed, last_taken_in = bounds if bounds else (None, None, None)
    # days that ended more than late_arrival_days before the last run took files in
    settled = (
        last_taken_in.date() - datetime.timedelta(days=late_arrival_days() + 1)
        if last_taken_in is not None
        else None
    )
    declared = declared_empty_days(connection)
    if not days_with_files:
        return None
    day = min(days_with_files)
    through: datetime.date | None = None
    last_candidate = max(d for d in [newest, closed, *declared] if d is not None)
    while day <= last_candidate:
        has_files = day in days_with_files
        moved_past = (
            (newest is not None and day < newest)
            or (closed is not None and day <= closed)
            or (settled is not None and day <= settled)
        )
        if not (day in declared or (has_files and moved_past)):
            break
        through = day
        day += datetime.timedelta(days=1)
    return through


def period_last_day(granularity: str, start: datetime.date) -> datetime.date:
    """The last day of the week (Sunday) or month that starts on `start`."""
    if granularity == "weekly":
        return start + datetime.timedelta(days=6)
    next_month = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month - datetime.timedelta(days=1)


def is_published(granularity: str, start: datetime.date, through: datetime.date | None) -> bool:
    """True when the period's last day is complete (`through` from data_complete_through);
    always for a dataset that is not by period (granularity `latest`: a snapshot)."""
    if granularity not in GRANULARITIES:
        return True
    return through is not None and period_last_day(granularity, start) <= through


def unpublished_reason(
    granularity: str, start: datetime.date, through: datetime.date | None
) -> str:
    """Why a period is not published, in one sentence."""
    last = period_last_day(granularity, start)
    held = f"through {through.isoformat()}" if through else "through no day yet"
    return (
        f"the {granularity} period starting {start.isoformat()} ends on {last.isoformat()}, "
        f"but the warehouse holds complete data {held} (every day's raw files taken in, "
        "or the day declared empty: registry-insights declare-day)"
    )


def published_condition(through: datetime.date | None) -> tuple[str, list[object]]:
    """A SQL condition (and its parameters) on `date_granularity` and `date_reference`
    that keeps the published periods only (and every row not by period)."""
    by_period = "date_granularity in ('weekly', 'monthly')"
    if through is None:
        return f"not ({by_period})", []
    return (
        f"(not ({by_period}) or (date_reference + case date_granularity "
        "when 'weekly' then interval 7 day else interval 1 month end) <= ?)",
        [through + datetime.timedelta(days=1)],
    )


@dataclass(frozen=True)
class Completeness:
    """The warehouse's completeness, read once: which periods may be published."""

    through: datetime.date | None

    @classmethod
    def of(cls, connection: duckdb.DuckDBPyConnection) -> Completeness:
        return cls(data_complete_through(connection))

    def published(self, granularity: str, start: datetime.date) -> bool:
        return is_published(granularity, start, self.through)

    def only_published(
        self, periods: Iterable[tuple[str, datetime.date]]
    ) -> list[tuple[str, datetime.date]]:
        return [(g, start) for g, start in periods if self.published(g, start)]


def declare_day_empty(
    connection: duckdb.DuckDBPyConnection, day: datetime.date, note: str | None = None
) -> bool:
    """Record that `day` has no raw request file and never will (idempotent); False when
    it was declared already."""
    connection.execute("create schema if not exists ops")
    connection.execute(
        f"create table if not exists {DECLARED_EMPTY} "
        "(day date primary key, declared_at timestamp not null, note varchar)"
    )
    if day in declared_empty_days(connection):
        return False
    connection.execute(
        f"insert into {DECLARED_EMPTY} values (?, ?, ?)",
        [day, datetime.datetime.now(datetime.UTC).replace(tzinfo=None), note],
    )
    return True


def withdraw_declaration(connection: duckdb.DuckDBPyConnection, day: datetime.date) -> bool:
    """Remove an empty-day declaration; False when there was none."""
    if day not in declared_empty_days(connection):
        return False
    connection.execute(f"delete from {DECLARED_EMPTY} where day = ?", [day])
    return True
