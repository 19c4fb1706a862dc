"""The API's read-only queries over the export marts; each takes a cursor on the warehouse
(`registry_insights.api.dependencies.SharedWarehouse`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import duckdb

from registry_insights.api.schemas import PullModel
from registry_insights.publishing.completeness import data_complete_through, published_condition


@dataclass(frozen=True)
class PullRow:
    date_reference: datetime.date
    namespace: str
    repository: str | None
    pulls: int
    unique_ips: int


def pull_rows(
    cursor: duckdb.DuckDBPyConnection,
    granularity: str,
    since: datetime.date,
    namespace: str,
    repositories: list[str] | None,
    by_namespace: bool,
) -> list[PullRow]:
    """Per period (and repository unless by_namespace), pulls and distinct IPs since `since`."""
    if by_namespace and repositories is None:
        relation, repository = "marts.exp_pulls_namespace_summary", "null"
    else:
        relation, repository = "marts.exp_pulls_repo_summary", "repository_name"
    sql = (
        f"select date_reference, namespace, {repository}, pulls_by_tag + pulls_by_digest, "
        f"unique_ip_addresses from {relation} "
        "where date_granularity = ? and date_reference >= ? and namespace = ?"
    )
    parameters: list[object] = [granularity, since, namespace]
    published, published_parameters = published_condition(data_complete_through(cursor))
    sql += f" and {published}"
    parameters.extend(published_parameters)
    if repositories is not None:
        sql += f" and repository_name in ({', '.join('?' for _ in repositories)})"
        parameters.extend(repositories)
    rows = cursor.execute(sql + " order by 3, 1", parameters).fetchall()
    return [PullRow(*row) for row in rows]


def period_end(granularity: str, start: datetime.date) -> datetime.date:
    """The last day of the week (Sunday) or month that starts on `start`."""
    if granularity == "weekly":
        return start + datetime.timedelta(days=6)
    next_month = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month - datetime.timedelta(days=1)


def _rfc3339(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def pull_model(row: PullRow, granularity: str, with_repo: bool, with_namespace: bool) -> PullModel:
    return PullModel(
        start=_rfc3339(row.date_reference),
        end=_rfc3339(period_end(granularity, row.date_reference)),
        repo=row.repository if with_repo else None,
        namespace=row.namespace if with_namespace else None,
        pullCount=row.pulls,
        ipCount=row.unique_ips,
    )


def existing_repositories(
    cursor: duckdb.DuckDBPyConnection, namespace: str, names: list[str]
) -> set[str]:
    rows = cursor.execute(
        "select distinct repository_name from marts.exp_pulls_repo_summary "
        f"where namespace = ? and repository_name in ({', '.join('?' for _ in names)})",
        [namespace, *names],
    ).fetchall()
    return {row[0] for row in rows}


def export_periods(
    cursor: duckdb.DuckDBPyConnection, namespace: str, published_only: bool = True
) -> set[tuple[str, datetime.date]]:
    """The published (granularity, first day) periods with pull or extension data for the
    namespace: complete through their last day (`data_complete_through`); with
    `published_only` false, also those the warehouse holds incomplete data for."""
    published, parameters = (
        published_condition(data_complete_through(cursor)) if published_only else ("true", [])
    )
    rows = cursor.execute(
        "select date_granularity, date_reference from marts.exp_pulls_namespace_summary "
        f"where namespace = ? and {published} union "
        "select date_granularity, date_reference from marts.exp_extensions_summary "
        f"where namespace = ? and {published}",
        [namespace, *parameters, namespace, *parameters],
    ).fetchall()
    return {(str(granularity), reference) for granularity, reference in rows}


def namespace_profile(cursor: duckdb.DuckDBPyConnection, namespace: str) -> tuple[str | None, bool]:
    """The namespace's publisher programme (DVP, DSOS; None otherwise) and whether it
    publishes extensions."""
    program = cursor.execute(
        "select program from reference.publishers where namespace = ?", [namespace]
    ).fetchone()
    extensions = cursor.execute(
        "select count(*) from marts.exp_extensions_summary where namespace = ?", [namespace]
    ).fetchone()
    publisher_type = program[0] if program and program[0] in ("DVP", "DSOS") else None
    return publisher_type, bool(extensions and extensions[0])
