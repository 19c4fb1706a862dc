"""The real registry, images and client scenarios of the end-to-end tests (the
registry's own log, and nginx in front of it): each scenario pulls from a repository of
its own and states the one action it must give."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyarrow.dataset as ds
import pytest

from registry_insights.ingest.ingest_log import read_log_requests
from registry_insights.ingest.summary import IngestSummary
from registry_insights.pull_actions import ManifestRequest, classify
from support.oci_layouts import OCI_INDEX, OCI_MANIFEST, BuiltImage
from support.processes import start

MANIFEST_FIELDS = [f for f in ManifestRequest.__dataclass_fields__ if f != "object_type"]

REQUIRED = ("docker-registry", "skopeo", "curl", "podman", "containerd", "ctr")
INSTALL = (
    "apt-get install -y --no-install-recommends docker-registry skopeo curl podman buildah"
    " containerd"
)
TOKEN = "e2e-collector-token"
VERSION, BY_TAG, BY_DIGEST = "version_check", "pull_by_tag", "pull_by_digest"
ACCEPT = ", ".join(
    [
        OCI_INDEX,
        OCI_MANIFEST,
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def require_binaries() -> None:
    missing = [name for name in REQUIRED if shutil.which(name) is None]
    if not missing:
        return
    message = f"end-to-end test needs {', '.join(missing)}: {INSTALL}"
    if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Registry:
    """The running registry, the images and where clients write to."""

    host: str
    work: Path
    short: Path  # a short path: podman's runroot and unix sockets have length limits
    images: dict[str, BuiltImage]
    processes: list[subprocess.Popen[bytes]]
    outputs: int = 0

    def run(self, *command: str) -> None:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, f"{command}: {completed.stdout}{completed.stderr}"

    def curl(self, ua: str, method: str, repo: str, reference: str, accept: str = ACCEPT) -> None:
        url = f"http://{self.host}/v2/{repo}/manifests/{reference}"
        flags = ["-I"] if method == "HEAD" else ["-o", "/dev/null"]
        self.run("curl", "-sS", *flags, "-A", ua, "-H", f"Accept: {accept}", url)

    def destination(self) -> str:
        self.outputs += 1
        folder = self.work / "out" / str(self.outputs)
        folder.mkdir(parents=True)
        return f"dir:{folder}"

    def skopeo_copy(self, source: str) -> None:
        self.run(
            "skopeo",
            "--override-os",
            "linux",
            "--override-arch",
            "amd64",
            "copy",
            "-q",
            "--src-tls-verify=false",
            f"docker://{self.host}/{source}",
            self.destination(),
        )


class Expected(NamedTuple):
    action: str
    tag: str | None
    digest: str
    platform_digest: str | None = None


@dataclass
class Scenario:
    """A client scenario on its own repository, and the one action it must give
    (None: no action). A multi-arch pull absorbs the linux/amd64 platform manifest."""

    name: str
    image: str  # "single" or "multi"
    action: str | None
    run: Callable[[Registry, str], None]

    @property
    def repository(self) -> str:
        return f"e2e/{self.name.replace('_', '-')}"

    def expected(self, images: dict[str, BuiltImage]) -> list[Expected]:
        if self.action is None:
            return []
        digest = images[self.image].top.digest
        tag = None if self.action == BY_DIGEST else "v1"
        platform = None
        if self.image == "multi" and self.action != VERSION:
            platform = images["multi"].platforms["linux/amd64"].digest
        return [Expected(self.action, tag, digest, platform)]


def _top(images: dict[str, BuiltImage], name: str) -> str:
    return images[name].top.digest


def _amd64(images: dict[str, BuiltImage]) -> str:
    return images["multi"].platforms["linux/amd64"].digest


def _curl_multi_arch_pull(registry: Registry, repo: str) -> None:
    registry.curl("e2e-multi/1", "HEAD", repo, "v1")
    registry.curl("e2e-multi/1", "GET", repo, _top(registry.images, "multi"))
    registry.curl("e2e-multi/1", "GET", repo, _amd64(registry.images))


def _curl_head_then_get(registry: Registry, repo: str) -> None:
    registry.curl("e2e-head-get/1", "HEAD", repo, _top(registry.images, "single"))
    registry.curl("e2e-head-get/1", "GET", repo, _top(registry.images, "single"))


def _curl_not_found(registry: Registry, repo: str) -> None:
    registry.curl("e2e-404/1", "GET", repo, "no-such-tag")
    # an OCI manifest asked for with a Docker-only Accept: 404, yet a pull event
    docker_only = "application/vnd.docker.distribution.manifest.v2+json"
    registry.curl("e2e-404/1", "GET", repo, "v1", docker_only)


def _podman(registry: Registry, repo: str) -> None:
    storage = registry.short / "podman"
    registry.run(
        "podman",
        "--root",
        str(storage / "root"),
        "--runroot",
        str(storage / "run"),
        "--storage-driver",
        "vfs",
        "pull",
        "-q",
        "--tls-verify=false",
        f"{registry.host}/{repo}:v1",
    )


def _ctr(registry: Registry, repo: str) -> None:
    socket = registry.short / "containerd" / "containerd.sock"
    registry.run(
        "ctr",
        "--address",
        str(socket),
        "images",
        "pull",
        "--plain-http",
        "--snapshotter",
        "native",
        "--platform",
        "linux/amd64",
        f"{registry.host}/{repo}:v1",
    )


def _copy_by_tag(registry: Registry, repo: str) -> None:
    registry.skopeo_copy(f"{repo}:v1")


def _copy_by_digest(image: str) -> Callable[[Registry, str], None]:
    return lambda registry, repo: registry.skopeo_copy(f"{repo}@{_top(registry.images, image)}")


def _inspect(registry: Registry, repo: str) -> None:
    image = f"docker://{registry.host}/{repo}:v1"
    registry.run("skopeo", "--override-arch", "amd64", "inspect", "--tls-verify=false", image)


def _curl_one(ua: str, method: str, image: str | None) -> Callable[[Registry, str], None]:
    """One curl request by tag v1 (image None) or by the digest of ``image``."""
    return lambda r, repo: r.curl(ua, method, repo, _top(r.images, image) if image else "v1")


SCENARIOS = [
    Scenario("curl_version_check", "multi", VERSION, _curl_one("e2e-version/1", "HEAD", None)),
    Scenario("curl_multi_arch_pull_by_tag", "multi", BY_TAG, _curl_multi_arch_pull),
    Scenario("curl_get_by_digest", "single", BY_DIGEST, _curl_one("e2e-get/1", "GET", "single")),
    Scenario("curl_head_by_digest", "single", BY_DIGEST, _curl_one("e2e-head/1", "HEAD", "single")),
    Scenario("curl_head_then_get_by_digest", "single", BY_DIGEST, _curl_head_then_get),
    Scenario("curl_not_found", "single", None, _curl_not_found),
    Scenario("skopeo_copy_single_by_tag", "single", BY_TAG, _copy_by_tag),
    Scenario("skopeo_copy_multi_by_tag", "multi", BY_TAG, _copy_by_tag),
    Scenario("skopeo_copy_single_by_digest", "single", BY_DIGEST, _copy_by_digest("single")),
    Scenario("skopeo_copy_multi_by_digest", "multi", BY_DIGEST, _copy_by_digest("multi")),
    # blind spots: inspect fetches manifests and the config blob, no layer
    Scenario("skopeo_inspect_single", "single", BY_TAG, _inspect),
    Scenario("skopeo_inspect_multi", "multi", BY_TAG, _inspect),
    Scenario("podman_pull_by_tag", "single", BY_TAG, _podman),
    Scenario("ctr_pull_multi_by_tag", "multi", BY_TAG, _ctr),
]


@contextmanager
def removed_folder(folder: Path) -> Iterator[None]:
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def registry_config(work: Path, port: int, collector_port: int, formatter: str = "json") -> Path:
    config = work / "config.yml"
    config.write_text(
        f"""version: 0.1
log:
  level: info
  formatter: {formatter}
storage:
  filesystem:
    rootdirectory: {work / "storage"}
http:
  addr: 127.0.0.1:{port}
  secret: e2e-not-a-secret
notifications:
  endpoints:
    - name: registry-insights
      url: http://127.0.0.1:{collector_port}/events
      headers:
        Authorization: [Bearer {TOKEN}]
      timeout: 2s
      threshold: 5
      backoff: 1s
"""
    )
    return config


def start_containerd(work: Path, processes: list[subprocess.Popen[bytes]]) -> None:
    folder = work / "containerd"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text(
        f"""version = 2
root = "{folder / "root"}"
state = "{folder / "state"}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{folder / "containerd.sock"}"
[ttrpc]
  address = "{folder / "containerd-ttrpc.sock"}"
"""
    )
    processes.append(start(["containerd", "--config", str(config)], folder / "containerd.log"))
    deadline = time.monotonic() + 30
    while not (folder / "containerd.sock").exists():
        assert time.monotonic() < deadline, (folder / "containerd.log").read_text()[-2000:]
        time.sleep(0.1)


def oracle_actions(raw: Path) -> dict[str, list[str]]:
    """Action kinds per repository of a raw folder, by the Python reference classifier."""
    rows = ds.dataset(raw / "raw_registry_requests", format="parquet").to_table().to_pylist()
    requests = [
        ManifestRequest(**{name: row[name] for name in MANIFEST_FIELDS})
        for row in rows
        if row["object_type"] == "manifest"
    ]
    found: dict[str, list[str]] = {}
    for action in sorted(classify(requests), key=lambda a: a.start.occurred_at):
        found.setdefault(str(action.start.repository), []).append(action.action)
    return found


def wait_for_notifications(store: Path, log: Path) -> None:
    """Until every successful manifest request of the log has its pull event stored
    (the registry delivers them asynchronously)."""
    deadline = time.monotonic() + 60
    while True:
        wanted = {
            request.request_id
            for request in read_log_requests(log, IngestSummary(), progress=False)
            if request.api.object_type == "manifest" and request.status_code == 200
        }
        with sqlite3.connect(store / "events.sqlite3") as db:
            stored = {row[0] for row in db.execute("select request_id from events")}
        if wanted <= stored:
            return
        assert time.monotonic() < deadline, f"no notification for {sorted(wanted - stored)}"
        time.sleep(0.2)
