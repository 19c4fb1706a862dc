"""Scan on push: a manifest push enqueues a pending scan in the collector's store, a
worker pool runs the scanner command and ingests its report; failures are retried with
backoff and then kept with their error; a killed collector loses no pending scan; and
end to end with the real registry."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from support import fake_scanner
from support.oci_layouts import single_arch_layout
from support.processes import cli_command, free_port, start, started_processes, wait_for_http
from support.registry_samples import ENVELOPE_V1, digest_of, envelope, event
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.events import parse_event
from registry_insights.ingest.scans.on_push import (
    DONE,
    FAILED,
    PENDING,
    QueuedScan,
    ScanQueue,
    ScanRunner,
    ScanSettings,
)
from registry_insights.ingest.scans.raw_tables import SCANS_TABLE, VULNERABILITIES_TABLE
from registry_insights.ingest.store import EventStore
from registry_insights.raw_validation import validate_raw

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


class Clock:
    """Starts at the real time (the store stamps enqueued scans with it); moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)

    def __call__(self) -> datetime.datetime:
        return self.now


def rows(raw: Path, table: str) -> list[dict[str, Any]]:
    return [
        r
        for p in sorted((raw / table).glob("date=*/*.parquet"))
        for r in pq.read_table(p).to_pylist()
    ]


def push(repository: str, digest: str, media_type: str, tag: str | None = None) -> dict[str, Any]:
    return event(
        f"push-{digest[-8:]}-{tag}",
        repository,
        digest,
        action="push",
        method="PUT",
        tag=tag,
        media_type=media_type,
    )


def store_events(store: EventStore, *documents: dict[str, Any]) -> None:
    store.add_events([parse_event(d) for d in documents], list(documents))


def queue_of(tmp_path: Path, clock: Clock | None = None) -> tuple[EventStore, ScanQueue]:
    store = EventStore(tmp_path / "store", scan_on_push=True)
    return store, ScanQueue(store.path, clock or Clock())


def test_each_new_manifest_push_enqueues_one_scan(tmp_path: Path) -> None:
    store, queue = queue_of(tmp_path)
    manifest, index = digest_of("manifest"), digest_of("index")
    first = push("team/app", manifest, "application/vnd.oci.image.manifest.v1+json", "v1")
    store_events(
        store,
        first,
        push("team/app", digest_of("layer"), LAYER),  # a blob: not scanned
        push("team/app", index, OCI_INDEX, "v1"),
        event("pull-1", "team/app", manifest),  # a pull: not scanned
    )
    store_events(store, first)  # redelivered
    store_events(
        store, push("team/app", manifest, "application/vnd.oci.image.manifest.v1+json", "latest")
    )
    assert {(s.repository, s.digest, s.state) for s in queue.all()} == {
        ("team/app", manifest, PENDING),
        ("team/app", index, PENDING),
    }
    assert queue.all()[0].registry == "127.0.0.1:5999"  # the host the push was sent to
    # Without the option nothing is enqueued.
    plain = EventStore(tmp_path / "plain")
    store_events(plain, push("team/app", digest_of("other"), OCI_INDEX, "v2"))
    assert ScanQueue(plain.path).all() == []


def settings(raw: Path, *options: str, **overrides: Any) -> ScanSettings:
    return ScanSettings(command=fake_scanner.command(*options), raw_path=raw, **overrides)


def enqueue_one(store: EventStore, digest: str) -> None:
    store_events(store, push("team/app", digest, OCI_INDEX, "v1"))


def test_a_pending_scan_runs_and_its_report_is_ingested(tmp_path: Path) -> None:
    store, queue = queue_of(tmp_path)
    digest = digest_of("scanned")
    enqueue_one(store, digest)
    raw = tmp_path / "raw"
    runner = ScanRunner(queue, settings(raw))
    scan = queue.claim()
    assert scan is not None and scan.attempts == 1
    runner.run_one(scan)
    done = queue.get("team/app", digest)
    assert done is not None and done.state == DONE and done.scan_id is not None
    scans = rows(raw, SCANS_TABLE)
    assert [(s["repository"], s["manifest_digest"], s["scan_id"]) for s in scans] == [
        ("team/app", digest, done.scan_id)
    ]
    assert len(rows(raw, VULNERABILITIES_TABLE)) == 5
    assert queue.claim() is None


def test_failures_are_retried_with_backoff_then_kept_with_the_error(tmp_path: Path) -> None:
    clock = Clock()
    store, queue = queue_of(tmp_path, clock)
    digest = digest_of("failing")
    enqueue_one(store, digest)
    counter = tmp_path / "runs"
    runner = ScanRunner(
        queue,
        settings(
            tmp_path / "raw",
            "--fail-times",
            "9",
            "--counter",
            str(counter),
            attempts=3,
            backoff_seconds=10,
        ),
    )
    waits = []
    for attempt in (1, 2, 3):
        scan = queue.claim()
        assert scan is not None and scan.attempts == attempt
        runner.run_one(scan)
        after = queue.get("team/app", digest)
        assert after is not None and after.last_error is not None
        assert "exit code 1" in after.last_error and "failed on purpose" in after.last_error
        if attempt < 3:
            assert after.state == PENDING
            due = datetime.datetime.fromisoformat(after.next_attempt_at)
            waits.append((due - clock.now).total_seconds())
            assert queue.claim() is None  # not due yet
            clock.now = due
    assert waits == [10, 20]
    failed = queue.get("team/app", digest)
    assert failed is not None and failed.state == FAILED
    assert counter.read_text() == "3"
    listed = CliRunner().invoke(app, ["collector-scans", "--store", str(tmp_path / "store")])
    assert listed.exit_code == 0
    assert f"failed\tteam/app@{digest}\tattempts 3  error: exit code 1" in listed.output
    assert "scans: failed 1" in listed.output


def test_a_retry_that_succeeds_and_a_rejected_report(tmp_path: Path) -> None:
    clock = Clock()
    store, queue = queue_of(tmp_path, clock)
    flaky, garbage = digest_of("flaky"), digest_of("garbage")
    enqueue_one(store, flaky)
    raw = tmp_path / "raw"
    runner = ScanRunner(
        queue,
        settings(raw, "--fail-times", "1", "--counter", str(tmp_path / "n"), backoff_seconds=0),
    )
    for _ in range(2):
        scan = queue.claim()
        assert scan is not None
        runner.run_one(scan)
    assert (
        queue.get("team/app", flaky) or QueuedScan("", "", None, "", 0, "", None, None)
    ).state == DONE
    enqueue_one(store, garbage)
    bad = ScanRunner(queue, settings(raw, "--garbage", attempts=1))
    scan = queue.claim()
    assert scan is not None
    bad.run_one(scan)
    rejected = queue.get("team/app", garbage)
    assert rejected is not None and rejected.state == FAILED
    assert (rejected.last_error or "").startswith("report rejected: invalid JSON")
    assert {s["manifest_digest"] for s in rows(raw, SCANS_TABLE)} == {flaky}


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def states(store: Path) -> dict[str, str]:
    return {s.digest: s.state for s in ScanQueue(store / "events.sqlite3").all()}


def collector(
    store: Path, port: int, raw: Path, log: Path, *scanner: str
) -> subprocess.Popen[bytes]:
    command = cli_command(
        "collect", "--store", str(store), "--port", str(port), "--token", "t",
        "--scan-command", fake_scanner.command(*scanner), "--scan-raw-path", str(raw),
        "--scan-workers", "2", "--scan-backoff", "0.5",
    )  # fmt: skip
    return start(command, log)


def test_a_killed_collector_loses_no_pending_scan(tmp_path: Path) -> None:
    store, raw, log = tmp_path / "store", tmp_path / "raw", tmp_path / "collector.log"
    digests = [digest_of(f"kill-{n}") for n in range(3)]
    port = free_port()
    with started_processes() as processes:
        process = collector(store, port, raw, log, "--sleep", "30")
        processes.append(process)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log)
        body = envelope(*[push("team/app", d, OCI_INDEX, f"v{n}") for n, d in enumerate(digests)])
        answer = httpx.post(
            f"http://127.0.0.1:{port}/events",
            content=body,
            headers={"Content-Type": ENVELOPE_V1, "Authorization": "Bearer t"},
        )
        assert answer.status_code == 200
        wait_until(
            lambda: list(states(store).values()).count("running") == 2, 30, "two running scans"
        )
        os.killpg(process.pid, signal.SIGKILL)  # the collector and the scans it runs
        process.wait(timeout=10)
        assert sorted(states(store).values()) == ["pending", "running", "running"]
        restarted = collector(store, port, raw, log)
        processes.append(restarted)
        wait_until(lambda: set(states(store).values()) == {DONE}, 60, "every scan done")
    assert sorted(s["manifest_digest"] for s in rows(raw, SCANS_TABLE)) == sorted(digests)


# --- end to end with the real registry -----------------------------------------------------

REQUIRED = ("docker-registry", "skopeo")


def test_scan_on_push_with_the_real_registry(tmp_path: Path) -> None:
    """The Debian docker-registry notifies a collector started with a scan command; an
    image pushed with skopeo is scanned (by a script printing a real Trivy report for
    the pushed digest) and its scan lands in the raw tables."""
    missing = [name for name in REQUIRED if shutil.which(name) is None]
    if missing:
        message = f"scan-on-push end-to-end test needs {', '.join(missing)}"
        if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    image = single_arch_layout(tmp_path / "image", "v1", "scanned")
    store, raw = tmp_path / "store", tmp_path / "raw"
    port, collector_port = free_port(), free_port()
    config = tmp_path / "config.yml"
    config.write_text(
        f"""version: 0.1
log:
  level: info
  formatter: json
storage:
  filesystem:
    rootdirectory: {tmp_path / "storage"}
http:
  addr: 127.0.0.1:{port}
  secret: e2e-not-a-secret
notifications:
  endpoints:
    - name: registry-insights
      url: http://127.0.0.1:{collector_port}/events
      headers:
        Authorization: [Bearer t]
      timeout: 2s
      threshold: 5
      backoff: 1s
"""
    )
    with started_processes() as processes:
        log = tmp_path / "collector.log"
        process = collector(store, collector_port, raw, log)
        processes.append(process)
        wait_for_http(f"http://127.0.0.1:{collector_port}/healthz", process, log)
        registry_log = tmp_path / "registry.log"
        registry = start(["docker-registry", "serve", str(config)], registry_log)
        processes.append(registry)
        wait_for_http(f"http://127.0.0.1:{port}/v2/", registry, registry_log)
        pushed = subprocess.run(
            ["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{image.layout}:v1",
             f"docker://127.0.0.1:{port}/e2e/scanned:v1"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert pushed.returncode == 0, pushed.stderr
        wait_until(
            lambda: states(store).get(image.top.digest) == DONE, 60, "the pushed image's scan"
        )
    scans = rows(raw, SCANS_TABLE)
    assert [(s["repository"], s["manifest_digest"], s["scanner"]) for s in scans] == [
        ("e2e/scanned", image.top.digest, "trivy")
    ]
    findings = rows(raw, VULNERABILITIES_TABLE)
    assert len(findings) == 5 and {f["scan_id"] for f in findings} == {scans[0]["scan_id"]}
    assert json.loads(json.dumps(states(store))) == {image.top.digest: DONE}
    # the stored push events: the manifest pushed by tag is one raw_tag_pushes row (its
    # blobs are not), written once
    for _ in range(2):
        exported = CliRunner().invoke(
            app,
            ["collector-export", "--store", str(store), "--raw-path", str(raw), "--no-progress"],
        )
        assert exported.exit_code == 0, exported.output
    pushes = rows(raw, "raw_tag_pushes")
    assert [(p["repository"], p["tag"], p["manifest_digest"]) for p in pushes] == [
        ("e2e/scanned", "v1", image.top.digest)
    ]
    assert validate_raw(raw).ok
