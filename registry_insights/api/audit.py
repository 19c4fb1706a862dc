"""The audit log: one JSON line per request the API answers, refused ones included:
`when` (UTC, ISO 8601), `account` (null when no valid token or link named one),
`namespace` (the namespace path parameter, null when the path has none), `endpoint` (the
path template of the matched operation, null when none matched), `method` and `status`.
Never a token, a client address or a query string."""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The scope key of the request's audit entry; dependencies set `account` in it.
SCOPE_KEY = "registry_insights.audit"
_MAX_NAMESPACE = 200

logger = logging.getLogger(__name__)


def note_account(scope: Scope, account: str | None) -> None:
    """Record the account a request acts for (a valid token's or a link's)."""
    if SCOPE_KEY in scope:
        scope[SCOPE_KEY]["account"] = account


class AuditLog:
    """Appends lines to `path` (its folder is created); thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=True, sort_keys=True) + "\n"
        try:
            with self._lock, self.path.open("a", encoding="ascii") as log:
                log.write(line)
        except OSError:
            logger.exception("cannot write the audit log %s", self.path)


def _entry(scope: Scope, status: int, when: float, templates: Mapping[int, str]) -> dict[str, Any]:
    route = scope.get("route")
    endpoint = templates.get(id(route), getattr(route, "path", None))
    namespace = scope.get("path_params", {}).get("namespace") if route is not None else None
    return {
        "when": datetime.datetime.fromtimestamp(when, datetime.UTC).isoformat(),
        "account": scope[SCOPE_KEY].get("account"),
        "namespace": namespace[:_MAX_NAMESPACE] if isinstance(namespace, str) else None,
        "endpoint": endpoint,
        "method": scope.get("method"),
        "status": status,
    }


class AuditMiddleware:
    """ASGI middleware writing one audit line per HTTP request, after it is answered (a
    request that raised is logged with status 500). `templates` maps the id of a route
    of an included router (whose own path lacks the prefix) to its full path template."""

    def __init__(
        self,
        app: ASGIApp,
        log: AuditLog,
        clock: Callable[[], float],
        templates: Mapping[int, str],
    ) -> None:
        self.app = app
        self.log = log
        self.clock = clock
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = {}
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.log.write(_entry(scope, status, self.clock(), self.templates))
