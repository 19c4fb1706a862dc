"""Rows of the raw contract's ``raw_tag_pushes`` table: one manifest the registry
reported pushed by tag (a push notification whose target names a tag and a manifest
media type). Blob pushes, pushes by digest and other actions are not rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from registry_insights.generator.tables import TAG_PUSHES_SCHEMA
from registry_insights.ingest.events import Event
from registry_insights.ingest.raw_output import PresentEventIds, content_name, write_table_file
from registry_insights.ingest.scans.on_push import is_manifest_push
from registry_insights.ingest.summary import IngestSummary

TABLE = "raw_tag_pushes"
#: File name prefix of the rows `ingest --notifications` writes.
NOTIFICATIONS_FILE_PREFIX = "notifications-push"

#: The contract's columns and types.
SCHEMA = TAG_PUSHES_SCHEMA


@dataclass(frozen=True)
class RawTagPush:
    """One push of a manifest by tag, in the contract's columns (see the sources YAML)."""

    event_id: str
    pushed_at: datetime.datetime
    repository: str
    tag: str
    manifest_digest: str
    media_type: str | None

    @property
    def day(self) -> datetime.date:
        return self.pushed_at.astimezone(datetime.UTC).date()


def tag_push(event: Event) -> RawTagPush | None:
    """The row of a manifest push by tag; None for any other event."""
    target = event.target
    if not is_manifest_push(event) or not target.tag:
        return None
    assert target.repository is not None and target.digest is not None
    return RawTagPush(
        event_id=event.id,
        pushed_at=event.timestamp.astimezone(datetime.UTC),
        repository=target.repository,
        tag=target.tag,
        manifest_digest=target.digest,
        media_type=target.media_type,
    )


def partition_dir(raw_path: Path, day: datetime.date) -> Path:
    return raw_path / TABLE / f"date={day.isoformat()}"


def to_table(rows: Iterable[RawTagPush]) -> pa.Table:
    return pa.Table.from_pylist([asdict(row) for row in rows], schema=SCHEMA)


def by_day(rows: Iterable[RawTagPush]) -> dict[datetime.date, list[RawTagPush]]:
    days: dict[datetime.date, list[RawTagPush]] = defaultdict(list)
    for row in rows:
        days[row.day].append(row)
    return dict(days)


def write_pushes(path: Path, rows: list[RawTagPush]) -> Path:
    """Write ``rows`` (sorted by time) to ``path`` atomically and durably."""
    ordered = sorted(rows, key=lambda row: (row.pushed_at, row.event_id))
    return write_table_file(path, to_table(ordered))


def write_new_pushes(
    rows: Iterable[RawTagPush],
    raw_path: Path,
    summary: IngestSummary,
    prefix: str = NOTIFICATIONS_FILE_PREFIX,
) -> None:
    """Append the rows whose event id is neither under ``raw_path`` nor earlier in
    ``rows`` (a redelivered event), one file per day named after its content."""
    present = PresentEventIds(raw_path, TABLE)
    new: dict[str, RawTagPush] = {}
    seen: set[str] = set()
    for row in rows:
        if row.event_id in seen:
            continue
        seen.add(row.event_id)
        if row in present:
            summary.already_present += 1
            continue
        new[row.event_id] = row
    for day, day_rows in sorted(by_day(new.values()).items()):
        name = content_name(prefix, (row.event_id for row in day_rows))
        summary.files.append(str(write_pushes(partition_dir(raw_path, day) / name, day_rows)))
        summary.pushes_written += len(day_rows)
