"""What a parsed scanner report is: one scan of one image, and its findings.

A report is read whole or rejected whole: every reader raises :class:`ReportError` with
the reason, and nothing of a rejected report is written.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from registry_insights.ingest.timestamps import parse_rfc3339

TRIVY_JSON = "trivy-json"
GRYPE_JSON = "grype-json"
CYCLONEDX_JSON = "cyclonedx-json"
SOURCE_FORMATS = (TRIVY_JSON, GRYPE_JSON, CYCLONEDX_JSON)

#: Each format's documented severity spellings; anything else rejects the report.
SEVERITIES: dict[str, frozenset[str]] = {
    TRIVY_JSON: frozenset({"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}),
    GRYPE_JSON: frozenset({"Unknown", "Negligible", "Low", "Medium", "High", "Critical"}),
    # The CycloneDX spec's values, plus Grype's own "negligible" lowercased, in case a
    # Grype-written BOM carries it.
    CYCLONEDX_JSON: frozenset(
        {"critical", "high", "medium", "low", "info", "none", "unknown", "negligible"}
    ),
}

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HOST_PORT = re.compile(r"[^/]*[.:][^/]*|localhost")
_NAME = re.compile(
    r"[a-z0-9]+(?:(?:[.]|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[.]|_|__|-+)[a-z0-9]+)*)*"
)


class ReportError(ValueError):
    """A report that cannot be ingested; the message is the reason."""


@dataclass(frozen=True)
class Image:
    repository: str
    manifest_digest: str


@dataclass(frozen=True)
class Finding:
    """One row of ``raw_image_vulnerabilities`` (without the scan id)."""

    vulnerability_id: str
    severity: str
    package_name: str
    package_type: str | None
    installed_version: str | None
    fixed_version: str | None
    status: str | None = None
    cvss_score: float | None = None
    layer_digest: str | None = None
    title: str | None = None
    primary_url: str | None = None

    @property
    def key(self) -> tuple[str, str | None, str, str | None]:
        """A finding's identity within a scan: the same vulnerability of the same
        package version, however many results or locations list it."""
        return (self.vulnerability_id, self.package_type, self.package_name, self.installed_version)


@dataclass(frozen=True)
class ParsedReport:
    """What a reader found in a report; ``image`` is None when the report names no
    digest (``--image`` must then say which image was scanned)."""

    source_format: str
    scanner: str
    scanner_version: str | None
    scanned_at: datetime.datetime | None
    image: Image | None
    platform: str | None
    findings: tuple[Finding, ...]
    duplicates: int = 0
    suppressed: int = 0
    """Findings the report itself marks as not applying (VEX ``not_affected`` ...): not
    written."""


@dataclass(frozen=True)
class Scan:
    """One row of ``raw_image_scans`` and its findings."""

    scan_id: str
    scanned_at: datetime.datetime
    scanner: str
    scanner_version: str | None
    repository: str
    manifest_digest: str
    platform: str | None
    source_format: str
    findings: tuple[Finding, ...] = field(default=())
    duplicates: int = 0
    suppressed: int = 0

    @property
    def day(self) -> datetime.date:
        return self.scanned_at.astimezone(datetime.UTC).date()


# --- helpers the readers share ------------------------------------------------------------


def text(value: object, where: str, required: bool = False) -> str | None:
    """A string field: None when absent or empty (an error when ``required``)."""
    if value is None or value == "":
        if required:
            raise ReportError(f"{where} is missing")
        return None
    if not isinstance(value, str):
        raise ReportError(f"{where} is not a string: {value!r}")
    return value


def required_text(value: object, where: str) -> str:
    found = text(value, where, required=True)
    assert found is not None
    return found


def obj(value: object, where: str) -> dict[str, Any]:
    """A JSON object field; an absent (null) one reads as empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReportError(f"{where} is not a JSON object")
    return value


def array(value: object, where: str) -> list[Any]:
    """A JSON array field; an absent (null) one reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ReportError(f"{where} is not a JSON array")
    return value


def number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportError(f"{where} is not a number: {value!r}")
    return float(value)


def severity(value: object, source_format: str, where: str) -> str:
    written = required_text(value, where)
    allowed = SEVERITIES[source_format]
    if written not in allowed:
        raise ReportError(
            f"{where}: unknown severity {written!r} (expected one of {', '.join(sorted(allowed))})"
        )
    return written


def timestamp(value: object, where: str) -> datetime.datetime | None:
    written = text(value, where)
    if written is None:
        return None
    parsed = parse_rfc3339(written)
    if parsed is None:
        raise ReportError(f"{where} is not an RFC 3339 timestamp: {written!r}")
    return parsed


def first_line(description: str | None, limit: int = 200) -> str | None:
    """A title from a description: its first paragraph on one line, at most ``limit``
    characters (cut at a word, with an ellipsis)."""
    if not description or not description.strip():
        return None
    paragraph = " ".join(re.split(r"\n\s*\n", description.strip())[0].split())
    if len(paragraph) <= limit:
        return paragraph
    return paragraph[: limit - 1].rsplit(" ", 1)[0] + "…"


def repository_name(reference: str) -> str | None:
    """The registry path of an image name (``registry:5000/team/app``, ``alpine``,
    ``docker.io/library/alpine:3``): registry host, tag and digest dropped, a Docker Hub
    official image given its ``library/`` namespace. None when it is not a valid name."""
    name = reference.split("@", 1)[0]
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name = name[:colon]
    parts = name.split("/")
    if len(parts) > 1 and _HOST_PORT.fullmatch(parts[0]):
        parts = parts[1:]
    if len(parts) == 1:
        parts = ["library", *parts]
    repository = "/".join(parts)
    return repository if _NAME.fullmatch(repository) else None


def image_from_reference(reference: str) -> Image | None:
    """``REPO@sha256:...`` as an :class:`Image`, None when it is not one."""
    name, at, digest = reference.partition("@")
    if not at or DIGEST.fullmatch(digest) is None:
        return None
    repository = repository_name(name)
    return None if repository is None else Image(repository, digest)


def parse_image_option(reference: str) -> Image:
    """``--image REPO@DIGEST``; a ValueError with the reason when malformed."""
    image = image_from_reference(reference)
    if image is None:
        raise ValueError(
            f"--image {reference!r} is not REPOSITORY@sha256:<64 hex> (e.g. team/app@sha256:...)"
        )
    return image


def deduplicated(findings: list[Finding]) -> tuple[tuple[Finding, ...], int]:
    """The findings with repeats of a finding's :attr:`Finding.key` dropped (the first
    kept), and how many were dropped."""
    seen: set[tuple[str, str | None, str, str | None]] = set()
    kept: list[Finding] = []
    for finding in findings:
        if finding.key in seen:
            continue
        seen.add(finding.key)
        kept.append(finding)
    return tuple(kept), len(findings) - len(kept)


def canonical_json(document: object) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scan_id_of(document: object, image: Image) -> str:
    """Deterministic from the report's content and the image it describes: the same
    report ingested again has the same id (and is not written again)."""
    material = f"{canonical_json(document)}\n{image.repository}@{image.manifest_digest}"
    return hashlib.sha256(material.encode()).hexdigest()


def scan_of(
    document: object,
    parsed: ParsedReport,
    image: Image | None,
    now: datetime.datetime,
) -> Scan:
    """The scan row of a parsed report; ``image`` (from ``--image``) wins over the
    report's own. ``now`` is the scan time of a report that states none."""
    chosen = image or parsed.image
    if chosen is None:
        raise ReportError(
            "the report names no image digest (no repository@sha256:... in it);"
            " give the scanned image with --image REPOSITORY@sha256:<digest>"
        )
    return replace(
        Scan(
            scan_id=scan_id_of(document, chosen),
            scanned_at=parsed.scanned_at or now,
            scanner=parsed.scanner,
            scanner_version=parsed.scanner_version,
            repository=chosen.repository,
            manifest_digest=chosen.manifest_digest,
            platform=parsed.platform,
            source_format=parsed.source_format,
        ),
        findings=parsed.findings,
        duplicates=parsed.duplicates,
        suppressed=parsed.suppressed,
    )
