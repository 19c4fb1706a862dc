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
from registry_insights.ingest.scans.raw_tables import PresentScanIds, write_scans

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class ScanIngestSummary:
    reports_read: int = 0
    scans_written: int = 0
    findings_written: int = 0
    duplicate_findings: int = 0
    suppressed_findings: int = 0
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
            "findings the report marks as not affecting the image (VEX not_affected,"
            f" false_positive, resolved; not written): {self.suppressed_findings:,}",
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


def expand_reports(reports: Sequence[str]) -> list[str]:
    """The command's report arguments with each folder replaced by its ``*.json`` and
    ``*.json.gz`` files, in name order."""
    expanded: list[str] = []
    for report in reports:
        folder = Path(report)
        if report != "-" and folder.is_dir():
            found = [*folder.glob("*.json"), *folder.glob("*.json.gz")]
            expanded += sorted(str(path) for path in found)
        else:
            expanded.append(report)
    return expanded


def ingest_scan(
    reports: Sequence[str | Path],
    raw_path: Path,
    image: Image | None = None,
    clock: Clock = utc_now,
) -> ScanIngestSummary:
    """Read every report, then write the new scans together (one file per table and day)."""
    summary = ScanIngestSummary()
    present = PresentScanIds(raw_path)
    new: list[Scan] = []
    for report in reports:
        summary.reports_read += 1
        try:
            scan = read_scan(read_report(report), image, clock())
        except (ReportError, InputError) as error:
            summary.rejected.append((str(report), str(error)))
            continue
        summary.scan_ids.append(scan.scan_id)
        if scan.scan_id in present:
            summary.already_present += 1
            continue
        present.ids.add(scan.scan_id)
        new.append(scan)
    record_scans(new, raw_path, summary)
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
    summary.scan_ids.append(scan.scan_id)
    if scan.scan_id in PresentScanIds(raw_path):
        summary.already_present += 1
    else:
        record_scans([scan], raw_path, summary)
    return summary


def record_scans(scans: list[Scan], raw_path: Path, summary: ScanIngestSummary) -> None:
    if not scans:
        return
    summary.files += [str(path) for path in write_scans(raw_path, scans)]
    summary.scans_written += len(scans)
    summary.findings_written += sum(len(scan.findings) for scan in scans)
    summary.duplicate_findings += sum(scan.duplicates for scan in scans)
    summary.suppressed_findings += sum(scan.suppressed for scan in scans)
