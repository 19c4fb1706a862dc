"""Crash safety: the collector and its export killed with SIGKILL at arbitrary moments.

A sender that behaves like the registry (it retries an envelope until it gets a 2xx)
streams envelopes at a real collector process, which is killed twice mid-stream and
restarted; every fifth body is a Harbor ``PULL_ARTIFACT`` webhook (CloudEvents format)
sent to ``POST /harbor``, retried the same way, so Harbor's endpoint has the same
durability. The export is then killed mid-way, more than once, and resumed. Every
pull request sent must end up exactly once in the Parquet output, and every manifest
pushed by tag once in raw_tag_pushes.
"""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow.dataset as ds
from support.processes import (
    cli_command,
    free_port,
    start,
    start_collector,
    started_processes,
    stop,
)
from support.registry_samples import ENVELOPE_V1, digest_of, envelope, event

TOKEN = "kill-test-token"
ENVELOPES = 400


#: Every n-th body is a Harbor webhook, sent to POST /harbor.
HARBOR_EVERY = 5


def harbor_webhook(number: int) -> tuple[str, str, set[str]]:
    """A ``PULL_ARTIFACT`` CloudEvent (one resource) and the request id it is stored as."""
    event_id = f"hb-{number:04d}"
    payload = {
        "specversion": "1.0",
        "id": event_id,
        "type": "harbor.artifact.pulled",
        "time": f"2026-11-28T23:58:{number % 60:02d}Z",
        "operator": "robot$ci",
        "data": {
            "resources": [{"digest": digest_of(event_id), "tag": "v1"}],
            "repository": {"repo_full_name": "harbor/app", "name": "app", "namespace": "harbor"},
        },
    }
    return "/harbor", json.dumps(payload), {f"harbor-{event_id}-0"}


def make_envelopes(seed: int = 3) -> list[tuple[str, str, set[str]]]:
    """(path, body, pull request ids) per body: 1 to 3 events, some pushes, a few
    manifest conversions (two pull events of one request); every fifth a Harbor webhook."""
    rng = random.Random(seed)
    made = []
    for number in range(ENVELOPES):
        if number % HARBOR_EVERY == HARBOR_EVERY - 1:
            made.append(harbor_webhook(number))
            continue
        events = []
        for index in range(rng.randint(1, 3)):
            request_id = f"req-{number:04d}-{index}"
            action = "push" if rng.random() < 0.1 else "pull"
            method = "PUT" if action == "push" else rng.choice(["GET", "HEAD"])
            second = f"2026-11-{27 + number % 2:02d}T23:59:{number % 60:02d}.{index:06d}Z"
            events.append(
                event(
                    request_id,
                    "acme/app",
                    digest_of(request_id),
                    action=action,
                    method=method,
                    timestamp=second,
                    # a manifest pushed by tag: a raw_tag_pushes row
                    tag=f"v{number}" if action == "push" else None,
                )
            )
            if action == "pull" and rng.random() < 0.05:
                events.append(
                    event(request_id, "acme/app", digest_of(request_id + "v1"), timestamp=second)
                )
        pulls = {str(e["request"]["id"]) for e in events if e["action"] == "pull"}
        made.append(("/events", envelope(*events), pulls))
    return made


class RetryingSender(threading.Thread):
    """Sends every envelope in order, retrying each one until it is acknowledged."""

    def __init__(self, url: str, envelopes: list[tuple[str, str, set[str]]]) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.envelopes = envelopes
        self.acknowledged: set[str] = set()
        self.sent = 0
        self.failures = 0

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            for path, body, pulls in self.envelopes:
                kind = ENVELOPE_V1 if path == "/events" else "application/json"
                headers = {"Content-Type": kind, "Authorization": f"Bearer {TOKEN}"}
                while True:
                    try:
                        answer = client.post(self.url + path, content=body, headers=headers)
                        if answer.status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    self.failures += 1
                    time.sleep(0.05)
                self.acknowledged |= pulls
                self.sent += 1


def wait_until(condition: Callable[..., object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_collector_and_export_survive_sigkill(tmp_path: Path) -> None:
    store, raw, log = tmp_path / "store", tmp_path / "raw", tmp_path / "collector.log"
    envelopes = make_envelopes()
    every_pull = set().union(*(pulls for _, _, pulls in envelopes))
    assert any(pull.startswith("harbor-") for pull in every_pull)
    port = free_port()
    with started_processes() as processes:
        collector = start_collector(store, port, TOKEN, log, processes)
        sender = RetryingSender(f"http://127.0.0.1:{port}", envelopes)
        sender.start()
        for kill_after in (ENVELOPES // 4, ENVELOPES // 2):
            wait_until(lambda n=kill_after: sender.sent >= n)
            stop(collector, kill=True)
            time.sleep(0.3)  # the sender fails and retries meanwhile
            collector = start_collector(store, port, TOKEN, log, processes)
        sender.join(timeout=120)
        assert not sender.is_alive()
        assert sender.failures > 0, "the kills never interrupted the sender"
        assert sender.acknowledged == every_pull
        stop(collector)

        export_log = tmp_path / "export.log"
        export = cli_command(
            "collector-export",
            "--store",
            str(store),
            "--raw-path",
            str(raw),
            "--batch-requests",
            "3",
            "--no-progress",
        )
        interrupted = 0
        for _ in range(3):
            process = start(export, export_log)
            processes.append(process)
            files_before = len(list(raw.rglob("*.parquet")))
            wait_until(
                lambda p=process, n=files_before: (
                    p.poll() is not None or len(list(raw.rglob("*.parquet"))) > n + 5
                )
            )
            if process.poll() is None:
                stop(process, kill=True)
                interrupted += 1
        assert interrupted >= 2, "the export finished before it could be killed"
        finished = subprocess.run(export, capture_output=True, text=True, check=False)
        assert finished.returncode == 0, finished.stderr

    table = ds.dataset(raw / "raw_registry_requests", format="parquet").to_table()
    exported = table["event_id"].to_pylist()
    assert len(exported) == len(set(exported)), "a request was exported twice"
    assert set(exported) == every_pull
    every_push = {
        str(e["id"])
        for path, body, _ in envelopes
        if path == "/events"
        for e in json.loads(body)["events"]
        if e["action"] == "push"
    }
    assert every_push
    pushes = ds.dataset(raw / "raw_tag_pushes", format="parquet").to_table()
    exported_pushes = pushes["event_id"].to_pylist()
    assert len(exported_pushes) == len(set(exported_pushes)), "a push was exported twice"
    assert set(exported_pushes) == every_push
    for path in raw.rglob("*.parquet"):
        day = path.parent.name.removeprefix("date=")
        column = "pushed_at" if "raw_tag_pushes" in path.parts else "occurred_at"
        days = {
            value.date().isoformat() for value in ds.dataset(path).to_table()[column].to_pylist()
        }
        assert days == {day}, path
