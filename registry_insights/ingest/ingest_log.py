"""``ingest-registry-log``: a registry log (and optionally its notifications) appended
to the raw contract, without duplicating a request that is already there."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from registry_insights.ingest.events import PULL, Event
from registry_insights.ingest.head_gap import VERSION_LINES, version_of
from registry_insights.ingest.inputs import input_size, numbered_lines, open_binary
from registry_insights.ingest.join import row_from_events, row_from_log
from registry_insights.ingest.log_lines import (
    ACCESS_LOG,
    LoggedRequest,
    Malformed,
    NotARequest,
    ParsedLine,
    parse_line,
)
from registry_insights.ingest.notifications import RejectedEvent, read_events
from registry_insights.ingest.push_rows import RawTagPush, tag_push, write_new_pushes
from registry_insights.ingest.raw_output import PresentEventIds, append_rows
from registry_insights.ingest.raw_rows import RawRequest
from registry_insights.ingest.summary import IngestSummary

if TYPE_CHECKING:
    from registry_insights.ingest.sources.access_heads import HeadRecovery

FILE_PREFIX = "registry-log"
#: Rows held before they are written (bounded memory on big logs).
CHUNK_ROWS = 500_000

#: Parses one line of a log (None for a blank line).
LineParser = Callable[[str, int], ParsedLine | None]
#: The request id under which a log request's pull events are filed, if any.
EventMatcher = Callable[[LoggedRequest], str | None]


def read_pull_events(
    source: str | Path, summary: IngestSummary, pushes: list[RawTagPush] | None = None
) -> dict[str, list[Event]]:
    """Pull events by request id; with ``pushes``, the manifest pushes by tag are
    appended to it (``raw_tag_pushes`` rows); other actions and rejections only
    counted."""
    pulls: dict[str, list[Event]] = defaultdict(list)
    for item in read_events(source):
        if isinstance(item, RejectedEvent):
            summary.rejected_events.add(item.reason, item.line_number)
            continue
        summary.events_by_action[item.action] += 1
        if item.action == PULL:
            pulls[item.request_id].append(item)
        elif pushes is not None and (push := tag_push(item)) is not None:
            pushes.append(push)
    return pulls


def read_log_requests(
    source: str | Path,
    summary: IngestSummary,
    progress: bool,
    parser: LineParser = parse_line,
    on_access_line: Callable[[str, int], None] | None = None,
) -> Iterator[LoggedRequest]:
    """The manifest/blob requests of a log; everything else counted in ``summary``
    (access-log lines also handed to ``on_access_line``)."""
    total = input_size(source)
    with (
        open_binary(source) as stream,
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="log",
            delay=1,  # appears only on inputs that take a while
            disable=not progress or (total is not None and total < 1 << 20),
        ) as bar,
    ):
        for number, line in numbered_lines(stream):
            summary.log_lines += 1
            bar.update(len(line) + 1)
            if summary.head_gap.registry_version is None and number <= VERSION_LINES:
                summary.head_gap.registry_version = version_of(line)
            parsed = parser(line, number)
            if parsed is None:
                continue
            if isinstance(parsed, Malformed):
                summary.malformed_lines.add(parsed.reason, number)
            elif isinstance(parsed, NotARequest):
                summary.not_requests[parsed.category] += 1
                if on_access_line is not None and parsed.category == ACCESS_LOG:
                    on_access_line(line, number)
            else:
                summary.log_requests += 1
                yield parsed


def by_request_id(request: LoggedRequest) -> str | None:
    """The registry's own join: its log line and its events share ``http.request.id``."""
    return request.request_id


def joined_rows(
    log: str | Path | None,
    pulls: dict[str, list[Event]],
    summary: IngestSummary,
    progress: bool,
    parser: LineParser = parse_line,
    match: EventMatcher = by_request_id,
    more_logs: tuple[str | Path, ...] = (),
    heads: HeadRecovery | None = None,
) -> Iterator[RawRequest]:
    """Log rows (with their events), then, with ``heads``, the HEAD manifest requests
    only an access log has, then the rows of events without a log line. ``pulls`` is
    consumed."""
    seen: set[str] = set()
    logs = ([] if log is None else [log]) + list(more_logs)
    if heads is not None:
        heads.begin(logs, summary.head_gap)
    for source in logs:

        def on_access_line(line: str, number: int, source: str | Path = source) -> None:
            summary.head_gap.own_access_lines += 1
            if heads is not None:
                heads.note_access_line(line, number, source)

        for request in read_log_requests(source, summary, progress, parser, on_access_line):
            if request.request_id in seen:
                summary.duplicates_in_input += 1
                continue
            seen.add(request.request_id)
            key = match(request)
            events = pulls.pop(key, []) if key is not None else []
            if events:
                summary.joined += 1
            else:
                summary.log_only += 1
            summary.head_gap.log_requests += 1
            if _is_answered_head(request.http_method, request.api.object_type, request.status_code):
                summary.head_gap.logged_heads += 1
            if heads is not None:
                heads.note_logged(request)
            yield row_from_log(request, events)
    if heads is not None:
        yield from heads.rows(pulls, summary)
    for events in pulls.values():
        summary.events_only += 1
        row = row_from_events(events)
        if _is_answered_head(row.http_method, row.object_type, row.status_code):
            summary.head_gap.heads_from_events += 1
        yield row


def _is_answered_head(method: str, object_type: str, status: int) -> bool:
    return method == "HEAD" and object_type == "manifest" and status == 200


def write_new_rows(
    rows: Iterator[RawRequest], raw_path: Path, summary: IngestSummary, prefix: str
) -> None:
    """Append the rows whose event id is not under ``raw_path`` yet, in chunks."""
    present = PresentEventIds(raw_path)
    chunk: list[RawRequest] = []

    def flush() -> None:
        written = append_rows(raw_path, chunk, prefix)
        summary.files += [str(path) for path in written]
        summary.written += len(chunk)
        present.add(chunk)
        chunk.clear()

    for row in rows:
        if row in present:
            summary.already_present += 1
            continue
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            flush()
    if chunk:
        flush()


def ingest_registry_log(
    log: str | Path,
    notifications: str | Path | None,
    raw_path: Path,
    progress: bool = True,
) -> IngestSummary:
    from registry_insights.ingest.sources.access_heads import HeadRecovery

    summary = IngestSummary()
    pushes: list[RawTagPush] = []
    pulls = read_pull_events(notifications, summary, pushes) if notifications is not None else {}
    rows = joined_rows(log, pulls, summary, progress, heads=HeadRecovery())
    write_new_rows(rows, raw_path, summary, FILE_PREFIX)
    write_new_pushes(pushes, raw_path, summary)
    return summary
