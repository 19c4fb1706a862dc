"""The Data API's shape as code: `create_app` assembles routers per area, and no
function in registry_insights/api is longer than about 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from fastapi.routing import APIRoute

from registry_insights.access import AccessConfig
from registry_insights.api import app as api_app
from registry_insights.api.app import API_PREFIX, create_app
from registry_insights.api.config import ServerConfig
from registry_insights.api.routes import discovery, downloads, exports, pulls, security

API_PACKAGE = Path(api_app.__file__).parent
MAX_FUNCTION_LINES = 60


def _functions(path: Path) -> list[tuple[str, int]]:
    """(name, length in lines, decorators included) of every function of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            found.append((node.name, node.end_lineno - first + 1))
    return found


def test_no_function_in_the_api_is_longer_than_60_lines() -> None:
    modules = sorted(API_PACKAGE.rglob("*.py"))
    assert len(modules) > 5
    too_long = [
        f"{path.relative_to(API_PACKAGE)}:{name} ({lines} lines)"
        for path in modules
        for name, lines in _functions(path)
        if lines > MAX_FUNCTION_LINES
    ]
    assert too_long == []


def test_every_route_comes_from_a_router_of_its_area(tmp_path: Path) -> None:
    config = ServerConfig(
        database=tmp_path / "unused.duckdb",
        export_cache=tmp_path,
        signing_secret=b"x",
        access=AccessConfig({}, {}),
    )
    document = create_app(config).openapi()
    served = {
        (path, operation["operationId"].split("_api_publisher_")[0])
        for path, item in document["paths"].items()
        for operation in item.values()
    }
    by_area = {
        (API_PREFIX + route.path, route.name)
        for module in (discovery, pulls, exports, downloads, security)
        for route in module.router.routes
        if isinstance(route, APIRoute)
    }
    assert served == by_area
    assert len(by_area) == 12  # 11 DVP-style routes and the security reports
