#!/usr/bin/env python3
"""Load generator for the notification collector: POSTs registry-shaped envelopes at a
collector on loopback from several concurrent senders and prints events per second.

    .venv/bin/python scripts/collector_load.py --events 20000 --concurrency 8
    .venv/bin/python scripts/collector_load.py --url http://127.0.0.1:5080/events --token T

Without ``--url`` it starts its own collector (`registry-insights collect`) on a free
port with a temporary store, and stops it afterwards. Each envelope holds
``--events-per-envelope`` events (distribution sends one per envelope by default): a
realistic mix of manifest HEAD/GET and blob GET pull events, plus a few pushes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ENVELOPE_V1 = "application/vnd.docker.distribution.events.v1+json"
AGENTS = (
    "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0 os/linux arch/amd64",
    "containerd/v1.7.22",
    "skopeo/1.9.3",
    "Go-http-client/1.1",
)


def _digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def registry_event(rng: random.Random) -> dict[str, object]:
    repository = f"acme/app-{rng.randint(0, 50)}"
    kind = rng.choices(["manifest-head", "manifest-get", "blob", "push"], [3, 4, 6, 1])[0]
    digest = _digest(f"{repository}:{rng.randint(0, 9)}")
    is_blob = kind == "blob"
    target: dict[str, object] = {
        "mediaType": "application/octet-stream"
        if is_blob
        else "application/vnd.oci.image.index.v1+json",
        "size": 4_194_304 if is_blob else 1_609,
        "length": 4_194_304 if is_blob else 1_609,
        "digest": digest,
        "repository": repository,
        "url": f"http://127.0.0.1:5000/v2/{repository}/{'blobs' if is_blob else 'manifests'}/"
        + digest,
    }
    if kind.startswith("manifest"):
        target["tag"] = f"1.{rng.randint(0, 9)}"
    return {
        "id": str(uuid.uuid4()),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.123456789Z", time.gmtime()),
        "action": "push" if kind == "push" else "pull",
        "target": target,
        "request": {
            "id": str(uuid.uuid4()),
            "addr": f"198.51.100.{rng.randint(1, 254)}:{rng.randint(1024, 65535)}",
            "host": "127.0.0.1:5000",
            "method": {"manifest-head": "HEAD", "push": "PUT"}.get(kind, "GET"),
            "useragent": rng.choice(AGENTS),
        },
        "actor": {},
        "source": {"addr": "registry:5000", "instanceID": str(uuid.uuid4())},
    }


def send(url: str, token: str | None, bodies: list[bytes], failures: list[int]) -> None:
    headers = {"Content-Type": ENVELOPE_V1}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(timeout=30) as client:
        for body in bodies:
            if client.post(url, content=body, headers=headers).status_code != 200:
                failures.append(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_collector(store: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "registry_insights.cli", "collect", "--store", str(store)]
    process = subprocess.Popen([*command, "--port", str(port), "--token", token])
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return process, f"{url}/events"
        except httpx.HTTPError:
            time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    raise SystemExit("the collector did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="collector endpoint; default: start one")
    parser.add_argument("--token", default=None)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--events-per-envelope", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    per = args.events_per_envelope
    bodies = [
        json.dumps({"events": [registry_event(rng) for _ in range(per)]}).encode()
        for _ in range(args.events // per)
    ]
    collector = None
    with tempfile.TemporaryDirectory() as work:
        url, token = args.url, args.token
        if url is None:
            token = token or "load-test"
            collector, url = start_collector(Path(work) / "store", token)
        try:
            failures: list[int] = []
            shares = [bodies[i :: args.concurrency] for i in range(args.concurrency)]
            threads = [
                threading.Thread(target=send, args=(url, token, s, failures)) for s in shares
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
        finally:
            if collector is not None:
                os.kill(collector.pid, signal.SIGTERM)
                collector.wait(timeout=30)
    events = len(bodies) * per
    print(
        f"{events:,} events in {len(bodies):,} envelopes ({per} per envelope),"
        f" {args.concurrency} senders: {elapsed:.1f} s, {events / elapsed:,.0f} events/s,"
        f" {len(bodies) / elapsed:,.0f} envelopes/s, {len(failures)} failed"
    )


if __name__ == "__main__":
    main()
