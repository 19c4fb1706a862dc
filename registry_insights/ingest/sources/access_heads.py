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
names a 3.0.x version: the log is then read a second time for them (stdin cannot be, so
from stdin they are held while it is read); a file given with ``--access-log`` is
always read. The registry log's own HEAD manifest lines are held for the matching only
when an access log can be used (a few hundred bytes each).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from registry_insights.ingest.events import Event
from registry_insights.ingest.head_gap import VERSION_LINES, HeadGap
from registry_insights.ingest.inputs import STDIN, numbered_lines, open_binary
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
        self._registry_logs: list[str | Path] = []
        self._gap = HeadGap()
        self._logged: dict[Key, list[datetime.datetime]] = defaultdict(list)
        self._from_stdin: list[LoggedRequest] = []

    def begin(self, registry_logs: list[str | Path], gap: HeadGap) -> None:
        """The registry logs about to be read, and the summary's gap record (whose
        ``registry_version`` the reading fills)."""
        self._registry_logs, self._gap = registry_logs, gap

    def _own_lines_may_be_used(self, line_number: int) -> bool:
        """3.0.x, or its version not known yet (it is looked for in the first lines)."""
        unknown = self._gap.registry_version is None and line_number <= VERSION_LINES
        return unknown or self._gap.version_has_gap

    def note_logged(self, request: LoggedRequest) -> None:
        """A request of the registry log (its "response completed" line)."""
        if not is_manifest_head(request):
            return
        if self._access_logs or self._own_lines_may_be_used(request.line_number):
            self._logged[_key(request)].append(request.occurred_at)

    def note_access_line(self, line: str, line_number: int, source: str | Path) -> None:
        """An access-log line inside the registry log: held only when read from stdin
        (a file is read again if its own access lines are needed)."""
        if str(source) != STDIN or not self._own_lines_may_be_used(line_number):
            return
        parsed = parse_nginx_line(line, line_number)
        if isinstance(parsed, LoggedRequest) and is_manifest_head(parsed):
            self._from_stdin.append(parsed)

    def _already_logged(self, request: LoggedRequest) -> bool:
        """Whether a registry log line is the same request (the closest one within
        :data:`WINDOW`, each matched once); the times are sorted by :meth:`rows`."""
        times = self._logged.get(_key(request))
        if not times:
            return False
        at = request.occurred_at
        index = bisect.bisect_left(times, at)
        near = [j for j in (index - 1, index) if 0 <= j < len(times)]
        best = min(near, key=lambda j: abs(times[j] - at))
        if abs(times[best] - at) > WINDOW:
            return False
        del times[best]
        return True

    def _own_access_heads(self) -> Iterator[LoggedRequest]:
        """The HEAD manifest requests of the registry log's own access-log lines."""
        yield from self._from_stdin
        for source in self._registry_logs:
            if str(source) == STDIN:
                continue
            parse = FileOrderParser()
            with open_binary(source) as stream:
                for number, line in numbered_lines(stream):
                    registry = parse_line(line, number)
                    if not isinstance(registry, NotARequest) or registry.category != ACCESS_LOG:
                        continue
                    parsed = parse(line, number)
                    if isinstance(parsed, LoggedRequest) and is_manifest_head(parsed):
                        yield parsed

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
        for times in self._logged.values():
            times.sort()
        sources: list[Iterator[LoggedRequest]] = []
        if gap.version_has_gap and gap.own_access_lines:
            gap.embedded_access_log = True
            sources.append(self._own_access_heads())
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
        self._from_stdin.clear()
        self._logged.clear()
