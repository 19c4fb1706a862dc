"""The demo scans: written as Trivy JSON, Grype JSON and CycloneDX reports that
`ingest-scan` reads (each in its format's own field names and spellings), deterministic
for a seed, drawn from their own random stream (the other raw tables are byte-identical
without them), and older images of a repository carry more findings than newer ones."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.generator import dataset as dataset_module
from registry_insights.generator.dataset import SCAN_REPORTS
from registry_insights.generator.scan_reports import report_document, write_reports
from registry_insights.generator.scans import SCANNED_IMAGES, demo_scans, spelling
from registry_insights.generator.world import build_world
from registry_insights.ingest.scans.detect import load_document, read_scan
from registry_insights.ingest.scans.ingest import ingest_scan
from registry_insights.ingest.scans.raw_tables import SCANS_TABLE, VULNERABILITIES_TABLE

CONFIG = GeneratorConfig(rows=3_000, days=3, seed=11, n_accounts=200, n_clients=500)
#: The time a report without one would get: every demo report states its own.
NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
OTHER_TABLES = ("raw_registry_requests", "raw_accounts", "raw_extension_events")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def scans() -> list[Any]:
    return demo_scans(build_world(CONFIG), CONFIG.seed)


def test_other_tables_are_byte_identical_without_the_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_scans = tmp_path / "with"
    counts = generate_dataset(CONFIG, with_scans, progress=False)
    assert counts[SCANS_TABLE] > 0 and counts[VULNERABILITIES_TABLE] > counts[SCANS_TABLE]
    monkeypatch.setattr(dataset_module, "write_scans", lambda *_: {})
    without = tmp_path / "without"
    generate_dataset(CONFIG, without, progress=False)
    for table in OTHER_TABLES:
        assert _files(with_scans / table) == _files(without / table), table
    assert not (without / SCANS_TABLE).exists()
    # the contract's layout: day partitions only
    for table in (SCANS_TABLE, VULNERABILITIES_TABLE):
        for name in _files(with_scans / table):
            assert name.startswith("date=") and name.count("/") == 1, name
    assert ds.dataset(with_scans / SCANS_TABLE).to_table().num_rows == counts[SCANS_TABLE]


def test_report_files_then_ingest_scan_give_the_same_raw_tables(tmp_path: Path) -> None:
    """What `make demo` does (generate --scan-reports, then the ingest-scan command) and
    what the library does by itself (ingest in-process) write the same raw scan tables."""
    direct = tmp_path / "direct"
    counts = generate_dataset(CONFIG, direct, progress=False)
    raw, reports = tmp_path / "raw", tmp_path / "reports"
    with_files = generate_dataset(CONFIG, raw, progress=False, scan_reports=reports)
    assert with_files[SCAN_REPORTS] == counts[SCANS_TABLE]
    for table in (SCANS_TABLE, VULNERABILITIES_TABLE):
        assert not list((raw / table).rglob("*.parquet")), "ingest-scan fills them"
    result = CliRunner().invoke(app, ["ingest-scan", str(reports), "--raw-path", str(raw)])
    assert result.exit_code == 0, result.output
    assert f"scans written: {counts[SCANS_TABLE]:,}" in result.output
    for table in (*OTHER_TABLES, SCANS_TABLE, VULNERABILITIES_TABLE):
        assert _files(raw / table) == _files(direct / table), table
    # again: exactly once
    again = CliRunner().invoke(app, ["ingest-scan", str(reports), "--raw-path", str(raw)])
    assert f"already present under the raw path: {counts[SCANS_TABLE]:,}" in again.output
    # a second generation replaces its own reports (no leftovers of the first)
    generate_dataset(CONFIG, raw, progress=False, scan_reports=reports)
    assert len(list(reports.iterdir())) == counts[SCANS_TABLE]


def test_reports_are_in_each_scanners_format(tmp_path: Path, scans: list[Any]) -> None:
    formats = Counter(scan.source_format for scan in scans)
    assert set(formats) == {"trivy-json", "grype-json", "cyclonedx-json"}
    paths = write_reports(scans, tmp_path)
    listed_twice = 0
    for scan, path in zip(scans, paths, strict=True):
        document = load_document(path.read_bytes())
        if scan.source_format == "trivy-json":
            assert document["SchemaVersion"] == 2 and document["Results"]
            severities = [
                v["Severity"] for r in document["Results"] for v in r.get("Vulnerabilities", [])
            ]
            assert set(severities) <= {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
        elif scan.source_format == "grype-json":
            assert document["descriptor"]["name"] == "grype"
            severities = [m["vulnerability"]["severity"] for m in document["matches"]]
            assert set(severities) <= {"Unknown", "Negligible", "Low", "Medium", "High", "Critical"}
        else:
            assert (document["bomFormat"], document["specVersion"]) == ("CycloneDX", "1.6")
            severities = [v["ratings"][0]["severity"] for v in document["vulnerabilities"]]
            assert set(severities) <= {"critical", "high", "medium", "low", "info", "unknown"}
        parsed = read_scan(path.read_bytes(), None, NEVER)
        # the image and the scan time come from the report itself
        assert (parsed.repository, parsed.manifest_digest) == (
            scan.repository,
            scan.manifest_digest,
        )
        assert parsed.source_format == scan.source_format
        expected = Counter(spelling(f.severity, scan.source_format) for f in scan.findings)
        assert Counter(f.severity for f in parsed.findings) == expected
        assert parsed.duplicates == sum(f.listed_twice for f in scan.findings)
        listed_twice += parsed.duplicates
    assert listed_twice > 0, "some reports list a finding twice, as the scanners do"


def test_scans_are_deterministic_and_older_images_carry_more(scans: list[Any]) -> None:
    world = build_world(CONFIG)
    again = demo_scans(world, CONFIG.seed)
    assert [report_document(s) for s in again] == [report_document(s) for s in scans]
    other = demo_scans(world, CONFIG.seed + 1)
    assert [report_document(s) for s in other] != [report_document(s) for s in scans]
    first: dict[tuple[str, str], Any] = {}
    for scan in sorted(scans, key=lambda s: s.scanned_at_us):
        first.setdefault((scan.repository, scan.manifest_digest), scan)
    by_repository: dict[str, list[Any]] = {}
    for scan in sorted(first.values(), key=lambda s: s.scanned_at_us):
        by_repository.setdefault(scan.repository, []).append(len(scan.findings))
    older, newer = 0.0, 0.0
    for counts in by_repository.values():
        assert len(counts) <= SCANNED_IMAGES
        if len(counts) < 4:
            continue
        half = len(counts) // 2
        older += sum(counts[:half]) / half
        newer += sum(counts[-half:]) / half
    assert older > newer


def test_ingested_demo_scans_match_the_reports(tmp_path: Path, scans: list[Any]) -> None:
    """An independent count per scan: findings by severity as the generator drew them,
    each once, equal what ingest-scan wrote."""
    paths = write_reports(scans, tmp_path / "reports")
    summary = ingest_scan(paths, tmp_path / "raw")
    assert summary.ok and summary.scans_written == len(scans)
    written = ds.dataset(tmp_path / "raw" / VULNERABILITIES_TABLE).to_table().to_pylist()
    ids = {
        scan.index: read_scan(path.read_bytes(), None, NEVER)
        for scan, path in zip(scans, paths, strict=True)
    }
    per_scan = Counter((row["scan_id"], row["severity"]) for row in written)
    for scan in scans:
        scan_id = ids[scan.index].scan_id
        for severity, count in Counter(
            spelling(f.severity, scan.source_format) for f in scan.findings
        ).items():
            assert per_scan[scan_id, severity] == count
