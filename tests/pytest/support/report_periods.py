"""The complete periods a mart row counts in, for the tests that recount the report and
export marts in Python: a week or a month counts once it has ended before today (UTC),
as the marts' `report_as_of_date` does by default."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

TODAY = datetime.datetime.now(datetime.UTC).date()


class Dated(Protocol):
    """A row with the start of its week (Monday) and of its month."""

    @property
    def week(self) -> datetime.date: ...

    @property
    def month(self) -> datetime.date: ...


def complete_periods(row: Dated, as_of: datetime.date) -> list[tuple[str, datetime.date]]:
    """(granularity, period start) of the weekly and monthly periods of `row` that ended
    before `as_of`."""
    periods = []
    if row.week + datetime.timedelta(days=7) <= as_of:
        periods.append(("weekly", row.week))
    next_month = (row.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    if next_month <= as_of:
        periods.append(("monthly", row.month))
    return periods


DatedRow = TypeVar("DatedRow", bound=Dated)


def group_by_period(
    rows: Iterable[DatedRow], key: Callable[[DatedRow], tuple[object, ...]]
) -> dict[tuple[object, ...], list[DatedRow]]:
    """The rows grouped by (granularity, period start, *key(row)), each row in each of its
    complete periods as of TODAY: the grouping of every summary mart."""
    groups: dict[tuple[object, ...], list[DatedRow]] = defaultdict(list)
    for row in rows:
        for period in complete_periods(row, TODAY):
            groups[(*period, *key(row))].append(row)
    return groups
