"""Which day, week or month a scheduled run covers, from the time it was scheduled for (UTC)."""

from __future__ import annotations

import datetime


def utc_date(moment: datetime.datetime) -> datetime.date:
    """The UTC calendar day of `moment` (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(datetime.UTC).date()


def previous_day(moment: datetime.datetime) -> datetime.date:
    """The last complete UTC day before `moment`: what a daily run processes."""
    return utc_date(moment) - datetime.timedelta(days=1)


def previous_week(moment: datetime.datetime) -> datetime.date:
    """The Monday of the last complete Monday-to-Sunday week before `moment`."""
    today = utc_date(moment)
    return today - datetime.timedelta(days=today.weekday() + 7)


def previous_month(moment: datetime.datetime) -> datetime.date:
    """The first day of the last complete month before `moment`."""
    last_day = utc_date(moment).replace(day=1) - datetime.timedelta(days=1)
    return last_day.replace(day=1)


def report_as_of(process_date: datetime.date) -> datetime.date:
    """The report cut-off of a run that processed `process_date`: the day after it, so a
    period ending on `process_date` is complete, whatever the clock says when it runs."""
    return process_date + datetime.timedelta(days=1)
