"""`normalise_ip`, compiled by dbt for DuckDB exactly as staging uses it, equals Python's
`ipaddress` (registry_insights.pseudonyms.ip_text.canonical_ip) on random addresses in
every spelling; and in the built warehouse one address is one client."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.ip_texts import CANONICAL_EXAMPLES, ip_texts
from support.warehouse_build import BuiltWarehouse, dbt_compiled_code

from registry_insights.pseudonyms import load_secret, pseudonym
from registry_insights.pseudonyms.ip_text import canonical_ip


@pytest.fixture(scope="module")
def normalise_sql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with a macro-backed view `normalised(ip, canonical)` over `ips`."""
    compiled = dbt_compiled_code(
        tmp_path_factory.mktemp("normalise_ip"),
        "compile",
        "--inline",
        "select ip, {{ normalise_ip('ip') }} as canonical from ips",
    )
    assert "{{" not in compiled
    connection = duckdb.connect()
    connection.execute("create table ips (ip varchar)")
    connection.execute(f"create view normalised as {compiled}")
    yield connection
    connection.close()


def normalise_all(connection: duckdb.DuckDBPyConnection, texts: Sequence[str]) -> list[str | None]:
    connection.execute("delete from ips")
    connection.executemany("insert into ips values (?)", [[text] for text in texts])
    rows = dict(connection.execute("select ip, canonical from normalised").fetchall())
    return [rows[text] for text in texts]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(ip_texts(), min_size=1, max_size=40))
def test_normalise_ip_equals_python_ipaddress(
    normalise_sql: duckdb.DuckDBPyConnection, texts: list[str]
) -> None:
    assert normalise_all(normalise_sql, texts) == [canonical_ip(text) for text in texts]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL_EXAMPLES)
def test_normalise_ip_examples(
    normalise_sql: duckdb.DuckDBPyConnection, text: str, canonical: str | None
) -> None:
    assert canonical_ip(text) == canonical
    assert normalise_all(normalise_sql, [text]) == [canonical]


def test_normalise_ip_keeps_null(normalise_sql: duckdb.DuckDBPyConnection) -> None:
    normalise_sql.execute("delete from ips")
    normalise_sql.execute("insert into ips values (null)")
    assert normalise_sql.execute("select canonical from normalised").fetchall() == [(None,)]


def raw_client_ips(raw_path: Path) -> set[str]:
    texts: set[str] = set()
    for table in ("raw_registry_requests", "raw_extension_events"):
        for file in (raw_path / table).rglob("*.parquet"):
            column = pq.read_table(file, columns=["client_ip"]).column("client_ip")
            texts.update(value for value in column.to_pylist() if value is not None)
    return texts


def test_every_client_ip_pseudonym_is_that_of_a_canonical_address(
    built_warehouse: BuiltWarehouse, warehouse: duckdb.DuckDBPyConnection
) -> None:
    """Each pseudonym in the warehouse is HMAC(secret, canonical text) of a raw address,
    and two spellings of one address never give two pseudonyms."""
    key = load_secret()
    by_pseudonym: dict[str, str] = {}
    for text in raw_client_ips(built_warehouse.raw_path):
        canonical = canonical_ip(text)
        if canonical is not None:
            by_pseudonym[pseudonym(key, canonical)] = canonical
    stored = {
        row[0]
        for row in warehouse.sql(
            "select client_ip_hash from marts.fct_pull_actions "
            "union select client_ip_hash from intermediate.int_client_ips_enriched"
        ).fetchall()
    }
    assert stored and stored <= set(by_pseudonym)
    addresses = [ipaddress.ip_address(by_pseudonym[value]) for value in stored]
    assert len(set(addresses)) == len(addresses)
