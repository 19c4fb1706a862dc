"""Trivy JSON (``trivy image --format json``), schema version 2.

Read: ``SchemaVersion`` (must be 2), ``CreatedAt`` (scan time), ``Trivy.Version`` (newer
releases), ``ArtifactName``, ``Metadata.RepoDigests`` (the image: the entry whose
repository is the artifact's, else the first; else ``ArtifactName`` or
``Metadata.Reference`` when one is ``REPO@sha256:...``), ``Metadata.ImageConfig.os`` /
``architecture`` / ``variant`` (platform), and for each ``Results[]`` its ``Type``
(package type) and ``Vulnerabilities[]``: ``VulnerabilityID``, ``PkgName``,
``InstalledVersion``, ``FixedVersion``, ``Status`` (``not_affected`` findings are counted
as suppressed and not written; those a VEX statement suppressed are in
``ExperimentalModifiedFindings``, not read), ``Severity``, ``CVSS`` (the
``nvd`` V3Score, else the ``SeveritySource`` vendor's, else any source's V3Score, then
the same for V2Score), ``Layer.Digest``, ``Title``, ``PrimaryURL``.
"""

from __future__ import annotations

from typing import Any

from registry_insights.ingest.scans.model import (
    TRIVY_JSON,
    Finding,
    Image,
    ParsedReport,
    ReportError,
    array,
    deduplicated,
    image_from_reference,
    number,
    obj,
    repository_name,
    required_text,
    severity,
    text,
    timestamp,
)

NOT_AFFECTED = "not_affected"


def is_trivy(document: dict[str, Any]) -> bool:
    return "SchemaVersion" in document and ("Results" in document or "ArtifactName" in document)


def _cvss(vulnerability: dict[str, Any], where: str) -> float | None:
    sources = obj(vulnerability.get("CVSS"), f"{where}.CVSS")
    vendor = vulnerability.get("SeveritySource")
    order = ["nvd", *([vendor] if isinstance(vendor, str) else []), *sorted(sources)]
    for key in ("V3Score", "V2Score"):
        for source in order:
            if source in sources:
                score = number(obj(sources[source], f"{where}.CVSS.{source}").get(key), where)
                if score is not None:
                    return score
    return None


def _image(document: dict[str, Any]) -> Image | None:
    metadata = obj(document.get("Metadata"), "Metadata")
    candidates = [
        image
        for entry in array(metadata.get("RepoDigests"), "Metadata.RepoDigests")
        if isinstance(entry, str) and (image := image_from_reference(entry)) is not None
    ]
    artifact = document.get("ArtifactName")
    if isinstance(artifact, str):
        named = repository_name(artifact)
        for image in candidates:
            if image.repository == named:
                return image
        direct = image_from_reference(artifact)
        if direct is not None:
            return direct
    if candidates:
        return candidates[0]
    reference = metadata.get("Reference")
    return image_from_reference(reference) if isinstance(reference, str) else None


def _platform(document: dict[str, Any]) -> str | None:
    config = obj(obj(document.get("Metadata"), "Metadata").get("ImageConfig"), "ImageConfig")
    os_name, architecture = config.get("os"), config.get("architecture")
    if not (
        isinstance(os_name, str) and os_name and isinstance(architecture, str) and architecture
    ):
        return None
    variant = config.get("variant")
    return "/".join(
        [os_name, architecture, *([variant] if isinstance(variant, str) and variant else [])]
    )


def _finding(vulnerability: object, package_type: str | None, where: str) -> Finding:
    if not isinstance(vulnerability, dict):
        raise ReportError(f"{where} is not a JSON object")
    layer = obj(vulnerability.get("Layer"), f"{where}.Layer")
    return Finding(
        vulnerability_id=required_text(
            vulnerability.get("VulnerabilityID"), f"{where}.VulnerabilityID"
        ),
        severity=severity(vulnerability.get("Severity"), TRIVY_JSON, f"{where}.Severity"),
        package_name=required_text(vulnerability.get("PkgName"), f"{where}.PkgName"),
        package_type=package_type,
        installed_version=text(vulnerability.get("InstalledVersion"), f"{where}.InstalledVersion"),
        fixed_version=text(vulnerability.get("FixedVersion"), f"{where}.FixedVersion"),
        status=text(vulnerability.get("Status"), f"{where}.Status"),
        cvss_score=_cvss(vulnerability, where),
        layer_digest=text(layer.get("Digest"), f"{where}.Layer.Digest"),
        title=text(vulnerability.get("Title"), f"{where}.Title"),
        primary_url=text(vulnerability.get("PrimaryURL"), f"{where}.PrimaryURL"),
    )


def parse_trivy(document: dict[str, Any]) -> ParsedReport:
    version = document.get("SchemaVersion")
    if version != 2:
        raise ReportError(f"Trivy SchemaVersion {version!r} is not supported (only 2)")
    findings: list[Finding] = []
    suppressed = 0
    for r, result in enumerate(array(document.get("Results"), "Results")):
        where = f"Results[{r}]"
        result = obj(result, where)
        package_type = text(result.get("Type"), f"{where}.Type")
        for v, vulnerability in enumerate(
            array(result.get("Vulnerabilities"), f"{where}.Vulnerabilities")
        ):
            finding = _finding(vulnerability, package_type, f"{where}.Vulnerabilities[{v}]")
            if finding.status == NOT_AFFECTED:
                suppressed += 1
                continue
            findings.append(finding)
    kept, duplicates = deduplicated(findings)
    trivy = obj(document.get("Trivy"), "Trivy")
    return ParsedReport(
        source_format=TRIVY_JSON,
        scanner="trivy",
        scanner_version=text(trivy.get("Version"), "Trivy.Version"),
        scanned_at=timestamp(document.get("CreatedAt"), "CreatedAt"),
        image=_image(document),
        platform=_platform(document),
        findings=kept,
        duplicates=duplicates,
        suppressed=suppressed,
    )
