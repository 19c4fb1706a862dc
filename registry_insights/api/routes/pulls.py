"""Pulls: pull counts and distinct IPs per complete week or month, of a namespace, of
one repository or of several."""

import datetime
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from registry_insights.api import queries
from registry_insights.api.dependencies import (
    TOKEN_RESPONSES,
    Config,
    Namespaces,
    SharedWarehouse,
    Warehouse,
    not_found,
    visible,
)
from registry_insights.api.parameters import (
    GRANULARITY,
    Group,
    NamespacePath,
    Period,
    RepoPath,
    Timespan,
)
from registry_insights.api.schemas import (
    GroupType,
    PeriodType,
    PullData,
    ReposPullData,
    TimespanType,
)

MAX_REPOS = 50

router = APIRouter(tags=["namespaces"], responses=TOKEN_RESPONSES)


def since(today: datetime.date, period: PeriodType) -> datetime.date:
    """First day of the month `period.months` months before today's month."""
    months = today.year * 12 + today.month - 1 - period.months
    return datetime.date(months // 12, months % 12 + 1, 1)


def pull_data(
    warehouse: SharedWarehouse,
    today: datetime.date,
    namespace: str,
    repositories: list[str] | None,
    timespan: TimespanType,
    period: PeriodType,
    group: GroupType,
) -> PullData:
    """The pulls of a namespace (or of some of its repositories) since `period` ago."""
    granularity = GRANULARITY[timespan]
    by_namespace = group is GroupType.namespace
    rows = queries.pull_rows(
        warehouse.cursor(),
        granularity,
        since(today, period),
        namespace,
        repositories,
        by_namespace,
    )
    with_repo = repositories is not None or not by_namespace
    return PullData(
        pulls=[queries.pull_model(row, granularity, with_repo, by_namespace) for row in rows]
    )


def existing_repository(warehouse: SharedWarehouse, namespace: str, repo: str) -> None:
    """404 unless the namespace has the repository."""
    if not queries.existing_repositories(warehouse.cursor(), namespace, [repo]):
        raise not_found()


def repository_names(repos: list[str]) -> list[str]:
    """The `namespace/name` repositories of `repos` (each value may list several, comma
    separated); 400 when there are none, too many or malformed ones."""
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
    return names


@dataclass(frozen=True)
class PullQuery:
    """What every pulls endpoint is asked for beyond the repositories: the caller's
    namespaces, today, the warehouse and the timespan, period and grouping."""

    namespaces: frozenset[str]
    today: datetime.date
    warehouse: SharedWarehouse
    timespan: TimespanType
    period: PeriodType
    group: GroupType

    def pulls(self, namespace: str, repo: str | None) -> PullData:
        """The pulls of a namespace the caller may see, or of one of its repositories
        (404 unless it has it)."""
        visible(namespace, self.namespaces)
        if repo is not None:
            existing_repository(self.warehouse, namespace, repo)
        return pull_data(
            self.warehouse,
            self.today,
            namespace,
            None if repo is None else [repo],
            self.timespan,
            self.period,
            self.group,
        )


def pull_query(
    namespaces: Namespaces,
    config: Config,
    warehouse: Warehouse,
    timespan: Timespan = TimespanType.months,
    period: Period = PeriodType.last_3_months,
    group: Group = None,
) -> PullQuery:
    """The query parameters and dependencies the pulls endpoints share (by repository
    unless `group` says namespace)."""
    return PullQuery(
        namespaces, config.today(), warehouse, timespan, period, group or GroupType.repo
    )


PullOptions = Annotated[PullQuery, Depends(pull_query)]


@router.get(
    "/namespaces/{namespace}/pulls", response_model=PullData, response_model_exclude_none=True
)
def get_namespace_pulls(namespace: NamespacePath, query: PullOptions) -> PullData:
    """Pulls and distinct IPs per complete period, by repository (default) or namespace."""
    return query.pulls(namespace, None)


@router.get(
    "/namespaces/{namespace}/repos/{repo}/pulls",
    response_model=PullData,
    response_model_exclude_none=True,
)
def get_repo_pulls(namespace: NamespacePath, repo: RepoPath, query: PullOptions) -> PullData:
    """Pulls and distinct IPs of one repository per complete period."""
    return query.pulls(namespace, repo)


@router.get("/repos/pulls", response_model=ReposPullData, response_model_exclude_none=True)
def get_many_repos_pulls(
    repos: Annotated[
        list[str],
        Query(description=f"`namespace/name` repositories, at most {MAX_REPOS}."),
    ],
    query: PullOptions,
) -> ReposPullData:
    """Pulls and distinct IPs of several repositories per complete period."""
    result: dict[str, PullData] = {}
    for name in dict.fromkeys(repository_names(repos)):
        namespace, repo = name.split("/")
        result[name] = query.pulls(namespace, repo)
    return ReposPullData(repos=result)
