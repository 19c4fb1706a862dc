"""What the routes depend on, as FastAPI dependencies (`Depends`): the server's
configuration, the warehouse, and the namespaces the caller's token may read.

`create_app` puts the configuration and the warehouse on `app.state`; the routes never
see a global. Tenancy is decided here: `member_namespaces` answers 401 without a valid
token (429 once a client has failed too often, `registry_insights.api.ratelimit`), and
`visible` answers 404, with the body of a namespace that does not exist, for a namespace
the token's organizations do not own.
"""

import threading
from pathlib import Path
from typing import Annotated

import duckdb
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from registry_insights.api.audit import note_account
from registry_insights.api.config import ServerConfig
from registry_insights.api.ratelimit import FailedTokenLimiter
from registry_insights.warehouse import open_read_only

NOT_FOUND = "Not Found"

#: The answers of every operation that needs a token, for the OpenAPI document.
TOKEN_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"description": "Missing or invalid bearer token."},
    429: {
        "description": "Too many requests without a valid token from this client; see the "
        "Retry-After header (seconds)."
    },
}

bearer = HTTPBearer(auto_error=False, scheme_name="HubAuth", description="An API token.")


class SharedWarehouse:
    """The API's one read-only connection to the warehouse, opened on first use and held
    until the server stops; each request works on its own cursor."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._opening = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._opening:
            if self._connection is None:
                self._connection = open_read_only(self.database)
            return self._connection.cursor()

    def close(self) -> None:
        with self._opening:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def server_config(request: Request) -> ServerConfig:
    config: ServerConfig = request.app.state.config
    return config


def shared_warehouse(request: Request) -> SharedWarehouse:
    warehouse: SharedWarehouse = request.app.state.warehouse
    return warehouse


Config = Annotated[ServerConfig, Depends(server_config)]
Warehouse = Annotated[SharedWarehouse, Depends(shared_warehouse)]


def member_account(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    config: Config,
) -> str:
    """The token's account; 401 without a known token, 429 once the client has had too
    many such answers recently."""
    account = config.access.account_for(credentials.credentials) if credentials else None
    if account is None:
        limiter: FailedTokenLimiter = request.app.state.limiter
        client = request.client.host if request.client else "unknown"
        retry_after = limiter.retry_after(client)
        if retry_after is not None:
            raise HTTPException(
                status_code=429,
                detail="too many requests without a valid token; retry later",
                headers={"Retry-After": str(retry_after)},
            )
        limiter.record_failure(client)
        raise HTTPException(
            status_code=401,
            detail="missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    note_account(request.scope, account)
    return account


Account = Annotated[str, Depends(member_account)]


def member_namespaces(account: Account, config: Config) -> frozenset[str]:
    """The namespaces of the token's organizations."""
    return config.access.namespaces_of(account)


Namespaces = Annotated[frozenset[str], Depends(member_namespaces)]


def not_found() -> HTTPException:
    return HTTPException(status_code=404, detail=NOT_FOUND)


def visible(namespace: str, namespaces: frozenset[str]) -> str:
    """`namespace`, when the caller may read it; 404 otherwise."""
    if namespace not in namespaces:
        raise not_found()
    return namespace
