"""The privacy tests guard every export mart: each carries the three generic privacy
tests, and each kind of leak planted in a copy of the warehouse is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.privacy_leaks import Leak, assert_leak_caught
from support.warehouse_build import BuiltWarehouse

PRIVACY_TESTS = {"no_personal_data_columns", "no_values_from", "no_email_addresses"}


def test_every_export_mart_carries_the_privacy_tests(manifest: Any) -> None:
    exports = {
        node.unique_id: node.name
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.fqn[1:3] == ["marts", "exports"]
    }
    assert len(exports) == 8
    found: dict[str, list[str]] = {name: [] for name in exports.values()}
    for node in manifest.nodes.values():
        metadata = getattr(node, "test_metadata", None)
        if node.resource_type == "test" and metadata and metadata.name in PRIVACY_TESTS:
            for dependency in node.depends_on.nodes:
                if dependency in exports and node.config.severity.lower() == "error":
                    found[exports[dependency]].append(metadata.name)
    for name, tests in found.items():
        # two no_values_from: client IPs and account ids
        assert sorted(tests) == sorted([*PRIVACY_TESTS, "no_values_from"]), name


def _set(table: str, column: str, value_sql: str) -> Leak:
    def leak(connection: Any) -> None:
        connection.execute(
            f"update marts.{table} set {column} = ({value_sql}) "
            f"where rowid = (select min(rowid) from marts.{table})"
        )

    return leak


LEAKS: dict[str, tuple[str, Leak, str]] = {
    "an account id in the raw export's tag": (
        "exp_pulls_raw",
        _set("exp_pulls_raw", "tag", "select min(account_id) from staging.stg_registry__requests"),
        "no_values_from",
    ),
    "a client IP in the geo summary's country": (
        "exp_pulls_geo_repo_summary",
        _set(
            "exp_pulls_geo_repo_summary",
            "ip_country",
            "select min(client_ip) from staging.stg_registry__requests",
        ),
        "no_values_from",
    ),
    "an IP column in the namespace summary": (
        "exp_pulls_namespace_summary",
        lambda c: c.execute("alter table marts.exp_pulls_namespace_summary add column ip varchar"),
        "no_personal_data_columns",
    ),
    "an extension user's IP in the premium geo export": (
        "exp_extensions_premium_geo",
        _set(
            "exp_extensions_premium_geo",
            "ip_country",
            "select min(client_ip) from staging.stg_registry__extension_events",
        ),
        "no_values_from",
    ),
    "an extension user's account in the core summary": (
        "exp_extensions_summary",
        _set(
            "exp_extensions_summary",
            "owner",
            "select min(account_id) from staging.stg_registry__extension_events",
        ),
        "no_values_from",
    ),
    "an email address in the premium summary": (
        "exp_extensions_premium_summary",
        _set("exp_extensions_premium_summary", "owner", "select 'jane.doe@example.com'"),
        "no_email_addresses",
    ),
}


@pytest.mark.parametrize("case", list(LEAKS), ids=list(LEAKS))
def test_a_leak_in_an_export_is_caught(
    built_warehouse: BuiltWarehouse, tmp_path: Path, case: str
) -> None:
    assert_leak_caught(built_warehouse, tmp_path, case, LEAKS[case])
