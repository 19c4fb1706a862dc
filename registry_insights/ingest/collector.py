"""``collect``: the HTTP endpoint a registry's ``notifications`` config points at.

``POST /events`` (``/`` too) takes an envelope (``events.v1+json``, ``events.v2+json``
or ``application/json``). With a token configured, the request must carry
``Authorization: Bearer <token>`` (401 otherwise). Every event is validated; a
malformed envelope gets 400 with the reason and nothing of it is stored. The answer
is 2xx only after the envelope's events are committed to SQLite with
``synchronous=FULL`` (concurrent envelopes share a commit: :mod:`.group_commit`);
a redelivered event (same id) inserts nothing. The registry
retries whatever did not get a 2xx, so nothing acknowledged is lost and nothing
redelivered is doubled.

Opt-in, with a scanner command: every new manifest push is also a pending scan, run by
a bounded worker pool (:mod:`registry_insights.ingest.scans.on_push`).

``POST /harbor`` takes Harbor's webhook payloads (Default or CloudEvents format, see
:mod:`.sources.harbor`): a ``PULL_ARTIFACT`` is stored as pull events on the same
terms; other event types are acknowledged and not stored.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from registry_insights.ingest.events import ENVELOPE_MEDIA_TYPES, EnvelopeError, parse_envelope
from registry_insights.ingest.group_commit import GroupCommitter
from registry_insights.ingest.scans.on_push import ScanRunner
from registry_insights.ingest.sources.harbor import pull_events as harbor_pull_events
from registry_insights.ingest.store import EventStore

TOKEN_ENV = "REGISTRY_INSIGHTS_COLLECTOR_TOKEN"
#: Bigger bodies are refused (a registry sends small envelopes).
MAX_BODY_BYTES = 16 << 20


def _answer(status: int, **content: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content=content)


def _authorised(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def create_app(
    store: EventStore, token: str | None = None, scan_runner: ScanRunner | None = None
) -> FastAPI:
    """The collector; with ``scan_runner`` (``collect --scan-command``), its workers run
    while the app does."""
    committer = GroupCommitter(store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if scan_runner is not None:
            scan_runner.start()
        try:
            yield
        finally:
            if scan_runner is not None:
                scan_runner.stop()
            committer.close()

    app = FastAPI(
        title="registry-insights collector", docs_url=None, redoc_url=None, lifespan=lifespan
    )

    async def receive(request: Request) -> JSONResponse:
        if not _authorised(request, token):
            return _answer(401, error="missing or wrong bearer token")
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in ENVELOPE_MEDIA_TYPES:
            return _answer(415, error=f"unsupported content type {media_type!r}")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _answer(413, error="envelope too large")
        try:
            events, documents = parse_envelope(body)
        except EnvelopeError as error:
            return _answer(400, error=f"malformed envelope: {error}")
        try:
            stored = await committer.add(events, documents)
        except sqlite3.Error as error:
            return _answer(503, error=f"not stored, retry: {error}")
        return _answer(200, received=len(events), stored=stored)

    async def receive_harbor(request: Request) -> JSONResponse:
        """Harbor's webhooks (``PULL_ARTIFACT``), stored as pull events."""
        if not _authorised(request, token):
            return _answer(401, error="missing or wrong bearer token")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _answer(413, error="payload too large")
        try:
            events, documents = harbor_pull_events(body)
        except EnvelopeError as error:
            return _answer(400, error=f"malformed Harbor payload: {error}")
        if not events:
            return _answer(200, received=0, stored=0)
        try:
            stored = await committer.add(events, documents)
        except sqlite3.Error as error:
            return _answer(503, error=f"not stored, retry: {error}")
        return _answer(200, received=len(events), stored=stored)

    app.add_api_route("/events", receive, methods=["POST"])
    app.add_api_route("/harbor", receive_harbor, methods=["POST"])
    app.add_api_route("/", receive, methods=["POST"])

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
