"""`dbt docs generate` on the built test warehouse gives a browsable catalog in which every
column of every mart is described, and the exposures are the interfaces of the catalog of
published datasets, each depending on exactly the marts the catalog publishes through it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dbt.cli.main import dbtRunner
from support.warehouse_build import (
    PROJECT_DIR,
    BuiltWarehouse,
    project_environment,
    writable_copy,
)

from registry_insights.publishing.catalog import Interface, published_models


@pytest.fixture(scope="module")
def docs(
    built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, Any]]:
    """manifest.json and catalog.json of `dbt docs generate` on the test warehouse."""
    target = tmp_path_factory.mktemp("docs")
    database = writable_copy(built_warehouse, target / "warehouse")
    with project_environment(built_warehouse.raw_path, database):
        result = dbtRunner().invoke(
            [
                "docs",
                "generate",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(target),
                "--log-path",
                str(target / "logs"),
                "--quiet",
            ]
        )
    assert result.success, result.exception
    assert (target / "index.html").exists()
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return manifest, catalog


def _marts(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["package_name"] == "registry_insights"
        and node["fqn"][1] == "marts"
    }


def test_every_mart_column_in_the_catalog_is_described(
    docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    manifest, catalog = docs
    marts = _marts(manifest)
    assert len(marts) >= 14
    missing_from_catalog = sorted(set(marts) - set(catalog["nodes"]))
    assert missing_from_catalog == []
    undescribed = []
    for unique_id, node in marts.items():
        assert node["description"].strip(), f"{node['name']} has no description"
        described = {
            name.lower(): column["description"] for name, column in node["columns"].items()
        }
        columns = catalog["nodes"][unique_id]["columns"]
        assert columns, f"{node['name']} has no columns in the catalog"
        undescribed += [
            f"{node['name']}.{name}"
            for name in columns
            if not described.get(name.lower(), "").strip()
        ]
    assert undescribed == []


def _exposures(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Each exposure of the project and the models it depends on."""
    return {
        node["name"]: {unique_id.rsplit(".", 1)[-1] for unique_id in node["depends_on"]["nodes"]}
        for node in manifest["exposures"].values()
        if node["package_name"] == "registry_insights"
    }


def test_exposures_list_the_marts_the_catalog_publishes_per_interface(
    docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    manifest, _ = docs
    expected = {interface.value: published_models(interface) for interface in Interface}
    assert all(expected.values())
    assert _exposures(manifest) == expected
