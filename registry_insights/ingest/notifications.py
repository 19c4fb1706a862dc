"""Reading notification events from a file: the collector's NDJSON dump or a plain
capture. Each line is an envelope ``{"events": [...]}`` or a single event; a file that
is one (possibly pretty-printed) JSON envelope, or a JSON array of events, also works.
gzip or plain. Invalid events are rejected one by one, with their line number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from registry_insights.ingest.events import EnvelopeError, Event, parse_event
from registry_insights.ingest.inputs import numbered_lines, open_binary


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


def read_events(source: str | Path) -> Iterator[Event | RejectedEvent]:
    """Every event of a notifications file, validated, or its rejection. A file whose
    first JSON value spans lines is read as one document; if that fails too, line by
    line, so one bad line never costs the rest."""
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
