"""Harbor's ``PULL_ARTIFACT`` webhooks, as the collector's pull events.

Harbor POSTs one payload per pulled artifact to a project's webhook policy, in its
Default format (``{"type": "PULL_ARTIFACT", "occur_at": <unix seconds>, "operator",
"event_data": {"resources": [{"digest", "tag", "resource_url"}], "repository":
{"repo_full_name", ...}}}``) or as a CloudEvent (``"type": "harbor.artifact.pulled"``,
``id``, ``time``, ``data`` and ``operator``). Each resource becomes a distribution-shaped
``pull`` event, stored by the collector like a registry's (same durability, same
exactly-once export):

- ``id``: the CloudEvent's ``id``, else a hash of the payload (Harbor resends the same
  payload on a retry, so a redelivery stores nothing new), plus the resource's index;
- ``timestamp``: ``time`` or ``occur_at`` (whole seconds);
- ``target``: ``digest``, ``tag`` (dropped when Harbor repeats the digest there, as it
  does for a pull by digest), ``repository`` from ``repo_full_name``;
- ``request``: method GET (Harbor records a manifest GET only: HEAD requests and 304
  answers make no event), no address, no user agent; ``actor.name``: ``operator``.

``target.url`` is the API path of the manifest (Harbor's ``resource_url`` stays in the
original payload, kept under ``harbor`` in the stored event). Other event types
are acknowledged and not stored.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from pydantic import ValidationError

from registry_insights.ingest.events import EnvelopeError, Event, parse_event

PULL_TYPES = frozenset({"PULL_ARTIFACT", "harbor.artifact.pulled"})
ID_PREFIX = "harbor-"


def _timestamp(payload: dict[str, Any]) -> str:
    time = payload.get("time")
    if isinstance(time, str) and time:
        return time
    occur_at = payload.get("occur_at")
    if isinstance(occur_at, int) and not isinstance(occur_at, bool):
        return datetime.datetime.fromtimestamp(occur_at, tz=datetime.UTC).isoformat()
    raise EnvelopeError("payload without occur_at or time")


def pull_events(body: bytes | str) -> tuple[list[Event], list[dict[str, Any]]]:
    """The pull events of one webhook payload and their stored documents (none for an
    event type that is not a pull). Raises :class:`EnvelopeError` with a reason."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise EnvelopeError(f"body is not JSON: {error}") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise EnvelopeError('a Harbor payload is a JSON object with a "type"')
    if payload["type"] not in PULL_TYPES:
        return [], []
    data = payload.get("event_data", payload.get("data"))
    if not isinstance(data, dict):
        raise EnvelopeError("payload without event_data (or data)")
    resources = data.get("resources")
    repository = data.get("repository")
    if not isinstance(resources, list) or not resources or not isinstance(repository, dict):
        raise EnvelopeError("payload without resources or repository")
    name = repository.get("repo_full_name")
    if not isinstance(name, str) or not name:
        raise EnvelopeError("repository without repo_full_name")
    base = payload.get("id")
    if not isinstance(base, str) or not base:
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        base = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    timestamp = _timestamp(payload)
    operator = payload.get("operator")
    events, documents = [], []
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            raise EnvelopeError(f"resources.{index} is not an object")
        digest, tag = resource.get("digest"), resource.get("tag")
        event_id = f"{ID_PREFIX}{base}-{index}"
        reference = tag if isinstance(tag, str) and tag else digest
        document: dict[str, Any] = {
            "id": event_id,
            "timestamp": timestamp,
            "action": "pull",
            "target": {
                "digest": digest,
                "repository": name,
                "url": f"/v2/{name}/manifests/{reference}",
                **({"tag": tag} if isinstance(tag, str) and tag and tag != digest else {}),
            },
            "request": {"id": event_id, "method": "GET"},
            "actor": {"name": operator} if isinstance(operator, str) and operator else {},
            "harbor": payload,
        }
        try:
            events.append(parse_event(document))
        except (EnvelopeError, ValidationError) as error:
            raise EnvelopeError(f"resources.{index}: {error}") from error
        documents.append(document)
    return events, documents
