"""End to end with a real registry and real clients.

Starts the Debian `docker-registry` (distribution 2.8) on loopback with its JSON log in
a file and its notifications pointed at a `registry-insights collect` process (with a
token), pushes two images built here as OCI layouts (single-arch, and an index over
linux/amd64 + linux/arm64) with skopeo, runs client scenarios (curl, skopeo, podman,
containerd's ctr), exports the collected events joined with the log, builds the
warehouse with dbt and checks the classified actions of every scenario against the
published rule table.

Each scenario pulls from a repository of its own, so scenarios are independent: the
repository is part of the client key (and scenarios use distinct User-Agents where the
client lets us set one). Skipped when the binaries are missing, unless
REGISTRY_INSIGHTS_REQUIRE_E2E=1 (CI), where that is a failure.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest
from support.oci_layouts import multi_arch_layout, single_arch_layout
from support.processes import free_port, start, start_collector, started_processes, wait_for_http
from support.registry_e2e import (
    SCENARIOS,
    TOKEN,
    Expected,
    Registry,
    oracle_actions,
    registry_config,
    removed_folder,
    require_binaries,
    start_containerd,
    wait_for_notifications,
)
from support.warehouse_build import dbt_build
from typer.testing import CliRunner

from registry_insights.cli import app as cli
from registry_insights.ingest.ingest_log import ingest_registry_log, read_log_requests
from registry_insights.ingest.summary import IngestSummary
from registry_insights.raw_validation import main as validate_raw


def classified_actions(database: Path) -> dict[str, list[Expected]]:
    with duckdb.connect(str(database), read_only=True) as db:
        rows = db.execute(
            "select repository, action, tag, digest, platform_digest"
            " from marts.fct_pull_actions order by repository, action_at"
        ).fetchall()
    found: dict[str, list[Expected]] = {}
    for repository, action, tag, digest, platform in rows:
        found.setdefault(repository, []).append(Expected(action, tag, digest, platform))
    return found


#: What each fallback costs on these scenarios (README, "Ingesting from a registry").
FALLBACK_COSTS = {
    # log only: no d0 for a HEAD by tag, so it cannot absorb the GET by the same digest
    "log only": {
        "curl_multi_arch_pull_by_tag": ["version_check", "pull_by_digest"],
        "ctr_pull_multi_by_tag": ["version_check", "pull_by_digest"],
    },
    # notifications only: no status, so the 404 that emitted an event counts as a pull
    "notifications only": {"curl_not_found": ["pull_by_tag"]},
}


def test_real_registry_and_clients_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_binaries()
    monkeypatch.setenv("REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT", "2GB")
    work, store, raw = tmp_path, tmp_path / "collector", tmp_path / "raw"
    images = {
        "single": single_arch_layout(work / "single", "v1"),
        "multi": multi_arch_layout(work / "multi", "v1"),
    }
    port, collector_port = free_port(), free_port()
    registry_log = work / "registry.log"
    short = Path(tempfile.mkdtemp(prefix="ri-e2e-", dir="/tmp"))
    with started_processes() as processes, removed_folder(short):
        start_collector(store, collector_port, TOKEN, work / "collector.log", processes)
        config = registry_config(work, port, collector_port)
        registry_process = start(["docker-registry", "serve", str(config)], registry_log)
        processes.append(registry_process)
        wait_for_http(f"http://127.0.0.1:{port}/v2/", registry_process, registry_log)
        start_containerd(short, processes)
        registry = Registry(f"127.0.0.1:{port}", work, short, images, processes)
        for scenario in SCENARIOS:
            image = images[scenario.image]
            push = ["skopeo", "copy", "-q", "--dest-tls-verify=false"]
            if scenario.image == "multi":
                push.append("--all")
            target = f"docker://{registry.host}/{scenario.repository}:v1"
            registry.run(*push, f"oci:{image.layout}:{image.tag}", target)
        for scenario in SCENARIOS:
            scenario.run(registry, scenario.repository)
        wait_for_notifications(store, registry_log)

    exported = CliRunner().invoke(
        cli,
        [
            "collector-export",
            "--store",
            str(store),
            "--raw-path",
            str(raw),
            "--log",
            str(registry_log),
        ],
    )
    assert exported.exit_code == 0, exported.output
    assert "malformed log lines: 0" in exported.output, exported.output
    assert "access-log lines, not used" in exported.output
    again = CliRunner().invoke(
        cli,
        [
            "ingest-registry-log",
            "--log",
            str(registry_log),
            "--raw-path",
            str(raw),
            "--no-progress",
        ],
    )
    assert again.exit_code == 0 and "written: 0 row(s)" in again.output, again.output

    assert validate_raw(raw, 1_000_000) == 0  # the producer-side contract check passes
    database = work / "warehouse" / "warehouse.duckdb"
    database.parent.mkdir()
    dbt_build(raw, database)
    actions = classified_actions(database)

    # the same requests with one source only, classified by the Python oracle
    only_log, only_events, empty = work / "raw_log_only", work / "raw_events_only", work / "empty"
    empty.write_text("")
    dump = work / "events.ndjson"
    dumped = CliRunner().invoke(cli, ["collector-dump", "--store", str(store), "--out", str(dump)])
    assert dumped.exit_code == 0, dumped.output
    ingest_registry_log(registry_log, None, only_log, progress=False)
    ingest_registry_log(empty, dump, only_events, progress=False)
    fallbacks = {
        "log only": oracle_actions(only_log),
        "notifications only": oracle_actions(only_events),
    }

    report = [
        "| scenario | expected | classified (joined, dbt) | log only | notifications only |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario in SCENARIOS:
        want = scenario.expected(images)
        got = actions.pop(scenario.repository, [])
        assert got == want, (scenario.name, got, want)
        kinds = [e.action for e in want]
        cells = []
        for source, by_repository in fallbacks.items():
            degraded = by_repository.get(scenario.repository, [])
            assert degraded == FALLBACK_COSTS[source].get(scenario.name, kinds), (source, scenario)
            cells.append(", ".join(degraded) or "none")
        report.append(
            f"| {scenario.name} | {', '.join(kinds) or 'none'}"
            f" | {', '.join(e.action for e in got) or 'none'} | {' | '.join(cells)} |"
        )
    print("\n".join(report))
    # pushes (and anything else outside the scenarios) made no action
    assert actions == {}


def test_real_registry_text_log_is_read(tmp_path: Path) -> None:
    """The registry's default text formatter, as the real binary writes it, mixed with
    its access log: every request is read, nothing is malformed."""
    require_binaries()
    image = single_arch_layout(tmp_path / "single", "v1")
    port = free_port()
    log = tmp_path / "registry.log"
    with started_processes() as processes:
        config = registry_config(tmp_path, port, free_port(), formatter="text")
        process = start(["docker-registry", "serve", str(config)], log)
        processes.append(process)
        wait_for_http(f"http://127.0.0.1:{port}/v2/", process, log)
        registry = Registry(f"127.0.0.1:{port}", tmp_path, tmp_path, {"single": image}, processes)
        registry.run(
            "skopeo",
            "copy",
            "-q",
            "--dest-tls-verify=false",
            f"oci:{image.layout}:v1",
            f"docker://{registry.host}/acme/text:v1",
        )
        registry.curl('agent with "quotes" and spaces', "HEAD", "acme/text", "v1")
        registry.curl("", "GET", "acme/text", image.top.digest)
        registry.skopeo_copy("acme/text:v1")
    summary = IngestSummary()
    requests = list(read_log_requests(log, summary, progress=False))
    assert summary.malformed_lines.total == 0, summary.report()
    assert summary.not_requests["access_log"] > 0
    assert summary.not_requests["push_or_delete"] > 0
    manifests = [r for r in requests if r.api.object_type == "manifest" and r.status_code == 200]
    assert [(r.http_method, r.api.reference) for r in manifests] == [
        ("HEAD", "v1"),
        ("GET", image.top.digest),
        ("GET", "v1"),
    ]
    assert manifests[0].user_agent == 'agent with "quotes" and spaces'
    assert manifests[1].user_agent is None
    assert {r.client_ip for r in requests} == {"127.0.0.1"}
