"""Our OpenAPI document against the DVP Data API's: same paths, query parameters, schema
names, field names and enumerations (tests/pytest/support/dvp_data_api_reference.json,
derived from Docker's published description)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import SUPPORT_DIR

from registry_insights.access import AccessConfig
from registry_insights.api.app import API_PREFIX, create_app
from registry_insights.api.config import ServerConfig

REFERENCE = json.loads((SUPPORT_DIR / "dvp_data_api_reference.json").read_text())
# Ours alone: the signed download links the export endpoints hand out.
OUR_EXTRA_PATHS = {
    "/downloads/{namespace}/{dataview}/{granularity}/{date_reference}/{part}",
    # The security reports (issue 13): beyond the DVP API.
    "/namespaces/{namespace}/security/{report}",
}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    config = ServerConfig(
        database=folder / "unused.duckdb",
        export_cache=folder,
        signing_secret=b"x",
        access=AccessConfig({}, {}),
    )
    document: dict[str, Any] = create_app(config).openapi()
    return document


def _paths(openapi: dict[str, Any]) -> dict[str, Any]:
    assert REFERENCE["base_path"] == API_PREFIX
    return {
        path.removeprefix(API_PREFIX) or "/": item
        for path, item in openapi["paths"].items()
        if path.startswith(API_PREFIX)
    }


def test_same_paths_as_the_dvp_api(openapi: dict[str, Any]) -> None:
    assert set(_paths(openapi)) - OUR_EXTRA_PATHS == set(REFERENCE["paths"])


def test_same_query_parameters(openapi: dict[str, Any]) -> None:
    paths = _paths(openapi)
    for path, expected in REFERENCE["paths"].items():
        parameters = paths[path]["get"].get("parameters", [])
        query = [p["name"] for p in parameters if p["in"] == "query"]
        assert sorted(query) == sorted(expected["query"]), path
        path_names = {p["name"] for p in parameters if p["in"] == "path"}
        assert path_names == {part[1:-1] for part in path.split("/") if part.startswith("{")}


def test_same_schemas_and_field_names(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for name, fields in REFERENCE["schemas"].items():
        assert name in schemas, name
        assert sorted(schemas[name]["properties"]) == sorted(fields), name


def test_same_enumerations(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for name, values in REFERENCE["enums"].items():
        assert schemas[name]["enum"] == values, name


def test_every_data_path_declares_bearer_authentication(openapi: dict[str, Any]) -> None:
    assert openapi["components"]["securitySchemes"]["HubAuth"]["scheme"] == "bearer"
    for path in REFERENCE["paths"]:
        assert {"HubAuth": []} in _paths(openapi)[path]["get"]["security"], path
