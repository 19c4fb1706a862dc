"""The join of log lines and notification events into raw rows, by request id.

Each source misses something the contract needs. The log has the status, the client
(remote address, User-Agent, account), the method and the bytes, but never the
``Docker-Content-Digest`` the registry answered with; a notification has that digest
and the media type, but no status (a GET that ended in 404 can still emit ``pull``).

- **Both**: everything from the log line, ``response_digest`` and ``media_type`` from
  the event, and the event's ``actor.name`` when the line has no user (a proxy's or
  GitLab's access log). One request can emit two or three ``pull`` events (the registry converting
  a manifest between formats); the event whose media type equals the response's
  Content-Type (from the log) wins, and among equals the last by (timestamp, event id),
  i.e. the manifest the registry served last.
- **Log line only**: ``response_digest`` is the digest the log line recorded (a
  proxy's JSON format with ``Docker-Content-Digest``), else the reference when it is a
  digest, else null; ``media_type`` is the response Content-Type of a 2xx. A tag request then has
  no ``d0``: a HEAD by tag can no longer absorb the GET by the same digest that
  follows, so a docker/containerd-style pull (HEAD tag, GET digest) counts as a
  version check plus a pull by digest instead of one pull by tag. GET-by-tag pulls
  (skopeo, podman) are unaffected.
- **Event only**: the status is assumed to be 200 (a 404 that emitted an event then
  counts as a success); method, client, User-Agent and account come from the event's
  ``request`` and ``actor``; ``object_type`` from the target URL (else its media
  type); ``reference`` is the tag the client named, else the digest; bytes are the
  target's size for a GET and 0 for a HEAD.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry_insights.ingest.api_paths import (
    ApiRequest,
    classify_path,
    is_digest,
    normalise_repository,
)
from registry_insights.ingest.events import Event
from registry_insights.ingest.log_lines import LoggedRequest, client_address
from registry_insights.ingest.raw_rows import RawRequest

ASSUMED_STATUS = 200
_MANIFEST_HINTS = ("manifest", "image.index", "manifest.list")


def _bare_media_type(value: str | None) -> str | None:
    return value.split(";")[0].strip().lower() if value else None


def pick_event(events: Iterable[Event], content_type: str | None = None) -> Event:
    """The event that describes what the client received (see the module docs)."""
    ordered = sorted(events, key=lambda event: (event.timestamp, event.id))
    if not ordered:
        raise ValueError("no event to pick from")
    wanted = _bare_media_type(content_type)
    matching = [e for e in ordered if _bare_media_type(e.target.media_type) == wanted]
    return (matching or ordered)[-1]


def row_from_log(request: LoggedRequest, events: Iterable[Event] = ()) -> RawRequest:
    """A raw row from a log line, completed by its events when there are any."""
    events = list(events)
    success = 200 <= request.status_code < 300
    account_id = request.account_id
    if events:
        chosen = pick_event(events, request.content_type)
        digest, media_type = chosen.target.digest, chosen.target.media_type
        account_id = account_id or chosen.actor.name or None
    else:
        digest = request.response_digest or (
            request.api.reference if is_digest(request.api.reference) else None
        )
        media_type = _bare_media_type(request.content_type) if success else None
    return RawRequest(
        event_id=request.request_id,
        occurred_at=request.occurred_at,
        http_method=request.http_method,
        object_type=request.api.object_type,
        repository=request.api.repository,
        reference=request.api.reference,
        response_digest=digest,
        media_type=media_type,
        status_code=request.status_code,
        response_bytes=request.response_bytes,
        client_ip=request.client_ip,
        user_agent=request.user_agent,
        account_id=account_id,
    )


def event_object_type(event: Event) -> str:
    target = classify_path(event.target.url) if event.target.url else None
    if isinstance(target, ApiRequest):
        return target.object_type
    media_type = _bare_media_type(event.target.media_type) or ""
    return "manifest" if any(hint in media_type for hint in _MANIFEST_HINTS) else "blob"


def row_from_events(events: Iterable[Event]) -> RawRequest:
    """A raw row from the events of one request that has no log line."""
    event = pick_event(events)
    method = (event.request.method or "").upper()
    object_type = event_object_type(event)
    digest = event.target.digest
    reference = event.target.tag if object_type == "manifest" and event.target.tag else digest
    size = event.target.size if event.target.size is not None else event.target.length
    return RawRequest(
        event_id=event.request_id,
        occurred_at=event.timestamp,
        http_method=method,
        object_type=object_type,
        repository=normalise_repository(event.target.repository or ""),
        reference=reference or "",
        response_digest=digest,
        media_type=event.target.media_type,
        status_code=ASSUMED_STATUS,
        response_bytes=0 if method == "HEAD" else size,
        client_ip=client_address(event.request.addr),
        user_agent=event.request.useragent or None,
        account_id=event.actor.name or None,
    )
