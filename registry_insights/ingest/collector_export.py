"""``collector-export``: stored pull events -> raw contract Parquet, exactly once.

Order of steps for each batch of requests (one batch per UTC day, named after the
hash of its request ids):

1. one SQLite transaction assigns the requests' events to the batch and records the
   batch as ``pending``;
2. the batch's rows are written to a hidden temporary file, flushed, and renamed to
   ``date=<day>/<batch name>`` (atomic);
3. a second transaction marks the batch ``done``.

Killed before 1 commits: nothing happened, the events are still unassigned. Killed
between 1 and 3: the next run first re-writes every pending batch from its own
events, under the same name, replacing whatever half-step was left; so a crash costs
at most a rewrite of one file, never a duplicate row or a lost event. Pull events that
arrive later for an already exported request (a manifest conversion) join that
request's batch without a new row. With ``--log``, events are joined with their log
lines (:mod:`.join`), and log lines without any stored event are appended as well,
skipping requests already under the raw path. Resume with the same ``--log``.

Stored push events of a manifest by tag become ``raw_tag_pushes`` rows (one per
event, :mod:`.push_rows`) through the same steps, in batches of their own (named
``collector-push-<hash>``); other push events (blobs, by digest) are marked
``not-exported`` so they are read once.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from registry_insights.ingest.events import Event, parse_event
from registry_insights.ingest.ingest_log import read_log_requests, write_new_rows
from registry_insights.ingest.join import row_from_events, row_from_log
from registry_insights.ingest.log_lines import LoggedRequest
from registry_insights.ingest.push_rows import TABLE as PUSH_TABLE
from registry_insights.ingest.push_rows import RawTagPush, by_day, tag_push, write_pushes
from registry_insights.ingest.push_rows import partition_dir as push_partition_dir
from registry_insights.ingest.raw_output import (
    PresentEventIds,
    content_name,
    group_by_day,
    partition_dir,
    write_file,
)
from registry_insights.ingest.raw_rows import RawRequest
from registry_insights.ingest.scans.on_push import PUSH
from registry_insights.ingest.store import ALREADY_PRESENT, NOT_EXPORTED, Batch, EventStore
from registry_insights.ingest.summary import IngestSummary

FILE_PREFIX = "collector"
LOG_FILE_PREFIX = "registry-log"
PUSH_FILE_PREFIX = "collector-push"


def _by_request(bodies: Iterable[str]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = {}
    for body in bodies:
        event = parse_event(json.loads(body))
        grouped.setdefault(event.request_id, []).append(event)
    return grouped


def _rows(
    events_by_request: dict[str, list[Event]],
    log_requests: dict[str, LoggedRequest],
    summary: IngestSummary,
) -> list[RawRequest]:
    rows = []
    for request_id, events in sorted(events_by_request.items()):
        logged = log_requests.get(request_id)
        if logged is None:
            summary.events_only += 1
            rows.append(row_from_events(events))
        else:
            summary.joined += 1
            rows.append(row_from_log(logged, events))
    return rows


def _write_batch(raw_path: Path, batch: Batch, rows: list[RawRequest]) -> Path:
    return write_file(partition_dir(raw_path, batch.day) / batch.name, rows)


def _is_push_batch(batch: Batch) -> bool:
    return batch.name.startswith(f"{PUSH_FILE_PREFIX}-")


def _push_rows(bodies: Iterable[str]) -> list[RawTagPush]:
    rows = (tag_push(parse_event(json.loads(body))) for body in bodies)
    return [row for row in rows if row is not None]


def _write_push_batch(raw_path: Path, batch: Batch, rows: list[RawTagPush]) -> Path:
    return write_pushes(push_partition_dir(raw_path, batch.day) / batch.name, rows)


class _Row(Protocol):
    @property
    def event_id(self) -> str: ...


RowT = TypeVar("RowT", bound=_Row)


def _write_day_batches(
    store: EventStore,
    raw_path: Path,
    summary: IngestSummary,
    rows_by_day: dict[datetime.date, list[RowT]],
    prefix: str,
    assign: Callable[[list[str], Batch], None],
    write: Callable[[Path, Batch, list[RowT]], Path],
) -> int:
    """Each day's rows through the three steps (module docstring): assigned to a batch
    named after their event ids, written, the batch finished. The rows written."""
    written = 0
    for day, day_rows in sorted(rows_by_day.items()):
        ids = [row.event_id for row in day_rows]
        batch = Batch(content_name(prefix, ids), day)
        assign(ids, batch)
        summary.files.append(str(write(raw_path, batch, day_rows)))
        written += len(day_rows)
        store.finish(batch)
    return written


def _recover(
    store: EventStore,
    raw_path: Path,
    log_requests: dict[str, LoggedRequest],
    summary: IngestSummary,
) -> None:
    for batch in store.pending_batches():
        if _is_push_batch(batch):
            pushes = _push_rows(store.batch_bodies(batch.name, PUSH))
            summary.files.append(str(_write_push_batch(raw_path, batch, pushes)))
            summary.pushes_written += len(pushes)
            summary.recovered_batches += 1
            store.finish(batch)
            continue
        rows = _rows(_by_request(store.batch_bodies(batch.name)), log_requests, summary)
        summary.files.append(str(_write_batch(raw_path, batch, rows)))
        summary.written += len(rows)
        summary.recovered_batches += 1
        store.finish(batch)


def _export_pushes(store: EventStore, raw_path: Path, summary: IngestSummary, limit: int) -> None:
    present = PresentEventIds(raw_path, PUSH_TABLE)
    while bodies := store.unexported_pushes(limit):
        rows: list[RawTagPush] = []
        already: list[str] = []
        skipped: list[str] = []
        for body in bodies:
            event = parse_event(json.loads(body))
            row = tag_push(event)
            if row is None:
                skipped.append(event.id)
            elif row in present:
                already.append(row.event_id)
            else:
                rows.append(row)
        if skipped:
            store.assign_pushes(skipped, NOT_EXPORTED)
        if already:
            store.assign_pushes(already, ALREADY_PRESENT)
            summary.already_present += len(already)
        summary.pushes_written += _write_day_batches(
            store,
            raw_path,
            summary,
            by_day(rows),
            PUSH_FILE_PREFIX,
            store.assign_pushes,
            _write_push_batch,
        )


def export_events(
    store: EventStore,
    raw_path: Path,
    log: str | Path | None = None,
    batch_requests: int = 100_000,
    progress: bool = False,
) -> IngestSummary:
    summary = IngestSummary()
    log_requests: dict[str, LoggedRequest] = {}
    if log is not None:
        for request in read_log_requests(log, summary, progress):
            log_requests.setdefault(request.request_id, request)
    _recover(store, raw_path, log_requests, summary)
    present = PresentEventIds(raw_path)
    while request_ids := store.unexported_pull_requests(batch_requests):
        earlier = store.exported_batch_of(request_ids)
        for name in set(earlier.values()):
            store.assign([r for r, b in earlier.items() if b == name], name)
        fresh = [r for r in request_ids if r not in earlier]
        rows: list[RawRequest] = []
        already: list[RawRequest] = []
        for row in _rows(_by_request(store.request_bodies(fresh)), log_requests, summary):
            (already if row in present else rows).append(row)
        if already:
            store.assign([row.event_id for row in already], ALREADY_PRESENT)
            summary.already_present += len(already)
        summary.written += _write_day_batches(
            store, raw_path, summary, group_by_day(rows), FILE_PREFIX, store.assign, _write_batch
        )
    _export_pushes(store, raw_path, summary, batch_requests)
    if log_requests:
        stored = store.exported_requests()
        log_only = [r for key, r in log_requests.items() if key not in stored]
        summary.log_only += len(log_only)
        write_new_rows(
            (row_from_log(request) for request in log_only), raw_path, summary, LOG_FILE_PREFIX
        )
    return summary
