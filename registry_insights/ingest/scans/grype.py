"""Grype JSON (``grype -o json``).

Read: ``descriptor.name`` / ``version`` / ``timestamp`` (scanner and scan time),
``source.target``: ``repoDigests`` (the image: the entry whose repository is the
``userInput``'s, else the first), else ``userInput`` with ``manifestDigest``;
``os`` / ``architecture`` (platform). For each ``matches[]``:
``vulnerability.id`` / ``severity`` / ``fix.versions`` (joined with ``", "``) /
``fix.state`` (status) / ``cvss[]`` (the ``Primary`` entry's ``metrics.baseScore``, else
the first) / ``dataSource`` or ``urls[0]`` (primary URL) / ``description`` (its first
paragraph is the title: Grype writes no title), ``artifact.name`` / ``version`` / ``type`` /
``locations[0].layerID``.
"""

from __future__ import annotations

from typing import Any

from registry_insights.ingest.scans.model import (
    DIGEST,
    GRYPE_JSON,
    Finding,
    Image,
    ParsedReport,
    ReportError,
    array,
    deduplicated,
    first_line,
    image_from_reference,
    number,
    obj,
    repository_name,
    required_text,
    severity,
    text,
    timestamp,
)


def is_grype(document: dict[str, Any]) -> bool:
    return isinstance(document.get("matches"), list) and (
        "descriptor" in document or "source" in document
    )


def _image(target: dict[str, Any]) -> Image | None:
    user_input = target.get("userInput")
    named = repository_name(user_input) if isinstance(user_input, str) else None
    candidates = [
        image
        for entry in array(target.get("repoDigests"), "source.target.repoDigests")
        if isinstance(entry, str) and (image := image_from_reference(entry)) is not None
    ]
    for image in candidates:
        if image.repository == named:
            return image
    if candidates:
        return candidates[0]
    if isinstance(user_input, str) and (direct := image_from_reference(user_input)):
        return direct
    digest = target.get("manifestDigest")
    if named is not None and isinstance(digest, str) and DIGEST.fullmatch(digest):
        return Image(named, digest)
    return None


def _cvss(vulnerability: dict[str, Any], where: str) -> float | None:
    entries = [
        obj(entry, f"{where}.cvss[]") for entry in array(vulnerability.get("cvss"), f"{where}.cvss")
    ]
    entries.sort(key=lambda entry: entry.get("type") != "Primary")  # stable: Primary first
    for entry in entries:
        score = number(obj(entry.get("metrics"), f"{where}.cvss[].metrics").get("baseScore"), where)
        if score is not None:
            return score
    return None


def _finding(match: object, where: str) -> Finding:
    if not isinstance(match, dict):
        raise ReportError(f"{where} is not a JSON object")
    vulnerability = obj(match.get("vulnerability"), f"{where}.vulnerability")
    artifact = obj(match.get("artifact"), f"{where}.artifact")
    fix = obj(vulnerability.get("fix"), f"{where}.vulnerability.fix")
    versions = [
        required_text(version, f"{where}.vulnerability.fix.versions[]")
        for version in array(fix.get("versions"), f"{where}.vulnerability.fix.versions")
    ]
    urls = [
        url
        for url in array(vulnerability.get("urls"), f"{where}.vulnerability.urls")
        if isinstance(url, str)
    ]
    locations = array(artifact.get("locations"), f"{where}.artifact.locations")
    layer = (
        obj(locations[0], f"{where}.artifact.locations[0]").get("layerID") if locations else None
    )
    description = text(vulnerability.get("description"), f"{where}.vulnerability.description")
    return Finding(
        vulnerability_id=required_text(vulnerability.get("id"), f"{where}.vulnerability.id"),
        severity=severity(
            vulnerability.get("severity"), GRYPE_JSON, f"{where}.vulnerability.severity"
        ),
        package_name=required_text(artifact.get("name"), f"{where}.artifact.name"),
        package_type=text(artifact.get("type"), f"{where}.artifact.type"),
        installed_version=text(artifact.get("version"), f"{where}.artifact.version"),
        fixed_version=", ".join(versions) or None,
        status=text(fix.get("state"), f"{where}.vulnerability.fix.state"),
        cvss_score=_cvss(vulnerability, f"{where}.vulnerability"),
        layer_digest=text(layer, f"{where}.artifact.locations[0].layerID"),
        title=first_line(description),
        primary_url=text(vulnerability.get("dataSource"), f"{where}.vulnerability.dataSource")
        or (urls[0] if urls else None),
    )


def parse_grype(document: dict[str, Any]) -> ParsedReport:
    findings = [
        _finding(match, f"matches[{m}]")
        for m, match in enumerate(array(document.get("matches"), "matches"))
    ]
    kept, duplicates = deduplicated(findings)
    descriptor = obj(document.get("descriptor"), "descriptor")
    target = obj(document.get("source"), "source").get("target")
    target = target if isinstance(target, dict) else {}  # a directory scan's target is a string
    os_name, architecture = target.get("os"), target.get("architecture")
    platform = (
        f"{os_name}/{architecture}"
        if isinstance(os_name, str) and os_name and isinstance(architecture, str) and architecture
        else None
    )
    return ParsedReport(
        source_format=GRYPE_JSON,
        scanner=(text(descriptor.get("name"), "descriptor.name") or "grype").lower(),
        scanner_version=text(descriptor.get("version"), "descriptor.version"),
        scanned_at=timestamp(descriptor.get("timestamp"), "descriptor.timestamp"),
        image=_image(target),
        platform=platform,
        findings=kept,
        duplicates=duplicates,
    )
