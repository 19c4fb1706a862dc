"""Hand-written scan rows with every contract defect: each is quarantined with its
reason, severities are matched case-insensitively, a finding listed twice keeps one row."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.warehouse_build import dbt_build

from registry_insights.generator.tables import SCANS_SCHEMA, VULNERABILITIES_SCHEMA

DIGEST = "sha256:" + "a" * 64
AT = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def _scan(scan_id: str | None, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "scan_id": scan_id,
        "scanned_at": AT,
        "scanner": "Trivy",
        "scanner_version": "0.58.1",
        "repository": "acme/app",
        "manifest_digest": DIGEST,
        "platform": "linux/amd64",
        "source_format": "trivy-json",
    }
    return {**row, **overrides}


def _finding(
    vulnerability_id: str | None, severity: str | None, **overrides: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "scan_id": "ok",
        "vulnerability_id": vulnerability_id,
        "severity": severity,
        "package_name": "openssl",
        "package_type": "deb",
        "installed_version": "3.0.1",
        "fixed_version": None,
        "status": None,
        "cvss_score": None,
        "layer_digest": None,
        "title": None,
        "primary_url": None,
    }
    return {**row, **overrides}


SCAN_DEFECTS = {
    "missing_scan_id": _scan(None),
    "missing_scanned_at": _scan("s1", scanned_at=None),
    "missing_scanner": _scan("s2", scanner=None),
    "missing_repository": _scan("s3", repository=None),
    "missing_manifest_digest": _scan("s4", manifest_digest=None),
    "malformed_repository": _scan("s5", repository="no-namespace"),
    "malformed_manifest_digest": _scan("s6", manifest_digest="sha256:short"),
    "unknown_source_format": _scan("s7", source_format="sarif"),
}
FINDING_DEFECTS = {
    "missing_scan_id": _finding("CVE-0", "HIGH", scan_id=None),
    "missing_vulnerability_id": _finding(None, "HIGH"),
    "missing_package_name": _finding("CVE-1", "HIGH", package_name=" "),
    "missing_severity": _finding("CVE-2", None),
    "unknown_severity": _finding("CVE-3", "SEVERE"),
    "invalid_cvss_score": _finding("CVE-4", "HIGH", cvss_score=11.0),
}
VALID_FINDINGS = [
    _finding("CVE-10", "CRITICAL", cvss_score=9.1),
    _finding("CVE-10", "CRITICAL", cvss_score=9.8),  # listed twice: one row kept
    _finding("CVE-11", "Negligible", package_name="zlib"),
    _finding("CVE-12", "info", package_name="curl", fixed_version=""),
    _finding("CVE-13", "  medium ", package_name="musl", fixed_version="1.2.5"),
]


def _write(raw: Path, table: str, schema: pa.Schema, rows: list[dict[str, object]]) -> None:
    folder = raw / table / "date=2026-03-02"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0.parquet")


@pytest.fixture(scope="module")
def scan_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("scan-edges")
    raw = work / "raw"
    _write(raw, "raw_image_scans", SCANS_SCHEMA, [_scan("ok"), *SCAN_DEFECTS.values()])
    _write(
        raw,
        "raw_image_vulnerabilities",
        VULNERABILITIES_SCHEMA,
        [*VALID_FINDINGS, *FINDING_DEFECTS.values()],
    )
    database = work / "warehouse.duckdb"
    dbt_build(
        raw,
        database,
        "--select",
        "+stg_registry__image_scans_quarantined +stg_registry__image_vulnerabilities_quarantined "
        "+int_image_scans_latest",
        # the tests of the selected nodes only (not those also reading unselected seeds)
        "--indirect-selection",
        "cautious",
    )
    return database


def test_each_scan_and_finding_defect_is_quarantined_with_its_reason(
    scan_warehouse: Path,
) -> None:
    with duckdb.connect(str(scan_warehouse), read_only=True) as connection:
        scans = connection.sql(
            "select quarantine_reason, count(*) from staging.stg_registry__image_scans_quarantined "
            "group by all"
        ).fetchall()
        findings = connection.sql(
            "select quarantine_reason, count(*) "
            "from staging.stg_registry__image_vulnerabilities_quarantined group by all"
        ).fetchall()
        valid = connection.sql(
            "select vulnerability_id, severity, cvss_score, is_fixable "
            "from staging.stg_registry__image_vulnerabilities order by vulnerability_id"
        ).fetchall()
        (scan_ids,) = connection.sql(
            "select list(scan_id) from staging.stg_registry__image_scans"
        ).fetchone() or ([],)
    assert dict(scans) == dict.fromkeys(SCAN_DEFECTS, 1)
    assert dict(findings) == dict.fromkeys(FINDING_DEFECTS, 1)
    assert scan_ids == ["ok"]
    assert valid == [
        ("CVE-10", "critical", 9.8, False),
        ("CVE-11", "negligible", None, False),
        ("CVE-12", "negligible", None, False),
        ("CVE-13", "medium", None, True),
    ]
