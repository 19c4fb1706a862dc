"""No table of the built warehouse, in any schema, holds a client IP or an account id;
the pseudonyms are HMACs under the installation's secret, which is in no file the build
writes; and a known-plaintext search with the old construction or a wrong key finds
nothing.

The scan reads every base table (views store nothing: the staging views read the raw
files while a query runs) and every text, blob, list, struct and map column, for text
that parses as an IP address and for the raw data's account ids and client IP texts.
It is shown to fail when a raw IP or account id column is planted in a copy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from support.personal_data_scan import personal_data_hits, raw_personal_values
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse

from registry_insights.pseudonyms import hmac_pads, load_secret, pseudonym

OLD_DEFAULT_SALT = "registry-insights-default-salt"


@pytest.fixture(scope="module")
def personal_values(built_warehouse: BuiltWarehouse) -> set[str]:
    values = raw_personal_values(built_warehouse.raw_path)
    assert len(values) > 1000
    return values


def test_no_table_holds_an_ip_address_or_an_account_id(
    built_warehouse: BuiltWarehouse, personal_values: set[str]
) -> None:
    connection = duckdb.connect(str(built_warehouse.database), read_only=True)
    try:
        assert personal_data_hits(connection, personal_values) == []
    finally:
        connection.close()


def _add_column(
    table: str, column: str, value_sql: str
) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def plant(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute(f"alter table {table} add column {column} varchar")
        connection.execute(f"update {table} set {column} = ({value_sql})")

    return plant


PLANTS = {
    "raw client IP in the pull actions": (
        "marts.fct_pull_actions",
        _add_column(
            "marts.fct_pull_actions",
            "client_ip",
            "select min(client_ip) from staging.stg_registry__requests",
        ),
    ),
    "raw IPv6 text in an ops table": (
        "ops.ops_request_files_ledger",
        _add_column("ops.ops_request_files_ledger", "note", "select '2001:DB8::1'"),
    ),
    "account id in the IP enrichment": (
        "intermediate.int_client_ips_enriched",
        _add_column(
            "intermediate.int_client_ips_enriched",
            "who",
            "select min(account_id) from staging.stg_registry__requests",
        ),
    ),
    "account id in a seed, as a blob": (
        "reference.publishers",
        lambda c: (
            c.execute("alter table reference.publishers add column extra blob"),
            c.execute(
                "update reference.publishers set extra = encode('x' || "
                "(select min(account_id) from staging.stg_registry__requests) || 'y')"
            ),
        ),
    ),
}


@pytest.mark.parametrize("name", list(PLANTS))
def test_the_scan_finds_a_planted_ip_or_account_id(
    built_warehouse: BuiltWarehouse, personal_values: set[str], tmp_path: Path, name: str
) -> None:
    table, plant = PLANTS[name]
    copy = tmp_path / built_warehouse.database.name  # the views name their catalog
    shutil.copy(built_warehouse.database, copy)
    connection = duckdb.connect(str(copy))
    try:
        plant(connection)
        connection.execute("checkpoint")
        hits = personal_data_hits(connection, personal_values)
    finally:
        connection.close()
    assert [hit.table for hit in hits] == [table]


# ---------------------------------------------------------------------------
# The secret: in no file the build writes
# ---------------------------------------------------------------------------


def _needles(key: bytes) -> dict[str, bytes]:
    pads = hmac_pads(key)
    needles = {"raw secret": key, "raw inner pad": pads.inner, "raw outer pad": pads.outer}
    for name, value in list(needles.items()):
        needles[name.replace("raw", "hex")] = value.hex().encode()
        needles[name.replace("raw", "HEX")] = value.hex().upper().encode()
    return needles


def _written_files(built_warehouse: BuiltWarehouse) -> list[Path]:
    database = built_warehouse.database
    folders = [
        PROJECT_DIR / "target",
        PROJECT_DIR / "logs",
        database.parent / "target",
        database.parent / "logs",
    ]
    files = [database, database.with_name(database.name + ".wal")]
    for folder in folders:
        if folder.is_dir():
            files.extend(path for path in folder.rglob("*") if path.is_file())
    return [path for path in files if path.exists()]


def test_the_secret_is_in_no_compiled_sql_log_or_warehouse_file(
    built_warehouse: BuiltWarehouse,
) -> None:
    needles = _needles(load_secret())
    files = _written_files(built_warehouse)
    assert built_warehouse.database in files
    assert any(path.suffix == ".sql" for path in files), "no compiled SQL found to scan"
    found = []
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # replaced meanwhile by a dbt run of another test worker
            continue
        found += [f"{name} in {path}" for name, needle in needles.items() if needle in content]
    assert found == []


# ---------------------------------------------------------------------------
# Pseudonyms: HMAC under this installation's secret, nothing guessable
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored_ip_pseudonyms(warehouse: duckdb.DuckDBPyConnection) -> set[str]:
    rows = warehouse.sql(
        "select distinct client_ip_hash from marts.fct_pull_actions "
        "where client_ip_hash is not null"
    ).fetchall()
    assert len(rows) > 1000
    return {row[0] for row in rows}


@pytest.fixture(scope="module")
def candidate_ipv4(personal_values: set[str]) -> list[str]:
    """10^5 IPv4 addresses around the test data's own: the first 1,000 distinct IPv4
    addresses of the raw data, each with the 50 before and 49 after it."""
    seen = sorted(
        int(ipaddress.IPv4Address(value))
        for value in personal_values
        if value.count(".") == 3 and value.replace(".", "").isdigit()
    )[:1000]
    assert len(seen) == 1000
    return sorted({str(ipaddress.IPv4Address(base + offset)) for base in seen
                   for offset in range(-50, 50) if 0 <= base + offset < 2**32})  # fmt: skip


def test_a_known_plaintext_search_with_the_right_key_finds_the_addresses(
    stored_ip_pseudonyms: set[str], candidate_ipv4: list[str]
) -> None:
    """The control: the search below is able to find addresses when it has the key (most
    of the 1,000 addresses made pull actions; some only sent failed or quarantined
    requests, which make none)."""
    key = load_secret()
    assert len({pseudonym(key, ip) for ip in candidate_ipv4} & stored_ip_pseudonyms) >= 900


@pytest.mark.parametrize(
    "construction",
    [
        "md5 with the old default salt",
        "HMAC under a key equal to the old salt",
        "HMAC under an all-zero key",
        "HMAC under another installation's key",
        "plain sha256",
    ],
)
def test_a_known_plaintext_search_without_the_key_finds_nothing(
    stored_ip_pseudonyms: set[str], candidate_ipv4: list[str], tmp_path: Path, construction: str
) -> None:
    def hashed(ip: str) -> str:
        if construction.startswith("md5"):
            return hashlib.md5(f"{OLD_DEFAULT_SALT}|{ip}".encode()).hexdigest()
        if construction == "plain sha256":
            return hashlib.sha256(ip.encode()).hexdigest()
        return pseudonym(wrong_key, ip)

    wrong_key = {
        "HMAC under a key equal to the old salt": OLD_DEFAULT_SALT.encode(),
        "HMAC under an all-zero key": bytes(32),
        "HMAC under another installation's key": load_secret(tmp_path / "other" / "secret"),
    }.get(construction, b"")
    assert {hashed(ip) for ip in candidate_ipv4} & stored_ip_pseudonyms == set()
