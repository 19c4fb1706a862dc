"""The FastAPI application: the DVP Data API's paths under /api/publisher/analytics/v1.

Every data path needs `Authorization: Bearer <token>` (401 otherwise). A namespace the
token's organizations do not own answers 404 with the same body as a namespace that does
not exist. Download links are signed instead, so that they work from any HTTP client.
Every request is written to the audit log (`registry_insights.api.audit`).

`create_app` only assembles: the routes are in `registry_insights.api.routes` (one
router per area), and what they depend on (the configuration, the warehouse, the
caller's namespaces) in `registry_insights.api.dependencies`.
"""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from registry_insights.api.audit import AuditLog, AuditMiddleware
from registry_insights.api.config import ServerConfig
from registry_insights.api.dependencies import SharedWarehouse
from registry_insights.api.ratelimit import FailedTokenLimiter
from registry_insights.api.routes import (
    API_PREFIX,
    discovery,
    downloads,
    exports,
    pulls,
    security,
)
from registry_insights.api.signing import MALFORMED, LinkRefused

__all__ = ["API_PREFIX", "create_app"]

#: In this order in the OpenAPI document.
ROUTERS = (discovery.router, pulls.router, exports.router, downloads.router, security.router)


async def _link_refused(_: Request, error: LinkRefused) -> JSONResponse:
    return JSONResponse(status_code=error.status, content={"detail": error.message})


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with FastAPI's message, except under /downloads/: a link whose parameters do
    not even parse is a link that is not one, 403."""
    if request.url.path.startswith(API_PREFIX + downloads.DOWNLOADS + "/"):
        return JSONResponse(status_code=403, content={"detail": MALFORMED})
    return await request_validation_exception_handler(request, error)


def create_app(config: ServerConfig, clock: Callable[[], float] = time.time) -> FastAPI:
    """The API over `config.database` (opened read-only on the first request); `clock`
    (Unix seconds) decides link expiry, the failed-token window and the audit times."""
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
    app.state.clock = clock
    app.state.limiter = FailedTokenLimiter(
        config.failed_token_limit, config.failed_token_window.total_seconds(), clock
    )
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.add_api_route(
        API_PREFIX + downloads.OTHER_DOWNLOADS,
        downloads.refuse_other_downloads,
        include_in_schema=False,
    )
    app.exception_handler(LinkRefused)(_link_refused)
    app.exception_handler(RequestValidationError)(_invalid_request)
    if config.audit_log is not None:
        templates = {
            id(route): API_PREFIX + route.path
            for router in ROUTERS
            for route in router.routes
            if isinstance(route, APIRoute)
        }
        app.add_middleware(
            AuditMiddleware, log=AuditLog(config.audit_log), clock=clock, templates=templates
        )
    return app
