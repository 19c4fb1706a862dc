"""Schemathesis fuzzes every operation of the Data API's OpenAPI document over the built
test warehouse and asserts that no answer is a 5xx. The budget is bounded (30 examples per
operation, 100 for the download links, no deadline: about 20 s) so that it runs in
`make test`. Half of the namespaces it draws are replaced by the member's own, so that the
fuzz reaches past tenancy into the queries; about one request in four carries no token."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from support.api_setup import Namespaces, bearer, make_config, pick_namespaces
from support.warehouse_build import BuiltWarehouse

from registry_insights.access import AccessConfig
from registry_insights.api.app import create_app
from registry_insights.api.config import ServerConfig

EXAMPLES_PER_OPERATION = 30
#: The download links are the one surface open without a token: fuzzed harder.
EXAMPLES_FOR_DOWNLOADS = 100


@pytest.fixture(scope="module")
def fuzzed(
    built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Namespaces]]:
    namespaces = pick_namespaces(built_warehouse.database)
    config = make_config(built_warehouse, tmp_path_factory.mktemp("fuzz"), namespaces)
    app = create_app(config)
    with TestClient(app):  # runs the lifespan: the warehouse is closed at the end
        yield schemathesis.openapi.from_asgi("/openapi.json", app), namespaces


def _operations() -> list[tuple[str, str]]:
    """(path, method) of every operation of the document (it needs no warehouse)."""
    config = ServerConfig(Path("unused.duckdb"), Path("unused"), b"x", AccessConfig({}, {}))
    paths = create_app(config).openapi()["paths"]
    return [(path, method) for path, item in paths.items() for method in item]


def _coin(case: Any) -> int:
    """A stable byte per case, from what was drawn (no second source of randomness)."""
    drawn = repr((case.path_parameters, case.query)).encode()
    return hashlib.sha256(drawn).digest()[0]


@pytest.mark.parametrize(("path", "method"), _operations())
def test_no_operation_answers_5xx(fuzzed: tuple[Any, Namespaces], path: str, method: str) -> None:
    schema, namespaces = fuzzed

    @settings(
        max_examples=EXAMPLES_FOR_DOWNLOADS if "/downloads/" in path else EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema[path][method].as_strategy())
    def fuzz(case: Any) -> None:
        coin = _coin(case)
        if case.path_parameters and "namespace" in case.path_parameters and coin & 1:
            case.path_parameters["namespace"] = namespaces.mine
        headers = {} if coin & 6 == 6 else bearer("member")
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)

    fuzz()
