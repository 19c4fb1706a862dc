"""Reading notification events from a file: the collector's NDJSON dump or a plain
capture. Each line is an envelope ``{"events": [...]}`` or a single event; a file that
is one (possibly pretty-printed) JSON envelope, or a JSON array of events, also works.
gzip or plain. Invalid events are rejected one by one, with their line number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _validated(
    documents: list[object], line_number: int
) -> Iterator[tuple[int, Event | RejectedEvent, dict[str, Any] | None]]:
    for document in documents:
        if not isinstance(document, dict):
            yield line_number, RejectedEvent(line_number, "event is not a JSON object"), None
            continue
        try:
            yield line_number, parse_event(document), document
        except EnvelopeError as error:
            yield line_number, RejectedEvent(line_number, str(error)), None


def read_event_documents(
    source: str | Path,
) -> Iterator[tuple[int, Event | RejectedEvent, dict[str, Any] | None]]:
    """(line number, validated event or rejection, original JSON object) per event."""
    with open_binary(source) as stream:
        lines = numbered_lines(stream)
        pending: list[str] = []
        json_lines = False
        for number, line in lines:
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as error:
                if json_lines:
                    yield number, RejectedEvent(number, f"invalid JSON: {error.msg}"), None
                    continue
                # the first value spans lines: the whole file is one JSON document
                pending = [line] + [rest for _, rest in lines]
                break
            json_lines = True
            documents = _event_documents(document)
            if documents is None:
                yield number, RejectedEvent(number, "neither an envelope nor an event"), None
                continue
            yield from _validated(documents, number)
        if pending:
            yield from _whole_document("\n".join(pending))


def _whole_document(
    text: str,
) -> Iterator[tuple[int, Event | RejectedEvent, dict[str, Any] | None]]:
    try:
        documents = _event_documents(json.loads(text))
    except json.JSONDecodeError as error:
        yield error.lineno, RejectedEvent(error.lineno, f"invalid JSON: {error.msg}"), None
        return
    if documents is None:
        yield 1, RejectedEvent(1, "neither an envelope nor an event"), None
        return
    yield from _validated(documents, 1)


def read_events(source: str | Path) -> Iterator[Event | RejectedEvent]:
    for _, item, _ in read_event_documents(source):
        yield item
