"""Reading notification events: the collector's NDJSON dump, a plain capture, or the
collector's store itself (its folder or ``events.sqlite3``, read-only). In a file, each
line is an envelope ``{"events": [...]}`` or a single event; a file that is one
(possibly pretty-printed) JSON envelope, or a JSON array of events, also works. gzip or
plain. Invalid events are rejected one by one, with their line number."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from registry_insights.ingest.events import EnvelopeError, Event, parse_event
from registry_insights.ingest.inputs import STDIN, numbered_lines, open_binary
from registry_insights.ingest.store import DATABASE_NAME

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class RejectedEvent:
    line_number: int
    reason: str


def _event_documents(document: object) -> list[object] | None:
    """The event objects a JSON value holds, or None if it holds none."""
    if isinstance(document, list):
        return list(document)
    if isinstance(document, dict):
        events = document.get("events")
        if isinstance(events, list):
            return list(events)
        if "action" in document or "id" in document:
            return [document]
    return None


def _validated(documents: list[object], line_number: int) -> Iterator[Event | RejectedEvent]:
    for document in documents:
        if not isinstance(document, dict):
            yield RejectedEvent(line_number, "event is not a JSON object")
            continue
        try:
            yield parse_event(document)
        except EnvelopeError as error:
            yield RejectedEvent(line_number, str(error))


def _line_events(number: int, line: str) -> Iterator[Event | RejectedEvent]:
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        yield RejectedEvent(number, f"invalid JSON: {error.msg}")
        return
    documents = _event_documents(document)
    if documents is None:
        yield RejectedEvent(number, "neither an envelope nor an event")
        return
    yield from _validated(documents, number)


def _stored_events(database: Path) -> Iterator[Event | RejectedEvent]:
    """The events of a collector's SQLite store, read-only (the rowid is the line)."""
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as db:
        for rowid, body in db.execute("select rowid, body from events order by rowid"):
            yield from _line_events(int(rowid), str(body))


def _collector_database(source: str | Path) -> Path | None:
    """The SQLite database when ``source`` is a collector's store (folder or file)."""
    if str(source) == STDIN:
        return None
    path = Path(source)
    if path.is_dir() and (path / DATABASE_NAME).is_file():
        return path / DATABASE_NAME
    try:
        with path.open("rb") as head:
            return path if head.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC else None
    except OSError:
        return None


def read_events(source: str | Path) -> Iterator[Event | RejectedEvent]:
    """Every event of a notifications file, validated, or its rejection. A file whose
    first JSON value spans lines is read as one document; if that fails too, line by
    line, so one bad line never costs the rest. A collector's store (its folder or its
    ``events.sqlite3``) is read directly."""
    database = _collector_database(source)
    if database is not None:
        yield from _stored_events(database)
        return
    with open_binary(source) as stream:
        lines = [(number, line) for number, line in numbered_lines(stream) if line.strip()]
    if not lines:
        return
    try:
        json.loads(lines[0][1])
    except json.JSONDecodeError:
        try:
            whole = json.loads("\n".join(line for _, line in lines))
        except json.JSONDecodeError:
            whole = None
        documents = _event_documents(whole) if whole is not None else None
        if documents is not None:
            yield from _validated(documents, lines[0][0])
            return
    for number, line in lines:
        yield from _line_events(number, line)
