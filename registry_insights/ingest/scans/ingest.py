"""``ingest-scan``: scanner reports appended to ``raw_image_scans`` and
``raw_image_vulnerabilities``, each exactly once; a report that cannot be read is
rejected whole, with its reason, and nothing of it is written."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from registry_insights.ingest.inputs import InputError, open_binary
from registry_insights.ingest.scans.detect import read_scan
from registry_insights.ingest.scans.model import Image, ReportError, Scan
from registry_insights.ingest.scans.raw_tables import PresentScanIds, write_scan

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class ScanIngestSummary:
    reports_read: int = 0
    scans_written: int = 0
    findings_written: int = 0
    duplicate_findings: int = 0
    already_present: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    scan_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def report(self) -> str:
        lines = [
            f"reports read: {self.reports_read:,}",
            f"scans written: {self.scans_written:,}",
            f"findings written: {self.findings_written:,}",
            f"duplicate findings within a report (not written twice): {self.duplicate_findings:,}",
            f"already present under the raw path: {self.already_present:,}",
            f"rejected: {len(self.rejected):,}",
        ]
        lines += [f"  report rejected ({name}): {reason}" for name, reason in self.rejected]
        lines.append(f"written: {len(self.files)} file(s)")
        lines.append(
            f"summary: read {self.reports_read:,} report(s), written {self.scans_written:,}"
            f" scan(s) with {self.findings_written:,} finding(s), already present"
            f" {self.already_present:,}, rejected {len(self.rejected):,}"
        )
        return "\n".join(lines)


def read_report(source: str | Path) -> bytes:
    """A report's bytes (a path, ``-`` for stdin, gzip or plain)."""
    with open_binary(source) as stream:
        return stream.read()


def ingest_scan(
    reports: Sequence[str | Path],
    raw_path: Path,
    image: Image | None = None,
    clock: Clock = utc_now,
) -> ScanIngestSummary:
    summary = ScanIngestSummary()
    present = PresentScanIds(raw_path)
    for report in reports:
        summary.reports_read += 1
        try:
            scan = read_scan(read_report(report), image, clock())
        except (ReportError, InputError) as error:
            summary.rejected.append((str(report), str(error)))
            continue
        record_scan(scan, raw_path, present, summary)
    return summary


def ingest_content(
    content: bytes,
    name: str,
    raw_path: Path,
    image: Image | None,
    clock: Clock = utc_now,
) -> ScanIngestSummary:
    """One report given as bytes (a scanner's output): the same checks, the same tables."""
    summary = ScanIngestSummary(reports_read=1)
    try:
        scan = read_scan(content, image, clock())
    except ReportError as error:
        summary.rejected.append((name, str(error)))
        return summary
    record_scan(scan, raw_path, PresentScanIds(raw_path), summary)
    return summary


def record_scan(
    scan: Scan, raw_path: Path, present: PresentScanIds, summary: ScanIngestSummary
) -> None:
    summary.scan_ids.append(scan.scan_id)
    if scan.scan_id in present:
        summary.already_present += 1
        return
    summary.files += [str(path) for path in write_scan(raw_path, scan)]
    present.ids.add(scan.scan_id)
    summary.scans_written += 1
    summary.findings_written += len(scan.findings)
    summary.duplicate_findings += scan.duplicates
