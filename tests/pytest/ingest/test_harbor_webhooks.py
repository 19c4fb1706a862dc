"""Harbor: `PULL_ARTIFACT` webhooks received by the collector (`POST /harbor`), exported
exactly once, joined with Harbor's nginx log; HEAD requests make no Harbor event, so
version checks come only from the nginx log."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from fastapi.testclient import TestClient
from support.registry_samples import digest_of
from typer.testing import CliRunner

from registry_insights.cli import app as cli
from registry_insights.ingest.collector import create_app
from registry_insights.ingest.events import EnvelopeError
from registry_insights.ingest.sources.harbor import pull_events
from registry_insights.ingest.store import EventStore
from registry_insights.pull_actions import ManifestRequest, classify

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
ALPINE = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4"
# Harbor's documentation (configure-webhooks), Default format, verbatim.
DOC_DEFAULT: dict[str, Any] = {
    "type": "PULL_ARTIFACT",
    "occur_at": 1680502372,
    "operator": "robot$harbor+wHSYCuGD-Trivy-8e2e7505-d1e6-11ed-9e71-0242ac130009",
    "event_data": {
        "resources": [
            {
                "digest": ALPINE,
                "tag": ALPINE,
                "resource_url": f"localhost/harbor/alpine@{ALPINE}",
            }
        ],
        "repository": {
            "date_created": 1680501893,
            "name": "alpine",
            "namespace": "harbor",
            "repo_full_name": "harbor/alpine",
            "repo_type": "private",
        },
    },
}
# The CloudEvents example of the same page (its missing comma after "requestid" added).
DOC_CLOUDEVENT: dict[str, Any] = {
    "specversion": "1.0",
    "id": "718eab63-2efa-4f88-8c27-8bcacc34929b",
    "requestid": "bb4b5b91-aac7-4acd-8dff-e4118e53f6d1",
    "source": "/projects/2/webhook/policies/15",
    "type": "harbor.artifact.pulled",
    "datacontenttype": "application/json",
    "time": "2023-04-03T06:12:52Z",
    "data": DOC_DEFAULT["event_data"],
    "operator": DOC_DEFAULT["operator"],
}
DIGEST = digest_of("harbor-image")
UA = "docker/27.3.1 go/go1.22.7 os/linux arch/amd64"


def test_documentation_payloads() -> None:
    (default,), _ = pull_events(json.dumps(DOC_DEFAULT))
    (cloud,), _ = pull_events(json.dumps(DOC_CLOUDEVENT))
    for event in (default, cloud):
        assert (event.action, event.request.method) == ("pull", "GET")
        assert (event.target.repository, event.target.digest) == ("harbor/alpine", ALPINE)
        assert event.target.tag is None  # Harbor repeats the digest there for a pull by digest
        assert event.actor.name == DOC_DEFAULT["operator"]
        assert event.timestamp.isoformat() == "2023-04-03T06:12:52+00:00"
    assert cloud.id == "harbor-718eab63-2efa-4f88-8c27-8bcacc34929b-0"
    assert pull_events(json.dumps({**DOC_DEFAULT, "type": "PUSH_ARTIFACT"})) == ([], [])
    for broken, reason in [
        ("{", "body is not JSON"),
        ("[]", "a Harbor payload is a JSON object"),
        (json.dumps({"type": "PULL_ARTIFACT", "occur_at": 1}), "payload without event_data"),
    ]:
        with pytest.raises(EnvelopeError, match=reason):
            pull_events(broken)


def by_tag(tag: str, at: int) -> dict[str, Any]:
    payload = copy.deepcopy(DOC_DEFAULT)
    payload["occur_at"] = at
    payload["operator"] = "alice"
    payload["event_data"]["resources"] = [
        {"digest": DIGEST, "tag": tag, "resource_url": f"harbor.example/harbor/alpine:{tag}"}
    ]
    return payload


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    event_store = EventStore(tmp_path / "store")
    yield event_store
    event_store.close()


def test_collector_endpoint_stores_once(store: EventStore) -> None:
    client = TestClient(create_app(store, TOKEN))
    body = json.dumps(DOC_DEFAULT)
    first = client.post("/harbor", content=body, headers=AUTH)
    assert first.status_code == 200 and first.json() == {"received": 1, "stored": 1}
    again = client.post("/harbor", content=body, headers=AUTH)  # Harbor's retry
    assert again.json() == {"received": 1, "stored": 0}
    push = client.post(
        "/harbor", content=json.dumps({**DOC_DEFAULT, "type": "PUSH_ARTIFACT"}), headers=AUTH
    )
    assert push.json() == {"received": 0, "stored": 0}
    assert client.post("/harbor", content="{", headers=AUTH).status_code == 400
    assert (
        client.post(
            "/harbor", content=body, headers={"Content-Type": "application/json"}
        ).status_code
        == 401
    )
    assert store.count() == 1
    stored = json.loads(next(iter(store.bodies())))
    assert stored["harbor"] == DOC_DEFAULT  # the payload as Harbor sent it


def timed(method: str, uri: str, second: int, size: int) -> str:
    """Harbor's bundled nginx, timed_combined (Helm chart variant)."""
    return (
        f'[28/Nov/2026:04:14:{second:02d} +0000]:198.51.100.7 - "{method} {uri} HTTP/1.1"'
        f' 200 {size} "-" "{UA}" 0.004 0.004 .'
    )


def actions(raw: Path) -> list[tuple[str, str | None]]:
    rows = ds.dataset(raw / "raw_registry_requests").to_table().to_pylist()
    fields = [k for k in ManifestRequest.__dataclass_fields__ if k != "object_type"]
    requests = [
        ManifestRequest(**{k: r[k] for k in fields}) for r in rows if r["object_type"] == "manifest"
    ]
    found = sorted(classify(requests), key=lambda a: a.start.occurred_at)
    return [(a.action, a.start.account_id) for a in found]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--no-progress"])
    assert result.exit_code == 0, result.output
    return result.output


def test_version_checks_come_only_from_the_nginx_log(tmp_path: Path, store: EventStore) -> None:
    """docker pull by tag through Harbor: HEAD by tag, GET by digest. Harbor makes one
    event (the GET, by digest); the HEAD is only in its nginx log."""
    client = TestClient(create_app(store, TOKEN))
    at = 1795839291  # 2026-11-28T04:14:51Z
    webhook = by_tag(DIGEST, at)  # a GET by digest: Harbor repeats the digest as the tag
    assert client.post("/harbor", content=json.dumps(webhook), headers=AUTH).status_code == 200
    log = tmp_path / "nginx.log"
    log.write_text(
        "\n".join(
            [
                timed("HEAD", "/v2/harbor/alpine/manifests/v1", 51, 0),
                timed("GET", f"/v2/harbor/alpine/manifests/{DIGEST}", 51, 1570),
            ]
        )
        + "\n"
    )
    folder = str(tmp_path / "store")
    only_events = tmp_path / "raw-webhooks"
    run("collector-export", "--store", folder, "--raw-path", str(only_events))
    assert actions(only_events) == [("pull_by_digest", "alice")]  # no version check at all
    again = run("collector-export", "--store", folder, "--raw-path", str(only_events))
    assert "written: 0 row(s)" in again
    joined = tmp_path / "raw-joined"
    output = run(
        "ingest",
        "--source",
        "harbor",
        str(log),
        "--notifications",
        folder,
        "--raw-path",
        str(joined),
    )
    assert "source: harbor" in output
    assert "rows: 1 joined, 1 log only, 0 notification only" in output
    # the HEAD (from the nginx log only) is the version check; the GET gets its user
    assert actions(joined) == [("version_check", None), ("pull_by_digest", "alice")]
    rows = ds.dataset(joined / "raw_registry_requests").to_table().to_pylist()
    get = next(r for r in rows if r["http_method"] == "GET")
    assert (get["client_ip"], get["user_agent"], get["response_bytes"]) == (
        "198.51.100.7",
        UA,
        1570,
    )


def test_events_match_by_tag_or_digest_within_the_window(tmp_path: Path, store: EventStore) -> None:
    """An event naming a tag answers a GET by that tag or by its digest; ``occur_at``'s
    whole seconds are absorbed by the 3 s window, an event further away stays a row of
    its own (status assumed 200)."""
    client = TestClient(create_app(store, TOKEN))
    at = 1795839291  # 2026-11-28T04:14:51Z
    for webhook in (by_tag("v1", at), by_tag("v2", at + 30), by_tag("v3", at + 60)):
        assert client.post("/harbor", content=json.dumps(webhook), headers=AUTH).status_code == 200
    log = tmp_path / "nginx.log"
    log.write_text(
        "\n".join(
            [
                timed("GET", f"/v2/harbor/alpine/manifests/{DIGEST}", 53, 1570),  # v1, by digest
                timed("GET", "/v2/harbor/alpine/manifests/v2", 23, 1570).replace(
                    ":14:23", ":15:23"
                ),  # v2, by tag, 2 s after
                timed("GET", "/v2/harbor/alpine/manifests/v3", 57, 1570).replace(
                    ":14:57", ":15:57"
                ),  # v3, 6 s before its event
            ]
        )
        + "\n"
    )
    joined = tmp_path / "raw-joined"
    output = run(
        *("ingest", "--source", "harbor", str(log)),
        *("--notifications", str(tmp_path / "store"), "--raw-path", str(joined)),
    )
    assert "rows: 2 joined, 1 log only, 1 notification only" in output, output
    rows = ds.dataset(joined / "raw_registry_requests").to_table().to_pylist()
    users = sorted(
        (str(row["reference"]), str(row["account_id"]), str(row["client_ip"])) for row in rows
    )
    assert users == [
        (DIGEST, "alice", "198.51.100.7"),
        ("v2", "alice", "198.51.100.7"),
        ("v3", "None", "198.51.100.7"),
        ("v3", "alice", "None"),
    ]
