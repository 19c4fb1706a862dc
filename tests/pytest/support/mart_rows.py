"""Reading a mart into Python, for the tests that recount the marts: its rows as
instances of a row class, or keyed by their leading (grain) columns; and the rows of a
query on a warehouse file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

Row = TypeVar("Row")


def rows_as(make: Callable[..., Row], warehouse: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    """Each row of `sql` as `make(*row)`."""
    return [make(*row) for row in warehouse.sql(sql).fetchall()]


def keyed_rows(
    warehouse: duckdb.DuckDBPyConnection, sql: str, key_width: int
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The rows of `sql` as {their first `key_width` values: the rest}; fails when a key
    repeats (the leading columns are the mart's grain)."""
    rows = warehouse.sql(sql).fetchall()
    keyed = {tuple(row[:key_width]): tuple(row[key_width:]) for row in rows}
    assert len(keyed) == len(rows), f"{len(rows) - len(keyed)} repeated keys in: {sql}"
    return keyed


def database_rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows of `sql` on the warehouse file `database`, opened read-only for the query
    alone (so that dbt can write the file again afterwards)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(sql).fetchall()
