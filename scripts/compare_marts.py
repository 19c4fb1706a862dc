"""Compare the tables of two built DuckDB warehouses row for row.

    python scripts/compare_marts.py BEFORE.duckdb AFTER.duckdb [--schema marts]
        [--rename rpt_trends.user_agent=user_agent_tool ...] [--added fct_pull_actions.owner ...]

Every table of the schema in BEFORE is compared with the table of the same name in AFTER
as a multiset of rows (EXCEPT ALL both ways), columns matched by name after the renames;
columns declared added (new in AFTER on purpose) are left out of the comparison.
Prints one line per table and exits 1 when any table, column or row differs: the check
that a restructuring changed no published number.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class TableComparison:
    name: str
    before_rows: int
    after_rows: int
    only_before: int
    only_after: int
    problem: str = ""

    @property
    def equal(self) -> bool:
        return not self.problem and self.only_before == 0 and self.only_after == 0


def _parse_renames(values: list[str]) -> dict[str, dict[str, str]]:
    renames: dict[str, dict[str, str]] = {}
    for value in values:
        qualified, _, new = value.partition("=")
        table, _, old = qualified.partition(".")
        if not (table and old and new):
            raise SystemExit(f"--rename expects TABLE.OLD=NEW, got {value!r}")
        renames.setdefault(table, {})[old] = new
    return renames


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, schema],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _columns(
    connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> list[str]:
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(f"select count(*) from ({sql})").fetchone()
    return int(row[0]) if row else 0


def compare_table(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    renames: dict[str, str],
    added: frozenset[str] = frozenset(),
) -> TableComparison:
    before_columns = _columns(connection, "before", schema, table)
    after_columns = [c for c in _columns(connection, "after", schema, table) if c not in added]
    expected_after = [renames.get(column, column) for column in before_columns]
    before_sql = f'select * from before."{schema}"."{table}"'
    after_sql = f'select * from after."{schema}"."{table}"'
    before_rows = _count(connection, before_sql)
    after_rows = _count(connection, after_sql)
    if sorted(expected_after) != sorted(after_columns):
        missing = sorted(set(expected_after) - set(after_columns))
        extra = sorted(set(after_columns) - set(expected_after))
        return TableComparison(
            table, before_rows, after_rows, 0, 0, f"columns missing {missing}, extra {extra}"
        )
    left = ", ".join(f'"{column}"' for column in before_columns)
    right = ", ".join(f'"{column}"' for column in expected_after)
    left_sql = f'select {left} from before."{schema}"."{table}"'
    right_sql = f'select {right} from after."{schema}"."{table}"'
    only_before = _count(connection, f"{left_sql} except all {right_sql}")
    only_after = _count(connection, f"{right_sql} except all {left_sql}")
    return TableComparison(table, before_rows, after_rows, only_before, only_after)


def compare(
    before: Path,
    after: Path,
    schema: str,
    renames: dict[str, dict[str, str]],
    added: dict[str, frozenset[str]],
) -> list[TableComparison]:
    connection = duckdb.connect()
    connection.execute(f"attach '{before}' as before (read_only)")
    connection.execute(f"attach '{after}' as after (read_only)")
    before_tables = _tables(connection, "before", schema)
    after_tables = set(_tables(connection, "after", schema))
    results = []
    for table in before_tables:
        if table not in after_tables:
            results.append(TableComparison(table, 0, 0, 0, 0, "missing in AFTER"))
            continue
        results.append(
            compare_table(
                connection, schema, table, renames.get(table, {}), added.get(table, frozenset())
            )
        )
    for table in sorted(after_tables - set(before_tables)):
        results.append(TableComparison(table, 0, 0, 0, 0, "new in AFTER"))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schema", default="marts")
    parser.add_argument("--rename", action="append", default=[], metavar="TABLE.OLD=NEW")
    parser.add_argument("--added", action="append", default=[], metavar="TABLE.COLUMN")
    args = parser.parse_args(argv)
    added: dict[str, frozenset[str]] = {}
    for value in args.added:
        table, _, column = value.partition(".")
        added[table] = added.get(table, frozenset()) | {column}
    results = compare(args.before, args.after, args.schema, _parse_renames(args.rename), added)
    for result in results:
        status = "equal" if result.equal else f"DIFFERENT {result.problem}".rstrip()
        print(
            f"{result.name:40} rows {result.before_rows:>10} -> {result.after_rows:>10}"
            f"  only before {result.only_before:>8}  only after {result.only_after:>8}  {status}"
        )
    different = [result.name for result in results if not result.equal]
    print(f"{len(results) - len(different)} of {len(results)} tables equal")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
