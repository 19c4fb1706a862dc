"""The `pseudonym` macro, compiled by dbt for DuckDB exactly as models use it, equals
Python's `hmac.new(secret, value, sha256)`; its pads come from the dbt plugin's session
variables, never from the SQL text; two installations give different pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.warehouse_build import dbt_compiled_code

from registry_insights.pseudonyms import hmac_pads, load_secret
from registry_insights.pseudonyms.dbt_plugin import Plugin
from registry_insights.pseudonyms.duckdb_pads import set_pad_variables


@pytest.fixture(scope="module")
def pseudonym_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    compiled = dbt_compiled_code(
        tmp_path_factory.mktemp("pseudonym"),
        "compile",
        "--inline",
        "select v, {{ pseudonym('v') }} as p from vals",
    )
    assert "{{" not in compiled and "getvariable" in compiled
    return compiled


@pytest.fixture(scope="module")
def session(pseudonym_sql: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB session configured as the dbt plugin configures dbt's cursors."""
    connection = duckdb.connect()
    Plugin("pseudonyms", {}).configure_connection(connection)
    connection.execute("create table vals (v varchar)")
    yield connection
    connection.close()


def pseudonyms(
    connection: duckdb.DuckDBPyConnection, sql: str, values: list[str]
) -> dict[str, str]:
    connection.execute("delete from vals")
    connection.executemany("insert into vals values (?)", [[value] for value in values])
    return dict(connection.execute(sql).fetchall())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.text(max_size=80), min_size=1, max_size=30, unique=True))
def test_pseudonym_equals_python_hmac(
    session: duckdb.DuckDBPyConnection, pseudonym_sql: str, values: list[str]
) -> None:
    key = load_secret()
    expected = {v: hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest() for v in values}
    assert pseudonyms(session, pseudonym_sql, values) == expected


@pytest.mark.parametrize("value", ["", "é", "日本語", "\x00", "a" * 1000, "10.0.0.1", "🙂"])
def test_pseudonym_of_edge_values(
    session: duckdb.DuckDBPyConnection, pseudonym_sql: str, value: str
) -> None:
    key = load_secret()
    assert pseudonyms(session, pseudonym_sql, [value]) == {
        value: hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    }


def test_null_stays_null(session: duckdb.DuckDBPyConnection, pseudonym_sql: str) -> None:
    session.execute("delete from vals")
    session.execute("insert into vals values (null)")
    assert session.execute(pseudonym_sql).fetchall() == [(None, None)]


def test_every_cursor_gets_the_pads(pseudonym_sql: str) -> None:
    """dbt runs each statement on a cursor, and a DuckDB cursor has variables of its own."""
    connection = duckdb.connect()
    plugin = Plugin("pseudonyms", {})
    plugin.configure_connection(connection)
    cursor = connection.cursor()
    plugin.configure_cursor(cursor)
    cursor.execute("create table vals as select 'x' as v")
    key = load_secret()
    assert cursor.execute(pseudonym_sql).fetchall() == [
        ("x", hmac.new(key, b"x", hashlib.sha256).hexdigest())
    ]
    connection.close()


def test_without_the_pads_the_query_fails_rather_than_writing_nulls(pseudonym_sql: str) -> None:
    connection = duckdb.connect()
    connection.execute("create table vals as select 'x' as v")
    with pytest.raises(duckdb.Error, match="no HMAC pads"):
        connection.execute(pseudonym_sql).fetchall()
    connection.close()


def test_two_installations_give_different_pseudonyms(pseudonym_sql: str, tmp_path: Path) -> None:
    values = [f"10.0.{i}.{j}" for i in range(4) for j in range(50)] + ["acct-0001"]
    results = []
    for installation in ("one", "two"):
        connection = duckdb.connect()
        set_pad_variables(connection, tmp_path / installation / "secret")
        connection.execute("create table vals (v varchar)")
        results.append(pseudonyms(connection, pseudonym_sql, values))
        connection.close()
    assert set(results[0].values()).isdisjoint(results[1].values())


def test_the_compiled_sql_holds_no_key_material(pseudonym_sql: str) -> None:
    key = load_secret()
    pads = hmac_pads(key)
    for secret in (key, pads.inner, pads.outer):
        assert secret.hex() not in pseudonym_sql.lower()
