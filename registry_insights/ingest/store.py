"""The collector's durable event store: SQLite (stdlib) in WAL mode with
``synchronous=FULL``, one row per event id, so a redelivered event inserts nothing.

It also records the export state: every exported pull event (and every exported
push event: ``raw_tag_pushes``) names its batch (the Parquet file it went to), and a
batch is ``pending`` from the moment its events are assigned until its file is
durably renamed into place, then ``done``. See :mod:`.collector_export` for why that
makes the export exactly-once.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry_insights.ingest.events import PULL, Event
from registry_insights.ingest.scans.on_push import PUSH, enqueue_pushes
from registry_insights.ingest.scans.on_push import SCHEMA as SCAN_QUEUE_SCHEMA

DATABASE_NAME = "events.sqlite3"
PENDING = "pending"
DONE = "done"
#: Batch name of pull events whose request was already under the raw path (and of
#: push events already in ``raw_tag_pushes``).
ALREADY_PRESENT = "already-present"
#: Batch name of push events that are no row of ``raw_tag_pushes`` (blobs, by digest).
NOT_EXPORTED = "not-exported"

_SCHEMA = """
create table if not exists events (
    event_id text primary key,
    request_id text not null,
    action text not null,
    occurred_at text not null,
    received_at text not null,
    body text not null,
    batch text
);
create index if not exists events_by_batch on events (action, batch);
create index if not exists events_by_request on events (request_id);
create table if not exists batches (
    name text primary key,
    day text not null,
    state text not null check (state in ('pending', 'done'))
);
"""


@dataclass(frozen=True)
class Batch:
    name: str
    day: datetime.date


class EventStore:
    """One SQLite database per store folder; safe to share between threads."""

    def __init__(self, folder: Path, scan_on_push: bool = False) -> None:
        """With ``scan_on_push``, each new manifest push also enqueues a pending scan
        (``scan_queue``, :mod:`registry_insights.ingest.scans.on_push`) in the
        transaction that stores the event."""
        self.scan_on_push = scan_on_push
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / DATABASE_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=full")
        self._db.executescript(_SCHEMA)
        self._db.executescript(SCAN_QUEUE_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (durably) on success, else rolled back."""
        with self._lock:
            self._db.execute("begin immediate")
            try:
                yield self._db
                self._db.execute("commit")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("rollback")
                raise

    def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        with self._immediate() as db:
            for sql, parameters in statements:
                db.execute(sql, parameters)

    def add_events(self, events: Sequence[Event], documents: Sequence[dict[str, Any]]) -> int:
        """Store an envelope's events in one durable transaction; the number new."""
        return self.add_envelopes([(events, documents)])[0]

    def add_envelopes(
        self, envelopes: Sequence[tuple[Sequence[Event], Sequence[dict[str, Any]]]]
    ) -> list[int]:
        """Store several envelopes in one durable transaction (one fsync: group
        commit); the number of new events of each."""
        received = datetime.datetime.now(datetime.UTC).isoformat()
        insert = (
            "insert or ignore into events"
            " (event_id, request_id, action, occurred_at, received_at, body)"
            " values (?, ?, ?, ?, ?, ?)"
        )
        with self._immediate() as db:
            if self.scan_on_push:
                now = datetime.datetime.fromisoformat(received)
                for events, _ in envelopes:
                    enqueue_pushes(db, events, now)
            return [
                sum(
                    db.execute(
                        insert,
                        (
                            event.id,
                            event.request_id,
                            event.action,
                            event.timestamp.isoformat(),
                            received,
                            json.dumps(document, separators=(",", ":"), sort_keys=True),
                        ),
                    ).rowcount
                    for event, document in zip(events, documents, strict=True)
                )
                for events, documents in envelopes
            ]

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def count(self) -> int:
        return int(self._query("select count(*) from events")[0][0])

    def bodies(self) -> Iterator[str]:
        """Every stored event's JSON, in arrival order (for an NDJSON dump)."""
        last = 0
        while True:
            page = self._query(
                "select rowid, body from events where rowid > ? order by rowid limit 10000",
                (last,),
            )
            if not page:
                return
            for _rowid, body in page:
                yield str(body)
            last = int(page[-1][0])

    def pending_batches(self) -> list[Batch]:
        return [
            Batch(name, datetime.date.fromisoformat(day))
            for name, day in self._query(
                "select name, day from batches where state = ? order by name", (PENDING,)
            )
        ]

    def batch_bodies(self, name: str, action: str = PULL) -> list[str]:
        return [
            str(body)
            for (body,) in self._query(
                "select body from events where batch = ? and action = ? order by event_id",
                (name, action),
            )
        ]

    def unexported_pushes(self, limit: int) -> list[str]:
        """The JSON of push events not assigned to a batch yet (oldest first)."""
        return [
            str(body)
            for (body,) in self._query(
                "select body from events where action = ? and batch is null"
                " order by occurred_at, event_id limit ?",
                (PUSH, limit),
            )
        ]

    def assign_pushes(self, event_ids: Sequence[str], batch: Batch | str) -> None:
        """Assign push events (by event id) to a batch; a new batch is recorded as
        pending in the same transaction."""
        statements = self._new_batch(batch)
        for event_id in event_ids:
            statements.append(
                (
                    "update events set batch = ? where event_id = ? and action = ?"
                    " and batch is null",
                    (batch.name if isinstance(batch, Batch) else batch, event_id, PUSH),
                )
            )
        self._transaction(statements)

    @staticmethod
    def _new_batch(batch: Batch | str) -> list[tuple[str, Sequence[Any]]]:
        if not isinstance(batch, Batch):
            return []
        return [
            (
                "insert into batches (name, day, state) values (?, ?, ?)",
                (batch.name, batch.day.isoformat(), PENDING),
            )
        ]

    def unexported_pull_requests(self, limit: int) -> list[str]:
        """Request ids with a pull event not assigned to a batch yet (oldest first)."""
        return [
            str(request_id)
            for (request_id,) in self._query(
                "select request_id from events where action = ? and batch is null"
                " group by request_id order by min(occurred_at), request_id limit ?",
                (PULL, limit),
            )
        ]

    def request_bodies(self, request_ids: Sequence[str]) -> list[str]:
        """The JSON of the requests' unassigned pull events."""
        found: list[str] = []
        for start in range(0, len(request_ids), 500):
            part = list(request_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            found += [
                str(body)
                for (body,) in self._query(
                    f"select body from events where action = ? and batch is null"
                    f" and request_id in ({marks}) order by event_id",
                    (PULL, *part),
                )
            ]
        return found

    def exported_batch_of(self, request_ids: Sequence[str]) -> dict[str, str]:
        """Request ids among ``request_ids`` already in a batch, with that batch."""
        found: dict[str, str] = {}
        for start in range(0, len(request_ids), 500):
            part = list(request_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for request_id, batch in self._query(
                f"select request_id, min(batch) from events where batch is not null"
                f" and request_id in ({marks}) group by request_id",
                part,
            ):
                found[str(request_id)] = str(batch)
        return found

    def assign(self, request_ids: Sequence[str], batch: Batch | str) -> None:
        """Assign the requests' unassigned pull events to a batch; a new batch is
        recorded as pending in the same transaction."""
        name = batch.name if isinstance(batch, Batch) else batch
        statements = self._new_batch(batch)
        for request_id in request_ids:
            statements.append(
                (
                    "update events set batch = ? where request_id = ? and action = ?"
                    " and batch is null",
                    (name, request_id, PULL),
                )
            )
        self._transaction(statements)

    def finish(self, batch: Batch) -> None:
        self._transaction([("update batches set state = ? where name = ?", (DONE, batch.name))])

    def exported_requests(self) -> set[str]:
        return {
            str(request_id)
            for (request_id,) in self._query(
                "select distinct request_id from events where action = ? and batch is not null",
                (PULL,),
            )
        }
