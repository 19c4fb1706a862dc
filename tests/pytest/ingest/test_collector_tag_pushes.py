"""Push events become ``raw_tag_pushes`` rows: received by the collector with pull
events, exported once by ``collector-export`` (also after a crash between its steps),
and written once by an ingest of a notifications file."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from fastapi.testclient import TestClient
from support.raw_schema import RAW_TAG_PUSHES_SCHEMA
from support.registry_samples import ENVELOPE_V1, OCI_INDEX, digest_of, envelope, event

from registry_insights.ingest import collector_export
from registry_insights.ingest.collector import create_app
from registry_insights.ingest.collector_export import export_events
from registry_insights.ingest.ingest_log import ingest_registry_log
from registry_insights.ingest.push_rows import TABLE
from registry_insights.ingest.store import Batch, EventStore

BLOB = "application/octet-stream"
V1 = digest_of("app 1.0")
V2 = digest_of("app 1.1")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    event_store = EventStore(tmp_path / "store")
    yield event_store
    event_store.close()


def sample_events() -> list[dict[str, object]]:
    """A tag pushed twice (two digests), a blob push, a push by digest, two pulls."""
    return [
        event(
            "p-blob", "acme/app", digest_of("layer"), action="push", method="PUT", media_type=BLOB
        ),
        event(
            "p-1",
            "acme/app",
            V1,
            action="push",
            method="PUT",
            tag="1.0",
            event_id="push-1",
            timestamp="2026-11-27T23:59:59.5Z",
        ),
        event(
            "p-2",
            "acme/app",
            V2,
            action="push",
            method="PUT",
            tag="1.0",
            media_type=OCI_INDEX,
            event_id="push-2",
            timestamp="2026-11-28T10:00:00+02:00",
        ),
        event("p-digest", "acme/app", digest_of("untagged"), action="push", method="PUT"),
        event("r-1", "acme/app", V1, event_id="pull-1"),
        event("r-2", "acme/app", V2, method="HEAD", tag="1.0", event_id="pull-2"),
    ]


def receive(store: EventStore, events: list[dict[str, object]]) -> None:
    client = TestClient(create_app(store))
    answer = client.post(
        "/events", content=envelope(*events), headers={"Content-Type": ENVELOPE_V1}
    )
    assert answer.status_code == 200, answer.text


def pushes(raw: Path) -> list[dict[str, object]]:
    folder = raw / TABLE
    if not folder.exists():
        return []
    table = ds.dataset(folder, format="parquet").to_table()
    assert table.schema.remove_metadata().equals(RAW_TAG_PUSHES_SCHEMA)
    return sorted(table.to_pylist(), key=lambda row: str(row["event_id"]))


EXPECTED = [
    {
        "event_id": "push-1",
        "pushed_at": datetime.datetime(2026, 11, 27, 23, 59, 59, 500000, tzinfo=datetime.UTC),
        "repository": "acme/app",
        "tag": "1.0",
        "manifest_digest": V1,
        "media_type": "application/vnd.oci.image.manifest.v1+json",
    },
    {
        "event_id": "push-2",
        "pushed_at": datetime.datetime(2026, 11, 28, 8, 0, tzinfo=datetime.UTC),
        "repository": "acme/app",
        "tag": "1.0",
        "manifest_digest": V2,
        "media_type": OCI_INDEX,
    },
]


def requests(raw: Path) -> list[str]:
    table = ds.dataset(raw / "raw_registry_requests", format="parquet").to_table()
    return sorted(table["event_id"].to_pylist())


def test_the_export_writes_each_tag_push_once_beside_the_pulls(
    tmp_path: Path, store: EventStore
) -> None:
    receive(store, sample_events())
    raw = tmp_path / "raw"
    first = export_events(store, raw)
    assert (first.written, first.pushes_written) == (2, 2)
    assert requests(raw) == ["r-1", "r-2"]
    assert pushes(raw) == EXPECTED
    # one file per UTC day of the push, in the contract's layout
    days = sorted(path.parent.name for path in (raw / TABLE).rglob("*.parquet"))
    assert days == ["date=2026-11-27", "date=2026-11-28"]
    # the same events redelivered, then another export: nothing new
    receive(store, sample_events())
    again = export_events(store, raw)
    assert (again.written, again.pushes_written, again.already_present) == (0, 0, 0)
    assert pushes(raw) == EXPECTED
    assert "tag pushes written (raw_tag_pushes): 2" in first.report()


@pytest.mark.parametrize("step", ["write", "finish"])
def test_a_crash_between_the_steps_costs_no_duplicate_and_no_loss(
    tmp_path: Path, store: EventStore, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Killed after the events were assigned to a pending batch: before its file was
    written, or after it was written but before the batch was marked done."""
    receive(store, sample_events())
    raw = tmp_path / "raw"

    class Killed(BaseException):
        pass

    def crash(*_: object) -> None:
        raise Killed

    finish = store.finish

    def finish_pulls_only(batch: Batch) -> None:
        if batch.name.startswith("collector-push-"):
            raise Killed
        finish(batch)

    with monkeypatch.context() as patched:
        if step == "write":
            patched.setattr(collector_export, "write_pushes", crash)
        else:
            patched.setattr(store, "finish", finish_pulls_only)
        with pytest.raises(Killed):
            export_events(store, raw)
    assert [batch.name.startswith("collector-push-") for batch in store.pending_batches()] == [True]
    assert len(pushes(raw)) == (1 if step == "finish" else 0)
    resumed = export_events(store, raw)
    assert resumed.recovered_batches == 1
    assert store.pending_batches() == []
    assert pushes(raw) == EXPECTED
    assert export_events(store, raw).pushes_written == 0
    assert pushes(raw) == EXPECTED


def test_the_export_skips_pushes_an_ingest_already_wrote(tmp_path: Path, store: EventStore) -> None:
    events = sample_events()
    capture = tmp_path / "capture.ndjson"
    capture.write_text("\n".join(json.dumps(e) for e in events[:2]))
    (tmp_path / "empty.log").write_text("")
    raw = tmp_path / "raw"
    ingested = ingest_registry_log(tmp_path / "empty.log", capture, raw, progress=False)
    assert ingested.pushes_written == 1
    receive(store, events)
    summary = export_events(store, raw)
    assert (summary.pushes_written, summary.already_present) == (1, 1)
    assert pushes(raw) == EXPECTED


def test_an_ingest_of_notifications_writes_the_tag_pushes_once(tmp_path: Path) -> None:
    capture = tmp_path / "capture.ndjson"
    events = sample_events()
    capture.write_text("\n".join(json.dumps(e) for e in [*events, events[1]]))  # a redelivery
    (tmp_path / "empty.log").write_text("")
    raw = tmp_path / "raw"
    first = ingest_registry_log(tmp_path / "empty.log", capture, raw, progress=False)
    assert first.pushes_written == 2
    assert pushes(raw) == EXPECTED
    again = ingest_registry_log(tmp_path / "empty.log", capture, raw, progress=False)
    assert (again.pushes_written, again.already_present) == (0, 4)
    assert pushes(raw) == EXPECTED
