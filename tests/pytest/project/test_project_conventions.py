"""The project keeps its own conventions: grain stated, every column documented,
every keyed model tested for its key, marts under enforced contracts."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

# Models whose grain is "one row per raw row" have no key of their own by design.
UNKEYED_MODELS = {"base_registry__requests", "stg_registry__requests_quarantined"}
KEY_TESTS = {"unique", "unique_combination_of_columns"}


@pytest.fixture(scope="module")
def models(manifest: Any) -> list[Any]:
    found = [
        node
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.package_name == "registry_insights"
    ]
    assert found
    return found


def test_every_model_states_its_grain(models: list[Any]) -> None:
    missing = [m.name for m in models if "one row per" not in m.description.lower()]
    assert missing == []


def test_every_built_column_is_documented(
    models: list[Any], warehouse: duckdb.DuckDBPyConnection
) -> None:
    undocumented: list[str] = []
    for model in models:
        built = warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [model.schema, model.alias],
        ).fetchall()
        assert built, f"{model.name} was not built"
        for (column,) in built:
            documented = model.columns.get(column)
            if documented is None or not documented.description.strip():
                undocumented.append(f"{model.name}.{column}")
    assert undocumented == []


def test_every_keyed_model_is_tested_for_its_key(manifest: Any, models: list[Any]) -> None:
    keyed: set[str] = set()
    for node in manifest.nodes.values():
        if node.resource_type != "test" or not getattr(node, "test_metadata", None):
            continue
        if node.test_metadata.name in KEY_TESTS:
            keyed.update(dep.split(".")[-1] for dep in node.depends_on.nodes)
    untested = [m.name for m in models if m.name not in keyed and m.name not in UNKEYED_MODELS]
    assert untested == []


def test_marts_enforce_contracts_and_type_every_column(models: list[Any]) -> None:
    marts = [m for m in models if m.fqn[1] == "marts"]
    assert marts
    for mart in marts:
        assert mart.config.contract.enforced, mart.name
        assert all(column.data_type for column in mart.columns.values()), mart.name
