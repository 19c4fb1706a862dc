"""End to end with real software: Debian's nginx (a non-daemon child process on a free
port, its own prefix in a tmp folder) in front of the real `docker-registry` on
127.0.0.1, the real clients of the registry's end-to-end test (curl, skopeo, podman,
ctr) pushing and pulling through nginx, and `registry-insights ingest --source nginx` on the three
access logs nginx wrote of the same requests: `combined`, Harbor's `timed_combined` and
the `registry_insights` JSON format. Every scenario's actions are asserted per format
with the Python reference classifier, alone and joined with the registry's
notifications. Skipped when a binary is missing, unless REGISTRY_INSIGHTS_REQUIRE_E2E=1.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from support.nginx_proxy import LOGS, nginx_binary, start_nginx
from support.oci_layouts import multi_arch_layout, single_arch_layout
from support.processes import free_port, start, start_collector, started_processes, wait_for_http
from support.registry_e2e import (
    SCENARIOS,
    TOKEN,
    Registry,
    oracle_actions,
    registry_config,
    removed_folder,
    require_binaries,
    start_containerd,
    wait_for_notifications,
)
from typer.testing import CliRunner

from registry_insights.cli import app as cli

#: What a log without Docker-Content-Digest costs on these scenarios: a HEAD by tag no
#: longer absorbs the GET by the same digest (docs/registry-sources.md).
WITHOUT_DIGEST = {
    "curl_multi_arch_pull_by_tag": ["version_check", "pull_by_digest"],
    "ctr_pull_multi_by_tag": ["version_check", "pull_by_digest"],
}
COSTS = {
    "json": {},
    "combined": WITHOUT_DIGEST,
    "timed_combined": WITHOUT_DIGEST,
    "combined + notifications": {},
}


def require_nginx() -> str:
    binary = nginx_binary()
    if binary is not None:
        return binary
    message = "the nginx end-to-end test needs nginx: apt-get install -y nginx"
    if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


def ingest(raw: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["ingest", "--source", "nginx", *args, "--raw-path", str(raw), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_real_nginx_in_front_of_the_registry(tmp_path: Path) -> None:
    require_binaries()
    binary = require_nginx()
    work, store = tmp_path, tmp_path / "collector"
    images = {
        "single": single_arch_layout(work / "single", "v1"),
        "multi": multi_arch_layout(work / "multi", "v1"),
    }
    port, proxy_port, collector_port = free_port(), free_port(), free_port()
    registry_log, proxy = work / "registry.log", work / "nginx"
    short = Path(tempfile.mkdtemp(prefix="ri-nginx-", dir="/tmp"))
    with started_processes() as processes, removed_folder(short):
        start_collector(store, collector_port, TOKEN, work / "collector.log", processes)
        config = registry_config(work, port, collector_port)
        registry_process = start(["docker-registry", "serve", str(config)], registry_log)
        processes.append(registry_process)
        wait_for_http(f"http://127.0.0.1:{port}/v2/", registry_process, registry_log)
        start_nginx(binary, proxy, proxy_port, f"127.0.0.1:{port}", processes)
        start_containerd(short, processes)
        proxied = Registry(f"127.0.0.1:{proxy_port}", work, short, images, processes)
        for scenario in SCENARIOS:
            image = images[scenario.image]
            push = ["skopeo", "copy", "-q", "--dest-tls-verify=false"]
            if scenario.image == "multi":
                push.append("--all")
            target = f"docker://{proxied.host}/{scenario.repository}:v1"
            proxied.run(*push, f"oci:{image.layout}:{image.tag}", target)
        for scenario in SCENARIOS:
            scenario.run(proxied, scenario.repository)
        wait_for_notifications(store, registry_log)

    dump = work / "events.ndjson"
    dumped = CliRunner().invoke(cli, ["collector-dump", "--store", str(store), "--out", str(dump)])
    assert dumped.exit_code == 0, dumped.output
    found: dict[str, dict[str, list[str]]] = {}
    for fmt, name in LOGS.items():
        raw = work / f"raw-{fmt}"
        first = ingest(raw, str(proxy / name))
        assert "malformed log lines: 0" in first, first
        again = ingest(raw, str(proxy / name))
        assert "written: 0 row(s)" in again, again
        found[fmt] = oracle_actions(raw)
    joined = ingest(
        work / "raw-joined", str(proxy / LOGS["combined"]), "--notifications", str(dump)
    )
    assert ", 0 notification only" in joined, joined
    found["combined + notifications"] = oracle_actions(work / "raw-joined")

    report = [
        "| scenario | expected | " + " | ".join(COSTS) + " |",
        "|---" * (len(COSTS) + 2) + "|",
    ]
    for scenario in SCENARIOS:
        kinds = [e.action for e in scenario.expected(images)]
        cells = []
        for fmt, costs in COSTS.items():
            got = found[fmt].pop(scenario.repository, [])
            assert got == costs.get(scenario.name, kinds), (fmt, scenario.name, got)
            cells.append(", ".join(got) or "none")
        report.append(f"| {scenario.name} | {', '.join(kinds) or 'none'} | {' | '.join(cells)} |")
    print("\n".join(report))
    for fmt in COSTS:
        assert found[fmt] == {}, (fmt, found[fmt])  # pushes (through nginx too) made no action
