"""Joining a proxy's access-log requests with the registry's notification events.

nginx and the registry do not share a request id (distribution makes its own), so a
request is matched to the pull events of the same method, object, repository and
reference (the tag for a pull by tag, else the digest) whose timestamp is closest to
the access-log time, within :data:`WINDOW`. Events that match no line become rows of
their own, as with the registry's log.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from registry_insights.ingest.api_paths import normalise_repository
from registry_insights.ingest.events import Event
from registry_insights.ingest.join import event_object_type
from registry_insights.ingest.log_lines import LoggedRequest

#: How far the access-log time (the end of the response, to the second for
#: ``$time_local``) and the event's timestamp may be apart.
WINDOW = datetime.timedelta(seconds=3)

Key = tuple[str, str, str, str]


def event_key(event: Event) -> Key:
    object_type = event_object_type(event)
    reference = event.target.tag if object_type == "manifest" and event.target.tag else None
    return (
        (event.request.method or "GET").upper(),
        object_type,
        normalise_repository(event.target.repository or ""),
        reference or event.target.digest or "",
    )


class ProxyMatcher:
    """Finds the request id of the pull events a proxy log line stands for."""

    def __init__(self, pulls: dict[str, list[Event]]) -> None:
        self._pulls = pulls
        self._by_key: dict[Key, list[tuple[datetime.datetime, str]]] = defaultdict(list)
        for request_id, events in pulls.items():
            first = min(events, key=lambda event: (event.timestamp, event.id))
            key = event_key(first)
            self._by_key[key].append((first.timestamp, request_id))
            if first.target.digest and key[3] != first.target.digest:
                # a manifest event with a tag also answers a request by its digest
                # (Harbor names a tag of the artifact when the client asked by digest)
                self._by_key[(*key[:3], first.target.digest)].append((first.timestamp, request_id))

    def __call__(self, request: LoggedRequest) -> str | None:
        key = (
            request.http_method,
            request.api.object_type,
            request.api.repository,
            request.api.reference,
        )
        candidates = [
            (abs(stamp - request.occurred_at), request_id)
            for stamp, request_id in self._by_key.get(key, [])
            if request_id in self._pulls and abs(stamp - request.occurred_at) <= WINDOW
        ]
        return min(candidates)[1] if candidates else None
