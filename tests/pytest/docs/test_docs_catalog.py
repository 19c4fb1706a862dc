"""`dbt docs generate` on the built test warehouse gives a browsable catalog in which every
column of every mart is described, and the exposures name the marts their code reads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dbt.cli.main import dbtRunner
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse, project_environment

from registry_insights.exports.catalog import DATAVIEWS
from registry_insights.reports.catalog import REPORTS


@pytest.fixture(scope="module")
def docs(
    built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, Any]]:
    """manifest.json and catalog.json of `dbt docs generate` on the test warehouse."""
    target = tmp_path_factory.mktemp("docs")
    with project_environment(built_warehouse.raw_path, built_warehouse.database):
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


def _depends_on(manifest: dict[str, Any], exposure: str) -> set[str]:
    node = manifest["exposures"][f"exposure.registry_insights.{exposure}"]
    return {unique_id.rsplit(".", 1)[-1] for unique_id in node["depends_on"]["nodes"]}


def _models(relations: list[str]) -> set[str]:
    return {relation.split(".")[-1] for relation in relations}


def test_exposures_depend_on_the_marts_they_read(
    docs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    manifest, _ = docs
    report_marts = _models([report.relation for report in REPORTS.values()])
    dataview_marts = _models([view.relation for view in DATAVIEWS.values()])
    assert _depends_on(manifest, "insights_dashboard") == report_marts
    assert _depends_on(manifest, "report_csv_exports") == report_marts
    assert _depends_on(manifest, "pull_and_extension_exports") == dataview_marts
    assert _depends_on(manifest, "data_api") == dataview_marts
