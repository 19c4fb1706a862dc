"""Reading a mart into Python, for the tests that recount the marts: its rows as
instances of a row class, or keyed by their leading (grain) columns."""

from __future__ import annotations

from collections.abc import Callable
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
