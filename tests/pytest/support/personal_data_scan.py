"""Scans every table of a DuckDB warehouse for personal data: IP-shaped text and the
account ids and client IPs of the raw data, in every text and blob column."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

# What may look like an address without being a client's. (schema, table, column)
NOT_CLIENT_DATA: frozenset[tuple[str, str, str]] = frozenset()

# Text made of what addresses are made of, with a dot or a colon: then parsed exactly.
_CANDIDATE = r"^\s*[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(%[0-9A-Za-z_.-]+)?\s*$"


@dataclass(frozen=True)
class Hit:
    table: str
    column: str
    example: str


def raw_personal_values(raw_path: Path) -> set[str]:
    """The account ids and client IP texts of the raw files."""
    values: set[str] = set()
    for table, columns in (
        ("raw_registry_requests", ["client_ip", "account_id"]),
        ("raw_extension_events", ["client_ip", "account_id"]),
        ("raw_accounts", ["account_id"]),
    ):
        for file in (raw_path / table).rglob("*.parquet"):
            data = pq.read_table(file, columns=columns)
            for name in columns:
                values.update(v for v in data.column(name).to_pylist() if v)
    return values


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return False
    return True


def _text_columns(connection: duckdb.DuckDBPyConnection) -> Iterable[tuple[str, str, str, str]]:
    return connection.execute(
        "select c.table_schema, c.table_name, c.column_name, c.data_type "
        "from information_schema.columns as c join information_schema.tables as t "
        "using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE' and t.table_catalog = current_database() "
        "and (c.data_type in ('VARCHAR', 'BLOB') or c.data_type like 'VARCHAR[%' "
        "or c.data_type like 'STRUCT%' or c.data_type like 'MAP%') "
        "order by 1, 2, 3"
    ).fetchall()


def personal_data_hits(
    connection: duckdb.DuckDBPyConnection, personal_values: set[str]
) -> list[Hit]:
    """Every (table, column) of a base table holding an IP address or a raw personal value."""
    connection.execute("create or replace temp table personal_values (value varchar)")
    connection.executemany(
        "insert into personal_values values (?)", [[value] for value in personal_values]
    )
    hits: list[Hit] = []
    for schema, table, column, data_type in _text_columns(connection):
        if (schema, table, column) in NOT_CLIENT_DATA:
            continue
        relation = f'"{schema}"."{table}"'
        text = f'cast("{column}" as varchar)' if data_type != "VARCHAR" else f'"{column}"'
        candidates = connection.execute(
            f"select distinct {text} from {relation} where regexp_matches({text}, ?) limit 100000",
            [_CANDIDATE],
        ).fetchall()
        addresses = [value for (value,) in candidates if is_ip(value)]
        if addresses:
            hits.append(Hit(f"{schema}.{table}", column, addresses[0]))
            continue
        known = connection.execute(
            f"select {text} from {relation} where {text} in (select value from personal_values) "
            "limit 1"
        ).fetchall()
        contained = (
            connection.execute(
                f"select {text} from {relation} join personal_values "
                f"on contains({text}, personal_values.value) limit 1"
            ).fetchall()
            if data_type != "VARCHAR"
            else []
        )
        if known or contained:
            hits.append(Hit(f"{schema}.{table}", column, str((known or contained)[0][0])))
    return hits
