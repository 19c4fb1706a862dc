"""Which days ``registry-insights generate`` covers, from its date options.

Two ways to say it, not to be mixed:

- ``--end-date`` (default: yesterday, UTC) and ``--months`` (default 13): the data starts
  on the first day of the month ``months - 1`` months before the end date's month, so 13
  months ending today give twelve complete calendar months and the current one;
- ``--start-date`` and/or ``--days`` (with ``--end-date`` when wanted): any two of the
  three fix the period; ``--days`` alone ends yesterday, ``--start-date`` alone ends on the
  end date.

The period is all the generator needs: the same seed and the same period always give the
same data, whatever day the command runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DEFAULT_MONTHS = 13
MAX_DAYS = 1_000


class PeriodError(ValueError):
    """Date options that do not describe one period; the message says why."""


@dataclass(frozen=True)
class Period:
    start_date: datetime.date
    days: int

    @property
    def end_date(self) -> datetime.date:
        return self.start_date + datetime.timedelta(days=self.days - 1)


def yesterday(today: datetime.date | None = None) -> datetime.date:
    """The day before ``today`` (default: the current UTC date)."""
    current = today or datetime.datetime.now(datetime.UTC).date()
    return current - datetime.timedelta(days=1)


def months_back(end_date: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months - 1`` months before ``end_date``'s month."""
    index = end_date.year * 12 + end_date.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def resolve_period(
    *,
    end_date: datetime.date | None = None,
    months: int | None = None,
    start_date: datetime.date | None = None,
    days: int | None = None,
    today: datetime.date | None = None,
) -> Period:
    """The period the options describe; a :class:`PeriodError` when they conflict."""
    if months is not None and (start_date is not None or days is not None):
        raise PeriodError(
            "--months goes with --end-date only; --start-date and --days are the other way"
            " to give the period"
        )
    if start_date is not None and days is not None and end_date is not None:
        raise PeriodError("give two of --start-date, --days and --end-date, not all three")
    if months is not None and months < 1:
        raise PeriodError("--months must be at least 1")
    if days is not None and days < 1:
        raise PeriodError("--days must be at least 1")
    if start_date is not None and days is not None:
        period = Period(start_date, days)
    else:
        end = end_date or yesterday(today)
        if days is not None:
            period = Period(end - datetime.timedelta(days=days - 1), days)
        else:
            start = start_date or months_back(end, months or DEFAULT_MONTHS)
            if start > end:
                raise PeriodError(f"--start-date {start} is after the end date {end}")
            period = Period(start, (end - start).days + 1)
    if period.days > MAX_DAYS:
        raise PeriodError(
            f"{period.start_date} to {period.end_date} is {period.days} days;"
            f" at most {MAX_DAYS} are generated"
        )
    return period
