"""The one read-only opener of the built warehouse (registry_insights.warehouse)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from registry_insights.warehouse import (
    Warehouse,
    WarehouseMissing,
    WarehouseUnavailable,
    WarehouseUnreadable,
    open_read_only,
)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.numbers as select range as n from range(3)")
    return path


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    absent = tmp_path / "absent.duckdb"
    with pytest.raises(WarehouseMissing, match="does not exist") as raised:
        open_read_only(absent)
    assert isinstance(raised.value, FileNotFoundError)
    assert isinstance(raised.value, WarehouseUnavailable)
    assert not absent.exists()


def test_a_file_that_is_not_a_database_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    path.write_text("not a database\n")
    with pytest.raises(WarehouseUnreadable, match="cannot open"):
        open_read_only(path)


def test_the_connection_reads_but_never_writes(database: Path) -> None:
    with open_read_only(database) as connection:
        assert connection.execute("select sum(n) from marts.numbers").fetchone() == (3,)
        with pytest.raises(duckdb.Error, match="read-only"):
            connection.execute("insert into marts.numbers values (9)")
    with duckdb.connect(str(database)) as connection:
        assert connection.execute("select count(*) from marts.numbers").fetchone() == (3,)


def test_the_warehouse_opens_a_connection_per_use(database: Path) -> None:
    warehouse = Warehouse(database)
    frame = warehouse.frame("select n from marts.numbers where n >= ? order by n", [1])
    assert frame["n"].tolist() == [1, 2]
    with warehouse.connect() as connection:
        pass
    with pytest.raises(duckdb.ConnectionException):
        connection.execute("select 1")
    # No connection stays open: the file can be written again.
    with duckdb.connect(str(database)) as writer:
        writer.execute("insert into marts.numbers values (3)")
