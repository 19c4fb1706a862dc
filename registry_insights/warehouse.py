"""The built warehouse, opened read-only: the one way the Data API, the dashboard, the
exports and the mart validation connect to the DuckDB file that `dbt build` writes.

A read-only connection never changes the file, and several processes may hold one at
once; while any is open, DuckDB's file lock keeps a `dbt build` from writing. That is why
the dashboard opens one per query (`Warehouse.connect`) and the Data API holds one for
its lifetime (`registry_insights.api.dependencies.SharedWarehouse`): both through
:func:`open_read_only`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd


class WarehouseUnavailable(Exception):
    """The warehouse file cannot be opened read-only."""


class WarehouseMissing(WarehouseUnavailable, FileNotFoundError):
    """There is no file at the warehouse's path."""


class WarehouseUnreadable(WarehouseUnavailable):
    """DuckDB cannot open the file read-only: not a database, or being written."""


def open_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the DuckDB file `database`. Close it, or use it as a
    context manager (`with open_read_only(path) as connection: ...`).

    Raises :class:`WarehouseMissing` when the file does not exist (DuckDB would create
    an empty database otherwise) and :class:`WarehouseUnreadable` when DuckDB refuses it.
    """
    database = Path(database)
    if not database.is_file():
        raise WarehouseMissing(
            f"no warehouse at {database} (the file does not exist): "
            "run `make demo` (or `dbt build`) first"
        )
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise WarehouseUnreadable(
            f"cannot open {database} read-only (is it being written? copy it first): {error}"
        ) from error


@dataclass(frozen=True)
class Warehouse:
    """The built warehouse file, opened read-only for each use."""

    path: Path

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with open_read_only(self.path) as connection:
            yield connection

    def frame(self, sql: str, parameters: Sequence[object] = ()) -> pd.DataFrame:
        """The result of one query as a dataframe."""
        with self.connect() as connection:
            return connection.execute(sql, list(parameters)).df()
