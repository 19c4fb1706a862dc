"""The FastAPI application: the DVP Data API's paths under /api/publisher/analytics/v1.

Every data path needs `Authorization: Bearer <token>` (401 otherwise). A namespace the
token's organizations do not own answers 404 with the same body as a namespace that does
not exist. Download links are signed instead, so that they work from any HTTP client.

`create_app` only assembles: the routes are in `registry_insights.api.routes` (one
router per area), and what they depend on (the configuration, the warehouse, the
caller's namespaces) in `registry_insights.api.dependencies`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from registry_insights.api.config import ServerConfig
from registry_insights.api.dependencies import SharedWarehouse
from registry_insights.api.routes import (
    API_PREFIX,
    discovery,
    downloads,
    exports,
    pulls,
    security,
)
from registry_insights.api.signing import LinkRefused

__all__ = ["API_PREFIX", "create_app"]

#: In this order in the OpenAPI document.
ROUTERS = (discovery.router, pulls.router, exports.router, downloads.router, security.router)


async def _link_refused(_: Request, error: LinkRefused) -> JSONResponse:
    return JSONResponse(status_code=error.status, content={"detail": error.message})


def create_app(config: ServerConfig) -> FastAPI:
    """The API over `config.database` (opened read-only on the first request)."""
    warehouse = SharedWarehouse(config.database)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        warehouse.close()

    app = FastAPI(
        title="registry-insights Data API",
        version="1.0.0",
        description="Pull and extension analytics of a registry, shaped like the DVP Data API.",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.warehouse = warehouse
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.exception_handler(LinkRefused)(_link_refused)
    return app
