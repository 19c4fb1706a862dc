"""Comparing warehouse files relation by relation, row for row (as multisets)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def warehouse_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """`schema.table` of every base table of `catalog`."""
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE' order by 1",
        [catalog],
    ).fetchall()
    return [name for (name,) in rows]


def _relations(connection: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ?",
        [catalog],
    ).fetchall()
    return {name for (name,) in rows}


def table_differences(
    left: Path, right: Path, relations: Iterable[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Every relation (`schema.name`; default: every base table of either file) whose
    rows differ between the two files: {relation: (rows only on the left, rows only on
    the right)}; a relation missing on one side is (-1, -1)."""
    differing: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(left), read_only=True) as connection:
        connection.execute(f"attach '{right}' as right_side (read_only)")
        left_catalog = left.stem
        if relations is None:
            relations = set(warehouse_tables(connection, left_catalog)) | set(
                warehouse_tables(connection, "right_side")
            )
        present = _relations(connection, left_catalog), _relations(connection, "right_side")
        for relation in sorted(relations):
            if relation not in present[0] or relation not in present[1]:
                differing[relation] = (-1, -1)
                continue
            a, b = f'"{left_catalog}".{relation}', f"right_side.{relation}"
            only_left = connection.execute(
                f"select count(*) from (select * from {a} except all select * from {b})"
            ).fetchone()
            only_right = connection.execute(
                f"select count(*) from (select * from {b} except all select * from {a})"
            ).fetchone()
            assert only_left is not None and only_right is not None
            if only_left[0] or only_right[0]:
                differing[relation] = (only_left[0], only_right[0])
    return differing
