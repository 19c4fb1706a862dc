"""CycloneDX JSON with a ``vulnerabilities`` section (``trivy image --format cyclonedx
--scanners vuln``, ``grype -o cyclonedx-json``, other tools).

Read: ``bomFormat`` (``CycloneDX``), ``specVersion``, ``metadata.timestamp`` (scan time),
``metadata.tools`` (the first tool's ``name`` / ``version``; the 1.4 list and the 1.5+
``{"components": [...]}`` forms), ``metadata.component`` (the image: its
``aquasecurity:trivy:RepoDigest`` property, else its ``purl``
``pkg:oci/NAME@DIGEST?repository_url=HOST/PATH``, else ``name`` with a digest-shaped
``version``), ``components[]`` (nested too) by ``bom-ref``: ``name``, ``version``,
package type (the ``aquasecurity:trivy:PkgType`` property, else the purl type), layer
(the ``aquasecurity:trivy:LayerDigest`` property).

For each ``vulnerabilities[]`` and each of its ``affects[].ref`` one finding, unless its
``analysis.state`` says it does not apply (``not_affected``, ``false_positive``,
``resolved``, ``resolved_with_pedigree``: counted as suppressed, not written): ``id``,
severity (the rating whose ``source.name`` is the vulnerability's ``source.name``,
else the first rating with a severity; ``unknown`` when no rating has one), score (that
rating's ``score``, else the first CVSSv3 rating's, else any), ``analysis.state``
(status), fixed version (``recommendation`` "Upgrade P to version V" as Trivy writes it,
else an ``affects[].versions[]`` entry with ``status`` ``unaffected``), title (the first
paragraph of ``description``), primary URL (the first ``advisories[].url``, else
``source.url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from registry_insights.ingest.scans.model import (
    CYCLONEDX_JSON,
    DIGEST,
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

_UPGRADE = re.compile(r"Upgrade .+ to version (?P<version>.+)", re.DOTALL)
_PROPERTY_TYPE = "aquasecurity:trivy:PkgType"
_PROPERTY_LAYER = "aquasecurity:trivy:LayerDigest"
_PROPERTY_REPO_DIGEST = "aquasecurity:trivy:RepoDigest"
#: CycloneDX impact analysis states that say the vulnerability does not affect the image.
NOT_APPLYING = frozenset({"not_affected", "false_positive", "resolved", "resolved_with_pedigree"})
_BOM_LINK = "urn:cdx:"


def is_cyclonedx(document: dict[str, Any]) -> bool:
    return document.get("bomFormat") == "CycloneDX"


def _properties(component: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in array(component.get("properties"), "properties"):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            value = entry.get("value")
            if isinstance(value, str):
                found.setdefault(entry["name"], value)
    return found


def _all_components(components: list[Any], where: str) -> Iterator[dict[str, Any]]:
    for c, component in enumerate(components):
        component = obj(component, f"{where}[{c}]")
        yield component
        yield from _all_components(
            array(component.get("components"), f"{where}[{c}].components"),
            f"{where}[{c}].components",
        )


def _purl_type(purl: str | None) -> str | None:
    if purl is None or not purl.startswith("pkg:"):
        return None
    return purl[4:].split("/", 1)[0] or None


def _image(component: dict[str, Any]) -> Image | None:
    repo_digest = _properties(component).get(_PROPERTY_REPO_DIGEST)
    if repo_digest is not None and (image := image_from_reference(repo_digest)) is not None:
        return image
    purl = component.get("purl")
    if isinstance(purl, str) and purl.startswith("pkg:oci/"):
        parts = urlsplit(purl)
        name, _, digest = unquote(parts.path.removeprefix("oci/")).partition("@")
        location = parse_qs(parts.query).get("repository_url", [name])[0]
        repository = repository_name(location)
        if repository is not None and DIGEST.fullmatch(digest):
            return Image(repository, digest)
    label, version = component.get("name"), component.get("version")
    if isinstance(label, str) and isinstance(version, str) and DIGEST.fullmatch(version):
        named = repository_name(label)
        if named is not None:
            return Image(named, version)
    return image_from_reference(label) if isinstance(label, str) else None


def _tool(metadata: dict[str, Any]) -> tuple[str, str | None]:
    tools = metadata.get("tools")
    listed = (
        array(tools.get("components"), "metadata.tools.components")
        if isinstance(tools, dict)
        else array(tools, "metadata.tools")
    )
    for tool in listed:
        if isinstance(tool, dict) and isinstance(tool.get("name"), str) and tool["name"]:
            version = tool.get("version")
            return tool["name"].lower(), version if isinstance(version, str) and version else None
    return "unknown", None


def _rating(vulnerability: dict[str, Any], where: str) -> tuple[str, float | None]:
    ratings = [
        obj(r, f"{where}.ratings[]")
        for r in array(vulnerability.get("ratings"), f"{where}.ratings")
    ]
    source = obj(vulnerability.get("source"), f"{where}.source").get("name")
    rated = [r for r in ratings if r.get("severity") is not None]
    chosen = next(
        (
            r
            for r in rated
            if obj(r.get("source"), f"{where}.ratings[].source").get("name") == source
        ),
        None,
    )
    if chosen is None and rated:
        chosen = rated[0]
    written = (
        severity(chosen.get("severity"), CYCLONEDX_JSON, f"{where}.ratings[].severity")
        if chosen
        else "unknown"
    )
    # Every rating's severity must be a documented one, not only the chosen rating's.
    for rating in rated:
        severity(rating.get("severity"), CYCLONEDX_JSON, f"{where}.ratings[].severity")
    score = number(chosen.get("score"), f"{where}.ratings[].score") if chosen else None
    if score is None:
        scored = [r for r in ratings if r.get("score") is not None]
        scored.sort(key=lambda r: not str(r.get("method", "")).startswith("CVSSv3"))
        score = number(scored[0].get("score"), f"{where}.ratings[].score") if scored else None
    return written, score


def _fixed_version(vulnerability: dict[str, Any], affect: dict[str, Any], where: str) -> str | None:
    recommendation = text(vulnerability.get("recommendation"), f"{where}.recommendation")
    if recommendation is not None and (match := _UPGRADE.fullmatch(recommendation.strip())):
        return match["version"].strip()
    for entry in array(affect.get("versions"), f"{where}.affects[].versions"):
        if isinstance(entry, dict) and entry.get("status") == "unaffected":
            version = entry.get("version")
            if isinstance(version, str) and version:
                return version
    return None


def parse_cyclonedx(document: dict[str, Any]) -> ParsedReport:
    if "vulnerabilities" not in document:
        raise ReportError(
            "CycloneDX BOM without a vulnerabilities section (an SBOM, not a scan report;"
            " Trivy writes one with --scanners vuln)"
        )
    metadata = obj(document.get("metadata"), "metadata")
    image_component = obj(metadata.get("component"), "metadata.component")
    components: dict[str, dict[str, Any]] = {}
    for component in _all_components(
        [image_component] if image_component else [], "metadata.component"
    ):
        if isinstance(component.get("bom-ref"), str):
            components[component["bom-ref"]] = component
    for component in _all_components(array(document.get("components"), "components"), "components"):
        if isinstance(component.get("bom-ref"), str):
            components[component["bom-ref"]] = component
    findings: list[Finding] = []
    suppressed = 0
    for v, vulnerability in enumerate(array(document.get("vulnerabilities"), "vulnerabilities")):
        where = f"vulnerabilities[{v}]"
        vulnerability = obj(vulnerability, where)
        vulnerability_id = required_text(vulnerability.get("id"), f"{where}.id")
        written, score = _rating(vulnerability, where)
        advisories = [
            a["url"]
            for a in array(vulnerability.get("advisories"), f"{where}.advisories")
            if isinstance(a, dict) and isinstance(a.get("url"), str)
        ]
        source_url = text(
            obj(vulnerability.get("source"), f"{where}.source").get("url"), f"{where}.source.url"
        )
        status = text(
            obj(vulnerability.get("analysis"), f"{where}.analysis").get("state"),
            f"{where}.analysis.state",
        )
        title = first_line(text(vulnerability.get("description"), f"{where}.description"))
        affects = array(vulnerability.get("affects"), f"{where}.affects")
        if not affects:
            raise ReportError(f"{where} affects no component (affects is empty)")
        for a, affect in enumerate(affects):
            affect = obj(affect, f"{where}.affects[{a}]")
            ref = required_text(affect.get("ref"), f"{where}.affects[{a}].ref")
            found = components.get(ref)
            if found is None and ref.startswith(_BOM_LINK):
                raise ReportError(
                    f"{where}.affects[{a}].ref {ref!r} is a link to another BOM: a standalone"
                    " VEX document (analysis of another BOM's findings), not a scan report of"
                    " an image"
                )
            if found is None:
                raise ReportError(f"{where}.affects[{a}].ref {ref!r} names no component of the BOM")
            component = found
            if status in NOT_APPLYING:
                suppressed += 1
                continue
            properties = _properties(component)
            purl = component.get("purl") if isinstance(component.get("purl"), str) else None
            findings.append(
                Finding(
                    vulnerability_id=vulnerability_id,
                    severity=written,
                    package_name=required_text(component.get("name"), f"component {ref!r} name"),
                    package_type=properties.get(_PROPERTY_TYPE) or _purl_type(purl),
                    installed_version=text(component.get("version"), f"component {ref!r} version"),
                    fixed_version=_fixed_version(vulnerability, affect, where),
                    status=status,
                    cvss_score=score,
                    layer_digest=properties.get(_PROPERTY_LAYER),
                    title=title,
                    primary_url=advisories[0] if advisories else source_url,
                )
            )
    kept, duplicates = deduplicated(findings)
    scanner, version = _tool(metadata)
    return ParsedReport(
        source_format=CYCLONEDX_JSON,
        scanner=scanner,
        scanner_version=version,
        scanned_at=timestamp(metadata.get("timestamp"), "metadata.timestamp"),
        image=_image(image_component) if image_component else None,
        platform=None,
        findings=kept,
        duplicates=duplicates,
        suppressed=suppressed,
    )
