"""HEAD manifest requests a distribution 3.0.x log lacks, taken from an access log.

distribution 3.0.0 writes no "response completed" line for a HEAD manifest request
answered 200 (:mod:`registry_insights.ingest.head_gap`), but an access log still has
every request: a reverse proxy's in front of the registry (``--access-log FILE``, any
layout of :mod:`.nginx`) or the registry's own, which gorilla's ``CombinedLoggingHandler``
writes to stdout after each handler returns, status 200 unless the handler set another
(on by default, ``log.accesslog.disabled: false``, so usually interleaved with the
registry's logrus lines in one file).

Only HEAD manifest requests are taken from an access log (every other request is in the
registry's log already). Each is first matched against the registry log's own HEAD
manifest lines (same repository, reference and status, the closest time within
:data:`WINDOW`, each line matched once): a match is already in the log and is not taken
again, so a log that has its HEAD lines (distribution 2.x, 3.1) gains nothing. An
unmatched one becomes a row of its own, joined with the remaining notification events
as a proxy's line is (:mod:`.proxy_join`); when an event matches, the row keeps the
event's request id, the id the event alone would have given, so adding the access log
to an ingest that had the notifications writes nothing twice.

The registry's own access-log lines inside the registry log are used only when the log
names a 3.0.x version; a file given with ``--access-log`` is always read.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from registry_insights.ingest.events import Event
from registry_insights.ingest.inputs import numbered_lines, open_binary
from registry_insights.ingest.join import row_from_log
from registry_insights.ingest.log_lines import (
    ACCESS_LOG,
    LoggedRequest,
    Malformed,
    NotARequest,
    parse_line,
)
from registry_insights.ingest.raw_rows import RawRequest
from registry_insights.ingest.sources.nginx import FileOrderParser, parse_nginx_line
from registry_insights.ingest.sources.proxy_join import ProxyMatcher
from registry_insights.ingest.summary import IngestSummary

#: How far an access-log time (whole seconds; the request's start for gorilla, its end
#: for nginx's ``$time_local``) and the registry log's time may be apart.
WINDOW = datetime.timedelta(seconds=3)
#: The registry's logrus lines met in an access-log file (the registry's own stdout).
REGISTRY_LINE = "registry_log_line"

Key = tuple[str, str, int]


def _key(request: LoggedRequest) -> Key:
    return (request.api.repository, request.api.reference, request.status_code)


def is_manifest_head(request: LoggedRequest) -> bool:
    return request.http_method == "HEAD" and request.api.object_type == "manifest"


class HeadRecovery:
    """Collects what is needed while the registry log is read, then yields the rows of
    the access logs' HEAD manifest requests the registry log lacks."""

    def __init__(self, access_logs: tuple[str | Path, ...] = ()) -> None:
        self._access_logs = access_logs
        self._logged: dict[Key, list[datetime.datetime]] = defaultdict(list)
        self._embedded: list[LoggedRequest] = []

    def note_logged(self, request: LoggedRequest) -> None:
        """A request of the registry log (its "response completed" line)."""
        if is_manifest_head(request):
            self._logged[_key(request)].append(request.occurred_at)

    def note_access_line(self, line: str, line_number: int) -> None:
        """An access-log line inside the registry log (kept if a HEAD manifest request)."""
        parsed = parse_nginx_line(line, line_number)
        if isinstance(parsed, LoggedRequest) and is_manifest_head(parsed):
            self._embedded.append(parsed)

    def _already_logged(self, request: LoggedRequest) -> bool:
        times = self._logged.get(_key(request), [])
        near = [
            (abs(stamp - request.occurred_at), index)
            for index, stamp in enumerate(times)
            if abs(stamp - request.occurred_at) <= WINDOW
        ]
        if not near:
            return False
        times.pop(min(near)[1])
        return True

    def _access_log_heads(
        self, source: str | Path, summary: IngestSummary
    ) -> Iterator[LoggedRequest]:
        gap = summary.head_gap
        parse = FileOrderParser()
        with open_binary(source) as stream:
            for number, line in numbered_lines(stream):
                gap.access_log_lines += 1
                parsed = parse(line, number)
                if parsed is None:
                    continue
                if isinstance(parsed, Malformed):
                    registry = parse_line(line, number)
                    if isinstance(registry, LoggedRequest) or (
                        isinstance(registry, NotARequest) and registry.category != ACCESS_LOG
                    ):
                        gap.access_log_skipped[REGISTRY_LINE] += 1
                    else:
                        summary.malformed_lines.add(f"access log: {parsed.reason}", number)
                elif isinstance(parsed, NotARequest):
                    gap.access_log_skipped[parsed.category] += 1
                elif not is_manifest_head(parsed):
                    gap.access_log_skipped["in_the_registry_log"] += 1
                else:
                    yield parsed

    def rows(self, pulls: dict[str, list[Event]], summary: IngestSummary) -> Iterator[RawRequest]:
        """The rows of HEAD manifest requests that only an access log has. ``pulls``
        loses the events these rows take."""
        gap = summary.head_gap
        sources: list[Iterator[LoggedRequest]] = []
        if self._embedded and gap.version_has_gap:
            gap.embedded_access_log = True
            sources.append(iter(self._embedded))
        sources += [self._access_log_heads(log, summary) for log in self._access_logs]
        match = ProxyMatcher(pulls)
        seen: set[str] = set()
        for heads in sources:
            for request in heads:
                gap.access_log_heads += 1
                if self._already_logged(request):
                    gap.access_log_heads_logged += 1
                    continue
                if request.request_id in seen:
                    summary.duplicates_in_input += 1
                    continue
                seen.add(request.request_id)
                key = match(request)
                events = pulls.pop(key, []) if key is not None else []
                row = row_from_log(request, events)
                if key is not None and events:
                    row = dataclasses.replace(row, event_id=key)
                    gap.access_log_heads_joined += 1
                gap.heads_from_access_log += 1
                yield row
        self._embedded.clear()
