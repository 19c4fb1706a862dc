"""The raw contract's ``raw_image_scans`` and ``raw_image_vulnerabilities``: Arrow
schemas, and one scan written as one file per table, atomically.

Layout: ``<raw>/<table>/date=YYYY-MM-DD/scan-<scan id>.parquet`` (UTC day of
``scanned_at``, for both tables). The findings file is written first and the scan file
last: a scan is present once its ``raw_image_scans`` file is, and an interrupted write
is simply written again (same name, same content) by the next ingestion.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from registry_insights.generator.tables import SCANS_SCHEMA, VULNERABILITIES_SCHEMA
from registry_insights.ingest.raw_output import RawWriteError, write_table_file
from registry_insights.ingest.scans.model import Scan

SCANS_TABLE = "raw_image_scans"
VULNERABILITIES_TABLE = "raw_image_vulnerabilities"


def scans_table(scans: list[Scan]) -> pa.Table:
    return pa.Table.from_pylist(
        [{name: getattr(scan, name) for name in SCANS_SCHEMA.names} for scan in scans],
        schema=SCANS_SCHEMA,
    )


def vulnerabilities_table(scan: Scan) -> pa.Table:
    return pa.Table.from_pylist(
        [{"scan_id": scan.scan_id, **asdict(finding)} for finding in scan.findings],
        schema=VULNERABILITIES_SCHEMA,
    )


def file_path(raw_path: Path, table: str, scan: Scan) -> Path:
    return raw_path / table / f"date={scan.day.isoformat()}" / f"scan-{scan.scan_id[:32]}.parquet"


class PresentScanIds:
    """The scan ids already in ``raw_image_scans`` under ``raw_path`` (every day: a scan
    without a time of its own is dated when it is ingested)."""

    def __init__(self, raw_path: Path) -> None:
        files = sorted((raw_path / SCANS_TABLE).glob("date=*/*.parquet"))
        self.ids: set[str] = set()
        if files:
            column = ds.dataset([str(path) for path in files], format="parquet").to_table(
                columns=["scan_id"]
            )["scan_id"]
            self.ids = {value for value in column.to_pylist() if value is not None}

    def __contains__(self, scan_id: str) -> bool:
        return scan_id in self.ids


def write_scan(raw_path: Path, scan: Scan) -> list[Path]:
    """The scan's findings file (when it has findings), then its scan file."""
    written: list[Path] = []
    findings = file_path(raw_path, VULNERABILITIES_TABLE, scan)
    new_findings = bool(scan.findings) and not findings.exists()
    if scan.findings:
        written.append(write_table_file(findings, vulnerabilities_table(scan)))
    try:
        written.append(
            write_table_file(file_path(raw_path, SCANS_TABLE, scan), scans_table([scan]))
        )
    except RawWriteError:  # (a full disk) no findings are left without their scan
        if new_findings:
            findings.unlink(missing_ok=True)
        raise
    return written
