"""Security: the three security reports of a namespace (vulnerabilities by tag,
vulnerability details, vulnerable pulls), as JSON rows with the reports' columns, under
the same access rules as every other namespace endpoint (401 without a valid token, 404
for a namespace of another organization, exactly like a missing one)."""

from __future__ import annotations

import datetime
import decimal
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from registry_insights.api.dependencies import Namespaces, SharedWarehouse, Warehouse, visible
from registry_insights.api.parameters import GRANULARITY, NamespacePath
from registry_insights.api.schemas import TimespanType
from registry_insights.publishing.catalog import REPORTS, PublishedDataset
from registry_insights.publishing.completeness import data_complete_through, published_condition

router = APIRouter(tags=["security"])

Value = str | int | float | bool | None


class SecurityReportName(StrEnum):
    """The security reports, by their published name."""

    vulnerabilities_by_tag = "vulnerabilities-by-tag"
    vulnerability_details = "vulnerability-details"
    vulnerable_pulls = "vulnerable-pulls"


class SecurityReport(BaseModel):
    """Rows of one security report for one namespace, in the report's published order."""

    report: str = Field(description="The report's published name.")
    namespace: str
    columns: list[str] = Field(description="The report's columns (mart column names), in order.")
    rows: list[dict[str, Value]] = Field(
        description="One object per row; dates and timestamps as ISO 8601 text."
    )


def _json_value(value: object) -> Value:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def report_rows(
    warehouse: SharedWarehouse,
    report: PublishedDataset,
    namespace: str,
    granularity: str | None,
    repository: str | None,
) -> list[dict[str, Value]]:
    """The namespace's rows of a report (of one granularity when given)."""
    columns = ["namespace", *report.mart_columns]
    sql = f"select {', '.join(columns)} from {report.relation} where namespace = ?"
    parameters: list[object] = [namespace]
    if granularity is not None:
        sql += " and date_granularity = ?"
        parameters.append(granularity)
    if repository is not None:
        sql += " and repository = ?"
        parameters.append(f"{namespace}/{repository}")
    # only published periods (a `latest` snapshot is not by period)
    published, published_parameters = published_condition(data_complete_through(warehouse.cursor()))
    sql += f" and {published}"
    parameters.extend(published_parameters)
    sql += f" order by {', '.join(report.sort_order)}, date_granularity, date_reference"
    rows = warehouse.cursor().execute(sql, parameters).fetchall()
    return [
        {column: _json_value(value) for column, value in zip(columns, row, strict=True)}
        for row in rows
    ]


@router.get("/namespaces/{namespace}/security/{report}", response_model=SecurityReport)
def get_security_report(
    namespace: NamespacePath,
    report: SecurityReportName,
    namespaces: Namespaces,
    warehouse: Warehouse,
    timespan: Annotated[
        TimespanType | None,
        Query(description="Weekly or monthly periods (periodic reports); default both."),
    ] = None,
    repo: Annotated[
        str | None, Query(description="Only this repository of the namespace (its name).")
    ] = None,
) -> SecurityReport:
    """A security report of a namespace: `vulnerabilities-by-tag` (per tag and complete
    period, the digest the tag pointed to and its findings by severity),
    `vulnerability-details` (per scanned image, its findings with package, versions and
    the tags that introduced and fixed them; one snapshot, `timespan` is ignored) or
    `vulnerable-pulls` (per repository and period, downloads of images with critical or
    high findings and the unique users behind them)."""
    visible(namespace, namespaces)
    dataset = REPORTS[report.value]
    granularity = None
    if timespan is not None and "weekly" in dataset.granularities:
        granularity = GRANULARITY[timespan]
    rows = report_rows(warehouse, dataset, namespace, granularity, repo)
    return SecurityReport(
        report=dataset.name,
        namespace=namespace,
        columns=["namespace", *dataset.mart_columns],
        rows=rows,
    )
