"""The collector's HTTP contract (in process): envelope versions, validation, token,
redelivery, the NDJSON dump and the export."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from fastapi.testclient import TestClient
from support.registry_samples import ENVELOPE_V1, ENVELOPE_V2, OCI_INDEX, digest_of, envelope, event
from typer.testing import CliRunner

from registry_insights.cli import app as cli
from registry_insights.ingest.collector import create_app
from registry_insights.ingest.collector_export import export_events
from registry_insights.ingest.ingest_log import ingest_registry_log
from registry_insights.ingest.notifications import RejectedEvent, read_events
from registry_insights.ingest.store import EventStore

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INDEX = digest_of("index")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    event_store = EventStore(tmp_path / "store")
    yield event_store
    event_store.close()


@pytest.fixture
def client(store: EventStore) -> TestClient:
    return TestClient(create_app(store, TOKEN))


def post(client: TestClient, body: str, media_type: str = ENVELOPE_V1, **headers: str) -> int:
    response = client.post(
        "/events", content=body, headers={"Content-Type": media_type, **AUTH, **headers}
    )
    status: int = response.status_code
    return status


@pytest.mark.parametrize("media_type", [ENVELOPE_V1, ENVELOPE_V2, "application/json"])
def test_good_envelopes_are_stored(client: TestClient, store: EventStore, media_type: str) -> None:
    body = envelope(
        event("r1", "acme/app", INDEX, method="HEAD", tag="1.0", media_type=OCI_INDEX),
        event("r2", "acme/app", INDEX, action="push", method="PUT"),
    )
    response = client.post("/events", content=body, headers={"Content-Type": media_type, **AUTH})
    assert response.status_code == 200
    assert response.json() == {"received": 2, "stored": 2}
    assert store.count() == 2


def test_redelivery_stores_nothing_new(client: TestClient, store: EventStore) -> None:
    body = envelope(event("r1", "acme/app", INDEX, event_id="e-1"))
    assert post(client, body) == 200
    response = client.post("/events", content=body, headers={"Content-Type": ENVELOPE_V1, **AUTH})
    assert response.json() == {"received": 1, "stored": 0}
    assert store.count() == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not JSON"),
        ("[]", '"events" array'),
        ('{"events": {}}', '"events" array'),
        ('{"events": [{"id": "x"}]}', "events.1.timestamp"),
        ('{"events": [{"id": "", "timestamp": "2026-11-28T04:14:51Z", "action": "pull"}]}', "id"),
        (
            json.dumps({"events": [dict(event("r", "acme/app", INDEX), timestamp="later")]}),
            "RFC 3339",
        ),
        (
            json.dumps({"events": [dict(event("r", "acme/app", "sha256:short"))]}),
            "not a digest",
        ),
    ],
)
def test_malformed_envelope_is_400_and_stores_nothing(
    client: TestClient, store: EventStore, body: str, reason: str
) -> None:
    # a good event first: nothing of a malformed envelope may be stored
    if body.startswith('{"events": ['):
        good = json.dumps(event("r0", "acme/app", INDEX))
        body = body.replace('{"events": [', '{"events": [' + good + ", ", 1)
    response = client.post("/events", content=body, headers={"Content-Type": ENVELOPE_V1, **AUTH})
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert store.count() == 0


def test_pull_event_without_a_digest_is_malformed(client: TestClient, store: EventStore) -> None:
    incomplete = event("r1", "acme/app", INDEX)
    del incomplete["target"]["digest"]
    response = client.post(
        "/events",
        content=json.dumps({"events": [incomplete]}),
        headers={"Content-Type": ENVELOPE_V1, **AUTH},
    )
    assert response.status_code == 400
    assert "target.digest" in response.json()["error"]
    assert store.count() == 0


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
def test_token_is_required(
    client: TestClient, store: EventStore, authorization: str | None
) -> None:
    headers = {"Content-Type": ENVELOPE_V1}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.post(
        "/events", content=envelope(event("r", "acme/a", INDEX)), headers=headers
    )
    assert response.status_code == 401
    assert store.count() == 0


def test_no_token_configured_accepts_anyone(store: EventStore) -> None:
    open_client = TestClient(create_app(store, None))
    response = open_client.post(
        "/events",
        content=envelope(event("r", "acme/a", INDEX)),
        headers={"Content-Type": ENVELOPE_V1},
    )
    assert response.status_code == 200


def test_other_content_types_are_refused(client: TestClient, store: EventStore) -> None:
    assert post(client, envelope(event("r", "acme/a", INDEX)), media_type="text/plain") == 415
    assert store.count() == 0


def _event_ids(source: Path) -> list[str]:
    """The ids of the events read from `source`, none of them rejected."""
    ids = []
    for item in read_events(source):
        assert not isinstance(item, RejectedEvent), item
        ids.append(item.id)
    return ids


def test_dump_is_usable_as_notifications_and_export_is_once(
    tmp_path: Path, client: TestClient, store: EventStore
) -> None:
    events = [event(f"r{i}", "acme/app", INDEX, event_id=f"e{i}") for i in range(5)]
    events.append(event("r4", "acme/app", digest_of("converted"), event_id="e4b"))
    events.append(event("r9", "acme/app", INDEX, action="push", method="PUT"))
    assert post(client, envelope(*events)) == 200
    dump = tmp_path / "events.ndjson"
    result = CliRunner().invoke(
        cli, ["collector-dump", "--store", str(tmp_path / "store"), "--out", str(dump)]
    )
    assert result.exit_code == 0, result.output
    assert len(dump.read_text().splitlines()) == 7
    result = CliRunner().invoke(
        cli,
        [
            "ingest-registry-log",
            "--log",
            str(tmp_path / "empty.log"),
            "--notifications",
            str(dump),
            "--raw-path",
            str(tmp_path / "from_dump"),
        ],
    )
    assert result.exit_code == 2  # the log is missing: unusable input
    (tmp_path / "empty.log").write_text("")
    result = CliRunner().invoke(
        cli,
        [
            "ingest-registry-log",
            "--log",
            str(tmp_path / "empty.log"),
            "--notifications",
            str(dump),
            "--raw-path",
            str(tmp_path / "from_dump"),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    from_dump = ds.dataset(tmp_path / "from_dump").to_table()
    assert sorted(from_dump["event_id"].to_pylist()) == [f"r{i}" for i in range(5)]
    # the store itself (folder or database file) reads the same
    dumped = _event_ids(dump)
    assert len(dumped) == 7
    for stored in (tmp_path / "store", tmp_path / "store" / "events.sqlite3"):
        assert _event_ids(stored) == dumped

    raw = tmp_path / "raw"
    first = export_events(store, raw)
    assert (first.written, first.events_only) == (5, 5)
    # a late event of an exported request adds no row
    assert (
        post(client, envelope(event("r0", "acme/app", digest_of("late"), event_id="late"))) == 200
    )
    again = export_events(store, raw)
    assert again.written == 0
    exported = ds.dataset(raw).to_table()
    assert sorted(exported["event_id"].to_pylist()) == [f"r{i}" for i in range(5)]


def test_export_skips_requests_the_log_adapter_already_wrote(
    tmp_path: Path, client: TestClient, store: EventStore
) -> None:
    events = [event(f"r{i}", "acme/app", INDEX, event_id=f"e{i}") for i in range(3)]
    assert post(client, envelope(*events)) == 200
    capture = tmp_path / "capture.ndjson"
    capture.write_text("\n".join(json.dumps(e) for e in events[:2]))
    (tmp_path / "empty.log").write_text("")
    ingest_registry_log(tmp_path / "empty.log", capture, tmp_path / "raw", progress=False)
    summary = export_events(store, tmp_path / "raw")
    assert (summary.already_present, summary.written) == (2, 1)
    assert export_events(store, tmp_path / "raw").written == 0
    exported = ds.dataset(tmp_path / "raw").to_table()["event_id"].to_pylist()
    assert sorted(exported) == ["r0", "r1", "r2"]


def test_a_failed_commit_is_not_acknowledged(
    client: TestClient, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = envelope(event("r1", "acme/app", INDEX, event_id="e-1"))
    with monkeypatch.context() as patched:

        def disk_full(*_: object) -> list[int]:
            raise sqlite3.OperationalError("database or disk is full")

        patched.setattr(store, "add_envelopes", disk_full)
        assert post(client, body) == 503
    assert store.count() == 0
    assert post(client, body) == 200  # the sender's retry
    assert store.count() == 1
