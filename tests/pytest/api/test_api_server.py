"""`registry-insights serve` as a real uvicorn process on 127.0.0.1: a token reads its
namespace and downloads an export file over HTTP; another organization's namespace is 404."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.api_setup import API, access_file_text, bearer, pick_namespaces
from support.warehouse_build import BuiltWarehouse


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(
    built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    namespaces = pick_namespaces(built_warehouse.database)
    folder = tmp_path_factory.mktemp("serve")
    config = folder / "api.toml"
    server_table: dict[str, str | int] = {
        "database": str(built_warehouse.database),
        "export_cache": str(folder / "cache"),
        "max_file_bytes": 1_000_000,
        "signing_secret": "a-test-secret",
        "audit_log": str(folder / "audit.jsonl"),
    }
    config.write_text(access_file_text(namespaces, server_table), encoding="utf-8")
    port = _free_port()
    log = (folder / "server.log").open("wb")
    command = [sys.executable, "-m", "registry_insights.cli", "serve", "--config", str(config)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env={k: v for k, v in os.environ.items() if k != "REGISTRY_INSIGHTS_API_SIGNING_SECRET"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}{API}/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log_text = (folder / "server.log").read_text()
                    raise RuntimeError(f"server did not start: {log_text}") from None
                time.sleep(0.2)
        yield base, namespaces.mine, namespaces.theirs
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_a_real_server_answers_and_serves_downloads(server: tuple[str, str, str]) -> None:
    base, mine, theirs = server
    assert httpx.get(f"{base}{API}/").status_code == 401
    listed = httpx.get(f"{base}{API}/", headers=bearer("member"))
    assert listed.json() == {"namespaces": [mine]}
    assert (
        httpx.get(f"{base}{API}/namespaces/{theirs}", headers=bearer("member")).status_code == 404
    )
    links = httpx.get(
        f"{base}{API}/namespaces/{mine}/pulls/exports/years/2026/months/6/repo-summary",
        headers=bearer("member"),
    ).json()["data"]
    assert links[0]["url"].startswith(f"{base}{API}/downloads/{mine}/repo-summary/")
    download = httpx.get(links[0]["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/gzip"
    assert gzip.decompress(download.content).startswith(b"Namespace,Repository,Unique IP address")
    openapi = httpx.get(f"{base}/openapi.json").json()
    assert f"{API}/repos/pulls" in openapi["paths"]


def test_serve_refuses_a_config_without_secret(tmp_path: Path) -> None:
    config = tmp_path / "api.toml"
    config.write_text("[server]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "registry_insights.cli", "serve", "--config", str(config)],
        env={k: v for k, v in os.environ.items() if k != "REGISTRY_INSIGHTS_API_SIGNING_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no signing secret" in result.stderr
