"""Disk full while writing raw files, for every command that writes them.

Each command runs with its raw folder on a real tmpfs too small for its output (at
several sizes: the disk fills at different points of the write), in a namespace of its
own (support/small_disk.py). It must exit non-zero with a one-line error saying the disk
is full and where; leave only whole files that the warehouse's staging views can read
(`*.parquet`: no temporary or truncated file, no findings without their scan), each
holding rows of the complete output; and after space is freed, the same command must
complete and leave exactly the rows of a run that never met a full disk (nothing lost,
nothing twice).
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support.processes import cli_command
from support.registry_samples import digest_of, event, json_line, request_fields
from support.small_disk import (
    files_of,
    full_then_freed,
    small_disks_available,
    table_rows,
    total_bytes,
)

from registry_insights.ingest.events import parse_event
from registry_insights.ingest.store import EventStore

pytestmark = pytest.mark.skipif(
    not small_disks_available(), reason="needs unshare -rm to mount a small tmpfs"
)

REQUESTS = 3_000
DAYS = 3
#: Where the disk fills, as shares of the complete output's size.
SHARES = (0.15, 0.5, 0.9)
#: No progress bar on stderr (it would appear, after a second, on a slow machine).
QUIET = ["--no-progress"]
TRIVY = Path(__file__).resolve().parents[1] / "ingest" / "scan_reports" / "trivy-image.json"


def _moment(index: int) -> datetime.datetime:
    start = datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC)
    return start + datetime.timedelta(seconds=index * DAYS * 86_400 // REQUESTS)


def _registry_log(path: Path) -> None:
    lines = []
    for index in range(REQUESTS):
        fields = request_fields(
            f"req-{index:05d}",
            f"/v2/team/app{index % 13}/manifests/{digest_of(str(index))}",
            time=_moment(index).isoformat().replace("+00:00", "Z"),
            remoteaddr=f"10.{index % 7}.{index % 251}.{index % 199}:4{index % 1000:03d}",
            useragent=f"docker/24.0.{index % 17} go/go1.21 os/linux",
        )
        lines.append(json_line(fields))
    path.write_text("\n".join(lines) + "\n")


def _nginx_log(path: Path) -> None:
    lines = []
    for index in range(REQUESTS):
        moment = _moment(index).strftime("%d/%b/%Y:%H:%M:%S +0000")
        lines.append(
            f"10.{index % 7}.{index % 251}.{index % 199} - - [{moment}] "
            f'"GET /v2/team/app{index % 13}/manifests/{digest_of(str(index))} HTTP/1.1" '
            f'200 {400 + index} "-" "containerd/1.7.{index % 23}"'
        )
    path.write_text("\n".join(lines) + "\n")


def _collector_store(folder: Path) -> None:
    store = EventStore(folder)
    for index in range(REQUESTS):
        document = event(
            f"req-{index:05d}",
            f"team/app{index % 13}",
            digest_of(str(index)),
            timestamp=_moment(index).isoformat().replace("+00:00", "Z"),
            addr=f"10.{index % 7}.{index % 251}.{index % 199}:4000",
            useragent=f"docker/24.0.{index % 17}",
            event_id=f"event-{index:05d}",
        )
        store.add_events([parse_event(document)], [document])
    store.close()


def _scan_reports(folder: Path) -> list[str]:
    report = json.loads(TRIVY.read_text())
    paths = []
    for index in range(40):
        digest = digest_of(f"image-{index}")
        report["ArtifactName"] = f"localhost:5000/team/app{index}:1.{index}"
        report["Metadata"]["RepoDigests"] = [f"localhost:5000/team/app{index}@{digest}"]
        path = folder / f"report-{index:02d}.json"
        path.write_text(json.dumps(report))
        paths.append(str(path))
    return paths


Prepare = Callable[[Path, Path], list[str]]


def _ingest_distribution(inputs: Path, raw: Path) -> list[str]:
    log = inputs / "registry.log"
    if not log.exists():
        _registry_log(log)
    return ["ingest", "--source", "distribution", str(log), "--raw-path", str(raw), *QUIET]


def _ingest_nginx(inputs: Path, raw: Path) -> list[str]:
    log = inputs / "access.log"
    if not log.exists():
        _nginx_log(log)
    return ["ingest", "--source", "nginx", str(log), "--raw-path", str(raw), *QUIET]


def _collector_export(inputs: Path, raw: Path) -> list[str]:
    template = inputs.parent / "store-template"
    if not template.exists():
        _collector_store(template)
    store = inputs / "store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(template, store)  # every run starts from the same store
    return ["collector-export", "--store", str(store), "--raw-path", str(raw), *QUIET]


def _ingest_scan(inputs: Path, raw: Path) -> list[str]:
    return ["ingest-scan", *_scan_reports(inputs), "--raw-path", str(raw)]


def _generate(inputs: Path, raw: Path) -> list[str]:
    return ["generate", "--out", str(raw), "--rows", "20000", "--days", "4", "--no-progress"]


COMMANDS: dict[str, Prepare] = {
    "ingest --source distribution": _ingest_distribution,
    "ingest --source nginx": _ingest_nginx,
    "collector-export": _collector_export,
    "ingest-scan": _ingest_scan,
    "generate": _generate,
}


def _no_partial_file(raw: Path, complete: dict[str, list[tuple[object, ...]]]) -> list[str]:
    """What a reader of `raw` would see that it should not: hidden or temporary files,
    unreadable Parquet, rows not in the complete output, findings without their scan."""
    problems = []
    for path in files_of(raw):
        if path.name.startswith(".") or not path.name.endswith(".parquet"):
            problems.append(f"left behind: {path.relative_to(raw)}")
            continue
        try:
            pq.read_table(path)
        except Exception as error:  # any unreadable file is a finding
            problems.append(f"unreadable: {path.relative_to(raw)}: {error}")
    if problems:
        return problems
    for table, rows in table_rows(raw).items():
        extra = set(rows) - set(complete.get(table, []))
        if extra:
            problems.append(f"{table}: {len(extra)} rows not in the complete output")
    findings = raw / "raw_image_vulnerabilities"
    for path in findings.rglob("*.parquet") if findings.exists() else []:
        scan = raw / "raw_image_scans" / path.relative_to(findings)
        if not scan.exists():
            problems.append(f"findings without their scan: {path.relative_to(raw)}")
    return problems


@pytest.mark.parametrize("name", list(COMMANDS))
def test_disk_full_while_writing_raw_files(name: str, tmp_path: Path) -> None:
    prepare = COMMANDS[name]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    reference_raw = tmp_path / "reference" / "raw"
    done = subprocess.run(
        cli_command(*prepare(inputs, reference_raw)), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    complete = table_rows(reference_raw)
    size = total_bytes(reference_raw)
    outcomes = []
    for share in SHARES:
        work = tmp_path / f"disk-{share}"
        work.mkdir()
        raw = work / "raw"
        limit = max(4096, int(size * share) // 4096 * 4096)
        full, freed = full_then_freed(cli_command(*prepare(inputs, raw)), raw, limit, work)
        error_lines = full.stderr.strip().splitlines()
        assert full.returncode != 0, (share, full.stdout, full.stderr)
        assert len(error_lines) == 1 and "Traceback" not in full.stderr, full.stderr
        assert error_lines[0].startswith("error: disk full"), error_lines
        assert str(raw) in error_lines[0], error_lines
        assert _no_partial_file(full.raw, complete) == [], share
        assert freed.returncode == 0, (share, freed.stderr)
        assert table_rows(freed.raw) == complete, share
        assert _no_partial_file(freed.raw, complete) == []
        kept = sum(len(rows) for rows in table_rows(full.raw).values())
        outcomes.append(f"{limit // 1024} KiB: {kept} rows kept whole")
    total = sum(len(rows) for rows in complete.values())
    print(
        f"\nFIGURE disk full: {name}: output {size // 1024} KiB, {total} rows; disk full at "
        f"{len(SHARES)} points ({'; '.join(outcomes)}): {len(SHARES)}/{len(SHARES)} exit 1 "
        "with a one-line error, nothing partial visible, rerun complete and exactly once"
    )
