"""Scan on push (opt-in): a scanner command run for each new manifest the registry
reports pushed, its output ingested like ``ingest-scan``.

The collector enqueues a pending scan in the same SQLite transaction that stores the
push event (:meth:`ScanQueue.enqueue_pushes`), so an acknowledged push is never without
its scan, and a redelivered push, or the same manifest pushed again, enqueues nothing.
:class:`ScanRunner` runs the configured command template through a bounded pool of
worker threads. A scan that was running when the process stopped is pending again at
the next start. A failure (non-zero exit, timeout, a report ``ingest-scan`` rejects) is
retried with exponential backoff; after the last attempt the scan is ``failed`` and
kept with its error (``registry-insights collector-scans`` lists them).
"""

from __future__ import annotations

import datetime
import logging
import shlex
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry_insights.ingest.events import Event
from registry_insights.ingest.scans.ingest import ingest_content
from registry_insights.ingest.scans.model import Image

LOG = logging.getLogger(__name__)

PUSH = "push"
PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"

#: Media types of manifests (single-platform and indexes); blob pushes are not scanned.
MANIFEST_MEDIA_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    }
)

SCHEMA = """
create table if not exists scan_queue (
    repository text not null,
    digest text not null,
    registry text,
    state text not null check (state in ('pending', 'running', 'done', 'failed')),
    attempts integer not null default 0,
    next_attempt_at text not null,
    enqueued_at text not null,
    finished_at text,
    last_error text,
    scan_id text,
    primary key (repository, digest)
);
create index if not exists scan_queue_due on scan_queue (state, next_attempt_at);
"""

Clock = Callable[[], datetime.datetime]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def is_manifest_push(event: Event) -> bool:
    target = event.target
    return (
        event.action == PUSH
        and target.repository is not None
        and target.digest is not None
        and target.media_type in MANIFEST_MEDIA_TYPES
    )


@dataclass(frozen=True)
class QueuedScan:
    repository: str
    digest: str
    registry: str | None
    state: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    scan_id: str | None


def enqueue_pushes(db: sqlite3.Connection, events: Sequence[Event], now: datetime.datetime) -> int:
    """Pending scans for the manifest pushes among ``events``, inside the caller's
    transaction; the number new."""
    stamp = now.isoformat()
    return sum(
        db.execute(
            "insert or ignore into scan_queue (repository, digest, registry, state,"
            " next_attempt_at, enqueued_at) values (?, ?, ?, ?, ?, ?)",
            (
                event.target.repository,
                event.target.digest,
                event.request.host,
                PENDING,
                stamp,
                stamp,
            ),
        ).rowcount
        for event in events
        if is_manifest_push(event)
    )


class ScanQueue:
    """The ``scan_queue`` table of the collector's database, its own connection."""

    def __init__(self, database: Path, clock: Clock = _now) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            database, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=full")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, parameters: Sequence[Any]) -> int:
        with self._lock:
            self._db.execute("begin immediate")
            try:
                count = self._db.execute(sql, parameters).rowcount
                self._db.execute("commit")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("rollback")
                raise
            return int(count)

    def requeue_interrupted(self) -> int:
        """Scans left running by a process that stopped: pending again."""
        return self._write("update scan_queue set state = ? where state = ?", (PENDING, RUNNING))

    def claim(self) -> QueuedScan | None:
        """The oldest due pending scan, marked running; None when none is due."""
        now = self.clock().isoformat()
        with self._lock:
            self._db.execute("begin immediate")
            try:
                row = self._db.execute(
                    "select repository, digest from scan_queue"
                    " where state = ? and next_attempt_at <= ?"
                    " order by next_attempt_at, enqueued_at limit 1",
                    (PENDING, now),
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "update scan_queue set state = ?, attempts = attempts + 1"
                        " where repository = ? and digest = ?",
                        (RUNNING, row[0], row[1]),
                    )
                self._db.execute("commit")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("rollback")
                raise
        return None if row is None else self.get(str(row[0]), str(row[1]))

    def succeed(self, scan: QueuedScan, scan_id: str | None) -> None:
        self._write(
            "update scan_queue set state = ?, finished_at = ?, last_error = null, scan_id = ?"
            " where repository = ? and digest = ?",
            (DONE, self.clock().isoformat(), scan_id, scan.repository, scan.digest),
        )

    def fail(self, scan: QueuedScan, error: str, retry_at: datetime.datetime | None) -> None:
        """Pending again at ``retry_at``, or ``failed`` for good when it is None."""
        if retry_at is None:
            self._write(
                "update scan_queue set state = ?, finished_at = ?, last_error = ?"
                " where repository = ? and digest = ?",
                (FAILED, self.clock().isoformat(), error, scan.repository, scan.digest),
            )
        else:
            self._write(
                "update scan_queue set state = ?, next_attempt_at = ?, last_error = ?"
                " where repository = ? and digest = ?",
                (PENDING, retry_at.isoformat(), error, scan.repository, scan.digest),
            )

    def get(self, repository: str, digest: str) -> QueuedScan | None:
        return next(
            (s for s in self.all() if (s.repository, s.digest) == (repository, digest)), None
        )

    def all(self) -> list[QueuedScan]:
        with self._lock:
            rows = self._db.execute(
                "select repository, digest, registry, state, attempts, next_attempt_at,"
                " last_error, scan_id from scan_queue order by enqueued_at, repository, digest"
            ).fetchall()
        return [QueuedScan(*row) for row in rows]


@dataclass(frozen=True)
class ScanSettings:
    """The ``collect --scan-*`` options."""

    command: str
    raw_path: Path
    workers: int = 2
    attempts: int = 3
    backoff_seconds: float = 30.0
    timeout_seconds: float = 900.0
    registry: str | None = None
    poll_seconds: float = 1.0

    def argv(self, scan: QueuedScan) -> list[str]:
        """The command for one scan: the template split like a shell would, then
        ``{registry}``, ``{repository}``, ``{digest}`` filled in each argument (no shell
        runs, so nothing in a repository name is interpreted)."""
        registry = self.registry or scan.registry or "localhost"
        values = {"registry": registry, "repository": scan.repository, "digest": scan.digest}
        return [part.format(**values) for part in shlex.split(self.command)]


class ScanRunner:
    """A bounded pool of worker threads taking due scans from the queue."""

    def __init__(self, queue: ScanQueue, settings: ScanSettings) -> None:
        self.queue = queue
        self.settings = settings
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.queue.requeue_interrupted()
        for number in range(self.settings.workers):
            thread = threading.Thread(target=self._work, name=f"scan-worker-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _work(self) -> None:
        while not self._stop.is_set():
            scan = self.queue.claim()
            if scan is None:
                self._stop.wait(self.settings.poll_seconds)
                continue
            self.run_one(scan)

    def run_one(self, scan: QueuedScan) -> None:
        try:
            error, scan_id = self._scan(scan)
        except Exception as unexpected:  # a worker never dies of one scan
            error, scan_id = f"{type(unexpected).__name__}: {unexpected}", None
        if error is None:
            self.queue.succeed(scan, scan_id)
            return
        if scan.attempts >= self.settings.attempts:
            LOG.error("scan of %s@%s failed for good: %s", scan.repository, scan.digest, error)
            self.queue.fail(scan, error, None)
            return
        delay = self.settings.backoff_seconds * 2 ** (scan.attempts - 1)
        LOG.warning(
            "scan of %s@%s failed, retry in %ss: %s", scan.repository, scan.digest, delay, error
        )
        self.queue.fail(scan, error, self.queue.clock() + datetime.timedelta(seconds=delay))

    def _scan(self, scan: QueuedScan) -> tuple[str | None, str | None]:
        argv = self.settings.argv(scan)
        try:
            finished = subprocess.run(
                argv, capture_output=True, timeout=self.settings.timeout_seconds, check=False
            )
        except subprocess.TimeoutExpired:
            return f"timed out after {self.settings.timeout_seconds:g}s", None
        except OSError as error:
            return f"cannot run {argv[0]!r}: {error.strerror}", None
        if finished.returncode != 0:
            tail = finished.stderr.decode(errors="replace").strip()[-500:]
            return f"exit code {finished.returncode}: {tail}", None
        summary = ingest_content(
            finished.stdout,
            f"{scan.repository}@{scan.digest}",
            self.settings.raw_path,
            Image(scan.repository, scan.digest),
        )
        if summary.rejected:
            return f"report rejected: {summary.rejected[0][1]}", None
        return None, summary.scan_ids[0] if summary.scan_ids else None
