"""End to end with real software: Debian's nginx (a non-daemon child process on a free
port, its own prefix in a tmp folder) in front of the real `docker-registry` on
127.0.0.1, the real clients of the registry's end-to-end test (curl, skopeo, podman,
ctr) pushing and pulling through nginx, and `registry-insights ingest --source nginx` on the three
access logs nginx wrote of the same requests: `combined`, Harbor's `timed_combined` and
the `registry_insights` JSON format. Every scenario's actions are asserted per format
with the Python reference classifier, alone and joined with the registry's
notifications. The same run measures distribution 3.0.x's gap: the registry's real log,
made a 3.0.x log (its "response completed" lines of HEAD manifest requests answered 200
removed, as 3.0.0 does, and its version set to v3.0.0), ingested alone and with each
access log (`ingest --source distribution --access-log`). Skipped when a binary is
missing, unless REGISTRY_INSIGHTS_REQUIRE_E2E=1.
"""

from __future__ import annotations

import os
import re
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
from registry_insights.ingest.log_lines import ACCESS_LOG, LoggedRequest, NotARequest, parse_line

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


#: A 3.0.x log with each access log (the HEADs recovered) classifies as those logs do.
GAP_COSTS = {
    "3.0 log with its own access lines": WITHOUT_DIGEST,
    "3.0 log + combined": WITHOUT_DIGEST,
    "3.0 log + JSON": {},
    "3.0 log + combined + notifications": {},
}
_VERSION = re.compile(r'("version":\s*")[^"]+(")')


def as_distribution_3_0(log: Path, out: Path, access_log: bool = True) -> int:
    """The registry's log as distribution 3.0.0 writes it: no "response completed" line
    for a HEAD manifest request answered 200, ``version`` v3.0.0; without its own
    access-log lines when not ``access_log`` (``log.accesslog.disabled: true``).
    Returns the lines removed."""
    removed, kept = 0, []
    for number, line in enumerate(log.read_text().splitlines(), start=1):
        parsed = parse_line(line, number)
        answered_head = (
            isinstance(parsed, LoggedRequest)
            and parsed.http_method == "HEAD"
            and parsed.api.object_type == "manifest"
            and parsed.status_code == 200
        )
        own_access_line = isinstance(parsed, NotARequest) and parsed.category == ACCESS_LOG
        if answered_head or (own_access_line and not access_log):
            removed += answered_head
            continue
        kept.append(_VERSION.sub(r"\g<1>v3.0.0\g<2>", line))
    out.write_text("\n".join(kept) + "\n")
    return removed


def require_nginx() -> str:
    binary = nginx_binary()
    if binary is not None:
        return binary
    message = "the nginx end-to-end test needs nginx: apt-get install -y nginx"
    if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)


def ingest(raw: Path, *args: str, source: str = "nginx") -> str:
    result = CliRunner().invoke(
        cli, ["ingest", "--source", source, *args, "--raw-path", str(raw), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def ingest_3_0(raw: Path, log: Path, *args: str) -> str:
    return ingest(raw, str(log), *args, source="distribution")


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

    own_log, gap_log = work / "registry-3.0.log", work / "registry-3.0-no-access.log"
    assert as_distribution_3_0(registry_log, own_log) > 0
    assert as_distribution_3_0(registry_log, gap_log, access_log=False) > 0
    alone = ingest_3_0(work / "raw-3.0", gap_log)
    assert "warning: distribution v3.0.0" in alone and "version checks are missing" in alone
    own = ingest_3_0(work / "raw-3.0-own", own_log)  # its gorilla lines, used by itself
    assert "the registry's own access-log lines" in own, own
    combined_log, json_log = str(proxy / LOGS["combined"]), str(proxy / LOGS["json"])
    with_combined = ingest_3_0(work / "raw-3.0-combined", gap_log, "--access-log", combined_log)
    with_json = ingest_3_0(work / "raw-3.0-json", gap_log, "--access-log", json_log)
    joined_args = ("--access-log", combined_log, "--notifications", str(dump))
    with_events = ingest_3_0(work / "raw-3.0-joined", gap_log, *joined_args)
    for output in (own, with_combined, with_json, with_events):
        assert "warning: distribution v3.0.0" in output, output
        assert "HEAD manifest requests taken from the access log:" in output, output
        assert "malformed log lines: 0" in output, output
    assert ", 0 notification only" in with_events, with_events
    assert "taken from the notifications" not in with_events, with_events
    again = ingest_3_0(work / "raw-3.0-joined", gap_log, *joined_args)
    assert "written: 0 row(s)" in again, again
    # the registry's own 2.8 log has its HEAD lines: its access lines add nothing
    whole = ingest_3_0(work / "raw-2.8", registry_log, "--access-log", str(registry_log))
    assert " 0 taken (0 joined" in whole and "warning" not in whole, whole
    found["3.0 log alone"] = oracle_actions(work / "raw-3.0")
    found["3.0 log with its own access lines"] = oracle_actions(work / "raw-3.0-own")
    found["3.0 log + combined"] = oracle_actions(work / "raw-3.0-combined")
    found["3.0 log + JSON"] = oracle_actions(work / "raw-3.0-json")
    found["3.0 log + combined + notifications"] = oracle_actions(work / "raw-3.0-joined")
    costs = {**COSTS, **GAP_COSTS}

    columns = [*costs, "3.0 log alone"]
    report = [
        "| scenario | expected | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 2) + "|",
    ]
    lost = 0
    for scenario in SCENARIOS:
        kinds = [e.action for e in scenario.expected(images)]
        cells = []
        for fmt, fmt_costs in costs.items():
            got = found[fmt].pop(scenario.repository, [])
            assert got == fmt_costs.get(scenario.name, kinds), (fmt, scenario.name, got)
            cells.append(", ".join(got) or "none")
        under_counted = found["3.0 log alone"].pop(scenario.repository, [])
        lost += under_counted != kinds
        cells.append(", ".join(under_counted) or "none")
        report.append(f"| {scenario.name} | {', '.join(kinds) or 'none'} | {' | '.join(cells)} |")
    print("\n".join(report))
    assert lost > 0  # the gap is real: the 3.0 log alone misses actions
    for fmt in columns:
        assert found[fmt] == {}, (fmt, found[fmt])  # pushes (through nginx too) made no action
