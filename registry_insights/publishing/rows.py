"""Reading a published dataset from the warehouse: its periods, and one period's rows in
its published columns and total order (optionally only some namespaces' rows)."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from registry_insights.publishing.catalog import Period, PublishedDataset
from registry_insights.publishing.completeness import Completeness
from registry_insights.warehouse import WarehouseUnavailable, open_read_only

FETCH_ROWS = 10_000


class ExportError(RuntimeError):
    """The warehouse cannot be exported as asked (missing file, missing mart, ...)."""


@contextmanager
def read_only_warehouse(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The built warehouse, opened read-only (ExportError when it cannot be)."""
    try:
        connection = open_read_only(database)
    except WarehouseUnavailable as error:
        raise ExportError(str(error)) from error
    with connection:
        yield connection


def periods_of(connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset) -> list[Period]:
    """The published (granularity, first day) periods of the dataset's mart, in order, of
    the granularities the dataset is published in: those whose last day the warehouse
    holds complete data through (`completeness.data_complete_through`)."""
    try:
        rows = connection.execute(
            f"select distinct date_granularity, date_reference from {dataset.relation} "
            "order by date_granularity, date_reference"
        ).fetchall()
    except duckdb.CatalogException as error:
        raise ExportError(
            f"the warehouse has no {dataset.relation}: run `dbt build` first ({error})"
        ) from error
    return Completeness.of(connection).only_published(
        (str(granularity), reference)
        for granularity, reference in rows
        if granularity in dataset.granularities
    )


def _period_query(
    dataset: PublishedDataset,
    granularity: str,
    date_reference: datetime.date,
    namespaces: Collection[str] | None,
) -> tuple[str, list[object]]:
    sql = (
        f"select {', '.join(dataset.mart_columns)} from {dataset.relation} "
        "where date_granularity = ? and date_reference = ?"
    )
    parameters: list[object] = [granularity, date_reference]
    if namespaces is not None:
        sql += f" and {dataset.namespace_expression} in (select unnest(?::varchar[]))"
        parameters.append(sorted(namespaces))
    return f"{sql} order by {', '.join(dataset.sort_order)}", parameters


def period_rows(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    granularity: str,
    date_reference: datetime.date,
    namespaces: Collection[str] | None = None,
) -> Iterator[tuple[object, ...]]:
    """One period of a dataset: its published columns in its total order, streamed. With
    `namespaces`, only the rows of those namespaces (None: every namespace)."""
    sql, parameters = _period_query(dataset, granularity, date_reference, namespaces)
    cursor = connection.execute(sql, parameters)
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch
