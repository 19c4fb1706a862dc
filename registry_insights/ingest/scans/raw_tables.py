"""The raw contract's ``raw_image_scans`` and ``raw_image_vulnerabilities``: Arrow
schemas, and one scan written as one file per table, atomically.

Layout: ``<raw>/<table>/date=YYYY-MM-DD/scan-<id>.parquet`` (UTC day of
``scanned_at``, for both tables): one file per table per day for the scans one
ingestion writes, ``<id>`` the scan's id for a single scan and a hash of the scan ids
for several. The findings file is written first and the scans file last: a scan is
present once its ``raw_image_scans`` file is, and an interrupted write is written again
by the next ingestion (the same reports give the same name and content; findings rows
left by an interrupted write of other reports are exact copies, which staging
de-duplicates).
"""

from __future__ import annotations

import datetime
import hashlib
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


def vulnerabilities_table(scans: list[Scan]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"scan_id": scan.scan_id, **asdict(finding)}
            for scan in scans
            for finding in scan.findings
        ],
        schema=VULNERABILITIES_SCHEMA,
    )


def file_path(raw_path: Path, table: str, scans: list[Scan]) -> Path:
    """Where the scans (all of one UTC day) go in ``table``."""
    days = {scan.day for scan in scans}
    if len(days) != 1:
        raise ValueError("one file holds the scans of one day")
    if len(scans) == 1:
        name = scans[0].scan_id[:32]
    else:
        ids = "\n".join(sorted(scan.scan_id for scan in scans))
        name = hashlib.sha256(ids.encode()).hexdigest()[:32]
    return raw_path / table / f"date={days.pop().isoformat()}" / f"scan-{name}.parquet"


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


def write_scans(raw_path: Path, scans: list[Scan]) -> list[Path]:
    """Per UTC day of the scans: their findings file (when they have findings), then
    their scans file."""
    by_day: dict[datetime.date, list[Scan]] = {}
    for scan in scans:
        by_day.setdefault(scan.day, []).append(scan)
    written: list[Path] = []
    for _, of_day in sorted(by_day.items()):
        findings: Path | None = None
        new_findings = False
        if any(scan.findings for scan in of_day):
            findings = file_path(raw_path, VULNERABILITIES_TABLE, of_day)
            new_findings = not findings.exists()
            written.append(write_table_file(findings, vulnerabilities_table(of_day)))
        try:
            written.append(
                write_table_file(file_path(raw_path, SCANS_TABLE, of_day), scans_table(of_day))
            )
        except RawWriteError:  # (a full disk) no findings are left without their scans
            if findings is not None and new_findings:
                findings.unlink(missing_ok=True)
            raise
    return written
