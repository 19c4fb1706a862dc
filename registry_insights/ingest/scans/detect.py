"""A report's format, told from its content, and the reader for it."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from registry_insights.ingest.scans.cyclonedx import is_cyclonedx, parse_cyclonedx
from registry_insights.ingest.scans.grype import is_grype, parse_grype
from registry_insights.ingest.scans.model import Image, ParsedReport, ReportError, Scan, scan_of
from registry_insights.ingest.scans.trivy import is_trivy, parse_trivy

Reader = Callable[[dict[str, Any]], ParsedReport]

_READERS: tuple[tuple[Callable[[dict[str, Any]], bool], Reader], ...] = (
    (is_trivy, parse_trivy),
    (is_grype, parse_grype),
    (is_cyclonedx, parse_cyclonedx),
)


def load_document(content: bytes) -> dict[str, Any]:
    """The report's JSON object; a ReportError for anything else."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ReportError(f"not UTF-8 text: {error.reason}") from error
    except json.JSONDecodeError as error:
        raise ReportError(
            f"invalid JSON (truncated?): {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    if not isinstance(document, dict):
        raise ReportError("not a scanner report: the JSON is not an object")
    return document


def parse_document(document: dict[str, Any]) -> ParsedReport:
    for matches, read in _READERS:
        if matches(document):
            return read(document)
    raise ReportError(
        "not a report this project reads: expected Trivy JSON (SchemaVersion, Results),"
        " Grype JSON (matches, source, descriptor) or CycloneDX JSON (bomFormat CycloneDX)"
        " with vulnerabilities"
    )


def read_scan(content: bytes, image: Image | None, now: datetime.datetime) -> Scan:
    """The scan a report's bytes describe, or a ReportError with the reason."""
    document = load_document(content)
    return scan_of(document, parse_document(document), image, now)
