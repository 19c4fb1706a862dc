"""What the dashboard reads from the warehouse: plain functions over a read-only DuckDB
connection (`registry_insights.warehouse.Warehouse`, opened for each query), so that they
are testable without Streamlit.

Every report query takes a `Scope` whose `namespaces` are the namespaces the viewer
may see (None: all) and filters on them in SQL, so rows of other namespaces never
leave the database. The namespace of a row comes from the catalog of published datasets
(`namespace_expression`), the same rule the CSV downloads use.
"""

from __future__ import annotations

import calendar
import datetime
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from registry_insights.publishing.catalog import DATAVIEWS, REPORTS, PublishedDataset
from registry_insights.publishing.completeness import (
    data_complete_through,
    is_published,
    published_condition,
    unpublished_reason,
)
from registry_insights.publishing.dataview_files import (
    DEFAULT_MAX_FILE_BYTES,
    ExportPeriod,
    write_period,
)
from registry_insights.publishing.report_files import report_csv_bytes, report_file_name
from registry_insights.publishing.rows import periods_of
from registry_insights.warehouse import Warehouse

TrendDimension = Literal["ip_country", "cloud_service_provider", "user_agent_tool", "tag"]
MEASURES = {"data_downloads": "Data downloads", "version_checks": "Version checks"}
BY_DIGEST = "(by digest)"


@dataclass(frozen=True)
class Scope:
    """What a query covers: periods of one granularity, the selected repositories (none:
    all) and the namespaces the viewer may see (None: all)."""

    granularity: str
    periods: tuple[datetime.date, ...]
    repositories: tuple[str, ...] = ()
    namespaces: frozenset[str] | None = None


@dataclass(frozen=True)
class _Filter:
    """A `where` clause and its parameters."""

    sql: str
    parameters: tuple[object, ...]


def _where(report: PublishedDataset, scope: Scope, repository_column: str) -> _Filter:
    clauses = ["date_granularity = ?", "date_reference in (select unnest(?::date[]))"]
    parameters: list[object] = [scope.granularity, sorted(scope.periods)]
    if scope.namespaces is not None:
        clauses.append(f"{report.namespace_expression} in (select unnest(?::varchar[]))")
        parameters.append(sorted(scope.namespaces))
    if scope.repositories:
        clauses.append(f"{repository_column} in (select unnest(?::varchar[]))")
        parameters.append(sorted(scope.repositories))
    return _Filter(" and ".join(clauses), tuple(parameters))


def available_periods(warehouse: Warehouse, granularity: str) -> list[datetime.date]:
    """The published periods of a granularity the warehouse reports, oldest first: those
    whose data is complete through their last day (`data_complete_through`)."""
    with warehouse.connect() as connection:
        published, parameters = published_condition(data_complete_through(connection))
        rows = connection.execute(
            f"select distinct date_reference from {REPORTS['summary'].relation} "
            f"where date_granularity = ? and {published} order by date_reference",
            [granularity, *parameters],
        ).fetchall()
    return [_as_date(value) for (value,) in rows]


def incomplete_period_note(warehouse: Warehouse, granularity: str) -> str | None:
    """A sentence about the latest ended period when its data is not complete (it is not
    listed), else None."""
    with warehouse.connect() as connection:
        through = data_complete_through(connection)
        latest = connection.execute(
            f"select max(date_reference) from {REPORTS['summary'].relation} "
            "where date_granularity = ?",
            [granularity],
        ).fetchone()
    if not latest or latest[0] is None or is_published(granularity, latest[0], through):
        return None
    return f"Incomplete, not shown: {unpublished_reason(granularity, latest[0], through)}."


def interval_periods(
    periods: Sequence[datetime.date], granularity: str, months: int
) -> list[datetime.date]:
    """The periods that start in the last `months` months, counted back from the end of
    the latest period (the latest complete week or month, not today: a warehouse built
    from older data still shows its last months)."""
    if not periods:
        return []
    latest = max(periods)
    if granularity == "weekly":
        end = latest + datetime.timedelta(days=7)
    else:
        end = _months_before(latest, -1)
    start = _months_before(end, months)
    return sorted(p for p in periods if p >= start)


def namespaces(warehouse: Warehouse) -> list[str]:
    """Every namespace with pulls, busiest first (all monthly periods): local mode's
    organizations."""
    report = REPORTS["summary"]
    frame = warehouse.frame(
        f"select {report.namespace_expression} as namespace, sum(event_count) as events "
        f"from {report.relation} where level = 'repository' and date_granularity = 'monthly' "
        "group by all order by events desc, namespace"
    )
    return [str(value) for value in frame["namespace"]]


def repositories(warehouse: Warehouse, namespaces: Collection[str] | None) -> list[str]:
    """The repositories the viewer may see, busiest first (all monthly periods)."""
    report = REPORTS["summary"]
    only = ""
    parameters: list[object] = []
    if namespaces is not None:
        only = f" and {report.namespace_expression} in (select unnest(?::varchar[]))"
        parameters.append(sorted(namespaces))
    frame = warehouse.frame(
        f"select repository, sum(event_count) as events from {report.relation} "
        f"where level = 'repository' and date_granularity = 'monthly'{only} "
        "group by repository order by events desc, repository",
        parameters,
    )
    return [str(value) for value in frame["repository"]]


def pulls_over_time(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """Data downloads and version checks per period and repository (Summary report,
    repository level), long form: `period, repository, measure, value`. Every period of
    the interval is present for every selected repository (0 when nothing happened)."""
    report = REPORTS["summary"]
    where = _where(report, scope, "repository")
    if not scope.repositories or not scope.periods:
        return pd.DataFrame(columns=["period", "repository", "measure", "value"])
    frame = warehouse.frame(
        f"select date_reference as period, repository, data_downloads, version_checks "
        f"from {report.relation} where level = 'repository' and {where.sql}",
        where.parameters,
    )
    shown = {
        r
        for r in scope.repositories
        if scope.namespaces is None or r.split("/")[0] in scope.namespaces
    }
    grid = pd.MultiIndex.from_product(
        [sorted(scope.periods), sorted(shown)], names=["period", "repository"]
    )
    frame["period"] = frame["period"].map(_as_date)
    wide = frame.set_index(["period", "repository"]).reindex(grid, fill_value=0).reset_index()
    long = wide.melt(id_vars=["period", "repository"], var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(MEASURES)
    long["value"] = long["value"].astype("int64")
    return long.sort_values(["period", "repository", "measure"]).reset_index(drop=True)


def summary_table(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """The Summary report rows of one period for the selected repositories, in the
    export's order, with the published column names."""
    report = REPORTS["summary"]
    where = _where(report, scope, "repository")
    frame = warehouse.frame(
        f"select {', '.join(report.mart_columns)} from {report.relation} "
        f"where {where.sql} order by {', '.join(report.sort_order)}",
        where.parameters,
    )
    frame.columns = report.header
    return frame


def trends_by(warehouse: Warehouse, dimension: TrendDimension, scope: Scope) -> pd.DataFrame:
    """Trends report totals per period and value of one dimension: `period, value,
    data_downloads, version_checks, pulls, share` (share of the period's pulls, 0-1).
    Tags are labelled `repository:tag`, digest pulls `repository:(by digest)`, and
    carry their `repository`: a tag's share is within its own repository (image)."""
    report = REPORTS["trends"]
    where = _where(report, scope, "repository")
    if dimension == "tag":
        label = f"repository || ':' || coalesce(tag, '{BY_DIGEST}')"
        keys = ", repository"
    else:
        label = f"coalesce({dimension}, 'unknown')"
        keys = ""
    frame = warehouse.frame(
        f"select date_reference as period, {label} as value{keys}, "
        "sum(data_downloads) as data_downloads, sum(version_checks) as version_checks, "
        f"sum(pulls) as pulls from {report.relation} where {where.sql} "
        "group by all order by period, pulls desc, value",
        where.parameters,
    )
    frame["period"] = frame["period"].map(_as_date)
    for column in ("data_downloads", "version_checks", "pulls"):
        frame[column] = frame[column].astype("int64")
    return _with_shares(frame)


def tagged_only(frame: pd.DataFrame) -> pd.DataFrame:
    """A `trends_by(..., "tag", ...)` frame without digest pulls (they name no version),
    shares recomputed among the tagged pulls of each repository: one image's release
    does not shift another image's shares."""
    return _with_shares(frame[~frame["value"].str.endswith(f":{BY_DIGEST}")].copy())


def _with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    groups = ["period", "repository"] if "repository" in frame.columns else ["period"]
    totals = frame.groupby(groups)["pulls"].transform("sum")
    frame["share"] = (frame["pulls"] / totals.where(totals > 0)).fillna(0.0)
    return frame.reset_index(drop=True)


def top_values(frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """`trends_by` with all but the `limit` values of most pulls (whole interval)
    folded into `other`, for readable charts."""
    if frame.empty:
        return frame
    ranked = frame.groupby("value")["pulls"].sum().sort_values(ascending=False)
    keep = set(ranked.index[:limit])
    folded = frame.assign(value=frame["value"].where(frame["value"].isin(keep), "other"))
    summed = folded.groupby(["period", "value"], as_index=False)[
        ["data_downloads", "version_checks", "pulls", "share"]
    ].sum()
    return summed.sort_values(["period", "pulls"], ascending=[True, False]).reset_index(drop=True)


def traction(frame: pd.DataFrame) -> pd.DataFrame:
    """Which values (tags, clients, ...) gain or lose traction: share of pulls in the
    first and the last period of the frame and the change, in percentage points,
    biggest gains first. A value absent from a period has a 0 share there."""
    columns = ["value", "first_share_pct", "last_share_pct", "change_pct_points", "last_pulls"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    first, last = min(frame["period"]), max(frame["period"])
    shares = frame.pivot_table(index="value", columns="period", values="share", aggfunc="sum")
    pulls = frame.pivot_table(index="value", columns="period", values="pulls", aggfunc="sum")
    result = pd.DataFrame(
        {
            "value": shares.index,
            "first_share_pct": (shares.get(first, 0.0).fillna(0.0) * 100).round(2).values,
            "last_share_pct": (shares.get(last, 0.0).fillna(0.0) * 100).round(2).values,
            "last_pulls": pulls.get(last, 0).fillna(0).astype("int64").values,
        }
    )
    result["change_pct_points"] = (result["last_share_pct"] - result["first_share_pct"]).round(2)
    return (
        result[columns]
        .sort_values(["change_pct_points", "last_pulls", "value"], ascending=[False, False, True])
        .reset_index(drop=True)
    )


def technographic(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """The Technographic report of one period for the selected DVP images, with the
    number of companies behind each pairing (Technographic companies report)."""
    report = REPORTS["technographic"]
    companies = REPORTS["technographic-companies"]
    where = _where(report, scope, "dvpp_image")
    frame = warehouse.frame(
        f"with pairings as (select * from {report.relation} where {where.sql}), "
        f"companies as (select date_granularity, date_reference, dvpp_image, paired_image, "
        f"count(*) as companies from {companies.relation} group by all) "
        "select pairings.dvpp_image, pairings.paired_image, pairings.users, "
        "pairings.total_pullers, cast(pairings.pct_users as double) as pct_users, "
        "pairings.domains, pairings.total_domains, "
        "cast(pairings.pct_domains as double) as pct_domains, "
        "coalesce(companies.companies, 0) as companies "
        "from pairings left join companies using "
        "(date_granularity, date_reference, dvpp_image, paired_image) "
        "order by pairings.users desc, pairings.dvpp_image, pairings.paired_image",
        where.parameters,
    )
    return frame


def technographic_companies(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """The companies (domains) behind the pairings of one period: one row per company
    domain, DVP image and paired image."""
    report = REPORTS["technographic-companies"]
    where = _where(report, scope, "dvpp_image")
    return warehouse.frame(
        f"select company_domain, dvpp_image, paired_image from {report.relation} "
        f"where {where.sql} order by company_domain, dvpp_image, paired_image",
        where.parameters,
    )


def tracked_companies(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """The Tracked companies report over the periods, for the selected repositories."""
    report = REPORTS["tracked-companies"]
    where = _where(report, scope, "repository")
    frame = warehouse.frame(
        "select date_reference as period, company_domain, ip_country, cloud_service_provider, "
        "user_agent_tool, inferred_use_case, repository, data_downloads, version_checks, "
        f"pulls, unique_authenticated_users from {report.relation} where {where.sql} "
        "order by period, pulls desc, company_domain",
        where.parameters,
    )
    frame["period"] = frame["period"].map(_as_date)
    return frame


def report_download(
    warehouse: Warehouse,
    report_name: str,
    granularity: str,
    period: datetime.date,
    namespaces: Collection[str] | None,
) -> tuple[str, bytes]:
    """File name and bytes of one report period, exactly as `registry-insights export`
    writes them (restricted to the viewer's namespaces when they are limited)."""
    report = REPORTS[report_name]
    with warehouse.connect() as connection:
        data = report_csv_bytes(connection, report, granularity, period, namespaces)
    return report_file_name(report, granularity, period), data


def _as_date(value: object) -> datetime.date:
    if isinstance(value, pd.Timestamp):
        day: datetime.date = value.date()
        return day
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """`day` moved back by `months` calendar months (forward when negative), its day of
    the month clamped to the target month's length."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


# ---- security ---------------------------------------------------------------------

#: Severities, most severe first, as the security reports spell them.
SEVERITIES = ("critical", "high", "medium", "low", "negligible", "unknown")


def vulnerabilities_over_time(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """Findings of the images the tags pointed to at each period's end, by severity:
    `period, severity, vulnerabilities` (summed over the scope's scanned tags)."""
    report = REPORTS["vulnerabilities-by-tag"]
    where = _where(report, scope, "repository")
    sums = ", ".join(
        f"sum(coalesce({severity}_vulnerabilities, 0)) as {severity}" for severity in SEVERITIES
    )
    wide = warehouse.frame(
        f"select date_reference as period, {sums} from {report.relation} "
        f"where {where.sql} and is_scanned group by all order by period",
        where.parameters,
    )
    frame = wide.melt(id_vars="period", var_name="severity", value_name="vulnerabilities")
    frame["period"] = frame["period"].map(_as_date)
    frame["vulnerabilities"] = frame["vulnerabilities"].astype("int64")
    return frame.sort_values(["period", "severity"]).reset_index(drop=True)


def tags_at_period(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """The scope's tags in its last period: digest and counts by severity, most critical
    first."""
    report = REPORTS["vulnerabilities-by-tag"]
    last = Scope(scope.granularity, scope.periods[-1:], scope.repositories, scope.namespaces)
    where = _where(report, last, "repository")
    return warehouse.frame(
        "select repository, tag, digest, is_scanned, critical_vulnerabilities as critical, "
        "high_vulnerabilities as high, medium_vulnerabilities as medium, "
        "low_vulnerabilities as low, fixable_vulnerabilities as fixable "
        f"from {report.relation} where {where.sql} "
        "order by critical desc nulls last, high desc nulls last, repository, tag",
        where.parameters,
    )


def _snapshot_where(report: PublishedDataset, scope: Scope) -> _Filter:
    """The scope's namespaces and repositories, without periods (one snapshot)."""
    clauses, parameters = ["true"], []
    if scope.namespaces is not None:
        clauses.append(f"{report.namespace_expression} in (select unnest(?::varchar[]))")
        parameters.append(sorted(scope.namespaces))
    if scope.repositories:
        clauses.append("repository in (select unnest(?::varchar[]))")
        parameters.append(sorted(scope.repositories))
    return _Filter(" and ".join(clauses), tuple(parameters))


def finding_counts(warehouse: Warehouse, scope: Scope) -> dict[str, int]:
    """Findings of the latest scans of the scope's images: per severity, and `fixable`
    (critical or high with a known fixed version)."""
    report = REPORTS["vulnerability-details"]
    where = _snapshot_where(report, scope)
    rows = warehouse.frame(
        "select severity, count(*) as findings, "
        "count(*) filter (where is_fixable and severity in ('critical', 'high')) as fixable "
        f"from {report.relation} where {where.sql} group by severity",
        where.parameters,
    )
    counts = {severity: 0 for severity in SEVERITIES}
    counts.update({str(row.severity): int(row.findings) for row in rows.itertuples()})
    counts["fixable"] = int(rows["fixable"].sum()) if len(rows) else 0
    return counts


def vulnerability_details(warehouse: Warehouse, scope: Scope, limit: int = 500) -> pd.DataFrame:
    """Findings of the latest scans of the scope's images, most severe first (the
    report is one snapshot: the scope's periods do not apply)."""
    report = REPORTS["vulnerability-details"]
    where = _snapshot_where(report, scope)
    clauses, parameters = [where.sql], list(where.parameters)
    return warehouse.frame(
        "select repository, manifest_digest, vulnerability_id, severity, package_name, "
        "installed_version, fixed_version, introduced_in_tag, fixed_in_tag, cvss_score "
        f"from {report.relation} where {' and '.join(clauses)} "
        "order by severity_rank, cvss_score desc nulls last, repository, vulnerability_id, "
        f"package_name, manifest_digest limit {int(limit)}",
        tuple(parameters),
    )


def vulnerable_pull_shares(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """Per period: data downloads of scanned images, of vulnerable ones (critical or
    high findings), fixable ones, and the share already on images without them."""
    report = REPORTS["vulnerable-pulls"]
    where = _where(report, scope, "repository")
    frame = warehouse.frame(
        "select date_reference as period, sum(scanned_data_downloads) as scanned, "
        "sum(vulnerable_data_downloads) as vulnerable, "
        "sum(fixable_vulnerable_data_downloads) as fixable, "
        "sum(clean_data_downloads) as clean "
        f"from {report.relation} where {where.sql} group by all order by period",
        where.parameters,
    )
    frame["period"] = frame["period"].map(_as_date)
    for column in ("scanned", "vulnerable", "fixable", "clean"):
        frame[column] = frame[column].astype("int64")
    frame["vulnerable_share"] = (
        frame["vulnerable"] / frame["scanned"].where(frame["scanned"] > 0)
    ).fillna(0.0)
    return frame


# ---- extensions -------------------------------------------------------------------

#: Core extension measures (Extensions summary export): mart column -> label.
EXTENSION_CORE = {
    "installs": "Installs",
    "uninstalls": "Uninstalls",
    "updates": "Updates",
    "total_installs": "Total installs",
    "total_uninstalls": "Total uninstalls",
}
#: Premium extension measures (premium summary and geo exports): mart column -> label.
EXTENSION_PREMIUM = {
    "unique_installs": "Unique installs",
    "unique_uninstalls": "Unique uninstalls",
    "unique_users": "Unique users",
}


def _dataview_where(name: str, scope: Scope) -> tuple[str, str, tuple[object, ...]]:
    """A dataview's relation, its scope filter (periods and namespaces) and parameters."""
    view = DATAVIEWS[name]
    clauses = ["date_granularity = ?", "date_reference in (select unnest(?::date[]))"]
    parameters: list[object] = [scope.granularity, sorted(scope.periods)]
    if scope.namespaces is not None:
        clauses.append(f"{view.namespace_expression} in (select unnest(?::varchar[]))")
        parameters.append(sorted(scope.namespaces))
    return view.relation, " and ".join(clauses), tuple(parameters)


def extensions_over_time(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """Per period and extension: the core counts (Extensions summary export) and the
    premium unique counts (premium summary export), as the marts have them (a missing
    premium row is 0). Columns: `period, extension` and every `EXTENSION_CORE` and
    `EXTENSION_PREMIUM` column."""
    core, core_where, core_parameters = _dataview_where("ext-summary", scope)
    premium, premium_where, premium_parameters = _dataview_where("ext-premium-summary", scope)
    core_columns = ", ".join(f"coalesce(core.{c}, 0) as {c}" for c in EXTENSION_CORE)
    premium_columns = ", ".join(f"coalesce(premium.{c}, 0) as {c}" for c in EXTENSION_PREMIUM)
    frame = warehouse.frame(
        f"with core as (select * from {core} where {core_where}), "
        f"premium as (select * from {premium} where {premium_where}) "
        f"select core.date_reference as period, core.extension, {core_columns}, "
        f"{premium_columns} from core left join premium "
        "using (date_granularity, date_reference, extension) "
        "order by period, core.extension",
        (*core_parameters, *premium_parameters),
    )
    frame["period"] = frame["period"].map(_as_date)
    for column in (*EXTENSION_CORE, *EXTENSION_PREMIUM):
        frame[column] = frame[column].astype("int64")
    return frame


def extensions_by_country(warehouse: Warehouse, scope: Scope) -> pd.DataFrame:
    """Premium counts by extension and country (premium geo export) over the scope's
    periods: `period, extension, country` and the `EXTENSION_PREMIUM` columns."""
    relation, where, parameters = _dataview_where("ext-premium-geo", scope)
    sums = ", ".join(f"coalesce({c}, 0) as {c}" for c in EXTENSION_PREMIUM)
    frame = warehouse.frame(
        f"select date_reference as period, extension, coalesce(ip_country, 'unknown') "
        f"as country, {sums} from {relation} where {where} "
        "order by period, unique_users desc, extension, country",
        parameters,
    )
    frame["period"] = frame["period"].map(_as_date)
    for column in EXTENSION_PREMIUM:
        frame[column] = frame[column].astype("int64")
    return frame


def dataview_periods(warehouse: Warehouse, name: str) -> list[tuple[str, datetime.date]]:
    """The (granularity, first day) periods of a pull or extension export."""
    with warehouse.connect() as connection:
        return periods_of(connection, DATAVIEWS[name])


def dataview_download(
    warehouse: Warehouse,
    name: str,
    granularity: str,
    period: datetime.date,
    namespace: str,
) -> list[tuple[str, bytes]]:
    """The files (name, bytes) of one namespace's export period, written by the
    export's own writer (gzip CSV parts, `<namespace>_<dataview>_<granularity>_<date>_NNN
    .csv.gz`), as the Data API serves them."""
    export = ExportPeriod(DATAVIEWS[name], granularity, period, namespace)
    with tempfile.TemporaryDirectory(prefix="dashboard-export-") as folder:
        with warehouse.connect() as connection:
            parts = write_period(connection, export, Path(folder), DEFAULT_MAX_FILE_BYTES)
        return [(part.path.name, part.path.read_bytes()) for part in parts]
