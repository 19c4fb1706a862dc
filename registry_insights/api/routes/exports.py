"""Exports and timespans: the years, months and ISO weeks with exportable data for a
namespace, and signed links (`[server] link_lifetime_seconds`, six hours by default) to
the files of one dataview period, based on `[server] public_url`, never on the request's
`Host`."""

import datetime

from fastapi import APIRouter, HTTPException, Request

from registry_insights.api import queries
from registry_insights.api.dependencies import (
    TOKEN_RESPONSES,
    Account,
    Config,
    Namespaces,
    SharedWarehouse,
    Warehouse,
    not_found,
    visible,
)
from registry_insights.api.parameters import GRANULARITY, NamespacePath, TimespanNumber, Year
from registry_insights.api.routes.downloads import download_path, export_files
from registry_insights.api.schemas import (
    DataviewType,
    MonthData,
    MonthModel,
    ResponseData,
    ResponseDataFile,
    TimespanData,
    TimespanModel,
    TimespanType,
    WeekData,
    WeekModel,
    YearData,
    YearModel,
)
from registry_insights.api.signing import sign
from registry_insights.publishing.completeness import data_complete_through, unpublished_reason

EXPORTS = "/namespaces/{namespace}/pulls/exports/years"

router = APIRouter(tags=["namespaces"], responses=TOKEN_RESPONSES)


def period_start(year: int, timespantype: TimespanType, timespan: int) -> datetime.date:
    """The first day of month `timespan`, or the Monday of ISO week `timespan`, of `year`."""
    try:
        if timespantype is TimespanType.months:
            return datetime.date(year, timespan, 1)
        return datetime.date.fromisocalendar(year, timespan, 1)
    except ValueError as error:
        raise HTTPException(
            status_code=422, detail=f"no {timespantype.value[:-1]} {timespan} in {year}: {error}"
        ) from error


def timespan_of(granularity: str, start: datetime.date) -> tuple[int, int]:
    """(year, month) of a month, (ISO year, ISO week) of a week."""
    if granularity == "monthly":
        return start.year, start.month
    iso = start.isocalendar()
    return iso.year, iso.week


def existing_period(
    warehouse: SharedWarehouse,
    namespace: str,
    namespaces: frozenset[str],
    year: int,
    kind: TimespanType,
    number: int,
) -> datetime.date:
    """The first day of the period, when the caller may read the namespace and it has
    data then; 404 (or 422 for a period that does not exist) otherwise."""
    visible(namespace, namespaces)
    if kind is TimespanType.months and number > 12:
        raise HTTPException(status_code=422, detail=f"no month {number}: months are 1-12")
    start = period_start(year, kind, number)
    if (GRANULARITY[kind], start) not in queries.export_periods(warehouse.cursor(), namespace):
        if (GRANULARITY[kind], start) in queries.export_periods(
            warehouse.cursor(), namespace, published_only=False
        ):
            # the caller may read the namespace: say why the period is not published
            through = data_complete_through(warehouse.cursor())
            raise HTTPException(
                status_code=404, detail=unpublished_reason(GRANULARITY[kind], start, through)
            )
        raise not_found()
    return start


@router.get(EXPORTS, response_model=YearData)
def get_namespace_years(
    namespace: NamespacePath, namespaces: Namespaces, warehouse: Warehouse
) -> YearData:
    """The years with exportable data."""
    found = queries.export_periods(warehouse.cursor(), visible(namespace, namespaces))
    years = sorted({timespan_of(granularity, start)[0] for granularity, start in found})
    return YearData(years=[YearModel(year=year) for year in years])


@router.get(EXPORTS + "/{year}/{timespantype}", response_model=TimespanData)
def get_namespace_timespans(
    namespace: NamespacePath,
    year: Year,
    timespantype: TimespanType,
    namespaces: Namespaces,
    warehouse: Warehouse,
) -> TimespanData:
    """The months or ISO weeks of a year with exportable data."""
    granularity = GRANULARITY[timespantype]
    numbers = sorted(
        number
        for kind, start in queries.export_periods(
            warehouse.cursor(), visible(namespace, namespaces)
        )
        if kind == granularity
        for period_year, number in [timespan_of(kind, start)]
        if period_year == year
    )
    if timespantype is TimespanType.months:
        return TimespanData(MonthData(months=[MonthModel(month=n) for n in numbers]))
    return TimespanData(WeekData(weeks=[WeekModel(week=n) for n in numbers]))


@router.get(EXPORTS + "/{year}/{timespantype}/{timespan}", response_model=TimespanModel)
def get_namespace_timespan_metadata(
    namespace: NamespacePath,
    year: Year,
    timespantype: TimespanType,
    timespan: TimespanNumber,
    namespaces: Namespaces,
    warehouse: Warehouse,
) -> TimespanModel:
    """One month or week with exportable data (404 when it has none)."""
    existing_period(warehouse, namespace, namespaces, year, timespantype, timespan)
    if timespantype is TimespanType.months:
        return TimespanModel(MonthModel(month=timespan))
    return TimespanModel(WeekModel(week=timespan))


@router.get(EXPORTS + "/{year}/{timespantype}/{timespan}/{dataview}", response_model=ResponseData)
def get_namespace_data_by_timespan(
    request: Request,
    namespace: NamespacePath,
    year: Year,
    timespantype: TimespanType,
    timespan: TimespanNumber,
    dataview: DataviewType,
    account: Account,
    namespaces: Namespaces,
    config: Config,
    warehouse: Warehouse,
) -> ResponseData:
    """Signed links (six hours unless configured) to the gzip-compressed CSV files of one
    dataview period, bound to the token's account."""
    start = existing_period(warehouse, namespace, namespaces, year, timespantype, timespan)
    granularity = GRANULARITY[timespantype]
    files = export_files(config, warehouse, namespace, dataview, granularity, start)
    lifetime = int(config.link_lifetime.total_seconds())
    now = request.app.state.clock()
    return ResponseData(
        data=[
            ResponseDataFile(
                url=config.public_url
                + sign(
                    config.signing_secret,
                    download_path(namespace, dataview.value, granularity, start, index),
                    lifetime,
                    now=now,
                    account=account,
                ),
                size=path.stat().st_size,
            )
            for index, path in enumerate(files)
        ]
    )
