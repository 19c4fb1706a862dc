"""The FastAPI application: the DVP Data API's paths under /api/publisher/analytics/v1.

Every data path needs `Authorization: Bearer <token>` (401 otherwise). A namespace the
token's organizations do not own answers 404 with the same body as a namespace that does
not exist. Download links are signed instead, so that they work from any HTTP client.
"""

import datetime
import pathlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from registry_insights.api import warehouse as queries
from registry_insights.api.config import ServerConfig
from registry_insights.api.downloads import export_parts
from registry_insights.api.schemas import (
    DatasetModel,
    DatasetType,
    DataviewType,
    GroupType,
    MonthData,
    MonthModel,
    NamespaceData,
    NamespaceMetadata,
    PeriodType,
    PullData,
    ReposPullData,
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
from registry_insights.api.signing import LinkRefused, sign, verify
from registry_insights.api.warehouse import Warehouse
from registry_insights.publishing.catalog import DATAVIEWS, Kind

API_PREFIX = "/api/publisher/analytics/v1"
MAX_REPOS = 50
NOT_FOUND = "Not Found"
GRANULARITY = {TimespanType.months: "monthly", TimespanType.weeks: "weekly"}
VIEWS_BY_DATASET = {
    kind: [DataviewType(name) for name, view in DATAVIEWS.items() if view.kind is kind]
    for kind in (Kind.PULLS_EXPORT, Kind.EXTENSIONS_EXPORT)
}

bearer = HTTPBearer(auto_error=False, scheme_name="HubAuth", description="An API token.")


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail=NOT_FOUND)


def _since(today: datetime.date, period: PeriodType) -> datetime.date:
    """First day of the month `period.months` months before today's month."""
    months = today.year * 12 + today.month - 1 - period.months
    return datetime.date(months // 12, months % 12 + 1, 1)


def _period_start(year: int, timespantype: TimespanType, timespan: int) -> datetime.date:
    """The first day of month `timespan`, or the Monday of ISO week `timespan`, of `year`."""
    try:
        if timespantype is TimespanType.months:
            return datetime.date(year, timespan, 1)
        return datetime.date.fromisocalendar(year, timespan, 1)
    except ValueError as error:
        raise HTTPException(
            status_code=422, detail=f"no {timespantype.value[:-1]} {timespan} in {year}: {error}"
        ) from error


def _timespan_of(granularity: str, start: datetime.date) -> tuple[int, int]:
    """(year, month) of a month, (ISO year, ISO week) of a week."""
    if granularity == "monthly":
        return start.year, start.month
    iso = start.isocalendar()
    return iso.year, iso.week


def create_app(config: ServerConfig) -> FastAPI:
    state: dict[str, Warehouse] = {}
    opening = threading.Lock()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if "warehouse" in state:
            state.pop("warehouse").close()

    def warehouse() -> Warehouse:
        with opening:
            if "warehouse" not in state:
                state["warehouse"] = Warehouse(config.database)
            return state["warehouse"]

    def member_namespaces(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> frozenset[str]:
        account = config.access.account_for(credentials.credentials) if credentials else None
        if account is None:
            raise HTTPException(
                status_code=401,
                detail="missing or invalid bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return config.access.namespaces_of(account)

    Namespaces = Annotated[frozenset[str], Depends(member_namespaces)]
    NamespacePath = Annotated[str, Path(description="A namespace of your organizations.")]
    Timespan = Annotated[TimespanType, Query(description="Weekly or monthly periods.")]
    Period = Annotated[PeriodType, Query(description="How far back, in months.")]
    Group = Annotated[GroupType | None, Query(description="One row per repository or namespace.")]

    def visible(namespace: str, namespaces: frozenset[str]) -> str:
        if namespace not in namespaces:
            raise _not_found()
        return namespace

    def pull_data(
        namespace: str,
        repositories: list[str] | None,
        timespan: TimespanType,
        period: PeriodType,
        group: GroupType,
    ) -> PullData:
        granularity = GRANULARITY[timespan]
        by_namespace = group is GroupType.namespace
        rows = queries.pull_rows(
            warehouse().cursor(),
            granularity,
            _since(config.today(), period),
            namespace,
            repositories,
            by_namespace,
        )
        with_repo = repositories is not None or not by_namespace
        return PullData(
            pulls=[queries.pull_model(row, granularity, with_repo, by_namespace) for row in rows]
        )

    def export_files(
        namespace: str, dataview: DataviewType, granularity: str, start: datetime.date
    ) -> list[pathlib.Path]:
        return export_parts(
            warehouse().cursor(),
            config.export_cache,
            config.database,
            dataview.value,
            granularity,
            start,
            namespace,
            config.max_file_bytes,
        )

    router = APIRouter(prefix=API_PREFIX)

    @router.get("/", response_model=NamespaceData, tags=["discovery"])
    def get_namespaces(namespaces: Namespaces) -> NamespaceData:
        """The namespaces this token may read."""
        return NamespaceData(namespaces=sorted(namespaces))

    def metadata(namespace: str) -> NamespaceMetadata:
        publisher_type, publishes_extensions = queries.namespace_profile(
            warehouse().cursor(), namespace
        )
        timespans = list(TimespanType)
        datasets = [
            DatasetModel(
                name=DatasetType.pulls,
                views=VIEWS_BY_DATASET[Kind.PULLS_EXPORT],
                timespans=timespans,
            )
        ]
        if publishes_extensions:
            datasets.append(
                DatasetModel(
                    name=DatasetType.extensions,
                    views=VIEWS_BY_DATASET[Kind.EXTENSIONS_EXPORT],
                    timespans=timespans,
                )
            )
        return NamespaceMetadata(
            namespace=namespace,
            datasets=datasets,
            extensionPublisher=publishes_extensions,
            publisherType=publisher_type,
        )

    @router.get("/namespaces", response_model=list[NamespaceMetadata], tags=["discovery"])
    def get_user_namespaces(namespaces: Namespaces) -> list[NamespaceMetadata]:
        """Each readable namespace with its datasets, views and timespans."""
        return [metadata(namespace) for namespace in sorted(namespaces)]

    @router.get("/namespaces/{namespace}", response_model=NamespaceMetadata, tags=["discovery"])
    def get_namespace(namespace: NamespacePath, namespaces: Namespaces) -> NamespaceMetadata:
        """One namespace's datasets, views and timespans."""
        return metadata(visible(namespace, namespaces))

    @router.get(
        "/namespaces/{namespace}/pulls",
        response_model=PullData,
        response_model_exclude_none=True,
        tags=["namespaces"],
    )
    def get_namespace_pulls(
        namespace: NamespacePath,
        namespaces: Namespaces,
        timespan: Timespan = TimespanType.months,
        period: Period = PeriodType.last_3_months,
        group: Group = None,
    ) -> PullData:
        """Pulls and distinct IPs per complete period, by repository (default) or namespace."""
        return pull_data(
            visible(namespace, namespaces), None, timespan, period, group or GroupType.repo
        )

    @router.get(
        "/namespaces/{namespace}/repos/{repo}/pulls",
        response_model=PullData,
        response_model_exclude_none=True,
        tags=["namespaces"],
    )
    def get_repo_pulls(
        namespace: NamespacePath,
        repo: Annotated[str, Path(description="Repository name within the namespace.")],
        namespaces: Namespaces,
        timespan: Timespan = TimespanType.months,
        period: Period = PeriodType.last_3_months,
        group: Group = None,
    ) -> PullData:
        """Pulls and distinct IPs of one repository per complete period."""
        visible(namespace, namespaces)
        if not queries.existing_repositories(warehouse().cursor(), namespace, [repo]):
            raise _not_found()
        return pull_data(namespace, [repo], timespan, period, group or GroupType.repo)

    @router.get(
        "/repos/pulls",
        response_model=ReposPullData,
        response_model_exclude_none=True,
        tags=["namespaces"],
    )
    def get_many_repos_pulls(
        repos: Annotated[
            list[str],
            Query(description=f"`namespace/name` repositories, at most {MAX_REPOS}."),
        ],
        namespaces: Namespaces,
        timespan: Timespan = TimespanType.months,
        period: Period = PeriodType.last_3_months,
        group: Group = None,
    ) -> ReposPullData:
        """Pulls and distinct IPs of several repositories per complete period."""
        names = [name for value in repos for name in value.split(",") if name]
        if not names or len(names) > MAX_REPOS:
            raise HTTPException(
                status_code=400, detail=f"give between 1 and {MAX_REPOS} repositories in `repos`"
            )
        malformed = [name for name in names if name.count("/") != 1 or "" in name.split("/")]
        if malformed:
            raise HTTPException(
                status_code=400, detail=f"repositories must be `namespace/name`: {malformed}"
            )
        result: dict[str, PullData] = {}
        for name in dict.fromkeys(names):
            namespace, repo = name.split("/")
            visible(namespace, namespaces)
            if not queries.existing_repositories(warehouse().cursor(), namespace, [repo]):
                raise _not_found()
            result[name] = pull_data(namespace, [repo], timespan, period, group or GroupType.repo)
        return ReposPullData(repos=result)

    def periods(namespace: str) -> set[tuple[str, datetime.date]]:
        return queries.export_periods(warehouse().cursor(), namespace)

    Year = Annotated[int, Path(ge=1, le=9999, description="Calendar year (ISO year for weeks).")]
    TimespanNumber = Annotated[int, Path(ge=1, le=53, description="Month (1-12) or ISO week.")]

    @router.get(
        "/namespaces/{namespace}/pulls/exports/years", response_model=YearData, tags=["namespaces"]
    )
    def get_namespace_years(namespace: NamespacePath, namespaces: Namespaces) -> YearData:
        """The years with exportable data."""
        found = periods(visible(namespace, namespaces))
        years = sorted({_timespan_of(granularity, start)[0] for granularity, start in found})
        return YearData(years=[YearModel(year=year) for year in years])

    @router.get(
        "/namespaces/{namespace}/pulls/exports/years/{year}/{timespantype}",
        response_model=TimespanData,
        tags=["namespaces"],
    )
    def get_namespace_timespans(
        namespace: NamespacePath, year: Year, timespantype: TimespanType, namespaces: Namespaces
    ) -> TimespanData:
        """The months or ISO weeks of a year with exportable data."""
        granularity = GRANULARITY[timespantype]
        numbers = sorted(
            number
            for kind, start in periods(visible(namespace, namespaces))
            if kind == granularity
            for period_year, number in [_timespan_of(kind, start)]
            if period_year == year
        )
        if timespantype is TimespanType.months:
            return TimespanData(MonthData(months=[MonthModel(month=n) for n in numbers]))
        return TimespanData(WeekData(weeks=[WeekModel(week=n) for n in numbers]))

    def existing_period(
        namespace: str, namespaces: frozenset[str], year: int, kind: TimespanType, number: int
    ) -> datetime.date:
        visible(namespace, namespaces)
        if kind is TimespanType.months and number > 12:
            raise HTTPException(status_code=422, detail=f"no month {number}: months are 1-12")
        start = _period_start(year, kind, number)
        if (GRANULARITY[kind], start) not in periods(namespace):
            raise _not_found()
        return start

    @router.get(
        "/namespaces/{namespace}/pulls/exports/years/{year}/{timespantype}/{timespan}",
        response_model=TimespanModel,
        tags=["namespaces"],
    )
    def get_namespace_timespan_metadata(
        namespace: NamespacePath,
        year: Year,
        timespantype: TimespanType,
        timespan: TimespanNumber,
        namespaces: Namespaces,
    ) -> TimespanModel:
        """One month or week with exportable data (404 when it has none)."""
        existing_period(namespace, namespaces, year, timespantype, timespan)
        if timespantype is TimespanType.months:
            return TimespanModel(MonthModel(month=timespan))
        return TimespanModel(WeekModel(week=timespan))

    @router.get(
        "/namespaces/{namespace}/pulls/exports/years/{year}/{timespantype}/{timespan}/{dataview}",
        response_model=ResponseData,
        tags=["namespaces"],
    )
    def get_namespace_data_by_timespan(
        request: Request,
        namespace: NamespacePath,
        year: Year,
        timespantype: TimespanType,
        timespan: TimespanNumber,
        dataview: DataviewType,
        namespaces: Namespaces,
    ) -> ResponseData:
        """Signed links (six hours) to the gzip-compressed CSV files of one dataview period."""
        start = existing_period(namespace, namespaces, year, timespantype, timespan)
        granularity = GRANULARITY[timespantype]
        files = export_files(namespace, dataview, granularity, start)
        base = str(request.base_url).rstrip("/")
        lifetime = int(config.link_lifetime.total_seconds())
        return ResponseData(
            data=[
                ResponseDataFile(
                    url=base
                    + sign(
                        config.signing_secret,
                        _download_path(namespace, dataview.value, granularity, start, index),
                        lifetime,
                    ),
                    size=path.stat().st_size,
                )
                for index, path in enumerate(files)
            ]
        )

    @router.get("/downloads/{namespace}/{dataview}/{granularity}/{date_reference}/{part}")
    def download(
        namespace: str,
        dataview: DataviewType,
        granularity: str,
        date_reference: datetime.date,
        part: int,
        expires: str | None = None,
        signature: str | None = None,
    ) -> FileResponse:
        """A file behind a signed link: 403 when the link was altered, 410 once expired."""
        path = _download_path(namespace, dataview.value, granularity, date_reference, part)
        verify(config.signing_secret, path, expires, signature)
        files = export_files(namespace, dataview, granularity, date_reference)
        if not 0 <= part < len(files):
            raise _not_found()
        return FileResponse(files[part], media_type="application/gzip", filename=files[part].name)

    app = FastAPI(
        title="registry-insights Data API",
        version="1.0.0",
        description="Pull and extension analytics of a registry, shaped like the DVP Data API.",
        lifespan=lifespan,
    )
    app.include_router(router)

    @app.exception_handler(LinkRefused)
    async def link_refused(_: Request, error: LinkRefused) -> JSONResponse:
        return JSONResponse(status_code=error.status, content={"detail": error.message})

    return app


def _download_path(
    namespace: str, dataview: str, granularity: str, date_reference: datetime.date, part: int
) -> str:
    return (
        f"{API_PREFIX}/downloads/{namespace}/{dataview}/{granularity}/"
        f"{date_reference.isoformat()}/{part}"
    )
